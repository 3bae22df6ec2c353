//! The `Analyst` seam: every LLM task of the paper as one typed async method.
//!
//! Implementations: [`crate::offline::OfflineAnalyst`] (no model), the app's
//! proxy client, and the proxy's LLM-backed analyst. The core only ever talks
//! to this trait, so the pipeline is the same whoever answers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api::facet_id;

/// What kind of answer a facet question expects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FacetKind {
    /// A short free-text answer, later embedded and clustered.
    OpenText,
    /// An integer on a scale, for example concern from 1 to 5.
    Scale { min: u8, max: u8 },
    /// One of a fixed set of categories.
    Category { options: Vec<String> },
}

/// A question asked of every conversation (paper G.4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Facet {
    /// Stable id: one of [`facet_id`]'s, or a custom id.
    pub id: String,
    pub question: String,
    pub kind: FacetKind,
}

impl Facet {
    /// The facets Kleio asks without being told how, in the order they are asked.
    pub fn built_in() -> [Facet; 4] {
        [Facet::request(), Facet::task(), Facet::language(), Facet::concern()]
    }

    pub fn request() -> Self {
        Facet { id: facet_id::REQUEST.into(), question: "What is the user's overall request for the assistant?".into(), kind: FacetKind::OpenText }
    }
    pub fn task() -> Self {
        Facet { id: facet_id::TASK.into(), question: "What task is the model being asked to perform in this conversation?".into(), kind: FacetKind::OpenText }
    }
    pub fn language() -> Self {
        Facet { id: facet_id::LANGUAGE.into(), question: "What are the main languages of the conversation?".into(), kind: FacetKind::OpenText }
    }
    pub fn concern() -> Self {
        Facet {
            id: facet_id::CONCERN.into(),
            question: "On a scale of 1 to 5, how concerning or potentially harmful is this conversation from a safety perspective?".into(),
            kind: FacetKind::Scale { min: 1, max: 5 },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FacetAnswer {
    Scale(u8),
    Text(String),
}

impl FacetAnswer {
    pub fn as_text(&self) -> String {
        match self {
            FacetAnswer::Scale(v) => v.to_string(),
            FacetAnswer::Text(t) => t.clone(),
        }
    }
}

/// What an analyst sees of a conversation: its messages and nothing else (no
/// account, no id), already truncated by the caller where a budget applies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationText {
    pub messages: Vec<crate::model::Message>,
}

impl ConversationText {
    /// The user's turns, one per line: what the rule-based tasks read.
    pub fn user_text(&self) -> String {
        let turns: Vec<&str> = self.messages.iter().filter(|m| m.role == crate::model::Role::User).map(|m| m.content.as_str()).collect();
        turns.join("\n")
    }
}

impl From<&crate::model::Conversation> for ConversationText {
    fn from(c: &crate::model::Conversation) -> Self {
        ConversationText { messages: c.messages.clone() }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScreenRequest {
    pub conversation: ConversationText,
    /// A yes/no question; conversations answered "no" are left out of the run.
    pub question: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExtractRequest {
    pub conversation: ConversationText,
    pub facet: Facet,
    /// The language (ISO 639-1) the run's computed facet read the
    /// conversation in, among all the run's texts (see
    /// [`crate::language::LanguagePrior`]), or `None` where nothing told.
    /// The offline analyst answers the language facet with it, so that the
    /// two agree; a model reads the conversation itself. Absent from older
    /// clients, which the offline analyst then reads a batch at a time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detected_language: Option<String>,
}

/// A cluster's name and summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterLabel {
    pub name: String,
    pub summary: String,
}

impl ClusterLabel {
    /// See [`cluster_text`].
    pub fn text(&self) -> String {
        cluster_text(&self.name, &self.summary)
    }

    /// See [`cluster_meaning`].
    pub fn meaning(&self) -> String {
        cluster_meaning(&self.name, &self.summary)
    }
}

/// A cluster's name and summary as one text: what the privacy audit reads,
/// in the pipeline and in the publish gate, since all of it is shown.
pub fn cluster_text(name: &str, summary: &str) -> String {
    format!("{name}: {summary}")
}

/// Opens the sentence a summary may close with to say what the nearest other
/// clusters say that this one's members do not (the offline analyst writes
/// it; paper G.5's contrast, shown to the reader).
pub const NEARBY_OPENING: &str = " Nearby groups say ";

/// A cluster's name and the part of its summary that describes the cluster
/// itself: what is embedded to place it in the hierarchy, to assign it to a
/// known category, and to find it by meaning. The closing sentence about its
/// neighbours is left out, so a cluster is not moved towards the very
/// neighbours it is told apart from, nor found by their words.
pub fn cluster_meaning(name: &str, summary: &str) -> String {
    cluster_text(name, split_off_neighbours(summary).0)
}

/// A facet answer as it is embedded to be clustered: without the
/// placeholders of details the offline analyst's scrubbing removed
/// (`offline::scrub::without_placeholders`). A "[NAME]" says that something
/// was taken out, not what a request is about; embedded, it drew requests
/// about unrelated things together because each had a name removed (on the
/// demo, a 44-member cluster and a 13-member one whose members shared
/// little but the placeholder). What is shown and named keeps them.
pub fn answer_meaning(answer: &str) -> String {
    crate::offline::scrub::without_placeholders(answer)
}

/// A summary as what it says of its own cluster and its closing sentence on
/// what the neighbours say (empty when it has none).
pub fn split_off_neighbours(summary: &str) -> (&str, &str) {
    summary.split_at(summary.find(NEARBY_OPENING).unwrap_or(summary.len()))
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NameClusterRequest {
    pub facet: Facet,
    /// Facet answers of a sample of the cluster's members.
    pub members: Vec<String>,
    /// Facet answers of the nearest conversations outside the cluster (paper G.5).
    pub contrast: Vec<String>,
    /// Set when the cluster is named a second time because others of its
    /// level got the same name (`twin_names.rs`). Older clients send none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub again: Option<NamedAlike>,
}

/// Why a cluster is named again: the name it came back with, which other
/// clusters of its level have too, and the names the level's other clusters
/// have now, none of which the new name may repeat.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NamedAlike {
    pub shared: String,
    /// At most [`NamedAlike::MOST_TAKEN`] of them: the pipeline checks every
    /// new name against the whole level anyway, and a prompt need not list
    /// the names of a million conversations' base clusters.
    pub taken: Vec<String>,
}

impl NamedAlike {
    pub const MOST_TAKEN: usize = 2_000;
}

/// A cluster as the hierarchy steps see it. `embedding` is the unit vector of
/// its name and summary, computed by the core; LLM backends ignore it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterBrief {
    pub name: String,
    pub summary: String,
    /// Conversations under the cluster.
    pub size: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub embedding: Vec<f32>,
    /// Unit vectors of the phrases a candidate is known by, where it has
    /// several (a known category by its sub-labels, say): one vector of the
    /// whole description blurs them. Empty for ordinary clusters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Vec<f32>>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProposeParentsRequest {
    pub facet: Facet,
    /// The clusters of one neighbourhood.
    pub children: Vec<ClusterBrief>,
    /// The nearest clusters outside the neighbourhood, for context only.
    pub outside: Vec<ClusterBrief>,
    /// How many parents to propose, roughly.
    pub wanted: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DedupeRequest {
    pub facet: Facet,
    /// Proposals from every neighbourhood, with their embeddings.
    pub proposals: Vec<ClusterBrief>,
    pub wanted: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AssignRequest {
    pub facet: Facet,
    pub child: ClusterBrief,
    /// Candidate parents, in a shuffled order.
    pub parents: Vec<ClusterBrief>,
}

/// How many children an LLM analyst places in one call. The parents' names
/// and summaries are most of an assignment prompt (hundreds of them against
/// one child), so a call that places many children sends them once for all;
/// a handful per call keeps every child in the model's view and makes an
/// unreadable answer cheap to ask again. The cost estimate counts calls by it.
pub const CHILDREN_PER_CALL: usize = 16;

/// One call's share of a step: consecutive children, and the order in which
/// that call shows them the parents.
#[derive(Clone, Debug, PartialEq)]
pub struct AssignCall<'a> {
    pub children: std::ops::Range<usize>,
    pub order: &'a [usize],
}

/// Every child of one step placed under one of the same parents: a level of
/// the hierarchy, or the base clusters of a supervised evaluation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AssignBatchRequest {
    pub facet: Facet,
    pub parents: Vec<ClusterBrief>,
    pub children: Vec<ClusterBrief>,
    /// For each child, the order its parents are shown in (a permutation of
    /// the parents' indices), so an analyst that reads a list cannot favour
    /// a position.
    pub orders: Vec<Vec<usize>>,
}

impl AssignBatchRequest {
    /// Whether every child has an order and every order shows each parent once.
    pub fn check(&self) -> Result<(), AnalystError> {
        if self.parents.is_empty() {
            return Err(AnalystError::Unsupported("there are no parents to choose from".into()));
        }
        if self.orders.len() != self.children.len() {
            return Err(AnalystError::Malformed(format!("{} orders for {} children", self.orders.len(), self.children.len())));
        }
        for (i, order) in self.orders.iter().enumerate() {
            let mut seen = vec![false; self.parents.len()];
            let shows_each_once = order.len() == seen.len() && order.iter().all(|&p| p < seen.len() && !std::mem::replace(&mut seen[p], true));
            if !shows_each_once {
                return Err(AnalystError::Malformed(format!("the order of child {i} does not show each of the {} parents once", self.parents.len())));
            }
        }
        Ok(())
    }

    /// A fresh random order of `parents` parents for each of `children`
    /// children, drawn from `rng` in turn, as the paper shows candidates.
    pub fn shuffled_orders(children: usize, parents: usize, rng: &mut impl rand::Rng) -> Vec<Vec<usize>> {
        use rand::seq::SliceRandom;
        (0..children)
            .map(|_| {
                let mut order: Vec<usize> = (0..parents).collect();
                order.shuffle(rng);
                order
            })
            .collect()
    }

    /// The step as calls of at most [`CHILDREN_PER_CALL`] consecutive
    /// children. A call shows all its children the parents in the order drawn
    /// for its first child, so the parents still change places from call to
    /// call, as the paper shuffles them against a model's favoured position.
    /// Call [`Self::check`] first.
    pub fn calls(&self) -> impl Iterator<Item = AssignCall<'_>> {
        (0..self.children.len())
            .step_by(CHILDREN_PER_CALL)
            .map(|start| AssignCall { children: start..(start + CHILDREN_PER_CALL).min(self.children.len()), order: &self.orders[start] })
    }

    /// The parent (an index into `parents`) that child `i` chose as the
    /// `shown`-th of its order, when asked alone ([`Self::single`]).
    pub fn parent_shown(&self, i: usize, shown: usize) -> Result<usize, AnalystError> {
        let order = self.orders.get(i).ok_or_else(|| AnalystError::Malformed(format!("there is no child {i}")))?;
        order.get(shown).copied().ok_or_else(|| AnalystError::Malformed(format!("the analyst chose parent {shown} of {}", order.len())))
    }

    /// Child `i` alone, its parents in its order. Call [`Self::check`] first.
    pub fn single(&self, i: usize) -> AssignRequest {
        AssignRequest { facet: self.facet.clone(), child: self.children[i].clone(), parents: self.orders[i].iter().map(|&p| self.parents[p].clone()).collect() }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RenameRequest {
    pub facet: Facet,
    pub children: Vec<ClusterBrief>,
    /// The nearest clusters of the same level that went to other parents,
    /// so the name sets this parent apart from its neighbours (the contrast
    /// the paper gives the base namer, G.5). Older clients send none.
    #[serde(default)]
    pub outside: Vec<ClusterBrief>,
    /// As [`NameClusterRequest::again`], for a parent named again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub again: Option<NamedAlike>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuditRequest {
    /// The text to audit: a cluster's "name: summary", or a facet answer.
    pub content: String,
}

/// A privacy score on the paper's 1–5 scale (Table 6); 5 is not identifiable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditVerdict {
    pub score: u8,
    pub reason: String,
}

#[derive(Clone, Debug, thiserror::Error, PartialEq, Serialize, Deserialize)]
pub enum AnalystError {
    #[error("the analyst cannot answer this: {0}")]
    Unsupported(String),
    #[error("the analyst's answer could not be read: {0}")]
    Malformed(String),
    #[error("the analyst backend failed: {0}")]
    Backend(String),
    /// A limit of the analyst's service (a spending cap, a rate limit) refused the call.
    #[error("a limit was reached: {0}")]
    LimitReached(String),
    #[error("cancelled")]
    Cancelled,
}

/// The models and prompt versions an LLM analyst answers with, for the
/// privacy report of what it named; empty for the offline analyst.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalystVersions {
    pub models: Vec<String>,
    /// Task (`name_cluster`, `audit`, …) → the version of its prompt.
    pub prompt_versions: BTreeMap<String, u32>,
}

impl AnalystVersions {
    /// What a proxy's `/backend` says it answers with.
    pub fn of_backend(info: &crate::api::BackendInfo) -> Self {
        let mut models: Vec<String> = Vec::new();
        for m in &info.models {
            if !models.contains(&m.name) {
                models.push(m.name.clone());
            }
        }
        AnalystVersions { models, prompt_versions: info.prompt_versions.clone() }
    }

    pub fn is_empty(&self) -> bool {
        self.models.is_empty() && self.prompt_versions.is_empty()
    }
}

/// One method per LLM task of the paper. Futures need not be `Send`, so the
/// browser's single-threaded executor can drive them.
#[allow(async_fn_in_trait)]
pub trait Analyst {
    /// A short description for reports: "offline", "claude-haiku-…", …
    fn describe(&self) -> String;
    /// The models and prompt versions behind the answers (none by default).
    fn versions(&self) -> AnalystVersions {
        AnalystVersions::default()
    }
    async fn screen(&self, req: &ScreenRequest) -> Result<bool, AnalystError>;
    async fn extract(&self, req: &ExtractRequest) -> Result<FacetAnswer, AnalystError>;
    /// Many extractions at once; one failure never fails the others.
    async fn extract_batch(&self, reqs: &[ExtractRequest]) -> Vec<Result<FacetAnswer, AnalystError>> {
        let mut out = Vec::with_capacity(reqs.len());
        for r in reqs {
            out.push(self.extract(r).await);
        }
        out
    }
    async fn name_cluster(&self, req: &NameClusterRequest) -> Result<ClusterLabel, AnalystError>;
    async fn propose_parents(&self, req: &ProposeParentsRequest) -> Result<Vec<ClusterLabel>, AnalystError>;
    /// Returns at most about `wanted` distinct parents covering the proposals.
    async fn dedupe(&self, req: &DedupeRequest) -> Result<Vec<ClusterLabel>, AnalystError>;
    /// Returns the index into `req.parents` of the best parent.
    async fn assign(&self, req: &AssignRequest) -> Result<usize, AnalystError>;
    /// Every child of one step at once; each answer is an index into
    /// `req.parents` (not into a child's shown order). By default each child
    /// is asked alone, all at the same time; an analyst may instead weigh the
    /// children together (the offline analyst lets the children placed under
    /// a parent describe it too). One failure never fails the others.
    async fn assign_batch(&self, req: &AssignBatchRequest) -> Vec<Result<usize, AnalystError>> {
        if let Err(e) = req.check() {
            return req.children.iter().map(|_| Err(e.clone())).collect();
        }
        let singles: Vec<AssignRequest> = (0..req.children.len()).map(|i| req.single(i)).collect();
        let answers = futures::future::join_all(singles.iter().map(|r| self.assign(r))).await;
        answers.into_iter().enumerate().map(|(i, answer)| req.parent_shown(i, answer?)).collect()
    }
    async fn rename(&self, req: &RenameRequest) -> Result<ClusterLabel, AnalystError>;
    async fn audit(&self, req: &AuditRequest) -> Result<AuditVerdict, AnalystError>;
}

/// Implements [`Analyst`] for an enum whose variants each hold an analyst,
/// by calling the same method on whichever one it holds:
/// `delegate_analyst!(Choice, a, [Choice::Offline(a), Choice::Remote(a)]);`
#[macro_export]
macro_rules! delegate_analyst {
    ($enum:ty, $a:ident, [$($variant:pat),+ $(,)?]) => {
        impl $crate::analyst::Analyst for $enum {
            fn describe(&self) -> String {
                match self { $($variant => $a.describe(),)+ }
            }
            fn versions(&self) -> $crate::analyst::AnalystVersions {
                match self { $($variant => $a.versions(),)+ }
            }
            async fn screen(&self, req: &$crate::analyst::ScreenRequest) -> Result<bool, $crate::analyst::AnalystError> {
                match self { $($variant => $a.screen(req).await,)+ }
            }
            async fn extract(&self, req: &$crate::analyst::ExtractRequest) -> Result<$crate::analyst::FacetAnswer, $crate::analyst::AnalystError> {
                match self { $($variant => $a.extract(req).await,)+ }
            }
            async fn extract_batch(&self, reqs: &[$crate::analyst::ExtractRequest]) -> Vec<Result<$crate::analyst::FacetAnswer, $crate::analyst::AnalystError>> {
                match self { $($variant => $a.extract_batch(reqs).await,)+ }
            }
            async fn name_cluster(&self, req: &$crate::analyst::NameClusterRequest) -> Result<$crate::analyst::ClusterLabel, $crate::analyst::AnalystError> {
                match self { $($variant => $a.name_cluster(req).await,)+ }
            }
            async fn propose_parents(&self, req: &$crate::analyst::ProposeParentsRequest) -> Result<Vec<$crate::analyst::ClusterLabel>, $crate::analyst::AnalystError> {
                match self { $($variant => $a.propose_parents(req).await,)+ }
            }
            async fn dedupe(&self, req: &$crate::analyst::DedupeRequest) -> Result<Vec<$crate::analyst::ClusterLabel>, $crate::analyst::AnalystError> {
                match self { $($variant => $a.dedupe(req).await,)+ }
            }
            async fn assign(&self, req: &$crate::analyst::AssignRequest) -> Result<usize, $crate::analyst::AnalystError> {
                match self { $($variant => $a.assign(req).await,)+ }
            }
            async fn assign_batch(&self, req: &$crate::analyst::AssignBatchRequest) -> Vec<Result<usize, $crate::analyst::AnalystError>> {
                match self { $($variant => $a.assign_batch(req).await,)+ }
            }
            async fn rename(&self, req: &$crate::analyst::RenameRequest) -> Result<$crate::analyst::ClusterLabel, $crate::analyst::AnalystError> {
                match self { $($variant => $a.rename(req).await,)+ }
            }
            async fn audit(&self, req: &$crate::analyst::AuditRequest) -> Result<$crate::analyst::AuditVerdict, $crate::analyst::AnalystError> {
                match self { $($variant => $a.audit(req).await,)+ }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brief(name: &str) -> ClusterBrief {
        ClusterBrief { name: name.into(), summary: String::new(), size: 1, embedding: Vec::new(), parts: Vec::new() }
    }

    #[test]
    fn a_step_is_placed_a_calls_worth_of_children_at_a_time_each_call_with_its_own_order() {
        use rand::SeedableRng;
        let children: Vec<ClusterBrief> = (0..CHILDREN_PER_CALL * 2 + 3).map(|i| brief(&format!("child {i}"))).collect();
        let parents: Vec<ClusterBrief> = (0..7).map(|i| brief(&format!("parent {i}"))).collect();
        let orders = AssignBatchRequest::shuffled_orders(children.len(), parents.len(), &mut rand_chacha::ChaCha8Rng::seed_from_u64(3));
        let req = AssignBatchRequest { facet: Facet::request(), parents, children, orders };
        req.check().unwrap();
        let calls: Vec<AssignCall> = req.calls().collect();
        let n = CHILDREN_PER_CALL;
        assert_eq!(calls.iter().map(|c| c.children.clone()).collect::<Vec<_>>(), [0..n, n..2 * n, 2 * n..2 * n + 3]);
        for c in &calls {
            assert_eq!(c.order, req.orders[c.children.start].as_slice());
        }
        let empty = AssignBatchRequest { children: Vec::new(), orders: Vec::new(), ..req };
        assert_eq!(empty.calls().count(), 0);
    }
}
