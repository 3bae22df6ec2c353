//! Given names and surnames, so that names written in lower case are found.
//!
//! The scrubber otherwise knows a name by its capital letter, which "email
//! john smith", HWU64's utterances and most text typed on a phone lack. The
//! lists are the 1990 US census's (public domain), split by
//! `core/data/names/make.py` into names that are also ordinary English words
//! and names that are not; the script says how, and why the rarest names
//! are left out. They are American lists: a name rare in the US 1990 census
//! ("arijit") is still found only by its capital or a cue.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::words::{COMMON_CAPITALISED, NUMBER_WORDS, STOPWORDS};
use crate::language::detect_language;

/// A given name, and whether it is also an ordinary word ("mark", "grace").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GivenName {
    pub also_a_word: bool,
}

struct Lists {
    given: HashSet<&'static str>,
    given_also_words: HashSet<&'static str>,
    surnames: HashSet<&'static str>,
    surnames_also_words: HashSet<&'static str>,
    /// The languages in whose Stopwords ISO list a listed name is: "dan" is
    /// Indonesian and Dutch for "and" and "than", "sara" Italian for "will be".
    function_word_of: HashMap<&'static str, Vec<&'static str>>,
}

fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| {
        // A name the scrubber already reads as a common English word
        // ("june", "python") or a number is left out: it is far more often
        // that word than a person.
        let common: HashSet<&'static str> = STOPWORDS.iter().chain(COMMON_CAPITALISED).chain(NUMBER_WORDS).copied().collect();
        let read = |list: &'static str| list.lines().filter(|name| !common.contains(name)).collect::<HashSet<_>>();
        let given = read(include_str!("../../data/names/given.txt"));
        let given_also_words = read(include_str!("../../data/names/given_also_words.txt"));
        let surnames = read(include_str!("../../data/names/surnames.txt"));
        let surnames_also_words = read(include_str!("../../data/names/surnames_also_words.txt"));
        let mut lists = Lists { given, given_also_words, surnames, surnames_also_words, function_word_of: HashMap::new() };
        for &code in stop_words::available_languages() {
            for &word in stop_words::lookup(code).unwrap_or_default() {
                if lists.holds(word) {
                    lists.function_word_of.entry(word).or_default().push(code);
                }
            }
        }
        lists
    })
}

impl Lists {
    /// Whether a lower-case word is on any of the lists.
    fn holds(&self, lower: &str) -> bool {
        [&self.given, &self.given_also_words, &self.surnames, &self.surnames_also_words].iter().any(|list| list.contains(lower))
    }
}

/// Reads the names of one text. The lists are American, so a listed name
/// written in lower case is a name only where the text reads as English or
/// its language cannot be told: in Spanish "vida" is life and in Vietnamese
/// "theo" is "according to". Written with a capital, it is a name in any
/// language, except where it is a function word of the text's own
/// ("Dan" opening an Indonesian sentence is "and"). The text's language is
/// detected only when such a word is met, so most texts are never read
/// for it.
pub struct NameReader<'t> {
    text: &'t str,
    language: OnceCell<Option<String>>,
}

impl<'t> NameReader<'t> {
    pub fn new(text: &'t str) -> Self {
        NameReader { text, language: OnceCell::new() }
    }

    /// Whether a word of the text, as written, is a given name on the lists.
    pub fn given_name(&self, word: &str) -> Option<GivenName> {
        let lists = lists();
        let lower = word.to_lowercase();
        let also_a_word = if lists.given.contains(lower.as_str()) {
            false
        } else if lists.given_also_words.contains(lower.as_str()) {
            true
        } else {
            return None;
        };
        self.reads_as_a_name(word, &lower).then_some(GivenName { also_a_word })
    }

