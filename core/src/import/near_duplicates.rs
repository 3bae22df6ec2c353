//! Near duplicates: a template filled in with a different name, a prompt
//! resent with a typo fixed. Two conversations are near duplicates when the
//! sets of word triples (shingles) of their normalised user turns overlap by
//! at least [`SIMILARITY`] (Jaccard). Candidates are found by MinHash with
//! banded locality-sensitive hashing, so the work grows with the rows, not
//! their pairs; each candidate pair is then checked on its exact shingles.
//! The first conversation of a group is kept and counts the group's copies.

use std::collections::{HashMap, HashSet};

use crate::import::duplicates::{keep_with_copies, normalised_user_turns, COPIES_COLUMN};
use crate::model::Conversation;

/// The least Jaccard similarity of two conversations' shingles to be one.
pub const SIMILARITY: f64 = 0.8;
/// MinHash signature length, as bands of rows: with 20 bands of 4, a pair at
/// similarity 0.8 shares a band with probability 1 − (1 − 0.8⁴)²⁰ ≈ 0.9997,
/// and a pair at 0.4 with about 0.4.
const BANDS: usize = 20;
const ROWS: usize = 4;
/// Words per shingle.
const SHINGLE: usize = 3;

/// A fixed 64-bit mix (SplitMix64's finaliser): the hash functions of the
/// signature are this over the shingle's hash and the function's number, so
/// results never depend on the process or the platform.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A stable hash of a string (FNV-1a), not the standard library's
/// randomised one.
fn stable_hash(words: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for b in w.bytes().chain(std::iter::once(0)) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The hashes of a text's word triples; a text of fewer words is one shingle.
fn shingles(text: &str) -> HashSet<u64> {
    let words: Vec<&str> = text.split(|c: char| c.is_whitespace() || c == '\u{1f}').filter(|w| !w.is_empty()).collect();
    if words.len() <= SHINGLE {
        return std::iter::once(stable_hash(&words)).collect();
    }
    words.windows(SHINGLE).map(stable_hash).collect()
}

fn signature(shingles: &HashSet<u64>) -> [u64; BANDS * ROWS] {
    let mut sig = [u64::MAX; BANDS * ROWS];
    for &s in shingles {
        for (k, slot) in sig.iter_mut().enumerate() {
            *slot = (*slot).min(mix(s ^ mix(k as u64 + 1)));
        }
    }
    sig
}

fn jaccard(a: &HashSet<u64>, b: &HashSet<u64>) -> f64 {
    let shared = a.intersection(b).count();
    shared as f64 / (a.len() + b.len() - shared).max(1) as f64
}

/// For each conversation, the position of the first conversation of its
/// group of near duplicates (its own position when it is the first).
pub fn near_duplicate_groups(rows: &[Conversation]) -> Vec<usize> {
    let texts: Vec<String> = rows.iter().map(near_duplicate_text).collect();
    near_duplicate_groups_of(&texts)
}

/// What two conversations are compared on: their normalised user turns.
pub fn near_duplicate_text(row: &Conversation) -> String {
    normalised_user_turns(row)
}

/// [`near_duplicate_groups`] of conversations given by their
/// [`near_duplicate_text`], for a caller that sends only those elsewhere
/// (the app's compute worker).
pub fn near_duplicate_groups_of(texts: &[String]) -> Vec<usize> {
    let sets: Vec<HashSet<u64>> = texts.iter().map(|t| shingles(t)).collect();
    // Each band's buckets hold the groups' first conversations that fell in them.
    let mut buckets: Vec<HashMap<u64, Vec<usize>>> = vec![HashMap::new(); BANDS];
    let mut first: Vec<usize> = (0..texts.len()).collect();
    for i in 0..texts.len() {
        let sig = signature(&sets[i]);
        let keys: Vec<u64> = sig.chunks(ROWS).map(|band| band.iter().fold(0, |h, &v| mix(h ^ v))).collect();
        let mut seen = HashSet::new();
        let twin = keys
            .iter()
            .enumerate()
            .flat_map(|(b, key)| buckets[b].get(key).into_iter().flatten().copied())
            .filter(|&j| seen.insert(j))
            .filter(|&j| jaccard(&sets[i], &sets[j]) >= SIMILARITY)
            .min();
        match twin {
            Some(j) => first[i] = j,
            None => {
                for (b, key) in keys.into_iter().enumerate() {
                    buckets[b].entry(key).or_default().push(i);
                }
            }
        }
    }
    first
}

/// Drops every conversation that is a near duplicate of an earlier kept one,
/// keeping the file's order; a kept one's copies column adds up its group.
/// Returns how many were dropped.
pub(crate) fn collapse(rows: &mut Vec<Conversation>) -> usize {
    let first = near_duplicate_groups(rows);
    let mut copies: Vec<usize> = rows.iter().map(|r| r.meta.get(COPIES_COLUMN).and_then(|c| c.parse().ok()).unwrap_or(1)).collect();
    for (i, &j) in first.iter().enumerate() {
        if j != i {
            copies[j] += copies[i];
        }
    }
    let keep: Vec<bool> = first.iter().enumerate().map(|(i, &j)| i == j).collect();
    keep_with_copies(rows, &keep, &copies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Message, Role};

    fn conversation(id: &str, text: &str) -> Conversation {
        Conversation {
            id: id.into(),
            account: None,
            created_at: None,
            messages: vec![Message { role: Role::User, content: text.to_string() }],
            labels: Default::default(),
            meta: Default::default(),
        }
    }

    #[test]
    fn a_filled_in_template_collapses_and_a_different_request_stays() {
        let template = |name: &str| {
            format!("Write a polite email to my landlord {name} asking to repair the broken heating in the flat before the winter starts next month, and thank them for their help so far")
        };
        let mut rows = vec![
            conversation("a", &template("Alice")),
            conversation("b", "Explain how photosynthesis turns light into sugar in the leaves of plants, step by step, for a class of ten year olds"),
            conversation("c", &template("Bob")),
            conversation("d", &template("Carmen")),
            conversation("e", "Write a polite email to my boss asking for a day off next Friday to attend my sister's wedding in another city"),
        ];
        rows[2].meta.insert(COPIES_COLUMN.into(), "3".into());
        assert_eq!(collapse(&mut rows), 2);
        let kept: Vec<(&str, Option<&str>)> = rows.iter().map(|r| (r.id.as_str(), r.meta.get(COPIES_COLUMN).map(String::as_str))).collect();
        // a stands for itself, c's three exact copies and d.
        assert_eq!(kept, [("a", Some("5")), ("b", Some("1")), ("e", Some("1"))]);
    }

    #[test]
    fn short_texts_collapse_only_when_equal() {
        let mut rows = vec![conversation("a", "hi"), conversation("b", "hello"), conversation("c", "hi")];
        assert_eq!(collapse(&mut rows), 1);
        assert_eq!(rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn the_signature_is_the_same_in_every_process() {
        let s = signature(&shingles("the same words in the same order"));
        assert_eq!(s, signature(&shingles("the same words in the same order")));
        // FNV-1a of "a\0b\0", computed apart (Python).
        assert_eq!(stable_hash(&["a", "b"]), 0xab40d7820d408076);
    }
}
