//! Which words carry a topic, in the languages a group of texts is written in.
//!
//! Function words come from the `stop-words` crate's Stopwords ISO lists
//! (58 languages; NLTK's are shorter, and its Chinese list lacks single
//! characters such as 上 and 会), English's from `words.rs`, which keeps
//! words such as "computer" that the ISO English list drops. A group is read
//! with English's list and the lists of the languages its texts are written
//! in, never with every list at once: one language's function word is
//! another's topic (German "die", Dutch "door", Romanian "care"). A text in
//! a language too few of the group's texts are written in is also read with
//! that language's list, alone among them: a cluster of prompts in five
//! languages is not named for Spanish "una".

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use super::words::{HAN_NUMERALS, NUMBER_WORDS, STOPWORDS};
use crate::language::detect_language;
use crate::script::{is_hiragana, is_ideograph};

/// A language counts for a group when at least this share of its texts are
/// written in it.
const LANGUAGE_SHARE: f64 = 0.2;

/// How many of a group's texts are read to tell its languages.
const LANGUAGE_SAMPLE: usize = 64;

/// The function words of a group's languages.
#[derive(Clone, Debug)]
pub struct Lexicon {
    stop: HashSet<&'static str>,
    languages: Vec<String>,
    /// The language most of the texts are written in, if one is.
    main: Option<String>,
    /// The function words of the languages fewer than a fifth of the
    /// sampled texts are written in, each read only in texts of its own.
    minority: BTreeMap<String, HashSet<&'static str>>,
}

/// How one text's words are read: with its group's lexicon and, for a text
/// in one of the group's minority languages, that language's function words.
pub struct TextLexicon<'a> {
    group: &'a Lexicon,
    own: Option<&'a HashSet<&'static str>>,
}

impl TextLexicon<'_> {
    /// Whether a lower-case word of this text can carry a topic.
    pub fn is_content(&self, word: &str) -> bool {
        self.group.is_content(word) && !self.own.is_some_and(|own| own.contains(word))
    }
}

impl Lexicon {
    /// English only.
    pub fn english() -> Self {
        Self::of_languages(&[], Some("en".to_string()), &[])
    }

    /// English and every language at least a fifth of the texts are written
    /// in (read from an evenly spaced sample of them, so the result does not
    /// depend on the texts' order more than the sample does).
    pub fn for_texts(texts: &[String]) -> Self {
        let step = texts.len().div_ceil(LANGUAGE_SAMPLE).max(1);
        let sampled: Vec<&str> = texts.iter().step_by(step).map(String::as_str).collect();
        let read = sampled.len();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        // Each text is read alone, not in the light of the others as the
        // language facet is (`crate::language::LanguagePrior`), because here
        // the two errors cost differently: a lone Spanish prompt read as
        // English would let "una" name a group, while an English one read
        // as Spanish only keeps a few more of its words out of names.
        for code in sampled.iter().filter_map(|text| detect_language(text)) {
            *counts.entry(code).or_default() += 1;
        }
        // The main language holds more than half of the sampled texts and is
        // what they read as one are taken for: a short text alone is often
        // taken for another language ("Coffee. cup of coffee" for
        // Norwegian), and both rarely err the same way.
        let majority = counts.iter().find(|&(_, &n)| 2 * n > read).map(|(code, _)| code.clone());
        let main = majority.filter(|code| detect_language(&sampled.join(". ")).as_ref() == Some(code));
        let counts_for_group = |&(_, &n): &(&String, &usize)| n as f64 >= LANGUAGE_SHARE * read as f64;
        let codes: Vec<&str> = counts.iter().filter(counts_for_group).map(|(code, _)| code.as_str()).collect();
        let minority: Vec<&str> = counts.iter().filter(|c| !counts_for_group(c)).map(|(code, _)| code.as_str()).collect();
        Self::of_languages(&codes, main, &minority)
    }

    fn of_languages(codes: &[&str], main: Option<String>, minority: &[&str]) -> Self {
        let mut stop: HashSet<&'static str> = STOPWORDS.iter().copied().collect();
        let mut languages = vec!["en".to_string()];
        for &code in codes {
            // A language with no list (Tamil, Georgian, …) is read with English's alone.
            if code == "en" {
                continue;
            }
            if let Some(list) = stop_words::lookup(code).filter(|_| !languages.iter().any(|l| l == code)) {
                stop.extend(list.iter().copied());
                languages.push(code.to_string());
            }
        }
        let minority = minority
            .iter()
            .filter(|&&code| !languages.iter().any(|l| l == code))
            .filter_map(|&code| Some((code.to_string(), stop_words::lookup(code)?.iter().copied().collect())))
            .collect();
        Lexicon { stop, languages, main, minority }
    }

