//! Phrases a group of texts shares, ranked by how much they set the group
//! apart from its neighbours: the paper's contrastive naming (G.5) done by
//! counting. A phrase is a run of words as some texts wrote it, inside one
//! clause (no punctuation or removed detail between its words), opening and
//! closing on a word that carries a topic, with no word twice, at most
//! [`MAX_PHRASE_WORDS`] words and at most [`MAX_FUNCTION_RUN`] function
//! words in a row. Written out, it keeps the particle of an
//! English phrasal verb that most of its texts follow it with ("Topped up"
//! rather than "Topped"; see [`PARTICLES`]).

use std::collections::{BTreeMap, BTreeSet};

use super::lexicon::Lexicon;
use super::segment::{split_words, Word};
use crate::analyst::NamedAlike;
use crate::twin_names::name_key;

/// The longest phrase, in words.
pub const MAX_PHRASE_WORDS: usize = 6;

/// The most function words in a row inside a phrase, not counting the
/// particle of a phrasal verb. Three mark where one clause ends and the
/// next begins, though no comma does: Arena-Hard named a cluster "Apartment
/// and have a long list" ("… moved into a new apartment and have a long
/// list of items"), while "a long list of items" and "topping up for the
/// first time" keep theirs.
const MAX_FUNCTION_RUN: usize = 2;

/// Each content word beyond the first adds this much to a phrase's score: a
/// longer phrase says more, so it wins over a shorter one held by nearly as
/// many texts.
const LENGTH_BONUS: f32 = 0.25;

/// English particles that finish a phrasal verb ("top up", "went
/// through"): function words, so no phrase closes on one, but a name
/// without its particle says less ("Topped", "Gone"). "Back", "away" and
/// "around" are not among them: the word lists count them as carrying a
/// topic, so phrases hold them already.
const PARTICLES: [&str; 6] = ["up", "down", "out", "off", "through", "over"];

/// A particle finishes a phrase's surface when at least this many thirds of
/// the texts holding the phrase write it next.
const PARTICLE_THIRDS: usize = 2;

/// A phrase found in a group's texts.
#[derive(Clone, Debug, PartialEq)]
pub struct Phrase {
    /// The phrase's words in lower case, as texts are compared.
    pub key: String,
    /// The phrase as most of the texts holding it write it (an opening
    /// capital that only starts a sentence is lowered), with the particle
    /// most of them follow it with ([`PARTICLES`]), if one is.
    pub surface: String,
    /// Its words that carry a topic, in lower case.
    pub content: Vec<String>,
    /// Which of the group's texts hold it, by index, in order.
    pub holders: Vec<usize>,
    pub score: f32,
    /// Where it starts in its texts, in words, on average: between phrases
    /// that score alike, the earlier one wins, since a request names what it
    /// wants first ("planting tomatoes and peppers in a garden bed").
    pub position: f32,
}

impl Phrase {
    /// How many of the group's texts hold it.
    pub fn texts(&self) -> usize {
        self.holders.len()
    }
}

/// A phrase's occurrences while a group's texts are read.
#[derive(Default)]
struct Seen {
    texts: BTreeSet<usize>,
    /// The sum over its texts of where it first starts.
    starts: usize,
    surfaces: BTreeMap<String, usize>,
    /// How many of its texts follow it with each particle.
    particles: BTreeMap<&'static str, usize>,
    content: Vec<String>,
}

/// One phrase of one text where it first occurs: how it is written, its
/// content words, the index of its first word in the text, and the
/// particle that follows it, if one does.
#[derive(Debug)]
struct Occurrence {
    surface: String,
    content: Vec<String>,
    start: usize,
    particle: Option<&'static str>,
}

/// A clause's words: lower case, whether each carries a topic, and how it is
/// joined to the word before (a space, or nothing in unspaced scripts).
struct Clause<'a> {
    words: Vec<Word<'a>>,
    lower: Vec<String>,
    content: Vec<bool>,
    spaced: Vec<bool>,
    /// The clause opens a sentence, so its first capital says nothing.
    opens_sentence: bool,
    /// A removed detail ends it ("current time in [LOCATION]").
    before_detail: bool,
}

fn clauses<'a>(text: &'a str, lexicon: &Lexicon) -> Vec<Clause<'a>> {
    let lexicon = lexicon.for_text(text);
    let mut out: Vec<Clause<'a>> = Vec::new();
    let mut previous_end: Option<usize> = None;
    for word in split_words(text) {
        let gap = previous_end.map(|end| &text[end..word.start]);
        previous_end = Some(word.end);
        if word.placeholder {
            // What was removed separates the words around it.
            if let Some(clause) = out.last_mut() {
                clause.before_detail = true;
            }
            previous_end = None;
            continue;
        }
        let joins = matches!(gap, Some(g) if g.chars().all(char::is_whitespace));
        if !joins || out.is_empty() {
            let opens_sentence = match gap {
                None => text[..word.start].trim_end().is_empty() || text[..word.start].trim_end().ends_with(['.', '?', '!', '。', '？', '！', '\n']),
                Some(g) => g.trim_end().ends_with(['.', '?', '!', '。', '？', '！']) || g.contains('\n'),
            };
            out.push(Clause { words: Vec::new(), lower: Vec::new(), content: Vec::new(), spaced: Vec::new(), opens_sentence, before_detail: false });
        }
        let clause = out.last_mut().expect("pushed above");
        let lower = word.text.to_lowercase();
        clause.content.push(lexicon.is_content(&lower));
        clause.lower.push(lower);
        clause.spaced.push(matches!(gap, Some(g) if !g.is_empty()));
        clause.words.push(word);
    }
    out
}

