//! Base clustering: Lloyd's k-means from a greedy k-means++ start, and the rule for k.
//!
//! The method is scikit-learn's `KMeans(init="k-means++", algorithm="lloyd")`,
//! step for step: the same seeding (2 + ln k candidates per centre, the one
//! that lowers the potential most is kept), the same stopping rules (labels
//! unchanged, or the centres' total squared shift under `tolerance` times the
//! mean feature variance), the same relocation of emptied clusters to the
//! points farthest from their centres. It is faster for two reasons: every
//! distance computation is a blocked matrix product (`matrix::dots`), and
//! after the first pass most points are never compared with every centre
//! again, because Hamerly's bounds prove their centre cannot have changed
//! (G. Hamerly, "Making k-means even faster", SDM 2010). The bounds skip only
//! work whose outcome is certain, so the labels are Lloyd's own, up to ties
//! in the last bits of a float.

use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::matrix::{dots, for_each_block, map_indices, par_map, Matrix, MatrixError};

/// Checked k-means parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KMeansParams {
    pub k: usize,
    /// Lloyd iterations at most (scikit-learn's `max_iter`).
    pub max_iterations: u64,
    /// Stop when the centres' total squared shift is at most this times the
    /// mean variance of the features (scikit-learn's `tol`); 0 runs until the
    /// labels stop changing or `max_iterations`.
    pub tolerance: f32,
    pub seed: u64,
}

#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum KMeansError {
    #[error("k must be at least 1")]
    ZeroK,
    #[error("no points to cluster")]
    NoPoints,
    #[error("points have different lengths ({0} and {1})")]
    Ragged(usize, usize),
    #[error("a point has a value that is not a finite number (row {0})")]
    NotFinite(usize),
    #[error("k-means failed: {0}")]
    Fit(String),
}

impl From<MatrixError> for KMeansError {
    fn from(e: MatrixError) -> Self {
        match e {
            MatrixError::Ragged(a, b) => KMeansError::Ragged(a, b),
            other => KMeansError::Fit(other.to_string()),
        }
    }
}

impl KMeansParams {
    pub fn new(k: usize, seed: u64) -> Self {
        KMeansParams { k, max_iterations: 300, tolerance: 1e-4, seed }
    }
}

/// The result as the pipeline uses it.
#[derive(Clone, Debug)]
pub struct Clustering {
    /// For each point, its cluster in `0..k`.
    pub assignments: Vec<usize>,
    /// Unit-length centroids (the points are unit vectors; cosine is what matters).
    pub centroids: Vec<Vec<f32>>,
}

/// The raw outcome of Lloyd's iterations, for benchmarks and comparisons.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KMeansFit {
    /// For each point, its centre.
    pub labels: Vec<u32>,
    /// The centres: means of their members (not normalised).
    pub centers: Matrix,
    /// Lloyd iterations run (scikit-learn's `n_iter_`).
    pub iterations: usize,
    /// Sum of squared distances of points to their centres.
    pub inertia: f64,
}

/// Clusters unit vectors. `k` is capped at the number of points. Clusters that end
/// empty are removed and the rest renumbered, so every id in `0..centroids.len()` has members.
pub fn kmeans(points: &Matrix, params: &KMeansParams) -> Result<Clustering, KMeansError> {
    let fit = fit(points, params)?;
    Ok(Clustering::from_labels(&fit.labels, points))
}

/// Lloyd's k-means from a greedy k-means++ start, as scikit-learn runs it.
pub fn fit(points: &Matrix, params: &KMeansParams) -> Result<KMeansFit, KMeansError> {
    if params.k == 0 {
        return Err(KMeansError::ZeroK);
    }
    let n = points.rows();
    if n == 0 {
        return Err(KMeansError::NoPoints);
    }
    if let Some(bad) = (0..n).find(|&i| points.row(i).iter().any(|x| !x.is_finite())) {
        return Err(KMeansError::NotFinite(bad));
    }
    let k = params.k.min(n);
    let norms = points.squared_norms();
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let start = plus_plus(points, &norms, k, &mut rng);
    Ok(lloyd(points, &norms, start, params.max_iterations as usize, absolute_tolerance(points, params.tolerance)))
}

