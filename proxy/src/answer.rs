//! Tolerant reading of tagged answers. Models add words around tags, change
//! their case, or stop before the closing tag when they run out of tokens;
//! none of that should lose an otherwise good answer.

/// The text inside the last `<tag>…</tag>`: a model that repeats text it
/// read (a conversation that writes tags of its own, say) does so before it
/// answers. A missing closing tag takes the rest of the text (the answer was
/// cut off at the token limit).
pub fn tagged(text: &str, tag: &str) -> Option<String> {
    all_tagged(text, tag).pop()
}

/// What follows the last `</tag>` (case-insensitive), or all of `text`
/// where there is none: the answer after a model's scratchpad or
/// reasoning, where nothing it quoted while thinking can stand in for it.
pub fn after_closing<'a>(text: &'a str, tag: &str) -> &'a str {
    let close = format!("</{}>", tag.to_ascii_lowercase());
    match text.to_ascii_lowercase().rfind(&close) {
        Some(at) => &text[at + close.len()..],
        None => text,
    }
}

/// The text inside every `<tag>…</tag>`, in order.
pub fn all_tagged(text: &str, tag: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let open = format!("<{}>", tag.to_ascii_lowercase());
    let close = format!("</{}>", tag.to_ascii_lowercase());
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = lower[from..].find(&open).map(|i| from + i + open.len()) {
        let (end, next) = match lower[start..].find(&close) {
            Some(i) => (start + i, start + i + close.len()),
            None => (text.len(), text.len()),
        };
        let inner = text[start..end].trim();
        if !inner.is_empty() {
            out.push(inner.to_string());
        }
        from = next;
    }
    out
}

/// The text inside the last `<tag>…</tag>` that is closed. For short
/// answers a missing closing tag means the model did not follow the format
/// (a cut-off one-sentence answer is rare), so it is not taken.
pub fn closed_tag(text: &str, tag: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let open = format!("<{}>", tag.to_ascii_lowercase());
    let close = format!("</{}>", tag.to_ascii_lowercase());
    let end = lower.rfind(&close)?;
    let start = lower[..end].rfind(&open)? + open.len();
    let inner = text[start..end].trim();
    (!inner.is_empty()).then(|| inner.to_string())
}

/// `text` with `&`, `<` and `>` written as entities, so that text from a
/// conversation (or a name or summary made from one) that is put between a
/// prompt's tags cannot close them or open tags of its own.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A yes or no, from the first word that is one.
pub fn yes_no(answer: &str) -> Option<bool> {
    answer.split(|c: char| !c.is_alphabetic()).find_map(|w| match w.to_ascii_lowercase().as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    })
}

/// The first whole number in the text that lies in `min..=max`.
pub fn number_in(answer: &str, min: u32, max: u32) -> Option<u32> {
    answer.split(|c: char| !c.is_ascii_digit()).filter_map(|w| w.parse::<u32>().ok()).find(|n| (min..=max).contains(n))
}

/// The option the answer names: exactly (ignoring case and punctuation
/// around it), or else the longest option the answer contains.
pub fn option_in(answer: &str, options: &[String]) -> Option<usize> {
    let clean = |s: &str| s.trim().trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    let a = clean(answer);
    if let Some(i) = options.iter().position(|o| clean(o) == a) {
        return Some(i);
    }
    options.iter().enumerate().filter(|(_, o)| !clean(o).is_empty() && a.contains(&clean(o))).max_by_key(|(_, o)| o.len()).map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_found_whatever_the_case_and_even_unclosed() {
        assert_eq!(tagged("x <Answer> yes </ANSWER> y", "answer").as_deref(), Some("yes"));
        assert_eq!(tagged("<summary>cut off here", "summary").as_deref(), Some("cut off here"));
        assert_eq!(tagged("no tags", "answer"), None);
        assert_eq!(closed_tag("<answer>never closed", "answer"), None);
        assert_eq!(closed_tag("<ANSWER> ok </answer>", "answer").as_deref(), Some("ok"));
        assert_eq!(all_tagged("<name>a</name><name></name><name>b</name>", "name"), vec!["a", "b"]);
    }

    #[test]
    fn answers_are_read_tolerantly() {
        assert_eq!(yes_no("Yes."), Some(true));
        assert_eq!(yes_no("I think: no"), Some(false));
        assert_eq!(yes_no("maybe"), None);
        assert_eq!(number_in("Score: 7, so 4", 1, 5), Some(4));
        assert_eq!(number_in("none", 1, 5), None);
        let opts = vec!["Coding".to_string(), "Creative writing".to_string(), "Writing".to_string()];
        assert_eq!(option_in("creative writing.", &opts), Some(1));
        assert_eq!(option_in("It is mostly creative writing", &opts), Some(1));
        assert_eq!(option_in("cooking", &opts), None);
    }
}
