//! The prose of a request, which is what its language is read from.
//!
//! Code, formulas and markup are written in no one's language, and a request
//! often pastes more of them than it writes prose: "下記のコードの可読性を上げて
//! ください。" above forty lines of TypeScript has more Latin letters than
//! Japanese characters, so the detector, which first picks the script most
//! letters are written in, read it as English (and a Chinese question about
//! an R script as Italian). So the reading leaves out what is plainly not
//! prose (fenced and inline code, TeX formulas, lines that look like code,
//! and words with a programming symbol in them; of these only letters of a
//! script other than Latin are kept, as a comment in Chinese is still the
//! writer's Chinese), and
//! then counts a script written without spaces (Chinese, Japanese, Korean's
//! syllables, Thai) by its characters against the others' words: a Chinese
//! word is one or two characters where an English one is five letters.
//! What this cannot tell is a request that quotes a passage in another
//! language at more length than it asks in its own ("Translate into
//! English: …" followed by a long Chinese paragraph reads as Chinese).
//!
//! On Arena-Hard v2.0 this changed the reading of 42 of 750 requests, 33
//! of which had been read as English. Read by hand, 41 now have the
//! language their writer asks or comments in (Chinese 20, Russian 11,
//! Korean 5, Japanese 3, Turkish 1, and a word list under an English
//! request that had read as French); one, an English question about an R
//! script with Portuguese names, went from Spanish to Portuguese. The
//! set's own labels (langdetect's) give 30 of the 42 English. No banking77,
//! HWU64 or OASST1 request changed.

use crate::script::{is_hangul, is_latin, is_unspaced_script};

/// ASCII characters that programs are full of and prose rarely has inside
/// a word. Quotes, apostrophes, hyphens and end punctuation are not among them.
const CODE_SYMBOLS: &[char] = &['{', '}', '[', ']', '(', ')', '<', '>', '=', ';', '_', '/', '\\', '|', '&', '*', '+', '%', '$', '#', '@', '^', '~', '`'];

/// Words that begin a line of code in the commonest programming languages
/// and rarely a line of prose in lower case.
const STATEMENT_WORDS: &str = "import from def class return using package public private protected static void int \
     const var let fn func function elif else library SELECT FROM WHERE INSERT UPDATE";

/// A script without spaces wins when it has at least this many characters
/// per word of the other scripts (a Chinese word is about one and a half characters).
const UNSPACED_CHARS_PER_WORD: usize = 2;

/// The prose of `text`, or `text` itself when it holds no prose at all (a
/// request that is only a code block still gets the reading of its code).
pub(super) fn prose(text: &str) -> String {
    let mut kept = String::with_capacity(text.len().min(8192));
    let mut fenced = false;
    for line in text.lines() {
        let start = line.trim_start();
        if start.starts_with("```") || start.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let line = without_spans(line);
        let words: Vec<(&str, bool)> = line.split_whitespace().map(|word| (word, is_code(word))).collect();
        let code_line = looks_like_code(&line, &words);
        for (word, code) in words {
            if code_line || code {
                // A comment or a string in another script inside code is
                // still the writer's own language.
                kept.extend(word.chars().filter(|&c| c.is_alphabetic() && !is_latin(c)));
            } else {
                kept.push_str(word);
            }
            kept.push(' ');
        }
        kept.push('\n');
    }
    let kept = in_the_main_script(kept);
    if kept.chars().any(char::is_alphabetic) {
        kept
    } else {
        text.to_string()
    }
}

/// A word with a programming symbol in it, or a dot between two of its
/// letters or digits (`os.path`, `main.c`).
fn is_code(word: &str) -> bool {
    let alphanumeric = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    word.contains(CODE_SYMBOLS)
        || word.match_indices('.').any(|(i, _)| alphanumeric(word[..i].chars().next_back()) && alphanumeric(word[i + 1..].chars().next()))
}

/// A line of pasted code rather than of prose: indented as Markdown
/// indents code (a tab or four spaces, and not a nested list item), ending
/// as a statement or a block does, opening with a statement word and not
/// ending as a sentence does, or with a third of its words code (`words`:
/// the line's words, each with whether it is code).
fn looks_like_code(line: &str, words: &[(&str, bool)]) -> bool {
    let Some(&(first, _)) = words.first() else { return false };
    let indent = line.len() - line.trim_start().len();
    let list_item = first.starts_with(['-', '*', '+', '•']) || first.starts_with(|c: char| c.is_ascii_digit());
    let indented = (line.starts_with('\t') || indent >= 4) && !list_item;
    let end = line.trim_end();
    let statement = end.ends_with([';', '{', '}']) || (STATEMENT_WORDS.split_whitespace().any(|word| word == first) && !end.ends_with(['.', '?', '!', ':']));
    indented || statement || 3 * words.iter().filter(|&&(_, code)| code).count() >= words.len()
}