/// Every phrase of one text, each once, where it first occurs, by key.
fn phrases_of(text: &str, lexicon: &Lexicon) -> BTreeMap<String, Occurrence> {
    let mut out = BTreeMap::new();
    let mut words_before = 0;
    for clause in clauses(text, lexicon) {
        for first in 0..clause.words.len() {
            if !clause.content[first] {
                continue;
            }
            let mut used: BTreeSet<&str> = BTreeSet::new();
            let mut key = String::new();
            let mut content = Vec::new();
            let mut function_run = 0;
            for last in first..clause.words.len().min(first + MAX_PHRASE_WORDS) {
                if !used.insert(&clause.lower[last]) {
                    // A word twice: every longer phrase from here repeats it too.
                    break;
                }
                // The particle of a phrasal verb belongs to its verb ("topping up for the first time").
                let particle = last > 0 && clause.content[last - 1] && PARTICLES.contains(&clause.lower[last].as_str());
                function_run = if clause.content[last] || particle { 0 } else { function_run + 1 };
                if function_run > MAX_FUNCTION_RUN {
                    break;
                }
                if last > first && clause.spaced[last] {
                    key.push(' ');
                }
                key.push_str(&clause.lower[last]);
                if !clause.content[last] {
                    continue;
                }
                content.push(clause.lower[last].clone());
                let raw = &text[clause.words[first].start..clause.words[last].end];
                let mut surface = raw.split_whitespace().collect::<Vec<_>>().join(" ");
                if first == 0 && clause.opens_sentence {
                    surface = lower_first_unless_acronym(&surface, clause.words[first].text);
                }
                let particle = if last - first + 1 < MAX_PHRASE_WORDS { particle_after(&clause, last, &used) } else { None };
                out.entry(key.clone()).or_insert(Occurrence { surface, content: content.clone(), start: words_before + first, particle });
            }
        }
        words_before += clause.words.len();
    }
    out
}

/// The particle that follows a phrase ending on the clause's word `last`,
/// unless the phrase holds it already or it only stands before a removed
/// detail, where it is a preposition ("live in [LOCATION]").
fn particle_after(clause: &Clause, last: usize, used: &BTreeSet<&str>) -> Option<&'static str> {
    let next = last + 1;
    let word = clause.lower.get(next)?;
    let particle = PARTICLES.iter().find(|&&p| p == word)?;
    let before_detail = next + 1 == clause.words.len() && clause.before_detail;
    (!clause.content[next] && !used.contains(word.as_str()) && !before_detail).then_some(particle)
}

