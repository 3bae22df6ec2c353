//! The offline analyst: every task of the paper answered with no model.
//!
//! It is the default when no LLM is configured and the baseline LLM backends
//! must beat. What it does per task:
//! - screen: keyword overlap between the question and the user's turns;
//! - extract: scrubbed extractive summaries (request, task), the detected
//!   language, a concern lexicon, keyword matching for category questions;
//! - name a cluster: the phrase of its members' answers that sets them apart
//!   from the nearest non-members (c-TF-IDF over phrases, in the members' languages),
//!   or two joined where none covers half;
//! - propose parents: k-means over the neighbourhood's cluster embeddings,
//!   each group named from its children's phrases the same way;
//! - de-duplicate: k-means over the proposals' embeddings, one representative per group;
//! - assign: the parent whose embedding (or closest phrases) is most similar,
//!   and, for a whole step at once, whose other children are too;
//! - rename: the phrase most of the children's conversations share and the
//!   nearest children of other parents do not, or two joined where none covers half;
//! - audit: rules on the 1–5 scale of the paper's Table 6.

mod assign;
pub use assign::AssignWeights;
pub mod audit;
pub mod extract;
mod lexicon;
pub mod normalise;
mod person_names;
pub mod phrases;
pub mod scrub;
pub mod segment;
pub mod terms;
mod words;

use crate::analyst::*;
use crate::api::facet_id;
use crate::kmeans::{kmeans, KMeansParams};
use crate::language::language_name;
use crate::matrix::Matrix;
use lexicon::Lexicon;
use phrases::{distinctive_phrases, further_phrases, joined_name, light_alone, name_apart, naming_phrase, sentence_case, Phrase};

#[derive(Clone, Debug)]
pub struct OfflineAnalyst {
    /// Seeds the k-means inside proposals and de-duplication.
    pub seed: u64,
    pub assign: AssignWeights,
}

impl OfflineAnalyst {
    pub fn new(seed: u64) -> Self {
        OfflineAnalyst { seed, assign: AssignWeights::default() }
    }

    /// The same analyst with other assign weights (for measuring them).
    pub fn with_assign(self, assign: AssignWeights) -> Self {
        OfflineAnalyst { assign, ..self }
    }
}

/// What a group of texts is called: the phrase it shares most distinctly
/// (`phrases::naming_phrase`), in sentence case, and a summary quoting it
/// and two or three further phrases of the members, with how many texts
/// hold the name's phrase and what the nearest other texts say instead.
/// Every quoted phrase is in at least [`MIN_ANSWERS`] members' answers.
fn label_from_phrases(members: &[String], contrast: &[String], again: Option<&NamedAlike>) -> ClusterLabel {
    let lexicon = Lexicon::for_texts(members);
    let ranked = distinctive_phrases(members, &[], contrast, MIN_ANSWERS, &lexicon);
    // Whether a cluster has a name depends on its members alone, never on
    // what it is contrasted with: among the phrases enough of them hold,
    // the most distinctive wins.
    let enough = (MIN_NAME_SHARE * members.len() as f32).ceil() as usize;
    let (common, rare): (Vec<Phrase>, Vec<Phrase>) = ranked.into_iter().partition(|p| p.texts() >= enough);
    if common.is_empty() {
        let mut label = assorted(members, "sampled answers");
        if let Some(best) = rare.first() {
            // A name that a handful of the members use would be invented for the rest.
            label.summary =
                format!("No wording is in a tenth of the {} sampled answers; the most distinctive, “{}”, is in {}.", members.len(), best.surface, best.texts());
        }
        return label;
    }
    // Where only words that say little alone set the group apart, its
    // neighbours share its topic: banking77's clusters of refunds border one
    // another, and one whose answers all say "refund" was set apart by
    // "long" (6 of 50). It is named by what its own members say most instead.
    let common = if common.iter().all(|p| light_alone(p, &lexicon)) {
        let own = distinctive_phrases(members, &[], &[], MIN_ANSWERS, &lexicon);
        let own: Vec<Phrase> = own.into_iter().filter(|p| p.texts() >= enough).collect();
        if own.iter().any(|p| !light_alone(p, &lexicon)) {
            own
        } else {
            common
        }
    } else {
        common
    };
    label_from_ranked(&common, members, &[], contrast, again, &lexicon, (request_kind(members), "sampled answers"))
}