    /// How one text of the group is read: also with its own language's
    /// function words, where that is one of the group's minority languages.
    pub fn for_text(&self, text: &str) -> TextLexicon<'_> {
        let own = if self.minority.is_empty() { None } else { detect_language(text).and_then(|code| self.minority.get(&code)) };
        TextLexicon { group: self, own }
    }

    /// How two phrases join into one name, and whether spaces stand around
    /// the joint: an ampersand, or in Chinese and Japanese the enumeration
    /// comma "、", which list two things there. Neither is a word, so a name
    /// holds only words its members wrote and no function word: a language's
    /// "and" ("и", "和") is one, and in English the audit reads "Word and"
    /// opening a sentence as a person ("Maria and I").
    pub fn joint(&self) -> (&'static str, bool) {
        match self.main.as_deref() {
            Some("zh" | "ja") => ("、", false),
            _ => ("&", true),
        }
    }

    /// The languages whose function words this lexicon holds, English first.
    pub fn languages(&self) -> &[String] {
        &self.languages
    }

    /// Whether a lower-case English word, though it can carry a topic, says
    /// little alone: one the Stopwords ISO English list holds and `words.rs`
    /// keeps ("ago", "made", "possible", "asking", "order", "computer"). Such
    /// a word is kept in phrases and names them only inside a longer one
    /// ("order hasn't arrived"): alone, banking77 named a group of orders
    /// that never came "Ago" and one of reversed payments "Made". The list
    /// is English's, so it holds only where the group's main language is
    /// English or none is: in a German group "Computer" is a topic.
    pub fn is_light(&self, word: &str) -> bool {
        self.main.as_deref().is_none_or(|main| main == "en") && english_iso().contains(word)
    }

    /// Whether a lower-case word can carry a topic: not a function word, not
    /// a number in digits, English words or Han numerals, at least two
    /// letters long, except for a Han ideograph, which is a word on its own
    /// (猫, cat), and not written in hiragana alone. Japanese writes its topics in kanji
    /// and katakana and its particles, verb endings and pronouns in hiragana
    /// ("してください", please do; "あなた", you), which the Stopwords ISO
    /// list holds few of: Arena-Hard's Japanese prompts were named
    /// "作成してください、あなた". A topic written in hiragana ("りんご",
    /// apple) is passed over, as few are.
    pub fn is_content(&self, word: &str) -> bool {
        let long_enough = word.chars().count() >= 2 || word.chars().all(is_ideograph);
        let number = word.chars().all(char::is_numeric) || NUMBER_WORDS.contains(&word) || word.chars().all(|c| HAN_NUMERALS.contains(c));
        long_enough && !number && !self.stop.contains(word) && !word.chars().all(is_hiragana)
    }
}

/// The Stopwords ISO English list, which is longer than `words.rs`'s.
fn english_iso() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| stop_words::lookup("en").map(|list| list.iter().copied().collect()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_is_read_in_its_own_languages() {
        let russian: Vec<String> =
            ["Как настроить будильник на утро", "Напиши стихотворение о весне и о любви", "Что такое квантовая механика и как она работает"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        let lexicon = Lexicon::for_texts(&russian);
        assert_eq!(lexicon.languages(), ["en", "ru"]);
        assert!(!lexicon.is_content("как") && !lexicon.is_content("на") && lexicon.is_content("будильник"));
        // German's function words are not English text's.
        assert!(Lexicon::english().is_content("door") && Lexicon::english().is_content("war"));
        let chinese: Vec<String> = ["如何设置闹钟", "请帮我写一首关于春天的诗", "什么是量子力学"].iter().map(|s| s.to_string()).collect();
        let lexicon = Lexicon::for_texts(&chinese);
        assert!(lexicon.languages().iter().any(|l| l == "zh"));
        assert!(!lexicon.is_content("的") && lexicon.is_content("闹钟") && lexicon.is_content("诗"));
        // Japanese particles, endings and pronouns are hiragana; its topics kanji or katakana.
        assert!(["ください", "して", "あなた", "って"].iter().all(|w| !lexicon.is_content(w)));
        assert!(lexicon.is_content("作成") && lexicon.is_content("コード") && lexicon.is_content("日本語"));
        assert!(!lexicon.is_content("两") && !lexicon.is_content("三百") && lexicon.is_content("数学"));
        assert!(!lexicon.is_content("2024") && !lexicon.is_content("x"));
        // Words that fit any request ("Foreign currency & something") are no topic.
        assert!(["something", "anything", "trying", "still", "whatever"].iter().all(|w| !Lexicon::english().is_content(w)));
        assert!(!Lexicon::english().is_content("seven") && !Lexicon::english().is_content("thirty") && Lexicon::english().is_content("alarm"));
        assert_eq!(lexicon.joint(), ("、", false));
        assert_eq!(Lexicon::for_texts(&russian).joint(), ("&", true));
        assert_eq!(Lexicon::english().joint(), ("&", true));
        let mixed: Vec<String> = russian.iter().chain(&chinese).cloned().collect();
        assert_eq!(Lexicon::for_texts(&mixed).joint(), ("&", true), "no one language");
    }

    #[test]
    fn a_text_in_a_language_few_share_is_read_with_its_own_function_words() {
        let mut texts: Vec<String> = [
            "How do I set an alarm for six in the morning",
            "Please write a short poem about the sea at night",
            "What is the capital city of Australia and why",
            "Tell me a joke about cats and dogs that is funny",
            "Which movie won the award for the best picture last year",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        texts.push("Escribe una historia corta sobre un dragón que vive en la montaña".to_string());
        let lexicon = Lexicon::for_texts(&texts);
        assert_eq!(lexicon.languages(), ["en"], "one Spanish text in six is not the group's language");
        let spanish = lexicon.for_text(&texts[5]);
        assert!(!spanish.is_content("una") && !spanish.is_content("sobre") && spanish.is_content("historia"));
        // The group's other texts are not read with Spanish's list.
        assert!(lexicon.for_text(&texts[1]).is_content("una") && lexicon.for_text(&texts[1]).is_content("poem"));
        assert!(!lexicon.for_text(&texts[1]).is_content("the"));
    }

    #[test]
    fn only_an_english_group_passes_over_a_light_word() {
        let german: Vec<String> = [
            "Mein Computer startet nicht mehr, was kann ich tun",
            "Welcher Computer eignet sich am besten für das Studium",
            "Wie schließe ich einen zweiten Bildschirm an meinen Computer an",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert!(Lexicon::english().is_light("computer"));
        let lexicon = Lexicon::for_texts(&german);
        assert!(lexicon.languages().iter().any(|l| l == "de"));
        assert!(!lexicon.is_light("computer") && lexicon.is_content("computer"));
    }
}
