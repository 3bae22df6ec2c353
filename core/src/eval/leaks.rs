//! Finding planted private details in text, exactly or after normalising
//! case, spacing and punctuation, and (for numbers) everything but the
//! digits (paper D, Figure 5).
//!
//! Both sides are first read as the privacy rules read them
//! (`offline::normalise`): a value planted in fullwidth letters or with
//! zero-width spaces inside is found when it comes back plain, and the other
//! way round.
//!
//! Values match whole words only: a planted "Mark" is not found in
//! "markdown". A value of one word keeps its case, because "Brown" the
//! person and "brown" the colour differ only by it; longer values match
//! whatever their case.

use crate::offline::normalise::for_rules;

/// The forms of a text that planted values are looked for in.
pub struct Searchable {
    /// Words in their case, separated by single spaces, with a space at each end.
    words: String,
    /// The same, lower-cased.
    lower_words: String,
    digits: String,
}

/// Runs of letters and digits, joined by single spaces, padded with spaces.
fn word_form(s: &str) -> String {
    let mut out = String::from(" ");
    for word in s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        out.push_str(word);
        out.push(' ');
    }
    out
}

impl Searchable {
    pub fn new(text: &str) -> Self {
        let text = &*for_rules(text);
        let words = word_form(text);
        Searchable { lower_words: words.to_lowercase(), words, digits: text.chars().filter(char::is_ascii_digit).collect() }
    }
}

/// A planted value in the forms it is searched by.
#[derive(Clone, Debug)]
pub struct Planted {
    pub kind: String,
    pub value: String,
    /// The value's words, in the case to compare in.
    words: String,
    case_sensitive: bool,
    /// Only for values that are mostly a number (cards, phones, IBANs…):
    /// the digits alone, when there are at least six.
    digits: Option<String>,
}

/// Values shorter than this are not searched: two letters match by chance.
pub const MIN_VALUE_CHARS: usize = 4;

impl Planted {
    pub fn new(kind: &str, planted: &str) -> Option<Self> {
        let normalised = for_rules(planted);
        let value = normalised.trim();
        if value.chars().count() < MIN_VALUE_CHARS {
            return None;
        }
        let words = word_form(value);
        let case_sensitive = words.trim().split(' ').count() == 1;
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        let letters = value.chars().filter(|c| c.is_alphabetic()).count();
        let digits = (digits.len() >= 6 && digits.len() >= letters * 2).then_some(digits);
        let words = if case_sensitive { words } else { words.to_lowercase() };
        Some(Planted { kind: kind.to_string(), value: planted.trim().to_string(), words, case_sensitive, digits })
    }

    /// Whether the value appears in the text, exactly or normalised.
    pub fn found_in(&self, text: &Searchable) -> bool {
        let haystack = if self.case_sensitive { &text.words } else { &text.lower_words };
        (self.words.trim() != "" && haystack.contains(&self.words)) || self.digits.as_ref().is_some_and(|d| text.digits.contains(d.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_through_case_spacing_and_digit_formatting() {
        let t = Searchable::new("Call JOHN  smith on (555) 123-4567 or mail j.smith@example.com");
        assert!(Planted::new("PERSON", "John Smith").unwrap().found_in(&t));
        assert!(Planted::new("PHONE_NUMBER", "555.123.4567").unwrap().found_in(&t));
        assert!(Planted::new("EMAIL_ADDRESS", "J.Smith@Example.com").unwrap().found_in(&t));
        assert!(!Planted::new("PERSON", "Jane Doe").unwrap().found_in(&t));
        assert!(Planted::new("TITLE", "Mr").is_none());
        // A street address with a house number is not matched by its digits alone.
        let a = Planted::new("STREET_ADDRESS", "12 Main Street 4567").unwrap();
        assert!(!a.found_in(&Searchable::new("ticket 124567")));
    }

    #[test]
    fn obfuscated_values_are_found_in_plain_text_and_plain_ones_in_obfuscated_text() {
        let plain = Searchable::new("Mail j.smith@example.com or call 555 123 4567");
        assert!(Planted::new("EMAIL_ADDRESS", "ｊ．ｓｍｉｔｈ＠ｅｘａｍｐｌｅ．ｃｏｍ").unwrap().found_in(&plain));
        assert!(Planted::new("PHONE_NUMBER", "٥٥٥ ١٢٣ ٤٥٦٧").unwrap().found_in(&plain));
        let hidden = Searchable::new("Mail j.sm\u{200B}ith@exam\u{200B}ple.com");
        assert!(Planted::new("EMAIL_ADDRESS", "j.smith@example.com").unwrap().found_in(&hidden));
    }

    #[test]
    fn only_whole_words_match_and_single_names_keep_their_case() {
        let t = Searchable::new("Containing markdown, pancakes brown and tomorrow's agreed plan");
        for name in ["Mark", "Brown", "Morrow", "Reed"] {
            assert!(!Planted::new("PERSON", name).unwrap().found_in(&t), "{name}");
        }
        assert!(Planted::new("PERSON", "Brown").unwrap().found_in(&Searchable::new("Ask Brown, then leave")));
    }
}
