//! Base clustering: k-means with k-means++ initialisation (linfa), and the rule for k.

use linfa::traits::{Fit, Predict};
use linfa::DatasetBase;
use linfa_clustering::{KMeans, KMeansInit};
use ndarray::Array2;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Checked k-means parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KMeansParams {
    pub k: usize,
    pub max_iterations: u64,
    pub tolerance: f32,
    pub seed: u64,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum KMeansError {
    #[error("k must be at least 1")]
    ZeroK,
    #[error("no points to cluster")]
    NoPoints,
    #[error("points have different lengths ({0} and {1})")]
    Ragged(usize, usize),
    #[error("k-means failed: {0}")]
    Fit(String),
}

impl KMeansParams {
    pub fn new(k: usize, seed: u64) -> Self {
        KMeansParams { k, max_iterations: 100, tolerance: 1e-4, seed }
    }
}

#[derive(Clone, Debug)]
pub struct Clustering {
    /// For each point, its cluster in `0..k`.
    pub assignments: Vec<usize>,
    /// Unit-length centroids (the points are unit vectors; cosine is what matters).
    pub centroids: Vec<Vec<f32>>,
}

/// Clusters unit vectors. `k` is capped at the number of points. Clusters that end
/// empty are removed and the rest renumbered, so every id in `0..centroids.len()` has members.
pub fn kmeans(points: &[Vec<f32>], params: &KMeansParams) -> Result<Clustering, KMeansError> {
    if params.k == 0 {
        return Err(KMeansError::ZeroK);
    }
    let n = points.len();
    let dim = points.first().ok_or(KMeansError::NoPoints)?.len();
    if let Some(bad) = points.iter().find(|p| p.len() != dim) {
        return Err(KMeansError::Ragged(dim, bad.len()));
    }
    let k = params.k.min(n);
    if k == 1 {
        let c = crate::vector::centroid(points.iter().map(Vec::as_slice), dim);
        return Ok(Clustering { assignments: vec![0; n], centroids: vec![c] });
    }
    let flat: Vec<f32> = points.iter().flatten().copied().collect();
    let data = Array2::from_shape_vec((n, dim), flat).map_err(|e| KMeansError::Fit(e.to_string()))?;
    let dataset = DatasetBase::from(data);
    let rng = ChaCha8Rng::seed_from_u64(params.seed);
    let model = KMeans::params_with_rng(k, rng)
        .init_method(KMeansInit::KMeansPlusPlus)
        .n_runs(1)
        .max_n_iterations(params.max_iterations)
        .tolerance(params.tolerance)
        .fit(&dataset)
        .map_err(|e| KMeansError::Fit(e.to_string()))?;
    let raw: Vec<usize> = model.predict(&dataset).to_vec();
    Ok(compact(raw, points, dim))
}

/// Renumbers clusters densely in order of first appearance and recomputes unit centroids.
fn compact(raw: Vec<usize>, points: &[Vec<f32>], dim: usize) -> Clustering {
    let mut remap = std::collections::HashMap::new();
    let assignments: Vec<usize> = raw
        .iter()
        .map(|&c| {
            let next = remap.len();
            *remap.entry(c).or_insert(next)
        })
        .collect();
    let k = remap.len();
    let mut sums = vec![vec![0.0f32; dim]; k];
    for (p, &c) in points.iter().zip(&assignments) {
        sums[c].iter_mut().zip(p).for_each(|(s, x)| *s += x);
    }
    sums.iter_mut().for_each(|c| crate::vector::normalize(c));
    Clustering { assignments, centroids: sums }
}

/// How many base clusters for `n` conversations.
///
/// The rule: aim for clusters of about `target_size` conversations, where the
/// target grows with the square root of n (≈ √n / 2, at least 3 × the account
/// minimum so most clusters can pass the privacy gate), and never more
/// clusters than n / min_size. Small inputs get few clusters; 10,000 short
/// conversations get about 200 clusters of 50, specific enough to name.
pub fn choose_k(n: usize, min_accounts: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let floor_size = (3 * min_accounts.max(1)) as f64;
    let target_size = ((n as f64).sqrt() / 2.0).max(floor_size);
    ((n as f64 / target_size).round() as usize).clamp(1, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs() -> Vec<Vec<f32>> {
        let mut pts = Vec::new();
        for i in 0..30 {
            let e = (i % 10) as f32 * 0.01;
            pts.push(vec![1.0, e, 0.0]);
            pts.push(vec![0.0, 1.0, e]);
            pts.push(vec![e, 0.0, 1.0]);
        }
        pts
    }

    #[test]
    fn separates_blobs_and_is_reproducible() {
        let pts = blobs();
        let a = kmeans(&pts, &KMeansParams::new(3, 7)).unwrap();
        let b = kmeans(&pts, &KMeansParams::new(3, 7)).unwrap();
        assert_eq!(a.assignments, b.assignments);
        for i in 0..30 {
            assert_eq!(a.assignments[3 * i], a.assignments[0]);
            assert_eq!(a.assignments[3 * i + 1], a.assignments[1]);
            assert_eq!(a.assignments[3 * i + 2], a.assignments[2]);
        }
        assert_eq!(a.centroids.len(), 3);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert_eq!(kmeans(&[], &KMeansParams::new(3, 1)).unwrap_err(), KMeansError::NoPoints);
        assert_eq!(kmeans(&[vec![1.0]], &KMeansParams::new(0, 1)).unwrap_err(), KMeansError::ZeroK);
        assert!(matches!(kmeans(&[vec![1.0], vec![1.0, 2.0]], &KMeansParams::new(1, 1)), Err(KMeansError::Ragged(1, 2))));
    }

    #[test]
    fn k_rule() {
        assert_eq!(choose_k(0, 5), 0);
        assert_eq!(choose_k(10, 5), 1);
        assert!((100..=160).contains(&choose_k(4500, 5)));
        assert!((150..=250).contains(&choose_k(10_000, 5)));
        assert!((500..=800).contains(&choose_k(100_000, 5)));
    }
}
