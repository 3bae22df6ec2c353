//! Facet answers without a model: scrubbed extractive summaries, a concern
//! lexicon, the detected language, and keyword matching for categories.

use super::scrub::scrub;
use super::segment::split_words;
use super::terms::{terms, words};
use crate::analyst::ConversationText;
use crate::language::{detect_languages, language_name};
use crate::model::Role;

/// Longest summary, in words: enough to say what was asked, short enough to
/// keep details out.
const SUMMARY_WORDS: usize = 30;

/// The opening of the user's first message, one or two sentences, scrubbed.
pub fn request_summary(c: &ConversationText) -> String {
    let first = c.messages.iter().find(|m| m.role == Role::User && !m.content.trim().is_empty());
    let Some(first) = first else { return String::new() };
    summarise(&first.content)
}

/// The opening of a text, cut at a sentence end after the first few words or
/// at the word limit. Words are counted as `segment::split_words` finds them,
/// so a Chinese or Japanese text, which has no spaces, is cut as short as an
/// English one rather than kept whole as one "word".
pub fn summarise(text: &str) -> String {
    // Scrub before cutting, so a name split by the cut is still caught whole.
    let clean = scrub(text);
    let flat: String = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    let word_ends: Vec<usize> = split_words(&flat).iter().map(|w| w.end).collect();
    let words_before = |at: usize| word_ends.partition_point(|&end| end <= at);
    // A full stop, question or exclamation mark ends a sentence when a space
    // or the end follows it (not the dot of "3.5" or "e.g"); the full-width
    // marks of Chinese and Japanese end one wherever they are.
    let sentence_end = flat.char_indices().find_map(|(at, c)| {
        let end = at + c.len_utf8();
        let ends = match c {
            '.' | '?' | '!' => flat[end..].chars().next().is_none_or(char::is_whitespace),
            '。' | '？' | '！' => true,
            _ => false,
        };
        (ends && words_before(end) >= SENTENCE_MIN_WORDS).then_some(end)
    });
    let limit = word_ends.get(SUMMARY_WORDS - 1).copied().filter(|_| word_ends.len() > SUMMARY_WORDS);
    match (sentence_end, limit) {
        (Some(end), Some(cut)) if cut < end => format!("{}…", &flat[..cut]),
        (Some(end), _) => flat[..end].to_string(),
        (None, Some(cut)) => format!("{}…", &flat[..cut]),
        (None, None) => flat,
    }
}

/// A sentence end closes a summary only after this many words, so a
/// greeting ("Hi there!") is not all that is kept.
const SENTENCE_MIN_WORDS: usize = 8;

/// The language facet's answers for conversations read together, each
/// unsure reading settled by the others' sure ones (see
/// [`crate::language::LanguagePrior`]): named in English, "Unknown" where
/// nothing tells.
pub fn languages(conversations: &[&ConversationText]) -> Vec<String> {
    let texts: Vec<String> = conversations.iter().map(|c| c.user_text()).collect();
    detect_languages(&texts).into_iter().map(|code| code.map_or_else(|| "Unknown".into(), |code| language_name(&code))).collect()
}

/// Cue words by the concern level they raise the conversation to. Matching is
/// on whole words or word pairs of the user's turns; the highest level wins,
/// and two different level-4 cues make a 5.
const CONCERN_CUES: &[(u8, &[&str])] = &[
    (
        5,
        &[
            "bomb",
            "explosive",
            "explosives",
            "terrorist",
            "terrorism",
            "child porn",
            "csam",
            "kill myself",
            "suicide",
            "suicidal",
            "genocide",
            "nerve agent",
            "bioweapon",
            "ricin",
            "anthrax",
            "mass shooting",
            "make meth",
            "human trafficking",
            "molest",
        ],
    ),
    (
        4,
        &[
            "kill",
            "murder",
            "weapon",
            "weapons",
            "gun",
            "guns",
            "shoot",
            "stab",
            "poison",
            "rape",
            "overdose",
            "self-harm",
            "cocaine",
            "heroin",
            "meth",
            "fentanyl",
            "drugs",
            "steal",
            "stealing",
            "rob",
            "robbery",
            "hack into",
            "hacking",
            "malware",
            "ransomware",
            "kidnap",
            "torture",
            "abuse",
            "slur",
            "slurs",
            "nazi",
            "porn",
            "launder",
            "counterfeit",
        ],
    ),
    (
        3,
        &[
            "hate",
            "hurt",
            "illegal",
            "cheat",
            "cheating",
            "revenge",
            "fight",
            "violence",
            "violent",
            "racist",
            "racism",
            "sexist",
            "drunk",
            "insult",
            "insults",
            "threaten",
            "blackmail",
            "scam",
            "fraud",
            "lie to",
            "punch",
            "beat up",
            "harass",
            "stalk",
            "explicit",
            "nude",
            "naked",
            "sex",
            "sexual",
            "die",
            "dead",
            "death",
            "crime",
        ],
    ),
    (
        2,
        &[
            "prank",
            "pranks",
            "swear",
            "curse",
            "lie",
            "lying",
            "police",
            "dangerous",
            "risky",
            "gamble",
            "gambling",
            "alcohol",
            "weed",
            "marijuana",
            "angry",
            "stupid",
            "idiot",
            "ugly",
            "fat",
            "sue",
            "lawsuit",
            "diet",
            "medication",
            "pills",
        ],
    ),
];

