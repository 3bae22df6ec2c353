//! Words and terms of a text, for the offline analyst's keyword rules
//! (screening, category questions) and the hashing embedder.

use std::collections::HashSet;

use super::segment::split_words;
use super::words::STOPWORDS;

/// Lower-cased words of a text; scrubber placeholders such as `[NAME]` are
/// skipped, and Chinese, Japanese and Thai runs are cut into words.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    split_words(text).into_iter().filter(|w| !w.placeholder).map(|w| w.text.to_lowercase())
}

fn is_content(w: &str) -> bool {
    w.chars().count() >= 2 && !STOPWORDS.contains(&w) && !w.chars().all(|c| c.is_ascii_digit())
}

/// The distinct content words and adjacent content-word pairs of a text.
pub fn terms(text: &str) -> HashSet<String> {
    let ws: Vec<String> = words(text).collect();
    let mut out = HashSet::new();
    for (i, w) in ws.iter().enumerate() {
        if !is_content(w) {
            continue;
        }
        out.insert(w.clone());
        if let Some(next) = ws.get(i + 1).filter(|n| is_content(n)) {
            out.insert(format!("{w} {next}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_not_words() {
        assert_eq!(words("Ask [NAME] about it").collect::<Vec<_>>(), vec!["ask", "about", "it"]);
        assert!(terms("Set an alarm clock").contains("alarm clock"));
    }
}
