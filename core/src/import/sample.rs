//! A seeded sample of a file's rows that is the same however the file is
//! read: each row's key is a hash of the seed and the row's position, and
//! the sample is the rows with the smallest keys, of which a stream keeps
//! the best `size` seen so far.

use std::collections::BinaryHeap;

use serde::{Deserialize, Serialize};

use super::{Sampled, SkippedRow};
use crate::model::Conversation;

/// How many rows to keep, and the seed that chooses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    pub size: usize,
    pub seed: u64,
}

/// A row's key: SplitMix64 of the seed and the position, a fixed function
/// (unlike a library RNG's stream, it cannot change between versions) that
/// spreads consecutive positions over the whole range.
pub(crate) fn key(seed: u64, position: usize) -> u64 {
    let mut z = seed ^ (position as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Entry<T> {
    key: u64,
    position: usize,
    item: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.key, self.position) == (other.key, other.position)
    }
}
impl<T> Eq for Entry<T> {}
impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Entry<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.key, self.position).cmp(&(other.key, other.position))
    }
}

/// The rows of a stream with the `size` smallest keys, holding no more than that.
pub(crate) struct Sampler<T> {
    sample: Sample,
    // A max-heap: its top is the row to drop when a smaller key comes.
    kept: BinaryHeap<Entry<T>>,
    seen: usize,
}

impl<T> Sampler<T> {
    pub fn new(sample: Sample) -> Self {
        Sampler { sample, kept: BinaryHeap::new(), seen: 0 }
    }

    /// Offers the row at `position` (0-based, counting every row). Building
    /// the item is left to `make`, which runs only for a row that is kept.
    pub fn offer(&mut self, position: usize, make: impl FnOnce() -> T) {
        self.seen += 1;
        if self.sample.size == 0 {
            return;
        }
        let key = key(self.sample.seed, position);
        if self.kept.len() < self.sample.size {
            self.kept.push(Entry { key, position, item: make() });
        } else if self.kept.peek().is_some_and(|top| (key, position) < (top.key, top.position)) {
            self.kept.pop();
            self.kept.push(Entry { key, position, item: make() });
        }
    }

    /// Rows offered so far.
    pub fn seen(&self) -> usize {
        self.seen
    }

    /// The kept rows with their positions, in the file's order.
    pub fn into_rows(self) -> Vec<(usize, T)> {
        let mut rows: Vec<(usize, T)> = self.kept.into_iter().map(|e| (e.position, e.item)).collect();
        rows.sort_by_key(|(position, _)| *position);
        rows
    }
}

/// What a reader gathered: its conversations and skipped rows, through the
/// sample when one is asked for.
pub(crate) struct Gathered {
    pub rows: Vec<Conversation>,
    pub skipped: Vec<SkippedRow>,
    /// Rows read into conversations or skipped: all, or the sample's.
    pub rows_read: usize,
    pub sampled: Option<Sampled>,
}

/// Reads `items` (a file's rows, in order) with `read`; with a sample, only
/// the rows it keeps are read, and the others are held only while they are
/// among the best seen.
pub(crate) fn gather<T>(items: impl IntoIterator<Item = T>, sample: Option<Sample>, mut read: impl FnMut(T) -> Result<Conversation, SkippedRow>) -> Gathered {
    let (mut rows, mut skipped) = (Vec::new(), Vec::new());
    let mut rows_read = 0;
    let mut take = |item: T| {
        rows_read += 1;
        match read(item) {
            Ok(c) => rows.push(c),
            Err(s) => skipped.push(s),
        }
    };
    let sampled = match sample {
        None => {
            items.into_iter().for_each(&mut take);
            None
        }
        Some(sample) => {
            let mut sampler = Sampler::new(sample);
            for (position, item) in items.into_iter().enumerate() {
                sampler.offer(position, || item);
            }
            let rows_in_file = sampler.seen();
            sampler.into_rows().into_iter().for_each(|(_, item)| take(item));
            Some(Sampled { seed: sample.seed, rows_in_file, row_groups: None })
        }
    };
    Gathered { rows, skipped, rows_read, sampled }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The positions a sample keeps out of `rows` rows, in order.
    fn positions(sample: Sample, rows: usize) -> Vec<usize> {
        let mut sampler = Sampler::new(sample);
        for position in 0..rows {
            sampler.offer(position, || ());
        }
        sampler.into_rows().into_iter().map(|(position, ())| position).collect()
    }

    #[test]
    fn a_sample_keeps_the_file_order_is_spread_over_it_and_follows_the_seed() {
        let sample = Sample { size: 50, seed: 7 };
        let mut streamed = Sampler::new(sample);
        for p in 0..1000 {
            streamed.offer(p, || p * 10);
        }
        assert_eq!(streamed.seen(), 1000);
        let rows = streamed.into_rows();
        assert_eq!(rows.len(), 50);
        assert!(rows.windows(2).all(|w| w[0].0 < w[1].0), "in the file's order");
        assert!(rows.iter().all(|(p, item)| *item == p * 10));
        let chosen: Vec<usize> = rows.iter().map(|(p, _)| *p).collect();
        assert_eq!(positions(sample, 1000), chosen, "the same seed, the same rows");
        assert_ne!(positions(Sample { seed: 8, ..sample }, 1000), chosen);
        assert!(chosen.iter().any(|&p| p > 900) && chosen.iter().any(|&p| p < 100), "spread over the file, not its start");
    }

    #[test]
    fn a_sample_larger_than_the_file_keeps_every_row_and_size_zero_keeps_none() {
        assert_eq!(positions(Sample { size: 10, seed: 1 }, 4), [0, 1, 2, 3]);
        assert!(positions(Sample { size: 0, seed: 1 }, 4).is_empty());
    }
}