pub fn concern(c: &ConversationText) -> u8 {
    let user = c.user_text();
    let ws: Vec<String> = words(&user).collect();
    let mut found: Vec<(u8, &str)> = Vec::new();
    for (level, cues) in CONCERN_CUES {
        for cue in *cues {
            let hit = if cue.contains(' ') {
                let parts: Vec<&str> = cue.split(' ').collect();
                ws.windows(parts.len()).any(|w| w.iter().zip(&parts).all(|(a, b)| a == b))
            } else {
                ws.iter().any(|w| w == cue)
            };
            if hit {
                found.push((*level, cue));
            }
        }
    }
    let top = found.iter().map(|(l, _)| *l).max().unwrap_or(1);
    let fours = found.iter().filter(|(l, _)| *l == 4).count();
    if top == 4 && fours >= 2 {
        5
    } else {
        top
    }
}

/// Crude stemming for matching: the first five characters of a word.
fn stem(w: &str) -> String {
    w.chars().take(5).collect()
}

/// Whether the user's turns share a content word with `question` (after dropping
/// words that only frame the question).
pub fn screen(c: &ConversationText, question: &str) -> bool {
    let wanted: Vec<String> =
        terms(question).into_iter().filter(|t| !t.contains(' ') && !super::words::QUESTION_FRAMING.contains(&t.as_str())).map(|t| stem(&t)).collect();
    if wanted.is_empty() {
        return true;
    }
    let text = c.user_text();
    let found = words(&text).any(|w| wanted.contains(&stem(&w)));
    found
}

/// The option sharing the most word stems with the user's turns; `None` when none shares any.
pub fn category(c: &ConversationText, options: &[String]) -> Option<usize> {
    let text = c.user_text();
    let have: std::collections::HashSet<String> = words(&text).map(|w| stem(&w)).collect();
    let mut best: Option<(usize, usize)> = None;
    for (i, o) in options.iter().enumerate() {
        let hits = terms(o).iter().filter(|t| !t.contains(' ') && have.contains(&stem(t))).count();
        if hits > 0 && best.is_none_or(|(_, b)| hits > b) {
            best = Some((i, hits));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Message;

    fn conv(text: &str) -> ConversationText {
        ConversationText { messages: vec![Message { role: Role::User, content: text.into() }] }
    }

    #[test]
    fn summaries_are_short_and_scrubbed() {
        let s = request_summary(&conv(
            "Hi, I'm Rubija Kovač and my email is r.k@example.com. Can you help me write a cover letter for a nursing job? I have five years of experience.",
        ));
        assert!(!s.contains("Rubija") && !s.contains("example.com"), "{s}");
        assert!(s.split_whitespace().count() <= SUMMARY_WORDS + 1, "{s}");
        // No spaces to count by: cut by words all the same.
        let zh = summarise(&"我想写一本关于中国古代历史的小说".repeat(20));
        assert!(zh.ends_with('…') && split_words(&zh).len() <= SUMMARY_WORDS, "{zh}");
        let decimal = "Please explain to me why the old version 3.5 of the tool fails to start";
        assert_eq!(summarise(decimal), decimal);
    }

    #[test]
    fn concern_levels() {
        assert_eq!(concern(&conv("How do I set an alarm for 7?")), 1);
        assert!(concern(&conv("how do I make a bomb at home")) == 5);
        assert!(concern(&conv("what pranks can I play with a pen")) == 2);
    }

    #[test]
    fn screen_and_category() {
        assert!(screen(&conv("Help me fix my Python code"), "Does the conversation involve programming code?"));
        assert!(!screen(&conv("Write a poem about spring"), "Does the conversation involve programming code?"));
        let options = vec!["cooking".to_string(), "programming".to_string()];
        assert_eq!(category(&conv("a recipe for cooking rice"), &options), Some(0));
        assert_eq!(category(&conv("hello"), &options), None);
    }
}