/// `line` without its inline code (`…`) and TeX formulas ($…$, $$…$$,
/// \(…\), \[…\]) where they close on the same line.
fn without_spans(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    'scan: while !rest.is_empty() {
        for (open, close) in [("`", "`"), ("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")] {
            if let Some(after) = rest.strip_prefix(open) {
                if let Some(end) = after.find(close) {
                    out.push(' ');
                    rest = &after[end + close.len()..];
                    continue 'scan;
                }
            }
        }
        let mut chars = rest.chars();
        out.extend(chars.next());
        rest = chars.as_str();
    }
    out
}

/// Letters counted one by one against words: the unspaced scripts' and
/// Hangul's, whose words are a few characters long.
fn is_unspaced(c: char) -> bool {
    is_unspaced_script(c) || is_hangul(c)
}

/// Where a script written without spaces outweighs the others by the
/// measure above, only its characters (and punctuation) are kept, so the
/// detector reads that script; otherwise the text as it is.
fn in_the_main_script(text: String) -> String {
    let unspaced = text.chars().filter(|&c| is_unspaced(c)).count();
    if unspaced == 0 {
        return text;
    }
    let spaced_words = text.split_whitespace().filter(|word| word.chars().any(|c| c.is_alphabetic() && !is_unspaced(c))).count();
    if unspaced < UNSPACED_CHARS_PER_WORD * spaced_words {
        return text;
    }
    text.chars().filter(|&c| is_unspaced(c) || !c.is_alphabetic()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_and_formulas_are_left_out() {
        let request =
            "下記のコードの可読性を上げてください。\nimport { prisma } from \"@/utils/prisma\";\n```ts\nconst user = await prisma.user.findMany();\n```";
        let kept = prose(request);
        assert!(kept.contains("可読性") && !kept.contains("prisma") && !kept.contains("findMany"), "{kept}");
        let formula = prose("$\\overline{z}$ を $z$ の複素共役として表します。");
        assert!(!formula.contains("overline") && formula.contains("複素共役"), "{formula}");
        assert_eq!(prose("Use `git rebase -i` to squash them").split_whitespace().collect::<Vec<_>>(), ["Use", "to", "squash", "them"]);
    }

    #[test]
    fn a_word_with_a_symbol_keeps_its_letters_of_another_script() {
        let kept = prose("R语言编程找出编程错误并改正：library(plm) data <- read.csv(\"VS.csv\")");
        assert!(kept.contains("改正") && !kept.contains("library") && !kept.contains("csv"), "{kept}");
    }

    #[test]
    fn unspaced_characters_are_weighed_against_words() {
        // Five Chinese characters against twenty English words: English stays.
        let english = prose("Please explain in simple words what the phrase 你好吗朋友 means and when people would say it to a friend they meet");
        assert!(english.contains("Please") && english.contains("你好"), "{english}");
        // Thirty characters against a few words of an identifier: Chinese.
        let chinese = prose("我想更改分面的标签文本颜色，不同分面的标签文本具有不同的颜色，怎样修改 facet script 的代码？");
        assert!(!chinese.contains("facet") && chinese.contains("颜色"), "{chinese}");
    }

    #[test]
    fn lines_of_code_are_left_out_and_lists_kept() {
        let request = "Напиши тест для этой функции\n\n#include <stdio.h>\nint add(int a, int b) {\n    return a + b; // сумма\n}\n  - и проверь переполнение";
        let kept = prose(request);
        assert!(!kept.contains("include") && !kept.contains("return") && !kept.contains("int"), "{kept}");
        assert!(kept.contains("Напиши") && kept.contains("сумма") && kept.contains("переполнение"), "{kept}");
        // Prose with a bracket or a dotted name in it is still prose.
        let english = prose("What does 你好 mean? (I saw it in a book, e.g. in chapter two.)");
        assert!(english.contains("mean?") && english.contains("book,"), "{english}");
    }

    #[test]
    fn a_request_that_is_only_code_is_read_as_it_is() {
        let code = "```\nprintln!(\"hi\");\n```";
        assert_eq!(prose(code), code);
        assert_eq!(prose(""), "");
    }
}
