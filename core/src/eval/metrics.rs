//! Agreement between a labelling and a reference: accuracy, F1, normalised
//! mutual information, adjusted Rand index and the confusion matrix. Labels
//! are small integers (indices into a list of names).

use std::collections::HashMap;

/// Share of items whose prediction equals the truth.
pub fn accuracy(truth: &[usize], predicted: &[usize]) -> f64 {
    assert_eq!(truth.len(), predicted.len(), "one prediction per item");
    if truth.is_empty() {
        return 0.0;
    }
    truth.iter().zip(predicted).filter(|(t, p)| t == p).count() as f64 / truth.len() as f64
}

/// Precision, recall and F1 of one class.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClassScore {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Items whose truth is this class.
    pub support: usize,
}

/// Scores for classes `0..classes` (a class nobody predicted has precision 0).
pub fn class_scores(truth: &[usize], predicted: &[usize], classes: usize) -> Vec<ClassScore> {
    (0..classes)
        .map(|c| {
            let tp = truth.iter().zip(predicted).filter(|(t, p)| **t == c && **p == c).count() as f64;
            let predicted_c = predicted.iter().filter(|p| **p == c).count() as f64;
            let support = truth.iter().filter(|t| **t == c).count();
            let precision = if predicted_c > 0.0 { tp / predicted_c } else { 0.0 };
            let recall = if support > 0 { tp / support as f64 } else { 0.0 };
            let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
            ClassScore { precision, recall, f1, support }
        })
        .collect()
}

/// The unweighted mean F1 over classes that occur in the truth.
pub fn macro_f1(scores: &[ClassScore]) -> f64 {
    let present: Vec<&ClassScore> = scores.iter().filter(|s| s.support > 0).collect();
    if present.is_empty() {
        return 0.0;
    }
    present.iter().map(|s| s.f1).sum::<f64>() / present.len() as f64
}

/// The mean F1 weighted by each class's support.
pub fn weighted_f1(scores: &[ClassScore]) -> f64 {
    let total: usize = scores.iter().map(|s| s.support).sum();
    if total == 0 {
        return 0.0;
    }
    scores.iter().map(|s| s.f1 * s.support as f64).sum::<f64>() / total as f64
}

/// Counts of (a, b) pairs: rows are `a`'s labels, columns `b`'s.
pub fn contingency(a: &[usize], b: &[usize]) -> (Vec<Vec<usize>>, usize, usize) {
    assert_eq!(a.len(), b.len(), "two labels per item");
    let rows = a.iter().max().map_or(0, |m| m + 1);
    let cols = b.iter().max().map_or(0, |m| m + 1);
    let mut table = vec![vec![0usize; cols]; rows];
    for (&x, &y) in a.iter().zip(b) {
        table[x][y] += 1;
    }
    (table, rows, cols)
}

fn entropy(counts: impl Iterator<Item = usize>, n: f64) -> f64 {
    counts.filter(|&c| c > 0).map(|c| c as f64 / n).map(|p| -p * p.ln()).sum()
}

/// Normalised mutual information with the arithmetic mean of the two
/// entropies (scikit-learn's default). 1 for identical partitions up to
/// renaming; 1 as well when both put everything in one group.
pub fn nmi(a: &[usize], b: &[usize]) -> f64 {
    let n = a.len() as f64;
    if a.is_empty() {
        return 0.0;
    }
    let (table, _, _) = contingency(a, b);
    let row_sums: Vec<usize> = table.iter().map(|r| r.iter().sum()).collect();
    let col_sums: Vec<usize> = (0..table.first().map_or(0, Vec::len)).map(|j| table.iter().map(|r| r[j]).sum()).collect();
    let (ha, hb) = (entropy(row_sums.iter().copied(), n), entropy(col_sums.iter().copied(), n));
    if ha == 0.0 && hb == 0.0 {
        return 1.0;
    }
    let mut mi = 0.0;
    for (i, row) in table.iter().enumerate() {
        for (j, &c) in row.iter().enumerate() {
            if c > 0 {
                let c = c as f64;
                mi += c / n * (c * n / (row_sums[i] as f64 * col_sums[j] as f64)).ln();
            }
        }
    }
    let mean = (ha + hb) / 2.0;
    if mean == 0.0 {
        0.0
    } else {
        (mi / mean).clamp(0.0, 1.0)
    }
}