/// A phrase names a cluster only when this many of its members' answers hold
/// it, so no single person's words name a cluster.
const MIN_ANSWERS: usize = 2;

/// ... and at least this share of them: below it the cluster's answers share
/// no wording, and it is called assorted, as one whose answers share none at
/// all is. (On HWU64, "Take" was the name of 127 unrelated commands, 4 of
/// 50 sampled answers holding the word.)
const MIN_NAME_SHARE: f32 = 0.1;

/// A parent's label from its children's texts (each weighing `weights`):
/// by the phrases two of them share, or, when they share none, by the most
/// distinctive phrase of the heaviest child (children are aggregates
/// already), which speaks for more of the parent than any other child's
/// does: by distinctiveness alone, Arena-Hard's parent of Vietnamese
/// writing, Chinese maths, Chinese description and five more groups was
/// named "Import numpy as np", from its fourth child, and HWU64's parent of
/// arithmetic groups "Square root", from its fifth. A parent named again
/// may also be named for one child's phrase, after those two share: its
/// twins hold the shared ones (three HWU64 parents of list children were
/// all "List", one of them a grocery list and a shopping list).
fn label_from_children(texts: &[String], weights: &[f32], contrast: &[String], again: Option<&NamedAlike>) -> ClusterLabel {
    let lexicon = Lexicon::for_texts(texts);
    // A phrase's score does not depend on the least support asked for, so
    // the phrases two children share rank among themselves as they would alone.
    let every = distinctive_phrases(texts, weights, contrast, 1, &lexicon);
    let (shared, single): (Vec<Phrase>, Vec<Phrase>) = every.into_iter().partition(|p| p.texts() >= 2);
    let ranked = match again {
        _ if shared.is_empty() => heaviest_first(single, weights),
        None => shared,
        Some(_) => shared.into_iter().chain(single).collect(),
    };
    label_from_ranked(&ranked, texts, weights, contrast, again, &lexicon, ("Requests", "groups below it"))
}

/// Phrases held by one text each, those of heavier texts first, in their
/// ranked order among the phrases of texts that weigh alike.
fn heaviest_first(mut single: Vec<Phrase>, weights: &[f32]) -> Vec<Phrase> {
    let weight = |p: &Phrase| p.holders.first().and_then(|&i| weights.get(i)).copied().unwrap_or(1.0);
    single.sort_by(|a, b| weight(b).total_cmp(&weight(a)));
    single
}

/// The label of ranked phrases (`kind` and `unit` say what the texts are in
/// the summary, `weights` what each weighs, empty for all alike). When no phrase
/// covers half of the texts, two join in the name (`phrases::joined_name`),
/// in the texts' language: a base cluster of "define", "definition of" and
/// "what does it mean" is named for both of its wordings, not for one that a
/// fifth of it uses. (Names then found their own cluster among all the
/// others at the base 66 → 76 % of the time on HWU64, 44 → 62 % on
/// banking77, 60 → 63 % on Arena-Hard; docs/eval/README.md.) A group named
/// again (`again`) is named apart from its twins (`phrases::name_apart`)
/// where a phrase allows.
fn label_from_ranked(
    ranked: &[Phrase],
    members: &[String],
    weights: &[f32],
    contrast: &[String],
    again: Option<&NamedAlike>,
    lexicon: &Lexicon,
    (kind, unit): (&str, &str),
) -> ClusterLabel {
    let (name, joined) = match again.and_then(|alike| name_apart(ranked, alike, lexicon)) {
        Some((phrase, name)) => (phrase, Some(name)),
        None => {
            let Some(name) = naming_phrase(ranked, lexicon) else {
                return assorted(members, unit);
            };
            (name, joined_name(ranked, name, members.len(), weights, lexicon))
        }
    };
    // One sentence of what the members ask for, in their own phrases: the
    // name's, with how many hold it, then up to three more, each bringing a
    // word the ones before it lack.
    let mut quoted = vec![format!("“{}” ({} of the {} {unit})", name.surface, name.texts(), members.len())];
    quoted.extend(further_phrases(ranked, name, 3).iter().map(|p| format!("“{}”", p.surface)));
    let mut summary = format!("{kind} that mention {}.", join_list(&quoted, "or"));
    if let Some(instead) = nearby_phrase(contrast, members) {
        summary.push_str(&format!("{NEARBY_OPENING}“{}” instead.", instead.surface));
    }
    ClusterLabel { name: sentence_case(joined.as_deref().unwrap_or(&name.surface)), summary }
}