    /// Whether a word of the text, as written, right after `given`, is its
    /// surname. A surname that is also a word counts only after a given
    /// name that is not one: "john cook" is a name, "will cook" as often a
    /// sentence ("who will cook tonight").
    pub fn is_surname_after(&self, given: GivenName, word: &str) -> bool {
        let lists = lists();
        let lower = word.to_lowercase();
        let listed = lists.surnames.contains(lower.as_str()) || (!given.also_a_word && lists.surnames_also_words.contains(lower.as_str()));
        listed && self.reads_as_a_name(word, &lower)
    }

    /// The text's language where it reads as the same one with and without
    /// the listed names, else none: the detector errs both ways. A list of
    /// names reads as no language in particular, and "they had 6: silvana,
    /// adam, christopher, kristina, chad and caleb" before a question about
    /// Python was taken for German; without them, "Phone number &" was
    /// taken for Italian. Where the two readings differ, the text is read
    /// as English, which errs towards hiding names.
    fn language_with_and_without_names(&self) -> Option<String> {
        let with_names = detect_language(self.text);
        (with_names == detect_language(&without_listed_names(self.text))).then_some(with_names).flatten()
    }

    fn reads_as_a_name(&self, word: &str, lower: &str) -> bool {
        let function_word_of = lists().function_word_of.get(lower);
        let written_in_lower_case = word == lower;
        if function_word_of.is_none() && !written_in_lower_case {
            return true;
        }
        let language = self.language.get_or_init(|| self.language_with_and_without_names()).as_deref();
        let english_or_unknown = language.is_none_or(|code| code == "en");
        let a_function_word_here = function_word_of.is_some_and(|languages| language.is_some_and(|code| languages.contains(&code)));
        (english_or_unknown || !written_in_lower_case) && !a_function_word_here
    }
}

/// `text` without the words on the name lists.
fn without_listed_names(text: &str) -> String {
    let lists = lists();
    let listed = |word: &str| lists.holds(&word.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase());
    text.split_whitespace().filter(|word| !listed(word)).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_words_need_a_surname() {
        let names = NameReader::new("");
        assert_eq!(names.given_name("john"), Some(GivenName { also_a_word: false }));
        for word in ["mark", "grace", "max"] {
            assert_eq!(names.given_name(word), Some(GivenName { also_a_word: true }), "{word}");
        }
        assert!(names.is_surname_after(GivenName { also_a_word: true }, "johnson"));
        assert!(!names.is_surname_after(GivenName { also_a_word: true }, "brown"));
        assert!(names.is_surname_after(GivenName { also_a_word: false }, "brown"));
        // Common words, places and function words are not names.
        for word in ["june", "monday", "paris", "india", "the", "one", "al"] {
            assert_eq!(names.given_name(word), None, "{word}");
        }
        assert!(!names.is_surname_after(GivenName { also_a_word: false }, "to"));
    }

    #[test]
    fn a_name_in_lower_case_is_read_only_in_english_text() {
        let english = NameReader::new("please forward the invoice to dan and sara before friday");
        assert!(english.given_name("dan").is_some() && english.given_name("sara").is_some());
        let indonesian = NameReader::new("Dan saya ingin membeli roti dan susu di toko dekat rumah saya");
        assert_eq!(indonesian.given_name("dan"), None);
        // A function word of the text's language is no name even capitalised.
        assert_eq!(indonesian.given_name("Dan"), None);
        let spanish = NameReader::new("Estoy creando la historia de un personaje que su vida ha sido un desastre, dice Alberto.");
        assert_eq!(spanish.given_name("vida"), None);
        assert!(spanish.given_name("Alberto").is_some());
        // Too short to tell its language: read as English.
        assert!(NameReader::new("text mary").given_name("mary").is_some());
        // A list of names is read as the words around it.
        let listing = "they had 6: silvana, adam, christopher, kristina, chad and caleb.\n\nwhat does the @ in python do";
        assert_eq!(detect_language(listing).as_deref(), Some("de"));
        assert!(NameReader::new(listing).given_name("adam").is_some());
    }
}