/// Each point's nearest centre.
pub fn nearest_centers(points: &Matrix, centers: &Matrix) -> Vec<u32> {
    let mut state = vec![Bounds::default(); points.rows()];
    let all: Vec<usize> = (0..points.rows()).collect();
    reassign(points, &points.squared_norms(), centers, &all, &mut state);
    state.iter().map(|s| s.label).collect()
}

/// Points are processed in blocks of this many rows: a block's distances to a
/// thousand centres (2 MB) stay in the core's cache.
const BLOCK: usize = 512;

/// Greedy k-means++ (Arthur & Vassilvitskii; scikit-learn's variant): the
/// first centre is a uniform draw; each next one is the best of `2 + ln k`
/// candidates drawn in proportion to the squared distance to the nearest
/// centre so far, "best" meaning the lowest total of those distances after
/// adding it.
pub fn plus_plus(points: &Matrix, norms: &[f32], k: usize, rng: &mut ChaCha8Rng) -> Matrix {
    let (n, dim) = (points.rows(), points.dim());
    let trials = 2 + (k as f64).ln() as usize;
    let first = rng.gen_range(0..n);
    let mut chosen = vec![first];
    let mut closest = candidate_distances(points, norms, &[first], &vec![f32::INFINITY; n]);
    let mut potential: f64 = closest.iter().map(|&d| d as f64).sum();
    let mut cumulative = vec![0.0f64; n];
    while chosen.len() < k {
        let mut running = 0.0f64;
        for (c, &d) in cumulative.iter_mut().zip(&closest) {
            running += d as f64;
            *c = running;
        }
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                let r = rng.gen::<f64>() * potential;
                cumulative.partition_point(|&c| c < r).min(n - 1)
            })
            .collect();
        let dist = candidate_distances(points, norms, &candidates, &closest);
        // Totals in a fixed order, so the choice is the same on every machine.
        let totals: Vec<f64> = dist.chunks_exact(n).map(|row| row.iter().map(|&d| d as f64).sum()).collect();
        let best = (0..candidates.len()).min_by(|&a, &b| totals[a].total_cmp(&totals[b])).unwrap_or(0);
        potential = totals[best];
        closest.copy_from_slice(&dist[best * n..(best + 1) * n]);
        chosen.push(candidates[best]);
    }
    let mut centers = Vec::with_capacity(k * dim);
    for &i in &chosen {
        centers.extend_from_slice(points.row(i));
    }
    Matrix::new(centers, dim).expect("centres are whole rows of the points' dimension")
}

/// For each candidate (a row index), every point's squared distance to its
/// nearest centre if the candidate were added: `min(closest, |x − c|²)`, as
/// one row of `n` per candidate.
fn candidate_distances(points: &Matrix, norms: &[f32], candidates: &[usize], closest: &[f32]) -> Vec<f32> {
    let (n, dim) = (points.rows(), points.dim());
    let t = candidates.len();
    let cand = points.gather(candidates);
    let cand_norms: Vec<f32> = candidates.iter().map(|&c| norms[c]).collect();
    // Blocked by point: block b holds its t × len distances, candidate-major.
    let mut blocked = vec![0.0f32; n * t];
    for_each_block(&mut blocked, BLOCK * t, |b, out| {
        let start = b * BLOCK;
        let len = out.len() / t;
        let rows = &points.as_slice()[start * dim..(start + len) * dim];
        dots(cand.as_slice(), rows, dim, out);
        for (c, row) in out.chunks_exact_mut(len).enumerate() {
            for (j, s) in row.iter_mut().enumerate() {
                let i = start + j;
                let d = (norms[i] + cand_norms[c] - 2.0 * *s).max(0.0);
                *s = d.min(closest[i]);
            }
        }
    });
    // Re-lay as one row of n per candidate.
    let mut out = vec![0.0f32; n * t];
    for (b, block) in blocked.chunks(BLOCK * t).enumerate() {
        let start = b * BLOCK;
        let len = block.len() / t;
        for c in 0..t {
            out[c * n + start..c * n + start + len].copy_from_slice(&block[c * len..(c + 1) * len]);
        }
    }
    out
}

