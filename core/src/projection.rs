//! A UMAP-style 2-D layout (McInnes et al.): a cosine k-nearest-neighbour
//! graph, its fuzzy simplicial set, and a seeded stochastic layout with
//! negative sampling. `min_dist` is 0 as in the paper (G.6).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::vector::dot;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectionParams {
    pub n_neighbors: usize,
    /// Passes over the graph; `None` picks 500 for small inputs and 200 for large ones.
    pub epochs: Option<usize>,
    pub negative_samples: usize,
    pub seed: u64,
}

impl Default for ProjectionParams {
    fn default() -> Self {
        ProjectionParams { n_neighbors: 15, epochs: None, negative_samples: 5, seed: 0 }
    }
}

/// For each point, its `k` nearest other points by cosine (unit vectors: by dot
/// product), nearest first, with their cosine distances. Exact, one row at a
/// time, so no n × n matrix is held.
pub fn knn(points: &[Vec<f32>], k: usize) -> Vec<Vec<(usize, f32)>> {
    let n = points.len();
    let k = k.min(n.saturating_sub(1));
    let mut out = Vec::with_capacity(n);
    let mut sims: Vec<(usize, f32)> = Vec::with_capacity(n);
    for i in 0..n {
        sims.clear();
        sims.extend((0..n).filter(|&j| j != i).map(|j| (j, dot(&points[i], &points[j]))));
        if k < sims.len() {
            sims.select_nth_unstable_by(k, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            sims.truncate(k);
        }
        sims.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.push(sims.iter().map(|&(j, s)| (j, (1.0 - s).max(0.0))).collect());
    }
    out
}

/// The symmetric fuzzy graph as an edge list (i < j, weight in (0, 1]).
fn fuzzy_graph(neighbors: &[Vec<(usize, f32)>]) -> Vec<(usize, usize, f32)> {
    let n = neighbors.len();
    let mut directed: std::collections::BTreeMap<(usize, usize), f32> = std::collections::BTreeMap::new();
    for (i, row) in neighbors.iter().enumerate() {
        if row.is_empty() {
            continue;
        }
        let rho = row.iter().map(|r| r.1).find(|&d| d > 0.0).unwrap_or(0.0);
        let target = (row.len() as f32).log2().max(1e-3);
        // Binary search for sigma so that the memberships sum to log2(k).
        let (mut lo, mut hi, mut sigma) = (0.0f32, f32::INFINITY, 1.0f32);
        for _ in 0..64 {
            let s: f32 = row.iter().map(|&(_, d)| (-((d - rho).max(0.0)) / sigma).exp()).sum();
            if (s - target).abs() < 1e-5 {
                break;
            }
            if s > target {
                hi = sigma;
                sigma = (lo + hi) / 2.0;
            } else {
                lo = sigma;
                sigma = if hi.is_infinite() { sigma * 2.0 } else { (lo + hi) / 2.0 };
            }
        }
        let sigma = sigma.max(1e-3);
        for &(j, d) in row {
            let w = (-((d - rho).max(0.0)) / sigma).exp();
            directed.insert((i, j), w);
        }
    }
    let mut edges = Vec::new();
    for (&(i, j), &w) in &directed {
        if i < j || !directed.contains_key(&(j, i)) {
            let back = directed.get(&(j, i)).copied().unwrap_or(0.0);
            let sym = w + back - w * back;
            let (a, b) = if i < j { (i, j) } else { (j, i) };
            if sym > 0.0 && a != b && a < n && b < n {
                edges.push((a, b, sym));
            }
        }
    }
    edges
}

/// First two principal axes of the points (power iteration), as the starting layout.
fn pca_init(points: &[Vec<f32>], rng: &mut ChaCha8Rng) -> Vec<[f32; 2]> {
    let n = points.len();
    let dim = points[0].len();
    let mean: Vec<f32> = (0..dim).map(|d| points.iter().map(|p| p[d]).sum::<f32>() / n as f32).collect();
    let centred = |p: &Vec<f32>, d: usize| p[d] - mean[d];
    let mut axes: Vec<Vec<f32>> = Vec::new();
    for _ in 0..2 {
        let mut v: Vec<f32> = (0..dim).map(|_| rng.gen::<f32>() - 0.5).collect();
        for _ in 0..30 {
            // w = Xᵀ X v, deflated against earlier axes.
            let proj: Vec<f32> = points.iter().map(|p| (0..dim).map(|d| centred(p, d) * v[d]).sum()).collect();
            let mut w = vec![0.0f32; dim];
            for (p, s) in points.iter().zip(&proj) {
                for d in 0..dim {
                    w[d] += centred(p, d) * s;
                }
            }
            for a in &axes {
                let c = dot(&w, a);
                w.iter_mut().zip(a).for_each(|(x, y)| *x -= c * y);
            }
            crate::vector::normalize(&mut w);
            if w.iter().all(|x| *x == 0.0) {
                break;
            }
            v = w;
        }
        axes.push(v);
    }
    let mut coords: Vec<[f32; 2]> = points.iter().map(|p| {
        [(0..dim).map(|d| centred(p, d) * axes[0][d]).sum(), (0..dim).map(|d| centred(p, d) * axes[1][d]).sum()]
    }).collect();
    // Scale into [-10, 10] as UMAP does, with a little seeded jitter to split duplicates.
    let max = coords.iter().flat_map(|c| c.iter().map(|x| x.abs())).fold(0.0f32, f32::max).max(1e-6);
    for c in &mut coords {
        c[0] = c[0] / max * 10.0 + (rng.gen::<f32>() - 0.5) * 1e-3;
        c[1] = c[1] / max * 10.0 + (rng.gen::<f32>() - 0.5) * 1e-3;
    }
    coords
}

/// 2-D positions for unit vectors. Deterministic for a seed.
pub fn project(points: &[Vec<f32>], params: &ProjectionParams) -> Vec<[f32; 2]> {
    let n = points.len();
    if n == 0 {
        return Vec::new();
    }
    if n == 1 {
        return vec![[0.0, 0.0]];
    }
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let neighbors = knn(points, params.n_neighbors.max(2));
    let edges = fuzzy_graph(&neighbors);
    let mut y = pca_init(points, &mut rng);
    // Curve parameters for min_dist = 0, spread = 1 (as fitted by umap-learn).
    let (a, b) = (1.929f32, 0.7915f32);
    let epochs = params.epochs.unwrap_or(if n <= 10_000 { 500 } else { 200 });
    let max_w = edges.iter().map(|e| e.2).fold(0.0f32, f32::max).max(1e-9);
    // An edge is sampled once every `epochs_per_sample` epochs, in proportion to its weight.
    let eps: Vec<f32> = edges.iter().map(|e| max_w / e.2).collect();
    let mut next_at: Vec<f32> = eps.clone();
    let clip = |g: f32| g.clamp(-4.0, 4.0);
    for epoch in 0..epochs {
        let alpha = 1.0 - epoch as f32 / epochs as f32;
        for (ei, &(i, j, _)) in edges.iter().enumerate() {
            if next_at[ei] > (epoch + 1) as f32 {
                continue;
            }
            next_at[ei] += eps[ei];
            for (from, to) in [(i, j), (j, i)] {
                let d = [y[from][0] - y[to][0], y[from][1] - y[to][1]];
                let dist2 = d[0] * d[0] + d[1] * d[1];
                if dist2 > 0.0 {
                    let coeff = -2.0 * a * b * dist2.powf(b - 1.0) / (1.0 + a * dist2.powf(b));
                    for k in 0..2 {
                        let g = clip(coeff * d[k]) * alpha;
                        y[from][k] += g;
                    }
                }
                for _ in 0..params.negative_samples {
                    let other = rng.gen_range(0..n);
                    if other == from {
                        continue;
                    }
                    let d = [y[from][0] - y[other][0], y[from][1] - y[other][1]];
                    let dist2 = d[0] * d[0] + d[1] * d[1];
                    let coeff = 2.0 * b / ((0.001 + dist2) * (1.0 + a * dist2.powf(b)));
                    for k in 0..2 {
                        let g = if coeff > 0.0 { clip(coeff * d[k]) } else { 4.0 };
                        y[from][k] += g * alpha;
                    }
                }
            }
        }
    }
    y
}

/// Trustworthiness (Venna & Kaski): how far the layout's k nearest neighbours
/// are also near in the original space. 1 is perfect.
pub fn trustworthiness(points: &[Vec<f32>], layout: &[[f32; 2]], k: usize) -> f64 {
    let n = points.len();
    if n <= k + 1 {
        return 1.0;
    }
    let mut penalty = 0.0f64;
    for i in 0..n {
        // Rank of every point by original similarity to i.
        let mut order: Vec<usize> = (0..n).filter(|&j| j != i).collect();
        order.sort_by(|&a, &b| dot(&points[i], &points[b]).total_cmp(&dot(&points[i], &points[a])).then(a.cmp(&b)));
        let mut rank = vec![0usize; n];
        for (r, &j) in order.iter().enumerate() {
            rank[j] = r + 1;
        }
        let mut near2d: Vec<usize> = (0..n).filter(|&j| j != i).collect();
        let d2 = |j: usize| (layout[i][0] - layout[j][0]).powi(2) + (layout[i][1] - layout[j][1]).powi(2);
        near2d.sort_by(|&a, &b| d2(a).total_cmp(&d2(b)).then(a.cmp(&b)));
        for &j in near2d.iter().take(k) {
            if rank[j] > k {
                penalty += (rank[j] - k) as f64;
            }
        }
    }
    let (n, k) = (n as f64, k as f64);
    1.0 - 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)) * penalty
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clusters(n_per: usize) -> Vec<Vec<f32>> {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut pts = Vec::new();
        for c in 0..4 {
            for _ in 0..n_per {
                let mut v: Vec<f32> = (0..16).map(|d| if d == c * 4 { 1.0 } else { 0.0 } + rng.gen::<f32>() * 0.2).collect();
                crate::vector::normalize(&mut v);
                pts.push(v);
            }
        }
        pts
    }

    #[test]
    fn knn_is_exact() {
        let pts = vec![vec![1.0, 0.0], vec![0.8, 0.6], vec![0.0, 1.0]];
        let nn = knn(&pts, 1);
        assert_eq!(nn[0][0].0, 1);
        assert_eq!(nn[2][0].0, 1);
    }

    #[test]
    fn layout_keeps_neighbours_and_is_reproducible() {
        let pts = clusters(40);
        let p = ProjectionParams { seed: 3, ..Default::default() };
        let a = project(&pts, &p);
        let b = project(&pts, &p);
        assert_eq!(a, b);
        assert!(a.iter().all(|c| c[0].is_finite() && c[1].is_finite()));
        let t = trustworthiness(&pts, &a, 10);
        assert!(t > 0.9, "trustworthiness {t}");
    }
}