fn lower_first_unless_acronym(surface: &str, first_word: &str) -> String {
    let acronym = first_word.chars().count() >= 2 && first_word.chars().all(|c| !c.is_lowercase());
    if acronym {
        return surface.to_string();
    }
    let mut chars = surface.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// The phrases of `members` that set them apart from `contrast`, best first.
///
/// A phrase must be in at least `min_texts` member texts, so no single
/// text's words can name a group. Its score is a class-based TF-IDF: its
/// share of member texts times the log of how much more often it occurs
/// there than among the contrast texts, plus [`LENGTH_BONUS`] per further
/// content word. With no contrast texts, the share alone ranks it. A
/// member's share counts by its weight (`weights`, one per member; empty
/// for all alike), so a group can be named for most of what it holds.
pub fn distinctive_phrases(members: &[String], weights: &[f32], contrast: &[String], min_texts: usize, lexicon: &Lexicon) -> Vec<Phrase> {
    let weight = |i: usize| weights.get(i).copied().unwrap_or(1.0);
    let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
    for (i, text) in members.iter().enumerate() {
        for (key, occurrence) in phrases_of(text, lexicon) {
            let entry = seen.entry(key).or_default();
            entry.texts.insert(i);
            entry.starts += occurrence.start;
            *entry.surfaces.entry(occurrence.surface).or_default() += 1;
            if let Some(particle) = occurrence.particle {
                *entry.particles.entry(particle).or_default() += 1;
            }
            entry.content = occurrence.content;
        }
    }
    seen.retain(|_, s| s.texts.len() >= min_texts.max(1));
    let mut outside: BTreeMap<&str, usize> = BTreeMap::new();
    for text in contrast {
        for key in phrases_of(text, lexicon).into_keys() {
            if let Some((known, _)) = seen.get_key_value(&key) {
                *outside.entry(known.as_str()).or_default() += 1;
            }
        }
    }
    let total_weight: f32 = (0..members.len()).map(weight).sum::<f32>().max(f32::MIN_POSITIVE);
    let n_out = contrast.len() as f32;
    let mut ranked: Vec<Phrase> = seen
        .iter()
        .filter_map(|(key, s)| {
            let p_in = s.texts.iter().map(|&i| weight(i)).sum::<f32>() / total_weight;
            let p_out = (*outside.get(key.as_str()).unwrap_or(&0) as f32 + 0.5) / (n_out + 1.0);
            let lift = if contrast.is_empty() { 1.0 } else { (p_in / p_out).ln() };
            let bonus = 1.0 + LENGTH_BONUS * (s.content.len() as f32 - 1.0);
            // The commonest way of writing it; ties go to the first in order.
            let mut surface = s.surfaces.iter().max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0))).map(|(w, _)| w.clone()).unwrap_or_default();
            // Only the surface takes the particle: the phrase is ranked, and
            // found among the contrast texts, by its own words.
            if let Some((particle, _)) = s.particles.iter().find(|&(_, &n)| 3 * n >= PARTICLE_THIRDS * s.texts.len()) {
                surface = format!("{surface} {particle}");
            }
            let position = s.starts as f32 / s.texts.len() as f32;
            (lift > 0.0).then(|| Phrase {
                key: key.clone(),
                surface,
                content: s.content.clone(),
                holders: s.texts.iter().copied().collect(),
                score: p_in * lift * bonus,
                position,
            })
        })
        .collect();
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.position.total_cmp(&b.position)).then_with(|| a.key.cmp(&b.key)));
    ranked
}

/// The phrase to name a group by: the best one, or, when a longer phrase
/// holding all its content words is in at least [`LONGER_SHARE`] as many
/// texts, the longest such (so "alarm" becomes "set an alarm" when enough
/// who say one say the other). A word that says little alone
/// ([`Lexicon::is_light`]: "ago", "made", "possible") names a group only
/// inside a longer phrase, or when no other phrase can.
pub fn naming_phrase<'a>(ranked: &'a [Phrase], lexicon: &Lexicon) -> Option<&'a Phrase> {
    let named = ranked.iter().map(|phrase| lengthened(ranked, phrase));
    named.clone().find(|p| !light_alone(p, lexicon)).or_else(|| named.clone().next())
}

/// Whether a phrase is one word that says little alone ([`Lexicon::is_light`]).
/// A particle makes the word a phrase ("take out").
pub fn light_alone(phrase: &Phrase, lexicon: &Lexicon) -> bool {
    matches!(phrase.content.as_slice(), [word] if lexicon.is_light(word) && !phrase.surface.contains(' '))
}

/// The longest wording of `phrase` (a phrase holding all its words) that is
/// in [`LONGER_SHARE`] of the texts `phrase` is in; `phrase` itself when none is.
fn lengthened<'a>(ranked: &'a [Phrase], phrase: &'a Phrase) -> &'a Phrase {
    let needed = (phrase.texts() as f32 * LONGER_SHARE).ceil() as usize;
    ranked
        .iter()
        .filter(|p| p.texts() >= needed && phrase.content.iter().all(|w| p.content.contains(w)))
        .max_by(|a, b| {
            a.content.len().cmp(&b.content.len()).then(a.texts().cmp(&b.texts())).then(b.position.total_cmp(&a.position)).then_with(|| b.key.cmp(&a.key))
        })
        .unwrap_or(phrase)
}

/// A name for a group named again because others of its level came back
/// with the same name (`alike.shared`), and the phrase it quotes: the first
/// ranked phrase (lengthened as [`naming_phrase`] lengthens) that holds the
/// shared name's words, or that shares none of them and is joined to it
/// ("Pending & cash withdrawal"), whose name is not in `alike.taken`. The
/// new name so keeps what the twins have in common and adds what sets this
/// one apart; a name without the shared words ("Cash withdrawal" for a
/// cluster of pending withdrawals) would say less than the old one and
/// often collide with another cluster's. `None` when no phrase gives one,
/// or when no phrase of the texts holds the shared name's words.
pub fn name_apart<'a>(ranked: &'a [Phrase], alike: &NamedAlike, lexicon: &Lexicon) -> Option<(&'a Phrase, String)> {
    let (joint, spaced) = lexicon.joint();
    let shared: Vec<String> = split_words(&alike.shared).iter().map(|w| w.text.to_lowercase()).filter(|w| lexicon.is_content(w)).collect();
    if shared.is_empty() {
        return None;
    }
    let holds = |words: &[String], word: &String| words.iter().any(|w| w == word || same_stem(w, word));
    if !ranked.iter().any(|p| shared.iter().all(|w| holds(&p.content, w))) {
        // The shared name is not the texts' own wording ("Assorted short
        // requests", or another analyst's words): nothing of it to keep.
        return None;
    }
    let taken: BTreeSet<String> = alike.taken.iter().map(|t| name_key(t)).collect();
    ranked.iter().find_map(|best| {
        let phrase = lengthened(ranked, best);
        let name = if shared.iter().all(|w| holds(&phrase.content, w)) {
            phrase.surface.clone()
        } else if shared.iter().any(|w| holds(&phrase.content, w))
            || !words_of(&alike.shared).is_disjoint(&words_of(&phrase.surface))
            || alike.shared.contains(joint)
            || split_words(&alike.shared).len() + split_words(&phrase.surface).len() > MAX_PHRASE_WORDS
        {
            // Joined, the name would say a word twice, hold two joints or
            // run too long.
            return None;
        } else if spaced {
            format!("{} {joint} {}", alike.shared, phrase.surface)
        } else {
            format!("{}{joint}{}", alike.shared, phrase.surface)
        };
        (!taken.contains(&name_key(&name))).then_some((phrase, name))
    })
}