/// scikit-learn's tolerance: relative to the mean variance of the features.
pub fn absolute_tolerance(points: &Matrix, tolerance: f32) -> f64 {
    if tolerance <= 0.0 {
        return 0.0;
    }
    let (n, dim) = (points.rows(), points.dim());
    let mut mean = vec![0.0f64; dim];
    let mut square = vec![0.0f64; dim];
    for i in 0..n {
        for (d, &x) in points.row(i).iter().enumerate() {
            mean[d] += x as f64;
            square[d] += (x as f64) * (x as f64);
        }
    }
    let variance: f64 = (0..dim).map(|d| square[d] / n as f64 - (mean[d] / n as f64).powi(2)).sum::<f64>() / dim as f64;
    variance.max(0.0) * tolerance as f64
}

/// What each point knows between iterations: its centre, an upper bound on
/// the distance to it, and a lower bound on the distance to any other centre.
#[derive(Clone, Copy, Debug, Default)]
struct Bounds {
    label: u32,
    upper: f32,
    lower: f32,
}

fn lloyd(points: &Matrix, norms: &[f32], mut centers: Matrix, max_iterations: usize, tolerance: f64) -> KMeansFit {
    let n = points.rows();
    let mut state = vec![Bounds::default(); n];
    let all: Vec<usize> = (0..n).collect();
    let mut previous: Option<Vec<u32>> = None;
    let mut iterations = 0;
    let mut converged = false;
    for it in 0..max_iterations.max(1) {
        // Assignment: every point the first time, then only those whose bounds allow a change.
        if it == 0 {
            reassign(points, norms, &centers, &all, &mut state);
        } else {
            let unsure = tighten(points, &centers, &mut state);
            reassign(points, norms, &centers, &unsure, &mut state);
        }
        let labels: Vec<u32> = state.iter().map(|s| s.label).collect();
        let moved = update_centers(points, &labels, &centers);
        let shift = center_shifts(&centers, &moved);
        centers = moved;
        iterations = it + 1;
        if previous.as_ref() == Some(&labels) {
            converged = true;
            break;
        }
        if shift.iter().map(|&s| (s as f64) * (s as f64)).sum::<f64>() <= tolerance {
            break;
        }
        previous = Some(labels);
        loosen(&mut state, &shift);
    }
    if !converged {
        // One more assignment, so that the labels belong to the final centres.
        let unsure = tighten(points, &centers, &mut state);
        reassign(points, norms, &centers, &unsure, &mut state);
    }
    let labels: Vec<u32> = state.iter().map(|s| s.label).collect();
    let inertia = (0..n).map(|i| squared_distance(points.row(i), centers.row(labels[i] as usize)) as f64).sum();
    KMeansFit { labels, centers, iterations, inertia }
}

/// Compares the points in `which` with every centre, in blocks, and records
/// the nearest, its distance and the second-nearest distance.
fn reassign(points: &Matrix, norms: &[f32], centers: &Matrix, which: &[usize], state: &mut [Bounds]) {
    if which.is_empty() {
        return;
    }
    let (k, dim) = (centers.rows(), points.dim());
    let center_norms = centers.squared_norms();
    let blocks = which.len().div_ceil(BLOCK);
    let found: Vec<Vec<Bounds>> = map_indices(blocks, |b| {
        let idx = &which[b * BLOCK..((b + 1) * BLOCK).min(which.len())];
        let contiguous = idx.last().is_some_and(|&last| last - idx[0] == idx.len() - 1);
        let gathered;
        let rows = if contiguous {
            &points.as_slice()[idx[0] * dim..(idx[0] + idx.len()) * dim]
        } else {
            gathered = points.gather(idx);
            gathered.as_slice()
        };
        let mut scores = vec![0.0f32; idx.len() * k];
        dots(rows, centers.as_slice(), dim, &mut scores);
        idx.iter()
            .zip(scores.chunks_exact(k))
            .map(|(&i, row)| {
                let (mut best, mut first, mut second) = (0u32, f32::INFINITY, f32::INFINITY);
                for (j, &s) in row.iter().enumerate() {
                    let d = (norms[i] + center_norms[j] - 2.0 * s).max(0.0);
                    if d < first {
                        second = first;
                        first = d;
                        best = j as u32;
                    } else if d < second {
                        second = d;
                    }
                }
                Bounds { label: best, upper: first.sqrt(), lower: second.sqrt() }
            })
            .collect()
    });
    for (b, results) in found.into_iter().enumerate() {
        for (&i, r) in which[b * BLOCK..].iter().zip(results) {
            state[i] = r;
        }
    }
}

