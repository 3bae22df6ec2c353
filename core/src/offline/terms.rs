//! Words, terms, and which terms set one group of texts apart from another.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;

use super::words::STOPWORDS;

fn word_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"\[[A-Z]+\]|[\p{L}\p{N}][\p{L}\p{N}\p{M}'’+#\-]*").expect("valid"))
}

/// Lower-cased words of a text; scrubber placeholders such as `[NAME]` are skipped.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    word_re()
        .find_iter(text)
        .filter(|m| !m.as_str().starts_with('['))
        .map(|m| m.as_str().to_lowercase().trim_end_matches(['\'', '’', '-']).to_string())
        .filter(|w| !w.is_empty())
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

fn doc_freq(texts: &[String]) -> HashMap<String, usize> {
    let mut df = HashMap::new();
    for t in texts {
        for term in terms(t) {
            *df.entry(term).or_insert(0) += 1;
        }
    }
    df
}

/// Terms that mark `members` against `contrast`, best first (a class-based
/// TF-IDF: a term's share of member texts, weighted by how much more often it
/// occurs there than among the contrast texts). A term must occur in at least
/// `min_docs` member texts, so no single text can put a word into a name.
/// With no contrast texts, terms rank by their share of member texts.
pub fn distinctive(members: &[String], contrast: &[String], min_docs: usize) -> Vec<(String, f32)> {
    let n_in = members.len().max(1) as f32;
    let n_out = contrast.len() as f32;
    let df_in = doc_freq(members);
    let df_out = doc_freq(contrast);
    let mut scored: Vec<(String, f32)> = df_in
        .into_iter()
        .filter(|(_, d)| *d >= min_docs.max(1))
        .filter_map(|(term, d)| {
            let p_in = d as f32 / n_in;
            let p_out = (*df_out.get(&term).unwrap_or(&0) as f32 + 0.5) / (n_out + 1.0);
            // With nothing to contrast against, a term's share alone ranks it.
            let lift = if contrast.is_empty() { 1.0 } else { (p_in / p_out).ln() };
            // Pairs of words say more than single words; favour them a little.
            let bonus = if term.contains(' ') { 1.3 } else { 1.0 };
            (lift > 0.0).then_some((term, p_in * lift * bonus))
        })
        .collect();
    // Deterministic order: score, then the term itself.
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    drop_redundant(scored)
}

/// Keeps a single word only when no better pair already contains it, and a pair
/// only when its words are not both already shown.
fn drop_redundant(scored: Vec<(String, f32)>) -> Vec<(String, f32)> {
    let mut shown: BTreeMap<String, ()> = BTreeMap::new();
    let mut out = Vec::new();
    for (term, s) in scored {
        let parts: Vec<&str> = term.split(' ').collect();
        if parts.iter().all(|p| shown.contains_key(*p)) {
            continue;
        }
        for p in &parts {
            shown.insert((*p).to_string(), ());
        }
        out.push((term, s));
    }
    out
}

/// "a, b and c".
pub fn join_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinctive_terms_contrast() {
        let members: Vec<String> = ["set an alarm for six", "wake me up with an alarm", "alarm at seven please"].iter().map(|s| s.to_string()).collect();
        let contrast: Vec<String> = ["set a timer for pasta", "timer for ten minutes"].iter().map(|s| s.to_string()).collect();
        let top = distinctive(&members, &contrast, 2);
        assert_eq!(top[0].0, "alarm");
        assert!(top.iter().all(|(t, _)| t != "timer"));
        // "six" occurs once only: never a name term.
        assert!(top.iter().all(|(t, _)| t != "six"));
    }

    #[test]
    fn placeholders_are_not_words() {
        assert_eq!(words("Ask [NAME] about it").collect::<Vec<_>>(), vec!["ask", "about", "it"]);
        assert_eq!(join_list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
    }
}