fn pairs(x: usize) -> f64 {
    let x = x as f64;
    x * (x - 1.0) / 2.0
}

/// Adjusted Rand index: 1 for identical partitions, about 0 for random ones.
pub fn adjusted_rand(a: &[usize], b: &[usize]) -> f64 {
    if a.len() < 2 {
        return 1.0;
    }
    let (table, _, _) = contingency(a, b);
    let index: f64 = table.iter().flatten().map(|&c| pairs(c)).sum();
    let rows: f64 = table.iter().map(|r| pairs(r.iter().sum())).sum();
    let cols: f64 = (0..table.first().map_or(0, Vec::len)).map(|j| pairs(table.iter().map(|r| r[j]).sum())).sum();
    let expected = rows * cols / pairs(a.len());
    let max = (rows + cols) / 2.0;
    if max == expected {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

/// Maps names to dense indices in first-seen order.
#[derive(Clone, Debug, Default)]
pub struct Labels {
    pub names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Labels {
    pub fn id(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }

    pub fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::seq::SliceRandom;
    use rand::SeedableRng;

    #[test]
    fn a_perfect_labelling_scores_one_everywhere() {
        let truth = vec![0, 0, 1, 1, 2, 2, 2];
        assert_eq!(accuracy(&truth, &truth), 1.0);
        let scores = class_scores(&truth, &truth, 3);
        assert_eq!(macro_f1(&scores), 1.0);
        assert_eq!(weighted_f1(&scores), 1.0);
        // Renamed clusters are the same partition.
        let renamed = vec![5, 5, 3, 3, 0, 0, 0];
        assert!((nmi(&truth, &renamed) - 1.0).abs() < 1e-12);
        assert!((adjusted_rand(&truth, &renamed) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_shuffled_labelling_scores_near_chance() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let truth: Vec<usize> = (0..5000).map(|i| i % 10).collect();
        let mut shuffled = truth.clone();
        shuffled.shuffle(&mut rng);
        assert!((accuracy(&truth, &shuffled) - 0.1).abs() < 0.02);
        assert!(nmi(&truth, &shuffled) < 0.01);
        assert!(adjusted_rand(&truth, &shuffled).abs() < 0.01);
        assert!((macro_f1(&class_scores(&truth, &shuffled, 10)) - 0.1).abs() < 0.02);
    }

    #[test]
    fn known_values_match_scikit_learn() {
        // From scikit-learn (normalized_mutual_info_score, adjusted_rand_score,
        // f1_score(average=None)) on the same labels.
        let a = vec![0, 0, 0, 1, 1, 1, 2, 2, 2];
        let b = vec![0, 0, 1, 1, 1, 2, 2, 2, 2];
        assert!((nmi(&a, &b) - 0.589_509_827).abs() < 1e-6, "{}", nmi(&a, &b));
        assert!((adjusted_rand(&a, &b) - 0.357_142_857).abs() < 1e-6, "{}", adjusted_rand(&a, &b));
        let truth = vec![0, 0, 1, 1, 2, 2];
        let pred = vec![0, 0, 1, 0, 2, 1];
        let s = class_scores(&truth, &pred, 3);
        assert!((s[0].f1 - 0.8).abs() < 1e-9 && (s[1].f1 - 0.5).abs() < 1e-9 && (s[2].f1 - 2.0 / 3.0).abs() < 1e-9);
        assert!((accuracy(&truth, &pred) - 4.0 / 6.0).abs() < 1e-9);
    }
}
