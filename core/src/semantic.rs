//! Search by meaning: the points nearest a query's embedding, by cosine
//! similarity (every vector the pipeline makes is a unit vector, so a dot
//! product). One pass over the points, keeping the best `k` by partial
//! selection rather than a full sort, so that 100,000 points answer in
//! tens of milliseconds in the browser (BENCHMARKS.md).

use serde::Serialize;

use crate::vector::dot;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Hit {
    /// Position of the point in the caller's list.
    pub index: usize,
    pub similarity: f32,
}

/// The `k` points nearest `query`, the most similar first; ties keep the
/// earlier point first. Points whose length differs from the query's are
/// skipped.
pub fn nearest(points: &[Vec<f32>], query: &[f32], k: usize) -> Vec<Hit> {
    let mut hits: Vec<Hit> = points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.len() == query.len())
        .map(|(index, p)| Hit { index, similarity: dot(p, query) })
        .filter(|h| h.similarity.is_finite())
        .collect();
    let order = |a: &Hit, b: &Hit| b.similarity.total_cmp(&a.similarity).then(a.index.cmp(&b.index));
    if hits.len() > k && k > 0 {
        hits.select_nth_unstable_by(k - 1, order);
        hits.truncate(k);
    }
    hits.sort_by(order);
    hits.truncate(k);
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vector::normalize;

    #[test]
    fn the_nearest_come_first_and_only_k_of_them() {
        let mut points: Vec<Vec<f32>> = (0..600).map(|i| vec![(i as f32 * 0.01).cos(), (i as f32 * 0.01).sin()]).collect();
        points.push(vec![1.0, 0.0, 0.0]);
        let mut query = vec![(2.0f32).cos(), (2.0f32).sin()];
        normalize(&mut query);
        let hits = nearest(&points, &query, 3);
        assert_eq!(hits.iter().map(|h| h.index).collect::<Vec<_>>(), [200, 199, 201]);
        assert!(hits[0].similarity > 0.9999);
        assert_eq!(nearest(&points, &query, 0), []);
        assert_eq!(nearest(&points[..2], &query, 10).len(), 2);
    }
}