/// A longer wording of the best phrase names a group when it is in this
/// share of the texts the best phrase is in: "reset my passcode" for
/// "reset", "personal details" for "details". (A half kept more single
/// words; a third made names find their own cluster more often on all three
/// labelled sets, docs/eval/README.md.)
const LONGER_SHARE: f32 = 1.0 / 3.0;

/// Up to `count` further phrases, best first, each bringing a content word
/// none of the phrases before it has.
pub fn further_phrases<'a>(ranked: &'a [Phrase], chosen: &Phrase, count: usize) -> Vec<&'a Phrase> {
    let mut covered: BTreeSet<&str> = chosen.content.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for p in ranked {
        if out.len() == count {
            break;
        }
        if p.content.iter().all(|w| covered.contains(w.as_str())) {
            continue;
        }
        covered.extend(p.content.iter().map(String::as_str));
        out.push(p);
    }
    out
}

/// Two phrases as one name ("radio stations & podcasts") for a group that
/// no one phrase covers: when the texts holding `name` weigh less than half
/// of the group, the best further phrase that shares none of its words (or,
/// in a spaced script, shares only its first or last words with it, said
/// once: [`joined_at_shared_end`]) and brings in at least [`JOINED_GAIN`]
/// of the group's weight from texts `name` misses and is not a word that
/// says little alone, joined by the group's joint (an ampersand) within
/// [`MAX_PHRASE_WORDS`] words. `None` when one phrase is enough or no such
/// second phrase exists. `weights` holds one weight per text (empty for all
/// alike), `texts` how many there are.
pub fn joined_name(ranked: &[Phrase], name: &Phrase, texts: usize, weights: &[f32], lexicon: &Lexicon) -> Option<String> {
    let (joint, spaced) = lexicon.joint();
    let weight = |i: usize| weights.get(i).copied().unwrap_or(1.0);
    let total: f32 = (0..texts).map(weight).sum();
    let covered: BTreeSet<usize> = name.holders.iter().copied().collect();
    let share = |holders: &mut dyn Iterator<Item = &usize>| holders.map(|&i| weight(i)).sum::<f32>() / total.max(f32::MIN_POSITIVE);
    if share(&mut covered.iter()) >= 0.5 {
        return None;
    }
    let named = words_of(&name.surface);
    ranked.iter().filter(|p| !light_alone(p, lexicon) && share(&mut p.holders.iter().filter(|i| !covered.contains(i))) >= JOINED_GAIN).find_map(|p| {
        let joined = if !shares_a_word(&named, &words_of(&p.surface)) {
            if spaced {
                format!("{} {joint} {}", name.surface, p.surface)
            } else {
                format!("{}{joint}{}", name.surface, p.surface)
            }
        } else if spaced {
            joined_at_shared_end(&name.surface, &p.surface, joint, lexicon)?
        } else {
            return None;
        };
        (split_words(&joined).len() <= MAX_PHRASE_WORDS).then_some(joined)
    })
}

/// Whether a word of one set is a word of the other, or a form of one.
fn shares_a_word(a: &BTreeSet<String>, b: &BTreeSet<String>) -> bool {
    a.iter().any(|w| b.iter().any(|n| w == n || same_stem(w, n)))
}

