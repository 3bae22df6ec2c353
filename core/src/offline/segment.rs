//! Where the words of a text are, in every script.
//!
//! Most scripts put spaces between words, and a pattern finds them. Chinese,
//! Japanese, Thai, Lao, Khmer and Myanmar do not: a run of their letters is
//! cut into words by ICU4X's segmenter (a dictionary for Chinese and
//! Japanese, a trained model for the others), so "如何设置闹钟" is four words
//! rather than one.

use std::sync::OnceLock;

use icu_segmenter::options::WordBreakInvariantOptions;
use icu_segmenter::{WordSegmenter, WordSegmenterBorrowed};
use regex::Regex;

use crate::script::is_unspaced_script;

/// A word of a text and where it lies in it, so phrases can be cut from the
/// text as it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word<'a> {
    /// The word as written (trailing apostrophes and hyphens removed).
    pub text: &'a str,
    /// Byte offsets of the word in its text.
    pub start: usize,
    pub end: usize,
    /// A scrubber placeholder such as `[NAME]`: it stands for words that were
    /// removed, so it is never part of a term or a phrase. It is known by its
    /// shape, capitals in brackets, which every placeholder the scrubber
    /// writes has (a test in `scrub.rs` checks) and which also catches markup
    /// of the same shape in the texts themselves (`[INST]`), no word either.
    pub placeholder: bool,
}

fn word_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"\[[A-Z]+\]|[\p{L}\p{N}][\p{L}\p{N}\p{M}'’+#\-]*").expect("valid"))
}

fn segmenter() -> WordSegmenterBorrowed<'static> {
    WordSegmenter::new_auto(WordBreakInvariantOptions::default())
}

/// The words of a text, in order.
pub fn split_words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    for m in word_re().find_iter(text) {
        let raw = m.as_str();
        if raw.starts_with('[') {
            out.push(Word { text: raw, start: m.start(), end: m.end(), placeholder: true });
        } else if raw.chars().any(is_unspaced_script) {
            let mut from = 0;
            for (at, kind) in segmenter().segment_str(raw).iter_with_word_type() {
                // Each break closes the segment that began at the previous one;
                // the first break is the start of the text.
                if at > from && kind.is_word_like() {
                    push_trimmed(&mut out, text, m.start() + from, m.start() + at);
                }
                from = at;
            }
        } else {
            push_trimmed(&mut out, text, m.start(), m.end());
        }
    }
    out
}

fn push_trimmed<'a>(out: &mut Vec<Word<'a>>, text: &'a str, start: usize, end: usize) {
    let word = text[start..end].trim_end_matches(['\'', '’', '-']);
    if !word.is_empty() {
        out.push(Word { text: word, start, end: start + word.len(), placeholder: false });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        split_words(text).into_iter().filter(|w| !w.placeholder).map(|w| w.text).collect()
    }

    #[test]
    fn spaced_scripts_split_at_spaces_and_punctuation() {
        assert_eq!(texts("Ask [NAME] about C++, e-mail and rock'n'roll'"), ["Ask", "about", "C++", "e-mail", "and", "rock'n'roll"]);
        assert_eq!(texts("Как настроить будильник?"), ["Как", "настроить", "будильник"]);
        let w = split_words("Hi [NAME]");
        assert!(w[1].placeholder && w[1].start == 3 && w[1].end == 9);
    }

    #[test]
    fn chinese_and_japanese_are_cut_into_words() {
        let zh = texts("如何设置闹钟");
        assert!(zh.len() >= 3 && zh.concat() == "如何设置闹钟", "{zh:?}");
        assert!(zh.contains(&"闹钟"), "{zh:?}");
        let ja = texts("東京の天気を教えて");
        assert!(ja.len() >= 4 && ja.contains(&"天気"), "{ja:?}");
        // Offsets point into the text itself.
        for w in split_words("用Python写一首诗") {
            assert_eq!(&"用Python写一首诗"[w.start..w.end], w.text);
        }
    }
}