/// What the nearest other texts say that a group's members do not: their
/// most distinctive phrase, read in the nearest texts' own languages, not
/// the group's. A Vietnamese group read its Chinese neighbours with
/// Vietnamese and English function words, and its summary said they said
/// "的" (of) instead. A word that says little alone is passed over here as
/// in names.
fn nearby_phrase(contrast: &[String], members: &[String]) -> Option<Phrase> {
    let lexicon = Lexicon::for_texts(contrast);
    distinctive_phrases(contrast, &[], members, 2, &lexicon).into_iter().find(|p| !light_alone(p, &lexicon))
}

/// "Questions" when at least half of a cluster's answers end in a question
/// mark (in any script), else "Requests". (A parent's texts are its
/// children's names and phrases, which say nothing of the form: a parent
/// holds "Requests".)
fn request_kind(answers: &[String]) -> &'static str {
    let asked = answers.iter().filter(|m| m.trim_end().ends_with(['?', '？'])).count();
    if !answers.is_empty() && asked * 2 >= answers.len() {
        "Questions"
    } else {
        "Requests"
    }
}

/// A group whose texts share no distinctive wording, said plainly (also
/// a group too small to name without repeating one text's words).
fn assorted(members: &[String], unit: &str) -> ClusterLabel {
    let words: usize = members.iter().map(|m| m.split_whitespace().count()).sum();
    let short = words < SHORT_WORDS * members.len().max(1);
    let name = if short { format!("{ASSORTED}short requests") } else { format!("{ASSORTED}requests") };
    let summary = match members.len() {
        0 | 1 => format!("Too few {unit} to name without repeating one of them."),
        n => format!("The {n} {unit} share no wording that sets them apart."),
    };
    ClusterLabel { name, summary }
}

/// Below this many words on average, a group's texts are short questions.
const SHORT_WORDS: usize = 8;