/// Hamerly's test: a point keeps its centre when the upper bound on its
/// distance is below both the lower bound to any other centre and half the
/// distance from its centre to the nearest other one. A point that fails
/// gets its exact distance and is tested again; the ones that still fail are
/// returned for a full comparison.
fn tighten(points: &Matrix, centers: &Matrix, state: &mut [Bounds]) -> Vec<usize> {
    let half_gap = half_gaps(centers);
    let chunk = 4096;
    let blocks: Vec<(usize, &mut [Bounds])> = state.chunks_mut(chunk).enumerate().collect();
    let results: Vec<Vec<usize>> = par_map(blocks, |(b, block)| {
        let mut unsure = Vec::new();
        for (j, s) in block.iter_mut().enumerate() {
            let i = b * chunk + j;
            let bar = s.lower.max(half_gap[s.label as usize]);
            if s.upper <= bar {
                continue;
            }
            s.upper = squared_distance(points.row(i), centers.row(s.label as usize)).sqrt();
            if s.upper > bar {
                unsure.push(i);
            }
        }
        unsure
    });
    results.into_iter().flatten().collect()
}

/// For each centre, half the distance to its nearest other centre, computed
/// in blocks so that no k × k matrix is held.
fn half_gaps(centers: &Matrix) -> Vec<f32> {
    let (k, dim) = (centers.rows(), centers.dim());
    let norms = centers.squared_norms();
    let mut out = vec![f32::INFINITY; k];
    for_each_block(&mut out, 64, |b, gaps| {
        let start = b * 64;
        let rows = &centers.as_slice()[start * dim..(start + gaps.len()) * dim];
        let mut scores = vec![0.0f32; gaps.len() * k];
        dots(rows, centers.as_slice(), dim, &mut scores);
        for (r, g) in gaps.iter_mut().enumerate() {
            let i = start + r;
            let nearest = scores[r * k..(r + 1) * k]
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(j, &s)| (norms[i] + norms[j] - 2.0 * s).max(0.0))
                .fold(f32::INFINITY, f32::min);
            *g = 0.5 * nearest.sqrt();
        }
    });
    out
}

/// After the centres moved: the distance to one's own centre can have grown
/// by its shift at most, and to any other centre shrunk by the largest shift
/// among the others.
fn loosen(state: &mut [Bounds], shift: &[f32]) {
    let (mut top, mut top_at, mut second) = (0.0f32, usize::MAX, 0.0f32);
    for (j, &s) in shift.iter().enumerate() {
        if s > top {
            second = top;
            top = s;
            top_at = j;
        } else if s > second {
            second = s;
        }
    }
    for s in state.iter_mut() {
        let label = s.label as usize;
        s.upper += shift[label];
        s.lower -= if label == top_at { second } else { top };
    }
}

