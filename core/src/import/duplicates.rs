//! Exact duplicates: public chat datasets hold the same prompt many times
//! over (a template run by a script, a classroom exercise). Conversations
//! whose user turns are equal after lower-casing and collapsing white space
//! are one conversation; the first is kept and counts its copies, which is
//! also a signal of automated use (paper §4.1).

use std::collections::HashMap;

use crate::model::Conversation;

/// The dataset column that holds how many times a kept conversation
/// occurred (itself included). Written only when some conversation had a copy.
pub const COPIES_COLUMN: &str = "copies";

/// The user turns, lower-cased, with each run of white space one space.
pub(crate) fn normalised_user_turns(c: &Conversation) -> String {
    let mut out = String::new();
    for turn in c.user_turns() {
        for word in turn.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.extend(word.chars().flat_map(char::to_lowercase));
        }
        // Turns stay apart: "a b" in one turn is not "a" then "b".
        out.push('\u{1f}');
    }
    out
}

/// Drops every conversation that repeats an earlier one's user turns,
/// keeping the file's order, and returns how many were dropped.
pub(crate) fn collapse(rows: &mut Vec<Conversation>) -> usize {
    let mut first_of: HashMap<String, usize> = HashMap::new();
    let mut copies: Vec<usize> = Vec::with_capacity(rows.len());
    let mut keep: Vec<bool> = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        match first_of.entry(normalised_user_turns(row)) {
            std::collections::hash_map::Entry::Occupied(e) => {
                copies[*e.get()] += 1;
                keep.push(false);
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
                keep.push(true);
            }
        }
        copies.push(1);
    }
    keep_with_copies(rows, &keep, &copies)
}

/// Keeps the rows marked to keep, in order, and returns how many were
/// dropped; when any was, every kept row's copies column says how many rows
/// it stands for (itself included).
pub(crate) fn keep_with_copies(rows: &mut Vec<Conversation>, keep: &[bool], copies: &[usize]) -> usize {
    let dropped = keep.iter().filter(|k| !**k).count();
    if dropped == 0 {
        return 0;
    }
    let mut index = 0;
    rows.retain_mut(|row| {
        let i = index;
        index += 1;
        if keep[i] {
            row.meta.insert(COPIES_COLUMN.to_string(), copies[i].to_string());
        }
        keep[i]
    });
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Message, Role};

    fn conversation(id: &str, turns: &[&str]) -> Conversation {
        Conversation {
            id: id.into(),
            account: None,
            created_at: None,
            messages: turns.iter().map(|t| Message { role: Role::User, content: t.to_string() }).collect(),
            labels: Default::default(),
            meta: Default::default(),
        }
    }

    #[test]
    fn copies_differing_in_case_and_white_space_collapse_into_the_first() {
        let mut rows = vec![
            conversation("a", &["Write a poem about  the sea"]),
            conversation("b", &["Fix my code"]),
            conversation("c", &["write a poem\nabout the SEA "]),
            conversation("d", &["write a poem about the sea"]),
            conversation("e", &["write a", "poem about the sea"]),
        ];
        assert_eq!(collapse(&mut rows), 2);
        let kept: Vec<(&str, &str)> = rows.iter().map(|r| (r.id.as_str(), r.meta[COPIES_COLUMN].as_str())).collect();
        assert_eq!(kept, [("a", "3"), ("b", "1"), ("e", "1")]);
    }

    #[test]
    fn nothing_is_written_when_there_are_no_copies() {
        let mut rows = vec![conversation("a", &["one"]), conversation("b", &["two"])];
        assert_eq!(collapse(&mut rows), 0);
        assert!(rows.iter().all(|r| r.meta.is_empty()));
    }
}