/// "a, b and c" (or "a, b or c").
fn join_list(items: &[String], conjunction: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

/// What a cluster says about its topic: its name and the phrase its summary
/// quotes first (the name's own), without the offline analyst's template
/// words (which would otherwise become the most shared phrases of every
/// group), the further phrases or what its neighbours say; nothing for an
/// assorted cluster. The further phrases are left out because they are the
/// words children share most ("turn", "set", "play"), so a parent named from
/// them was called for a verb: HWU64's top level read "Turn", "Time",
/// "Today" where it now reads "Living room & robot vacuum cleaner", "Local
/// events & alarm" (docs/eval/README.md). A summary with no quotes (an LLM's)
/// is taken whole.
fn brief_text(b: &ClusterBrief) -> String {
    if b.name.starts_with(ASSORTED) {
        // Nothing to name a parent by: "assorted" is the analyst's own word.
        return String::new();
    }
    let (own, _) = split_off_neighbours(&b.summary);
    let own = own.split(INCLUDES).next().unwrap_or(own);
    match own.split('“').nth(1).and_then(|s| s.split('”').next()) {
        // A full stop keeps the name from running into the phrase.
        Some(phrase) => format!("{}. {phrase}", b.name),
        None => format!("{}. {}", b.name, own),
    }
}

/// Opens the list of a parent's largest children. No capitalised word
/// stands before its colon: the audit reads "Word:" as a speaker's label,
/// a name.
const INCLUDES: &str = " The largest groups below it: ";
/// Opens the name of every group named by [`assorted`], whose summary
/// quotes nothing.
const ASSORTED: &str = "Assorted ";

impl Analyst for OfflineAnalyst {
    fn describe(&self) -> String {
        "offline (no model: scrubbed extracts, names from shared phrases, rule-based audit)".into()
    }

    async fn screen(&self, req: &ScreenRequest) -> Result<bool, AnalystError> {
        Ok(extract::screen(&req.conversation, &req.question))
    }

    async fn extract(&self, req: &ExtractRequest) -> Result<FacetAnswer, AnalystError> {
        let c = &req.conversation;
        match (req.facet.id.as_str(), &req.facet.kind) {
            (facet_id::REQUEST | facet_id::TASK, FacetKind::OpenText) => Ok(FacetAnswer::Text(extract::request_summary(c))),
            (facet_id::LANGUAGE, FacetKind::OpenText) => Ok(FacetAnswer::Text(match &req.detected_language {
                Some(code) => language_name(code),
                None => extract::languages(&[c]).remove(0),
            })),
            (facet_id::CONCERN, FacetKind::Scale { .. }) => Ok(FacetAnswer::Scale(extract::concern(c))),
            (_, FacetKind::Category { options }) => extract::category(c, options)
                .map(|i| FacetAnswer::Text(options[i].clone()))
                .or_else(|| options.iter().find(|o| o.eq_ignore_ascii_case("other")).map(|o| FacetAnswer::Text(o.clone())))
                .ok_or_else(|| AnalystError::Unsupported("no category's words occur in the conversation and there is no \"other\" option".into())),
            (id, _) => Err(AnalystError::Unsupported(format!("the offline analyst cannot answer the custom question {id:?}; configure an LLM backend"))),
        }
    }

    /// As [`Analyst::extract`], except that the language answers a batch
    /// is not told (an older client's) are read together, so that a short
    /// request takes the language the batch is surely written in, as the
    /// pipeline's computed facet reads the whole run.
    async fn extract_batch(&self, reqs: &[ExtractRequest]) -> Vec<Result<FacetAnswer, AnalystError>> {
        let asks_language = |r: &ExtractRequest| r.facet.id == facet_id::LANGUAGE && r.facet.kind == FacetKind::OpenText && r.detected_language.is_none();
        let texts: Vec<&ConversationText> = reqs.iter().filter(|r| asks_language(r)).map(|r| &r.conversation).collect();
        let mut languages = extract::languages(&texts).into_iter();
        let mut out = Vec::with_capacity(reqs.len());
        for r in reqs {
            let read_together = if asks_language(r) { languages.next() } else { None };
            match read_together {
                Some(language) => out.push(Ok(FacetAnswer::Text(language))),
                None => out.push(self.extract(r).await),
            }
        }
        out
    }

    async fn name_cluster(&self, req: &NameClusterRequest) -> Result<ClusterLabel, AnalystError> {
        Ok(label_from_phrases(&req.members, &req.contrast, req.again.as_ref()))
    }

    async fn propose_parents(&self, req: &ProposeParentsRequest) -> Result<Vec<ClusterLabel>, AnalystError> {
        let wanted = req.wanted.clamp(1, req.children.len().max(1));
        let points: Vec<Vec<f32>> = req.children.iter().map(|c| c.embedding.clone()).collect();
        if points.iter().any(Vec::is_empty) {
            return Err(AnalystError::Unsupported("the offline analyst needs the children's embeddings".into()));
        }
        let points = Matrix::from_rows(&points).map_err(|e| AnalystError::Backend(e.to_string()))?;
        let groups = kmeans(&points, &KMeansParams::new(wanted, self.seed)).map_err(|e| AnalystError::Backend(e.to_string()))?;
        let mut out = Vec::new();
        for g in 0..groups.centroids.len() {
            let members: Vec<String> = req.children.iter().zip(&groups.assignments).filter(|(_, &a)| a == g).map(|(c, _)| brief_text(c)).collect();
            let contrast: Vec<String> = req
                .children
                .iter()
                .zip(&groups.assignments)
                .filter(|(_, &a)| a != g)
                .map(|(c, _)| brief_text(c))
                .chain(req.outside.iter().map(brief_text))
                .collect();
            out.push(label_from_children(&members, &[], &contrast, None));
        }
        Ok(out)
    }

    async fn dedupe(&self, req: &DedupeRequest) -> Result<Vec<ClusterLabel>, AnalystError> {
        let label = |b: &ClusterBrief| ClusterLabel { name: b.name.clone(), summary: b.summary.clone() };
        if req.proposals.len() <= req.wanted.max(1) {
            return Ok(req.proposals.iter().map(label).collect());
        }
        let points: Vec<Vec<f32>> = req.proposals.iter().map(|p| p.embedding.clone()).collect();
        if points.iter().any(Vec::is_empty) {
            return Err(AnalystError::Unsupported("the offline analyst needs the proposals' embeddings".into()));
        }
        let points = Matrix::from_rows(&points).map_err(|e| AnalystError::Backend(e.to_string()))?;
        let groups = kmeans(&points, &KMeansParams::new(req.wanted.max(1), self.seed)).map_err(|e| AnalystError::Backend(e.to_string()))?;
        // One representative per group: the proposal closest to the group's centroid.
        let mut out = Vec::new();
        for (g, centroid) in groups.centroids.iter().enumerate() {
            let best = req
                .proposals
                .iter()
                .zip(&groups.assignments)
                .filter(|(_, &a)| a == g)
                .max_by(|a, b| crate::vector::dot(&a.0.embedding, centroid).total_cmp(&crate::vector::dot(&b.0.embedding, centroid)));
            if let Some((p, _)) = best {
                out.push(label(p));
            }
        }
        Ok(out)
    }

    async fn assign(&self, req: &AssignRequest) -> Result<usize, AnalystError> {
        assign::assign_one(req, self.assign)
    }

    async fn assign_batch(&self, req: &AssignBatchRequest) -> Vec<Result<usize, AnalystError>> {
        assign::assign_all(req, self.assign)
    }

    async fn rename(&self, req: &RenameRequest) -> Result<ClusterLabel, AnalystError> {
        // Each child weighs by its size, so a parent is named for most of its
        // conversations (by the square root, so one big child does not
        // drown the others).
        let texts: Vec<String> = req.children.iter().map(brief_text).collect();
        let weights: Vec<f32> = req.children.iter().map(|c| (c.size.max(1) as f32).sqrt()).collect();
        let contrast: Vec<String> = req.outside.iter().map(brief_text).collect();
        let mut label = label_from_children(&texts, &weights, &contrast, req.again.as_ref());
        let mut biggest: Vec<&ClusterBrief> = req.children.iter().collect();
        biggest.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.name.cmp(&b.name)));
        let names: Vec<String> = biggest.iter().take(3).map(|c| c.name.clone()).collect();
        // What the neighbours say stays the closing sentence, so that what is
        // embedded of the parent (`cluster_meaning`) keeps its children.
        let (own, nearby) = split_off_neighbours(&label.summary);
        label.summary = format!("{own}{INCLUDES}{}.{nearby}", names.join("; "));
        Ok(label)
    }

    async fn audit(&self, req: &AuditRequest) -> Result<AuditVerdict, AnalystError> {
        Ok(audit::audit(&req.content))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| t.to_string()).collect()
    }

    /// A group whose topic its neighbours share is named for that topic,
    /// not for a word that says little alone and happens to be rarer nearby.
    #[test]
    fn a_group_set_apart_only_by_light_words_is_named_for_its_own_topic() {
        let members = strings(&[
            "How long until my refund arrives",
            "How long will the refund take",
            "Where is my refund",
            "I want a refund",
            "Refund still missing",
            "My refund is late",
            "Refund please",
            "Is my refund done",
            "No refund yet",
            "How long does it take",
        ]);
        let contrast = strings(&[
            "Refund for an item I bought",
            "Can I get a refund for my order",
            "The seller will not refund me",
            "Refund from a shop",
            "I returned it, where is the refund",
            "Refund of a card payment",
            "Refund to my account",
            "A refund I requested",
            "Refund not showing",
            "Refund for a cancelled order",
            "Is a refund possible",
            "Refund in another currency",
            "Refund of a fee",
            "Refund from a hotel",
            "Refund for a train ticket",
            "Refund after a return",
        ]);
        // Nine in ten members say "refund", and every neighbour does: the
        // contrast alone would name them for "long".
        assert!(distinctive_phrases(&members, &[], &contrast, MIN_ANSWERS, &Lexicon::english()).iter().all(|p| p.key != "refund"));
        let label = label_from_phrases(&members, &contrast, None);
        assert_eq!(label.name, "Refund", "{label:?}");
        // With neighbours on other topics, the rule for light words is not needed.
        let elsewhere = strings(&["Change my PIN", "Card was declined", "Top up with a cheque"]);
        assert_eq!(label_from_phrases(&members, &elsewhere, None).name, "Refund");
    }

    fn brief(name: &str, phrase: &str, size: usize) -> ClusterBrief {
        let summary = format!("Requests that mention “{phrase}” (20 of the 50 sampled answers).");
        ClusterBrief { name: name.into(), summary, size, embedding: Vec::new(), parts: Vec::new() }
    }

    /// A parent whose children share no wording is named for its heaviest
    /// child's phrase, not for the most distinctive phrase of a small one.
    #[test]
    fn a_parent_of_children_sharing_no_wording_is_named_for_the_heaviest() {
        let children = vec![
            brief("Viết", "viết", 25),
            brief("数学", "数学", 21),
            brief("描述", "描述", 21),
            brief("Import numpy as np", "import numpy as np", 18),
            brief("Annual report", "annual report", 16),
            brief("Chess openings", "chess openings", 12),
        ];
        // A neighbour shares the largest child's word, so a small child's
        // phrase is the most distinctive.
        let mut outside = vec![brief("Viết & poem", "viết", 40)];
        outside.extend(["Story", "Data", "Song", "Email", "Weather", "Taxi", "Alarm", "Joke", "Recipe"].map(|n| brief(n, &n.to_lowercase(), 30)));
        let rename = |children: Vec<ClusterBrief>| {
            let req = RenameRequest { facet: Facet::request(), children, outside: outside.clone(), again: None };
            futures::executor::block_on(OfflineAnalyst::new(1).rename(&req)).unwrap()
        };
        assert_eq!(rename(children.clone()).name, "Viết");
        let mut heavy = children;
        heavy[3].size = 400;
        assert_eq!(rename(heavy).name, "Import numpy as np");
    }

    /// A renamed parent's summary lists its largest children before it says
    /// what its neighbours say, so what is embedded of it keeps the one and
    /// not the other.
    #[test]
    fn a_parents_embedded_text_keeps_its_children_and_not_its_neighbours() {
        let children = vec![brief("Set an alarm", "set an alarm", 40), brief("Wake me up", "wake me up", 30), brief("Alarm tomorrow", "alarm tomorrow", 20)];
        let outside = ["Timer for ten minutes", "Start a timer", "Timer please", "Pause the timer"].map(|n| brief(n, &n.to_lowercase(), 30)).to_vec();
        let req = RenameRequest { facet: Facet::request(), children, outside, again: None };
        let label = futures::executor::block_on(OfflineAnalyst::new(1).rename(&req)).unwrap();
        let (own, nearby) = label.summary.split_once(NEARBY_OPENING).expect("the neighbours share a phrase the parent lacks");
        assert!(own.contains(INCLUDES.trim()) && nearby.contains("timer") && nearby.ends_with("instead."), "{}", label.summary);
        let meaning = label.meaning();
        assert!(meaning.contains("Set an alarm; Wake me up; Alarm tomorrow") && !meaning.contains("timer"), "{meaning}");
    }

    /// A Vietnamese group of poems whose nearest neighbours describe things
    /// in Chinese.
    fn poems_beside_descriptions() -> ClusterLabel {
        let members = strings(&[
            "Viết một bài thơ về mùa thu ở Hà Nội",
            "Viết một bài thơ về biển và những con thuyền",
            "Hãy viết một bài thơ ngắn về mẹ",
            "Viết bài thơ lục bát về quê hương",
        ]);
        let contrast = strings(&["请描述一下你的家乡的风景", "描述一个美丽的早晨的场景", "请写一篇关于春天的文章", "描述你最喜欢的一本书的内容"]);
        label_from_phrases(&members, &contrast, None)
    }

    /// What neighbours say instead is read in their language: a Vietnamese
    /// group's Chinese neighbours are not said to say "的" (of).
    #[test]
    fn what_neighbours_say_is_read_in_their_own_language() {
        let summary = poems_beside_descriptions().summary;
        let (_, instead) = summary.split_once(NEARBY_OPENING).expect("neighbours share a phrase the group lacks");
        assert!(!instead.contains('的'), "{summary}");
        assert!(instead.contains("描述"), "{summary}");
    }

    /// The sentence about the neighbours is shown and audited, but a cluster
    /// is embedded for what it holds, not for its neighbours' words.
    #[test]
    fn what_neighbours_say_is_shown_but_not_embedded() {
        let label = poems_beside_descriptions();
        assert!(label.text().contains("描述"), "{}", label.text());
        let meaning = label.meaning();
        assert!(!meaning.contains("描述") && !meaning.contains(NEARBY_OPENING.trim()), "{meaning}");
        assert!(meaning.starts_with(&format!("{}: ", label.name)) && meaning.contains("thơ"), "{meaning}");
    }
}