/// New centres: the means of their members. A centre left with no members
/// takes the point farthest from its own centre, as scikit-learn does (that
/// point keeps its label until the next assignment).
fn update_centers(points: &Matrix, labels: &[u32], old: &Matrix) -> Matrix {
    let (k, dim) = (old.rows(), points.dim());
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, &l) in labels.iter().enumerate() {
        members[l as usize].push(i);
    }
    let mut sums: Vec<Vec<f64>> = map_indices(k, |c| {
        let mut sum = vec![0.0f64; dim];
        for &i in &members[c] {
            sum.iter_mut().zip(points.row(i)).for_each(|(s, &x)| *s += x as f64);
        }
        sum
    });
    let mut counts: Vec<usize> = members.iter().map(Vec::len).collect();
    let empty: Vec<usize> = (0..k).filter(|&c| counts[c] == 0).collect();
    if !empty.is_empty() {
        let far = farthest_points(points, labels, old, empty.len());
        for (&c, &i) in empty.iter().zip(&far) {
            let from = labels[i] as usize;
            if counts[from] <= 1 {
                continue;
            }
            sums[from].iter_mut().zip(points.row(i)).for_each(|(s, &x)| *s -= x as f64);
            counts[from] -= 1;
            sums[c] = points.row(i).iter().map(|&x| x as f64).collect();
            counts[c] = 1;
        }
    }
    let mut data = Vec::with_capacity(k * dim);
    for c in 0..k {
        if counts[c] == 0 {
            data.extend_from_slice(old.row(c));
        } else {
            data.extend(sums[c].iter().map(|&s| (s / counts[c] as f64) as f32));
        }
    }
    Matrix::new(data, dim).expect("centres are whole rows")
}

/// The `count` points farthest from their centres, farthest first (ties to the lower index).
fn farthest_points(points: &Matrix, labels: &[u32], centers: &Matrix, count: usize) -> Vec<usize> {
    let dist: Vec<f32> = (0..points.rows()).map(|i| squared_distance(points.row(i), centers.row(labels[i] as usize))).collect();
    let mut order: Vec<usize> = (0..points.rows()).collect();
    order.sort_by(|&a, &b| dist[b].total_cmp(&dist[a]).then(a.cmp(&b)));
    order.truncate(count);
    order
}

fn center_shifts(old: &Matrix, new: &Matrix) -> Vec<f32> {
    (0..old.rows()).map(|c| squared_distance(old.row(c), new.row(c)).sqrt()).collect()
}

fn squared_distance(a: &[f32], b: &[f32]) -> f32 {
    // Eight running sums: the compiler keeps them in one SIMD register.
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            let d = x[l] - y[l];
            acc[l] += d * d;
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| (x - y) * (x - y)).sum();
    acc.iter().sum::<f32>() + tail
}

impl Clustering {
    /// Renumbers clusters densely in order of first appearance (dropping
    /// empty ones) and computes unit centroids.
    pub fn from_labels(raw: &[u32], points: &Matrix) -> Clustering {
        let mut remap = std::collections::HashMap::new();
        let assignments: Vec<usize> = raw
            .iter()
            .map(|&c| {
                let next = remap.len();
                *remap.entry(c).or_insert(next)
            })
            .collect();
        let k = remap.len();
        let dim = points.dim();
        let mut sums = vec![vec![0.0f32; dim]; k];
        for (i, &c) in assignments.iter().enumerate() {
            sums[c].iter_mut().zip(points.row(i)).for_each(|(s, x)| *s += x);
        }
        sums.iter_mut().for_each(|c| crate::vector::normalize(c));
        Clustering { assignments, centroids: sums }
    }

    /// The members of each cluster, in point order.
    pub fn members(&self) -> Vec<Vec<usize>> {
        let mut members = vec![Vec::new(); self.centroids.len()];
        for (i, &c) in self.assignments.iter().enumerate() {
            members[c].push(i);
        }
        members
    }
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

    fn blobs() -> Matrix {
        let mut pts = Vec::new();
        for i in 0..30 {
            let e = (i % 10) as f32 * 0.01;
            pts.push(vec![1.0, e, 0.0]);
            pts.push(vec![0.0, 1.0, e]);
            pts.push(vec![e, 0.0, 1.0]);
        }
        Matrix::from_rows(&pts).unwrap()
    }

    /// Points around `centres` random unit directions in `dim` dimensions.
    fn noisy_clusters(n: usize, centres: usize, dim: usize, noise: f32, seed: u64) -> Matrix {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let dirs: Vec<Vec<f32>> = (0..centres).map(|_| (0..dim).map(|_| rng.gen::<f32>() - 0.5).collect()).collect();
        let mut data = Vec::with_capacity(n * dim);
        for i in 0..n {
            let mut v: Vec<f32> = dirs[i % centres].iter().map(|&x| x + noise * (rng.gen::<f32>() - 0.5)).collect();
            crate::vector::normalize(&mut v);
            data.extend(v);
        }
        Matrix::new(data, dim).unwrap()
    }