/// Two phrases of a spaced script that end alike ("google pay", "apple
/// pay") or begin alike ("top up card", "top up account") joined so the
/// shared words are said once: "google & apple pay", "top up card &
/// account". What each says apart from the shared words must be words that
/// carry a topic only, none of them the other's: "confirm the & last
/// instruction" or "duplicate & looks like my card payment" would not read
/// as one thing said of two. `None` when they are not, or when the two
/// share no end.
fn joined_at_shared_end(first: &str, second: &str, joint: &str, lexicon: &Lexicon) -> Option<String> {
    let (a, b) = (split_words(first), split_words(second));
    let lower = |w: &Word| w.text.to_lowercase();
    let shared_tail = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| lower(x) == lower(y)).count();
    let shared_head = a.iter().zip(&b).take_while(|(x, y)| lower(x) == lower(y)).count();
    let (own_a, own_b, joined) = if shared_tail > 0 && shared_tail < a.len().min(b.len()) {
        let (own_a, own_b) = (&a[..a.len() - shared_tail], &b[..b.len() - shared_tail]);
        (own_a, own_b, format!("{} {joint} {second}", first[..own_a.last()?.end].trim_end()))
    } else if shared_head > 0 && shared_head < a.len().min(b.len()) {
        let (own_a, own_b) = (&a[shared_head..], &b[shared_head..]);
        (own_a, own_b, format!("{first} {joint} {}", &second[own_b.first()?.start..]))
    } else {
        return None;
    };
    let words = |own: &[Word]| own.iter().map(lower).collect::<BTreeSet<String>>();
    let all_content = |own: &[Word]| own.iter().all(|w| lexicon.is_content(&lower(w)));
    (all_content(own_a) && all_content(own_b) && !shares_a_word(&words(own_a), &words(own_b))).then_some(joined)
}

/// A phrase's words as the segmenter finds them, in lower case, so a phrase
/// of an unspaced script is compared word by word too.
fn words_of(phrase: &str) -> BTreeSet<String> {
    split_words(phrase).iter().map(|w| w.text.to_lowercase()).collect()
}

/// Whether two lower-case words are one word's forms, judged by spelling
/// alone: the shorter, of three letters or more, opens the longer, which
/// adds at most three ("email" and "emails", "play" and "playing"), or,
/// from five letters, one letter more or changed after the first three
/// tells them apart ("color" and "colour"), or, for an English verb ending
/// in "e", the longer is the verb without it and a suffix that makes a noun
/// or another form of it ("define" and "definition", "charge" and
/// "charging"). A name joining them would say one thing twice.
fn same_stem(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    let prefix = short.len() >= 3 && long.len() - short.len() <= 3 && long.starts_with(short);
    prefix || (short.len() >= 5 && one_edit_apart(short, long)) || verb_and_its_form(short, long)
}

/// "define" and "definition": the shorter ends in "e", and the longer is it
/// without the "e" (four letters at least, so "rate" does not reach
/// "ratio") and one of [`E_VERB_SUFFIXES`].
fn verb_and_its_form(short: &[char], long: &[char]) -> bool {
    let Some((&'e', stem)) = short.split_last() else { return false };
    stem.len() >= 4 && long.starts_with(stem) && E_VERB_SUFFIXES.iter().any(|suffix| long[stem.len()..].iter().copied().eq(suffix.chars()))
}

/// What follows an English verb that ends in "e" once the "e" is dropped:
/// "defin-ition", "pric-ing", "creat-ion", "declar-ation", "negat-ive".
/// Not "-ement": "state" and "statement" are two words.
const E_VERB_SUFFIXES: [&str; 8] = ["ing", "ion", "ions", "ition", "itions", "ation", "ations", "ive"];

/// Whether `long` is `short` with one letter inserted or changed after
/// their first three, which they share.
fn one_edit_apart(short: &[char], long: &[char]) -> bool {
    let first_difference = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if first_difference < 3 {
        return false;
    }
    match long.len() - short.len() {
        0 => short.iter().zip(long).filter(|(x, y)| x != y).count() <= 1,
        1 => short[first_difference..] == long[first_difference + 1..],
        _ => false,
    }
}

/// The least share of a group's weight a second phrase must add to join the
/// first in a name: less would name the group for a handful of its texts.
const JOINED_GAIN: f32 = 0.2;

