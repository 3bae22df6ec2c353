//! Removing private details from text: the offline analyst's privacy layer.
//!
//! Patterns catch the structured identifiers (emails, phone numbers, URLs, IP
//! addresses, card numbers with a valid Luhn digit, IBANs, social security
//! numbers, street addresses). Person and place names have no pattern, so the
//! rule is deliberately blunt: a capitalised word that is not a known common
//! word is treated as a proper noun and replaced, as is the word after a cue
//! such as "my name is". This over-scrubs rare technical names; it is the
//! price of never leaking a name that a list did not know. Names written in
//! lower case have no capital to go by: the census's given names and the
//! surnames after them are found in any case (`person_names`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use regex::Regex;

use super::normalise::for_rules;
use super::person_names;
use super::words::{COMMON_CAPITALISED, NAME_CUES, PLACE_PREFIXES, STOPWORDS, SUBJECT_VERBS};

/// What a span of private detail was, written into the text in its place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Detail {
    Email,
    Url,
    IpAddress,
    Iban,
    CardNumber,
    SocialSecurity,
    Phone,
    StreetAddress,
    Number,
    Name,
}

impl Detail {
    const ALL: [Detail; 10] = [
        Detail::Email,
        Detail::Url,
        Detail::IpAddress,
        Detail::Iban,
        Detail::CardNumber,
        Detail::SocialSecurity,
        Detail::Phone,
        Detail::StreetAddress,
        Detail::Number,
        Detail::Name,
    ];

    pub fn placeholder(self) -> &'static str {
        match self {
            Detail::Email => "[EMAIL]",
            Detail::Url => "[URL]",
            Detail::IpAddress => "[IP]",
            Detail::Iban => "[IBAN]",
            Detail::CardNumber => "[CARD]",
            Detail::SocialSecurity => "[ID]",
            Detail::Phone => "[PHONE]",
            Detail::StreetAddress => "[ADDRESS]",
            Detail::Number => "[NUMBER]",
            Detail::Name => "[NAME]",
        }
    }

    /// Whether the detail alone identifies a person (audit score 1) or only narrows it down.
    pub fn identifies_individual(self) -> bool {
        !matches!(self, Detail::Url | Detail::Number)
    }
}