    /// Plain Lloyd, every point against every centre, every iteration: what the bounds must agree with.
    fn naive_lloyd(points: &Matrix, mut centers: Matrix, iterations: usize) -> Vec<u32> {
        let mut labels = vec![0u32; points.rows()];
        for _ in 0..iterations {
            for (i, l) in labels.iter_mut().enumerate() {
                *l = (0..centers.rows())
                    .min_by(|&a, &b| squared_distance(points.row(i), centers.row(a)).total_cmp(&squared_distance(points.row(i), centers.row(b))))
                    .unwrap() as u32;
            }
            centers = update_centers(points, &labels, &centers);
        }
        labels
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
    fn bounds_give_lloyds_own_labels() {
        let pts = noisy_clusters(3000, 40, 24, 1.5, 3);
        let norms = pts.squared_norms();
        let start = plus_plus(&pts, &norms, 60, &mut ChaCha8Rng::seed_from_u64(5));
        let fast = lloyd(&pts, &norms, start.clone(), 15, 0.0);
        // The naive loop runs the same number of iterations, then labels against the final centres.
        let slow = naive_lloyd(&pts, start, fast.iterations + 1);
        let differ = fast.labels.iter().zip(&slow).filter(|(a, b)| a != b).count();
        assert!(fast.iterations > 2, "the test should exercise the bounds");
        assert_eq!(differ, 0, "{differ} of 3000 labels differ from plain Lloyd");
    }

    #[test]
    fn seeding_spreads_the_centres() {
        // Ten tight, far-apart groups: k-means++ puts one centre in each.
        let pts = noisy_clusters(500, 10, 16, 0.01, 9);
        let fit = fit(&pts, &KMeansParams::new(10, 1)).unwrap();
        let mut seen: Vec<u32> = (0..10).map(|g| fit.labels[g]).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 10);
        for (i, &l) in fit.labels.iter().enumerate() {
            assert_eq!(l, fit.labels[i % 10], "point {i} is not with its group");
        }
        assert!(fit.inertia < 0.01 * 500.0);
    }

    #[test]
    fn stops_when_labels_settle() {
        let pts = blobs();
        let f = fit(&pts, &KMeansParams { tolerance: 0.0, ..KMeansParams::new(3, 2) }).unwrap();
        assert!(f.iterations < 300, "{} iterations on three blobs", f.iterations);
    }

    #[test]
    fn duplicates_and_k_above_n_do_not_fail() {
        let pts = Matrix::from_rows(&vec![vec![0.6, 0.8]; 7]).unwrap();
        let c = kmeans(&pts, &KMeansParams::new(5, 1)).unwrap();
        assert_eq!(c.assignments.len(), 7);
        assert!(c.assignments.iter().all(|&a| a < c.centroids.len()));
        let few = Matrix::from_rows(&[vec![1.0, 0.0], vec![0.0, 1.0]]).unwrap();
        assert_eq!(kmeans(&few, &KMeansParams::new(9, 1)).unwrap().centroids.len(), 2);
    }

    #[test]
    fn bad_input_is_an_error() {
        let empty = Matrix::from_rows(&[]).unwrap();
        assert_eq!(kmeans(&empty, &KMeansParams::new(3, 1)).unwrap_err(), KMeansError::NoPoints);
        let one = Matrix::from_rows(&[vec![1.0]]).unwrap();
        assert_eq!(kmeans(&one, &KMeansParams::new(0, 1)).unwrap_err(), KMeansError::ZeroK);
        let nan = Matrix::from_rows(&[vec![1.0], vec![f32::NAN]]).unwrap();
        assert_eq!(kmeans(&nan, &KMeansParams::new(1, 1)).unwrap_err(), KMeansError::NotFinite(1));
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