/// A phrase as a name: its first letter in capitals, the rest as written.
pub fn sentence_case(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_phrase_stays_inside_its_clause_and_keeps_no_word_twice() {
        let phrases = phrases_of("Set an alarm, please set [NAME] alarm for six", &Lexicon::english());
        assert!(phrases.contains_key("set an alarm"));
        // Not across the comma nor across the removed name.
        assert!(!phrases.keys().any(|k| k.contains("alarm please") || k.contains("set alarm")));
        let repeated = phrases_of("alarm alarm clock", &Lexicon::english());
        assert!(repeated.keys().all(|k| k.split(' ').collect::<BTreeSet<_>>().len() == k.split(' ').count()), "{repeated:?}");
        // Phrases open and close on content words.
        assert!(!phrases.keys().any(|k| k.starts_with("an ") || k.ends_with(" for")));
        // Three function words in a row end a clause that no comma ends.
        let moved = phrases_of("I just moved into an apartment and have a long list of items", &Lexicon::english());
        assert!(moved.contains_key("long list of items") && moved.contains_key("moved into an apartment"), "{moved:?}");
        assert!(!moved.keys().any(|k| k.contains("apartment and have")), "{moved:?}");
        let topping = phrases_of("I tried topping up for the first time today", &Lexicon::english());
        assert!(topping.contains_key("topping up for the first time"), "{topping:?}");
    }

    #[test]
    fn the_name_is_the_commonest_longer_wording_of_the_best_term() {
        let members = strings(&["Set an alarm for six", "Set an alarm for seven tomorrow", "Wake me with an alarm at eight", "Alarm for the gym"]);
        let contrast = strings(&["Set a timer for pasta", "Timer for ten minutes", "Set the thermostat"]);
        let ranked = distinctive_phrases(&members, &[], &contrast, 2, &Lexicon::english());
        assert_eq!(ranked[0].key, "alarm");
        let name = naming_phrase(&ranked, &Lexicon::english()).unwrap();
        assert_eq!(sentence_case(&name.surface), "Set an alarm");
        // "six" is in one text only: never a phrase.
        assert!(ranked.iter().all(|p| !p.content.contains(&"six".to_string())));
    }

    #[test]
    fn a_place_keeps_the_new_of_its_name() {
        let members = strings(&["what time is it in new york", "current time new york", "time in new york please", "is it late in new york now"]);
        let contrast = strings(&["time in london", "what time is it in tokyo", "weather in new delhi"]);
        let english = Lexicon::english();
        let ranked = distinctive_phrases(&members, &[], &contrast, 2, &english);
        assert_eq!(naming_phrase(&ranked, &english).unwrap().surface, "new york", "{ranked:?}");
        // Alone, "new" still names nothing.
        assert!(english.is_light("new"));
    }

    #[test]
    fn sentence_openers_lose_their_capital_but_names_and_acronyms_keep_theirs() {
        let members = strings(&["Explain Rust lifetimes to me", "How do Rust lifetimes work?", "NASA launch dates", "When did NASA launch Apollo"]);
        let ranked = distinctive_phrases(&members, &[], &[], 2, &Lexicon::english());
        let surfaces: Vec<&str> = ranked.iter().map(|p| p.surface.as_str()).collect();
        assert!(surfaces.contains(&"Rust lifetimes") && surfaces.contains(&"NASA"), "{surfaces:?}");
    }

    #[test]
    fn chinese_phrases_are_words_not_characters_or_particles() {
        let members = strings(&["如何设置闹钟", "帮我设置闹钟", "明天早上的闹钟"]);
        let lexicon = Lexicon::for_texts(&members);
        let ranked = distinctive_phrases(&members, &[], &strings(&["今天天气怎么样", "写一首诗"]), 2, &lexicon);
        let name = naming_phrase(&ranked, &Lexicon::english()).unwrap();
        assert!(name.surface.contains("闹钟"), "{ranked:?}");
        assert!(ranked.iter().all(|p| !p.content.contains(&"的".to_string())));
    }

    /// Three clusters of pending payments all came back "Pending"; named
    /// again against the others' members, this one keeps the word and adds
    /// its own wording, and never takes a name another cluster has.
    #[test]
    fn a_twin_named_again_keeps_the_shared_word_and_takes_no_taken_name() {
        let members = strings(&[
            "Why is my cash withdrawal still pending?",
            "My cash withdrawal shows as pending",
            "Pending cash withdrawal at the ATM",
            "How long does a pending cash withdrawal take?",
            "Is the withdrawal pending because of the ATM?",
        ]);
        let twins = strings(&["My top up is still pending", "Why is my top-up pending?", "Transfer pending for days", "Pending transfer to a friend"]);
        let lexicon = Lexicon::english();
        let ranked = distinctive_phrases(&members, &[], &twins, 2, &lexicon);
        let alike = |taken: &[&str]| NamedAlike { shared: "Pending".into(), taken: strings(taken) };
        let (_, name) = name_apart(&ranked, &alike(&["Pending", "Pending top up"]), &lexicon).unwrap();
        assert_eq!(sentence_case(&name), "Pending cash withdrawal", "{ranked:?}");
        let (_, name) = name_apart(&ranked, &alike(&["Pending", "Pending cash withdrawals"]), &lexicon).unwrap();
        assert!(name.to_lowercase().contains("pending") && !name.to_lowercase().contains("pending cash withdrawal"), "{name}");
        // A shared name that is not the members' own wording is not kept.
        let assorted = NamedAlike { shared: "Assorted short requests".into(), taken: Vec::new() };
        assert_eq!(name_apart(&ranked, &assorted, &lexicon), None);
    }

    #[test]
    fn a_name_keeps_the_particle_of_its_verb_but_not_a_preposition_before_a_detail() {
        let lexicon = Lexicon::english();
        let topped = strings(&["I topped up my card yesterday", "Topped up last night, where is it?", "have topped up twice today", "topped it"]);
        let contrast = strings(&["my card was declined", "where is my new card", "I lost my card"]);
        let ranked = distinctive_phrases(&topped, &[], &contrast, 2, &lexicon);
        assert_eq!(sentence_case(&naming_phrase(&ranked, &Lexicon::english()).unwrap().surface), "Topped up", "{ranked:?}");
        // Three of four is enough; a particle half the texts write is not.
        let half = strings(&["topped up my card", "topped up again", "topped my card", "topped it twice"]);
        let ranked = distinctive_phrases(&half, &[], &contrast, 2, &lexicon);
        assert_eq!(naming_phrase(&ranked, &Lexicon::english()).unwrap().surface, "topped", "{ranked:?}");
        let over = strings(&["weather over [LOCATION]", "what is the weather over [LOCATION]", "weather over [LOCATION] please"]);
        let ranked = distinctive_phrases(&over, &[], &contrast, 2, &lexicon);
        assert_eq!(naming_phrase(&ranked, &Lexicon::english()).unwrap().surface, "weather", "{ranked:?}");
    }

    #[test]
    fn a_number_never_names_a_group() {
        let members = strings(&["Wake me up at seven", "Alarm for seven thirty", "Set an alarm at seven", "Seven am alarm please", "Alarm at six thirty"]);
        let ranked = distinctive_phrases(&members, &[], &[], 2, &Lexicon::english());
        assert_eq!(naming_phrase(&ranked, &Lexicon::english()).map(|p| p.key.as_str()), Some("alarm"), "{ranked:?}");
        assert!(ranked.iter().all(|p| !p.content.iter().any(|w| w == "seven" || w == "thirty")), "{ranked:?}");
    }

    #[test]
    fn words_pointing_at_the_requests_own_material_never_name_a_group() {
        let members = strings(&[
            "Summarise the following article about climate change",
            "Rewrite the following climate change essay",
            "Explain the following report on climate change",
            "Translate the following text into French",
            "Proofread the following provided paragraph",
        ]);
        let ranked = distinctive_phrases(&members, &[], &[], 2, &Lexicon::english());
        assert_eq!(naming_phrase(&ranked, &Lexicon::english()).map(|p| p.key.as_str()), Some("climate change"), "{ranked:?}");
        assert!(ranked.iter().all(|p| !p.content.iter().any(|w| w == "following" || w == "provided")), "{ranked:?}");
    }

    #[test]
    fn a_group_no_phrase_covers_is_named_by_two_joined() {
        let members = strings(&[
            "Radio station",
            "Radio station please",
            "Tune the radio station",
            "New podcasts",
            "Latest episode of podcasts",
            "Turn the volume",
            "Weather tomorrow",
        ]);
        let ranked = distinctive_phrases(&members, &[], &[], 2, &Lexicon::english());
        let best = naming_phrase(&ranked, &Lexicon::english()).unwrap();
        assert_eq!(best.key, "radio station");
        assert_eq!(joined_name(&ranked, best, members.len(), &[], &Lexicon::english()).as_deref(), Some("radio station & podcasts"));
        assert!(same_stem("color", "colour") && same_stem("lights", "light") && same_stem("playing", "play") && same_stem("music", "music"));
        assert!(!same_stem("light", "flight") && !same_stem("card", "cart") && !same_stem("art", "artistic") && !same_stem("song", "songwriter"));
        assert!(same_stem("define", "definition") && same_stem("charging", "charge") && same_stem("create", "creation"));
        assert!(!same_stem("state", "statement") && !same_stem("rate", "ratio") && !same_stem("currency", "current"));
        // Not two forms of one word.
        let forms = strings(&["Send emails", "Emails please", "New email", "Open email", "Weather", "Time now", "Lights off"]);
        let ranked = distinctive_phrases(&forms, &[], &[], 2, &Lexicon::english());
        assert_eq!(joined_name(&ranked, &ranked[0], forms.len(), &[], &Lexicon::english()), None, "{ranked:?}");
        // A phrase held by half the group's weight names it alone.
        let weights = [1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.1];
        assert_eq!(joined_name(&ranked, best, members.len(), &weights, &Lexicon::english()), None);
        let chinese = strings(&["设置闹钟", "闹钟响", "天气预报", "明天天气预报", "写一首诗"]);
        let lexicon = Lexicon::for_texts(&chinese);
        let ranked = distinctive_phrases(&chinese, &[], &[], 2, &lexicon);
        let joined = joined_name(&ranked, &ranked[0], chinese.len(), &[], &lexicon).unwrap();
        assert!(joined.contains('、') && !joined.contains(' '), "{joined}");
    }

    /// Unspaced scripts are compared word by word too: "写" (write) does not
    /// join "写一篇" (write a piece), which holds it.
    #[test]
    fn a_second_phrase_sharing_a_word_of_an_unspaced_name_is_not_joined() {
        let phrase =
            |key: &str, holders: Vec<usize>| Phrase { key: key.into(), surface: key.into(), content: vec![key.into()], holders, score: 1.0, position: 0.0 };
        let chinese = Lexicon::for_texts(&strings(&["设置闹钟", "闹钟响", "天气预报", "明天天气预报", "写一首诗"]));
        assert_eq!(chinese.joint(), ("、", false));
        let name = phrase("写一篇", vec![0, 1]);
        let ranked = vec![name.clone(), phrase("写", vec![2, 3, 4]), phrase("故事", vec![5, 6, 7])];
        assert_eq!(joined_name(&ranked, &name, 10, &[], &chinese).as_deref(), Some("写一篇、故事"));
        let ranked = vec![name.clone(), phrase("写", vec![2, 3, 4])];
        assert_eq!(joined_name(&ranked, &name, 10, &[], &chinese), None);
    }

    /// "Google pay & apple" said "pay" of one payment service only; a
    /// second phrase that shares its last or first words with the name
    /// joins it with them said once.
    #[test]
    fn two_phrases_sharing_an_end_say_it_once() {
        let phrase = |surface: &str, holders: Vec<usize>| Phrase {
            key: surface.to_lowercase(),
            surface: surface.into(),
            content: surface.split(' ').filter(|w| Lexicon::english().is_content(&w.to_lowercase())).map(str::to_lowercase).collect(),
            holders,
            score: 1.0,
            position: 0.0,
        };
        let english = Lexicon::english();
        let google = phrase("Google pay", vec![0, 1, 2]);
        let ranked = vec![google.clone(), phrase("apple pay", vec![3, 4, 5]), phrase("apple", vec![3, 4, 5, 6])];
        assert_eq!(joined_name(&ranked, &google, 10, &[], &english).as_deref(), Some("Google & apple pay"));
        let top_up = phrase("top up card", vec![0, 1, 2]);
        let ranked = vec![top_up.clone(), phrase("top up account", vec![3, 4, 5])];
        assert_eq!(joined_name(&ranked, &top_up, 10, &[], &english).as_deref(), Some("top up card & account"));
        // What is left of each must be words that carry a topic, said apart:
        // "the card" and "looks like my card" leave function words, "card"
        // nothing, and "credit cards" a form of "card".
        let card = phrase("credit card", vec![0, 1, 2]);
        let ranked = vec![
            card.clone(),
            phrase("the card", vec![3, 4, 5]),
            phrase("looks like my card", vec![3, 4, 5]),
            phrase("card", vec![3, 4, 5, 6]),
            phrase("credit cards", vec![7, 8, 9]),
        ];
        assert_eq!(joined_name(&ranked, &card, 10, &[], &english), None);
        let confirm = phrase("confirm the instruction", vec![0, 1, 2]);
        assert_eq!(joined_name(&[confirm.clone(), phrase("last instruction", vec![3, 4, 5])], &confirm, 10, &[], &english), None);
        // In an unspaced script only phrases that share no word join: the
        // shared end is said once only where spaces mark the words.
        let chinese = Lexicon::for_texts(&strings(&["设置闹钟", "闹钟响", "天气预报", "明天天气预报", "写一首诗"]));
        let alarm = phrase("设置 闹钟", vec![0, 1, 2]);
        let ranked = vec![alarm.clone(), phrase("取消 闹钟", vec![3, 4, 5])];
        assert_eq!(joined_name(&ranked, &alarm, 10, &[], &chinese), None);
    }

    /// A word that says little alone ("ago", "made") names a group only in
    /// a longer phrase, or when nothing else can.
    #[test]
    fn a_light_word_alone_neither_names_a_group_nor_joins_a_name() {
        let phrase = |surface: &str, content: &[&str], holders: Vec<usize>| Phrase {
            key: surface.to_lowercase(),
            surface: surface.into(),
            content: content.iter().map(|w| w.to_string()).collect(),
            holders,
            score: 1.0,
            position: 0.0,
        };
        let english = Lexicon::english();
        assert!(english.is_light("ago") && english.is_light("made") && !english.is_light("refund") && !english.is_light("package"));
        let ranked = vec![phrase("ago", &["ago"], vec![0, 1, 2]), phrase("package", &["package"], vec![0, 3])];
        assert_eq!(naming_phrase(&ranked, &english).unwrap().key, "package");
        let only_light = vec![phrase("ago", &["ago"], vec![0, 1, 2])];
        assert_eq!(naming_phrase(&only_light, &english).unwrap().key, "ago");
        let with_particle = vec![phrase("take out", &["take"], vec![0, 1]), phrase("pizza", &["pizza"], vec![2])];
        assert_eq!(naming_phrase(&with_particle, &english).unwrap().surface, "take out");
        let merchant = phrase("merchant", &["merchant"], vec![0, 1]);
        let ranked = vec![merchant.clone(), phrase("made", &["made"], vec![2, 3, 4]), phrase("dispute", &["dispute"], vec![5, 6, 7])];
        assert_eq!(joined_name(&ranked, &merchant, 10, &[], &english).as_deref(), Some("merchant & dispute"));
    }
}