struct Patterns {
    structured: Vec<(Detail, Regex)>,
    word: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let r = |s: &str| Regex::new(s).expect("scrubber patterns are valid");
        Patterns {
            // Order matters: earlier patterns claim their spans first.
            structured: vec![
                (Detail::Email, r(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")),
                (Detail::Url, r(r"(?i)\b(?:https?://|www\.)[^\s<>()]+")),
                // ASCII classes, not `(?i)[a-z]` and `\d`: those also match `ſ`, the
                // Kelvin sign and digits of other scripts, which no IBAN holds.
                (Detail::Iban, r(r"\b[A-Za-z]{2}[0-9]{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,4})?\b")),
                (Detail::IpAddress, r(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")),
                (Detail::IpAddress, r(r"(?i)\b(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}\b|(?i)\b(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4})?\b")),
                (Detail::SocialSecurity, r(r"\b\d{3}-\d{2}-\d{4}\b")),
                (Detail::CardNumber, r(r"\b(?:\d[ \-]?){12,18}\d\b")),
                (Detail::Phone, r(r"(?:\+\d{1,3}[\s.\-]?)?(?:\(\d{1,4}\)[\s.\-]?)?\d{2,4}[\s.\-]\d{2,4}(?:[\s.\-]\d{2,5}){0,3}(?:\s?(?:x|ext\.?)\s?\d{1,5})?\b|\+\d{7,15}\b")),
                (Detail::StreetAddress, r(r"(?i)\b\d{1,6}[A-Z]?\s+(?:[\p{L}'.\-]+\s+){1,4}(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|square|sq|terrace|parkway|pkwy|highway|hwy|circle|cir|alley|strasse|straße|rue|via|calle)\b\.?")),
                (Detail::StreetAddress, r(r"(?i)\b(?:apt|apartment|suite|unit|flat)\.?\s*#?\s*\d+[a-z]?\b")),
                (Detail::Url, r(r"(?i)\b[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:com|org|net|io|edu|gov|co|uk|de|fr|info|biz|ai|dev|app|me|us|ca|au|ru|cn|jp|nl|es|it)\b")),
                (Detail::Number, r(r"\b\d{5,}\b")),
            ],
            word: r(r"[\p{L}][\p{L}\p{M}'’\-]*"),
        }
    })
}

/// Where private details were found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub detail: Detail,
    pub start: usize,
    pub end: usize,
}

/// Finds the private details in `text`, as non-overlapping byte spans in
/// order. The rules expect the text as `normalise::for_rules` gives it, which
/// `scrub` and the auditor do first.
pub fn find(text: &str) -> Vec<Finding> {
    let p = patterns();
    // Spans found so far by start: they never overlap, so the only one that
    // can overlap [s, e) is the last to start before e. Checking every span
    // made a text with thousands of findings quadratic.
    let mut taken: BTreeMap<usize, Finding> = BTreeMap::new();
    let overlaps = |taken: &BTreeMap<usize, Finding>, s: usize, e: usize| taken.range(..e).next_back().is_some_and(|(_, f)| f.end > s);
    for (detail, re) in &p.structured {
        for m in re.find_iter(text) {
            if overlaps(&taken, m.start(), m.end()) {
                continue;
            }
            let digits = m.as_str().chars().filter(char::is_ascii_digit).count();
            let keep = match detail {
                Detail::CardNumber => luhn_valid(m.as_str()),
                Detail::Phone => (7..=15).contains(&digits),
                Detail::Iban => iban_valid(m.as_str()),
                _ => true,
            };
            if keep {
                taken.insert(m.start(), Finding { detail: *detail, start: m.start(), end: m.end() });
            }
        }
    }
    // Proper nouns: capitalised words that are not known common words, unless they
    // open a sentence and are common; the word after a name cue; and, in any
    // case, given names on the census lists and the surnames that follow them.
    let words: Vec<regex::Match> = p.word.find_iter(text).collect();
    let unknown_capitalised = |w: &str| w.chars().next().is_some_and(char::is_uppercase) && !is_common(&w.to_lowercase()) && !is_acronym(w);
    let names = person_names::NameReader::new(text);
    let mut surname_next = false;
    // Given names that are also words, not taken as names on their own.
    let mut listed_words: Vec<usize> = Vec::new();
    for (i, m) in words.iter().enumerate() {
        let is_surname = std::mem::take(&mut surname_next);
        if overlaps(&taken, m.start(), m.end()) {
            continue;
        }
        let w = m.as_str();
        let wl = w.to_lowercase();
        let before = &text[..m.start()];
        let next = words.get(i + 1);
        let next_adjacent = next.filter(|n| text[m.end()..n.start()].trim().is_empty());
        // "OSCAR" and "MAX" in capitals are what the acronym rule says they
        // are; "san diego" and "st louis" are places, not people. The word
        // before is read only for a given name, not for every word.
        let after_place_prefix = || i > 0 && PLACE_PREFIXES.contains(&words[i - 1].as_str().to_lowercase().as_str());
        let given = if is_acronym(w) { None } else { names.given_name(w).filter(|_| !after_place_prefix()) };
        surname_next = given.is_some_and(|g| next_adjacent.is_some_and(|n| names.is_surname_after(g, n.as_str())));
        let listed = is_surname || surname_next || given.is_some_and(|g| !g.also_a_word);
        let after_cue = ends_with_name_cue(before);
        let proper = listed
            || if after_cue {
                !STOPWORDS.contains(&wl.as_str()) && (unknown_capitalised(w) || !is_common(&wl))
            } else if sentence_start(before) {
                // A capital opening a sentence says nothing by itself. It reads as a
                // name when another unknown capitalised word follows (a full name),
                // when a speaker label or possessive follows, or when the next word
                // is a verb that people, not requests, are the subject of.
                unknown_capitalised(w)
                    && (next_adjacent.is_some_and(|n| unknown_capitalised(n.as_str()))
                        || text[m.end()..].starts_with([':', '\'', '’'])
                        || next_adjacent.is_some_and(|n| SUBJECT_VERBS.contains(&n.as_str().to_lowercase().as_str())))
            } else {
                unknown_capitalised(w)
            };
        if proper {
            taken.insert(m.start(), Finding { detail: Detail::Name, start: m.start(), end: m.end() });
        } else if given.is_some() {
            listed_words.push(i);
        }
    }
    names_listed_with_names(text, &words, &listed_words, &mut taken);
    taken.into_values().collect()
}

/// A given name that is also a word ("crystal", "robin") is a name where it
/// stands in a list beside a name: "jessica, crystal, brandy and robin".
/// Alone it is the word; beside "salt" and "pepper", "rosemary" is a herb.
/// Names spread along a list from every name in it, each word visited once,
/// so a text of thousands of such words stays linear.
fn names_listed_with_names(text: &str, words: &[regex::Match], candidates: &[usize], taken: &mut BTreeMap<usize, Finding>) {
    if candidates.is_empty() {
        return;
    }
    let gap = |a: usize, b: usize| text[words[a].end()..words[b].start()].trim();
    let conjunction = |i: usize| matches!(words[i].as_str().to_lowercase().as_str(), "and" | "or");
    // The list item before word `i`: across a comma, or across "and" / "or".
    let item_before = |i: usize| match i {
        0 => None,
        _ if gap(i - 1, i) == "," => Some(i - 1),
        _ if i >= 2 && conjunction(i - 1) && gap(i - 1, i).is_empty() && matches!(gap(i - 2, i - 1), "" | ",") => Some(i - 2),
        _ => None,
    };
    // The item after `i` is the one whose item before is `i`.
    let beside = |i: usize| [item_before(i), (i + 1..words.len().min(i + 3)).find(|&j| item_before(j) == Some(i))];
    let mut candidate = vec![false; words.len()];
    for &i in candidates {
        candidate[i] = true;
    }
    let mut spreading: Vec<usize> =
        (0..words.len()).filter(|&i| taken.get(&words[i].start()).is_some_and(|f| f.detail == Detail::Name && f.end == words[i].end())).collect();
    while let Some(name) = spreading.pop() {
        for next in beside(name).into_iter().flatten() {
            if std::mem::take(&mut candidate[next]) {
                taken.insert(words[next].start(), Finding { detail: Detail::Name, start: words[next].start(), end: words[next].end() });
                spreading.push(next);
            }
        }
    }
}

/// Whether `before` ends with a name cue ("my name is", "Dr."), in any case.
/// Only its last few characters are lowercased: lowercasing all of it for
/// every word made scrubbing a long message quadratic (a thousand long
/// conversations took 12 s in the browser).
fn ends_with_name_cue(before: &str) -> bool {
    let trimmed = before.trim_end();
    let longest = NAME_CUES.iter().map(|cue| cue.chars().count()).max().unwrap_or(0);
    let tail_start = trimmed.char_indices().rev().nth(longest).map_or(0, |(at, _)| at);
    let tail = trimmed[tail_start..].to_lowercase();
    NAME_CUES.iter().any(|cue| tail.ends_with(cue))
}

/// Whether a word after `before` opens a sentence or a list item.
fn sentence_start(before: &str) -> bool {
    let trimmed = before.trim_end_matches([' ', '\t', '"', '\'', '“', '(', '*', '-', '#', '>']);
    trimmed.is_empty() || trimmed.ends_with(['.', '!', '?', ':', ';', '\n', '。', '？', '！']) || before[trimmed.len()..].contains('\n')
}

fn is_common(lower: &str) -> bool {
    STOPWORDS.contains(&lower) || COMMON_CAPITALISED.contains(&lower)
}

/// Short all-capital words (SQL, PDF, USB) are usually generic terms, not people.
fn is_acronym(w: &str) -> bool {
    let n = w.chars().count();
    (2..=5).contains(&n) && w.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// Replaces each private detail with its placeholder; adjacent names merge
/// into one. The result is the normalised text (`normalise::for_rules`).
pub fn scrub(text: &str) -> String {
    let text = &*for_rules(text);
    let findings = find(text);
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut last: Option<Detail> = None;
    for f in findings {
        let between = &text[pos..f.start];
        if last == Some(f.detail) && between.trim().is_empty() {
            pos = f.end;
            continue;
        }
        out.push_str(between);
        out.push_str(f.detail.placeholder());
        pos = f.end;
        last = Some(f.detail);
    }
    out.push_str(&text[pos..]);
    out
}

/// `text` with the placeholders [`scrub`] writes taken out, and the space
/// before each: what a scrubbed text says once the marks of what was removed
/// are gone. Two requests that each had a name removed are no more alike in
/// what they ask for, but a sentence model reads the shared "[NAME]" as a
/// shared word, and on short texts it pulled them into clusters of their own.
pub fn without_placeholders(text: &str) -> String {
    static PLACEHOLDERS: OnceLock<Regex> = OnceLock::new();
    let re = PLACEHOLDERS.get_or_init(|| {
        let alternatives: Vec<String> = Detail::ALL.iter().map(|d| regex::escape(d.placeholder())).collect();
        Regex::new(&format!(r"\s*(?:{})", alternatives.join("|"))).expect("placeholders are valid patterns")
    });
    re.replace_all(text, "").trim_start().to_string()
}

fn luhn_valid(s: &str) -> bool {
    let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// ISO 13616 check: move the first four characters to the end, letters to
/// numbers, mod 97 = 1. Works on characters, not bytes, so no text can make
/// it cut inside one.
fn iban_valid(s: &str) -> bool {
    let compact: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !(15..=34).contains(&compact.len()) || !compact.iter().all(char::is_ascii_alphanumeric) {
        return false;
    }
    let mut rem: u64 = 0;
    for &c in compact[4..].iter().chain(&compact[..4]) {
        let v = match c.to_digit(36) {
            Some(v) => v as u64,
            None => return false,
        };
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_come_out_with_the_space_before_them() {
        let scrubbed = scrub("Please ask Zorbwick at zorb@example.com about Godot 3.x, then call 555-123-4567");
        assert_eq!(scrubbed, "Please ask [NAME] at [EMAIL] about [NAME] 3.x, then call [PHONE]");
        assert_eq!(without_placeholders(&scrubbed), "Please ask at about 3.x, then call");
        assert_eq!(without_placeholders("[NAME], help me"), ", help me");
        // Brackets that no scrubbing wrote stay: code and citations use them.
        assert_eq!(without_placeholders("print(a[I]) [1] [name]"), "print(a[I]) [1] [name]");
        for detail in Detail::ALL {
            assert_eq!(without_placeholders(&format!("a {} b", detail.placeholder())), "a b");
        }
    }

    /// The segmenter knows placeholders by their shape (`segment.rs`), not
    /// from this list: every placeholder written here must have that shape,
    /// or a phrase would hold the word inside it ("Call phone").
    #[test]
    fn every_placeholder_is_one_placeholder_word_to_the_segmenter() {
        for detail in Detail::ALL {
            let text = format!("call {} now", detail.placeholder());
            let words = super::super::segment::split_words(&text);
            assert_eq!(words.len(), 3, "{text}: {words:?}");
            assert!(words[1].placeholder && words[1].text == detail.placeholder(), "{text}: {words:?}");
        }
    }

    #[test]
    fn thousands_of_findings_are_each_replaced_once() {
        let text: String = (0..3000).map(|i| format!("mail u{i}@example.com or call 555-123-{:04} ", i % 10_000)).collect();
        let clean = scrub(&text);
        assert_eq!(clean.matches("[EMAIL]").count(), 3000);
        assert_eq!(clean.matches("[PHONE]").count(), 3000);
        assert!(!clean.contains('@'));
    }

    #[test]
    fn structured_identifiers() {
        let s = scrub("Mail jane.doe@example.com or call +1 415-555-0132, card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00, host 192.168.1.20, see https://example.org/x");
        for leak in ["jane.doe", "555-0132", "4111", "DE89", "192.168", "example.org"] {
            assert!(!s.contains(leak), "{leak} leaked in {s}");
        }
        for tag in ["[EMAIL]", "[PHONE]", "[CARD]", "[IBAN]", "[IP]", "[URL]"] {
            assert!(s.contains(tag), "{tag} missing in {s}");
        }
    }

    #[test]
    fn names_and_addresses() {
        let s = scrub("My name is Rubija and I live at 221 Baker Street with Krisztián Szöllösy.");
        assert_eq!(scrub("Alarm for six. Wake me up: Boiled eggs"), "Alarm for six. Wake me up: Boiled eggs");
        assert!(!scrub("Krisztián Szöllösy listed his songs").contains("Szöllösy"));
        assert_eq!(scrub("Sheila is kind. Stephen had given it away."), "[NAME] is kind. [NAME] had given it away.");
        assert!(!scrub("my iban is gb42nawi04454264788619").contains("04454"));
        assert!(!s.contains("Rubija") && !s.contains("Baker") && !s.contains("Szöllösy"), "{s}");
        assert!(s.starts_with("My name is [NAME]"), "{s}");
        let lower = scrub("call me rubija please");
        assert!(!lower.contains("rubija"), "{lower}");
    }

    #[test]
    fn names_in_lower_case() {
        for (text, scrubbed) in [
            ("email john smith about the invoice", "email [NAME] about the invoice"),
            ("remind mark johnson to call sarah", "remind [NAME] to call [NAME]"),
            ("John smith asked for a refund", "[NAME] asked for a refund"),
            ("mark the date, grace period ends", "mark the date, grace period ends"),
            ("who will cook tonight", "who will cook tonight"),
            ("weather in san diego and paris", "weather in san diego and paris"),
            ("set an alarm for june first", "set an alarm for june first"),
            ("the OSCAR for best picture", "the OSCAR for best picture"),
            ("they had 4: jessica, crystal, brandy and robin", "they had 4: [NAME], [NAME], [NAME] and [NAME]"),
            ("invite john and grace", "invite [NAME] and [NAME]"),
            ("salt, pepper, rosemary and basil", "salt, pepper, rosemary and basil"),
        ] {
            assert_eq!(scrub(text), scrubbed, "{text}");
        }
        let long_list = format!("john{}", ", rose".repeat(20_000));
        assert_eq!(scrub(&long_list).matches("[NAME]").count(), 20_001);
    }

    #[test]
    fn name_cues_are_found_at_the_end_of_long_texts_in_any_case() {
        let long = "Some words before. ".repeat(500);
        let whole_prefix = |before: &str| NAME_CUES.iter().any(|cue| before.trim_end().to_lowercase().ends_with(cue));
        for end in ["My NAME IS ", "Regards,\n", "Dr.", "İDR ", "ǅear", "so call Me  ", "named", "", "Ödön", "this is"] {
            for before in [end.to_string(), format!("{long}{end}")] {
                assert_eq!(ends_with_name_cue(&before), whole_prefix(&before), "{end:?}");
            }
        }
    }

    #[test]
    fn ordinary_requests_survive() {
        let s = "Write a Python function that parses JSON and explain it in French.";
        assert_eq!(scrub(s), s);
        let s = "How do I set an alarm for 7 am tomorrow?";
        assert_eq!(scrub(s), s);
    }

    #[test]
    fn luhn_and_iban_checks() {
        assert!(luhn_valid("4111 1111 1111 1111"));
        assert!(!luhn_valid("4111 1111 1111 1112"));
        assert!(iban_valid("GB82 WEST 1234 5698 7654 32"));
        assert!(!iban_valid("GB82 WEST 1234 5698 7654 33"));
        assert!(!iban_valid("ab1١abcdabcdab ſſſſ"), "other scripts' digits and letters are no IBAN");
    }

    #[test]
    fn text_that_looks_like_an_iban_in_other_scripts_does_not_panic() {
        // `١` (Arabic-Indic one) and `ſ` (long s) are two bytes each: a byte
        // offset of four once cut inside them.
        for text in ["Check ab1١abcdabcdab please", "ſt12 abcd abcd abcd", "KK12 3456 7890 1234 56", "gb\u{212a}2 abcd abcd abcd"] {
            let _ = find(text);
            let _ = scrub(text);
        }
    }
}
