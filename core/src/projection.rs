//! A UMAP layout in 2-D (McInnes, Healy & Melville, 2018), as umap-learn
//! computes it with `min_dist = 0` (the paper's G.6): the fuzzy simplicial
//! set of a k-nearest-neighbour graph (`knn`), a start along the data's two
//! principal axes, and seeded stochastic gradient descent with negative
//! sampling. The neighbour graph comes in from the caller, so that it can be
//! found on whatever device holds the vectors.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::knn::KnnGraph;
use crate::matrix::{map_indices, Matrix};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectionParams {
    /// umap-learn's `n_neighbors`: the point itself and its nearest `n_neighbors − 1` others.
    pub n_neighbors: usize,
    /// Passes over the graph; `None` picks 500 for up to 10,000 points and 200 above, as umap-learn does.
    pub epochs: Option<usize>,
    pub negative_samples: usize,
    pub seed: u64,
}

impl Default for ProjectionParams {
    fn default() -> Self {
        ProjectionParams { n_neighbors: 15, epochs: None, negative_samples: 5, seed: 0 }
    }
}

impl ProjectionParams {
    /// How many other points the neighbour graph must hold per point.
    pub fn graph_k(&self) -> usize {
        self.n_neighbors.max(2) - 1
    }
}

/// One directed edge of the fuzzy graph; both directions of every edge are
/// present, as in umap-learn's symmetric matrix.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Edge {
    head: u32,
    tail: u32,
    weight: f32,
}

/// The fuzzy simplicial set: per point, the membership of each neighbour
/// (smooth-kNN distances, umap-learn's `smooth_knn_dist`), made symmetric by
/// the fuzzy union `a + b − a·b`.
fn fuzzy_graph(graph: &KnnGraph, n_neighbors: usize) -> Vec<Edge> {
    let n = graph.len();
    let target = (n_neighbors as f32).log2();
    // Directed memberships, per point (each row is that point's k neighbours).
    let rows: Vec<Vec<(u32, f32)>> = map_indices(n, |i| {
        let mut row: Vec<(usize, f32)> = Vec::with_capacity(graph.k());
        for (j, d) in graph.neighbours(i) {
            // Rows of tiny inputs can repeat a neighbour; each counts once.
            if j != i && !row.iter().any(|r| r.0 == j) {
                row.push((j, d));
            }
        }
        if row.is_empty() {
            return Vec::new();
        }
        let rho = row.iter().map(|r| r.1).find(|&d| d > 0.0).unwrap_or(0.0);
        let mean = row.iter().map(|r| r.1).sum::<f32>() / row.len() as f32;
        let (mut lo, mut hi, mut sigma) = (0.0f32, f32::INFINITY, 1.0f32);
        for _ in 0..64 {
            let s: f32 = row.iter().map(|&(_, d)| {
                let excess = d - rho;
                if excess > 0.0 { (-excess / sigma).exp() } else { 1.0 }
            }).sum();
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
        // umap-learn's floor: a thousandth of the mean neighbour distance.
        let sigma = sigma.max(1e-3 * mean).max(f32::MIN_POSITIVE);
        row.iter().map(|&(j, d)| {
            let excess = d - rho;
            (j as u32, if excess > 0.0 { (-excess / sigma).exp() } else { 1.0 })
        }).collect()
    });
    let weight_of = |from: usize, to: u32| rows[from].iter().find(|r| r.0 == to).map_or(0.0, |r| r.1);
    let mut edges = Vec::with_capacity(n * graph.k() * 2);
    for (i, row) in rows.iter().enumerate() {
        for &(j, w) in row {
            let back = weight_of(j as usize, i as u32);
            // An edge both ways is emitted once here (from its lower end) and
            // both directions are pushed; a one-way edge pushes both too.
            if back > 0.0 && (j as usize) < i {
                continue;
            }
            let sym = w + back - w * back;
            if sym > 0.0 && j as usize != i {
                edges.push(Edge { head: i as u32, tail: j, weight: sym });
                edges.push(Edge { head: j, tail: i as u32, weight: sym });
            }
        }
    }
    edges.sort_by_key(|e| (e.head, e.tail));
    edges
}

/// The data's first two principal axes (subspace iteration on the
/// covariance), scaled into [-10, 10] as umap-learn scales its start.
fn pca_init(points: &Matrix, rng: &mut ChaCha8Rng) -> Vec<[f32; 2]> {
    let (n, dim) = (points.rows(), points.dim());
    let mean: Vec<f32> = {
        let mut m = vec![0.0f64; dim];
        for i in 0..n {
            m.iter_mut().zip(points.row(i)).for_each(|(s, &x)| *s += x as f64);
        }
        m.into_iter().map(|s| (s / n as f64) as f32).collect()
    };
    let project_rows = |axes: &[Vec<f32>; 2]| -> Vec<[f32; 2]> {
        map_indices(n, |i| {
            let row = points.row(i);
            let mut c = [0.0f32; 2];
            for (a, axis) in axes.iter().enumerate() {
                c[a] = row.iter().zip(&mean).zip(axis).map(|((x, m), v)| (x - m) * v).sum();
            }
            c
        })
    };
    let mut axes: [Vec<f32>; 2] = [(0..dim).map(|_| rng.gen::<f32>() - 0.5).collect(), (0..dim).map(|_| rng.gen::<f32>() - 0.5).collect()];
    orthonormalise(&mut axes);
    const CHUNK: usize = 4096;
    for _ in 0..25 {
        // w = Cov · axes, as Xcᵀ (Xc · axes), summed in fixed chunks so threads do not change the result.
        let coords = project_rows(&axes);
        let partial: Vec<[Vec<f64>; 2]> = map_indices(n.div_ceil(CHUNK), |c| {
            let mut w = [vec![0.0f64; dim], vec![0.0f64; dim]];
            for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                let row = points.row(i);
                for a in 0..2 {
                    let s = coords[i][a] as f64;
                    w[a].iter_mut().zip(row.iter().zip(&mean)).for_each(|(acc, (x, m))| *acc += (x - m) as f64 * s);
                }
            }
            w
        });
        let mut next: [Vec<f32>; 2] = [vec![0.0; dim], vec![0.0; dim]];
        for w in &partial {
            for a in 0..2 {
                next[a].iter_mut().zip(&w[a]).for_each(|(x, y)| *x += *y as f32);
            }
        }
        if next.iter().any(|v| v.iter().all(|x| *x == 0.0)) {
            break;
        }
        orthonormalise(&mut next);
        axes = next;
    }
    let mut coords = project_rows(&axes);
    let max = coords.iter().flat_map(|c| c.iter().map(|x| x.abs())).fold(0.0f32, f32::max).max(1e-6);
    for c in &mut coords {
        // A little seeded jitter splits points that start on the same spot.
        c[0] = c[0] / max * 10.0 + (rng.gen::<f32>() - 0.5) * 1e-3;
        c[1] = c[1] / max * 10.0 + (rng.gen::<f32>() - 0.5) * 1e-3;
    }
    coords
}

/// Gram–Schmidt on two vectors.
fn orthonormalise(axes: &mut [Vec<f32>; 2]) {
    crate::vector::normalize(&mut axes[0]);
    let c = crate::vector::dot(&axes[1], &axes[0]);
    let first = axes[0].clone();
    axes[1].iter_mut().zip(&first).for_each(|(x, y)| *x -= c * y);
    crate::vector::normalize(&mut axes[1]);
}

#[derive(Clone, Debug, thiserror::Error, PartialEq)]
#[error("the neighbour graph has {graph} points, the layout {points}")]
pub struct GraphSizeError {
    pub graph: usize,
    pub points: usize,
}

/// 2-D positions for unit vectors, given their neighbour graph (at least
/// [`ProjectionParams::graph_k`] neighbours per point). Deterministic for a seed.
pub fn project(points: &Matrix, graph: &KnnGraph, params: &ProjectionParams) -> Result<Vec<[f32; 2]>, GraphSizeError> {
    let n = points.rows();
    if n > 1 && graph.len() != n {
        return Err(GraphSizeError { graph: graph.len(), points: n });
    }
    if n <= 1 {
        return Ok(vec![[0.0, 0.0]; n]);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let mut edges = fuzzy_graph(graph, params.n_neighbors.max(2));
    let mut y = pca_init(points, &mut rng);
    let epochs = params.epochs.unwrap_or(if n <= 10_000 { 500 } else { 200 });
    let max_w = edges.iter().map(|e| e.weight).fold(0.0f32, f32::max).max(f32::MIN_POSITIVE);
    // umap-learn drops edges too weak to be sampled even once.
    edges.retain(|e| e.weight >= max_w / epochs as f32);
    optimise(&mut y, &edges, max_w, epochs, params.negative_samples, &mut rng);
    Ok(y)
}

/// umap-learn's `optimize_layout_euclidean` with `move_other`: each edge is
/// sampled in proportion to its weight, pulls its two ends together and
/// pushes its head away from `negative_samples` random points per sample.
/// The curve is `1 / (1 + a·d^(2b))` with umap-learn's fit for `min_dist = 0`,
/// `spread = 1`.
fn optimise(y: &mut [[f32; 2]], edges: &[Edge], max_w: f32, epochs: usize, negative_samples: usize, rng: &mut ChaCha8Rng) {
    let n = y.len();
    let (a, b) = (1.929f32, 0.7915f32);
    let every: Vec<f32> = edges.iter().map(|e| max_w / e.weight).collect();
    let every_negative: Vec<f32> = every.iter().map(|&e| e / negative_samples.max(1) as f32).collect();
    let mut next = every.clone();
    let mut next_negative = every_negative.clone();
    let clip = |g: f32| g.clamp(-4.0, 4.0);
    for epoch in 0..epochs {
        let alpha = 1.0 - epoch as f32 / epochs as f32;
        let now = epoch as f32;
        for (e, edge) in edges.iter().enumerate() {
            if next[e] > now {
                continue;
            }
            let (i, j) = (edge.head as usize, edge.tail as usize);
            let d = [y[i][0] - y[j][0], y[i][1] - y[j][1]];
            let dist2 = d[0] * d[0] + d[1] * d[1];
            if dist2 > 0.0 {
                // d^(2b) once through a logarithm, instead of two powers.
                let pow_b = (b * dist2.ln()).exp();
                let coeff = -2.0 * a * b * pow_b / dist2 / (1.0 + a * pow_b);
                for c in 0..2 {
                    let g = clip(coeff * d[c]) * alpha;
                    y[i][c] += g;
                    y[j][c] -= g;
                }
            }
            next[e] += every[e];
            let negatives = if negative_samples == 0 { 0 } else { ((now - next_negative[e]) / every_negative[e]).max(0.0) as usize };
            for _ in 0..negatives {
                let k = rng.gen_range(0..n);
                if k == i {
                    continue;
                }
                let d = [y[i][0] - y[k][0], y[i][1] - y[k][1]];
                let dist2 = d[0] * d[0] + d[1] * d[1];
                if dist2 > 0.0 {
                    let pow_b = (b * dist2.ln()).exp();
                    let coeff = 2.0 * b / ((0.001 + dist2) * (1.0 + a * pow_b));
                    for c in 0..2 {
                        y[i][c] += clip(coeff * d[c]) * alpha;
                    }
                }
            }
            next_negative[e] += negatives as f32 * every_negative[e];
        }
    }
}

/// Trustworthiness (Venna & Kaski): how far the layout's k nearest neighbours
/// are also near in the original space; 1 is perfect. Exact, so O(n² log n):
/// for large inputs, evaluate it on a sample.
pub fn trustworthiness(points: &Matrix, layout: &[[f32; 2]], k: usize) -> f64 {
    let n = points.rows();
    if n <= k + 1 {
        return 1.0;
    }
    let penalties: Vec<f64> = map_indices(n, |i| {
        // Rank of every point by original similarity to i.
        let sim: Vec<f32> = (0..n).map(|j| crate::vector::dot(points.row(i), points.row(j))).collect();
        let mut order: Vec<usize> = (0..n).filter(|&j| j != i).collect();
        order.sort_by(|&a, &b| sim[b].total_cmp(&sim[a]).then(a.cmp(&b)));
        let mut rank = vec![0usize; n];
        for (r, &j) in order.iter().enumerate() {
            rank[j] = r + 1;
        }
        let d2 = |j: usize| (layout[i][0] - layout[j][0]).powi(2) + (layout[i][1] - layout[j][1]).powi(2);
        let mut near: Vec<usize> = (0..n).filter(|&j| j != i).collect();
        near.sort_by(|&a, &b| d2(a).total_cmp(&d2(b)).then(a.cmp(&b)));
        near.iter().take(k).filter(|&&j| rank[j] > k).map(|&j| (rank[j] - k) as f64).sum()
    });
    let (n, k) = (n as f64, k as f64);
    1.0 - 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)) * penalties.iter().sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knn;

    fn clusters(n_per: usize) -> Matrix {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut pts = Vec::new();
        for c in 0..4 {
            for _ in 0..n_per {
                let mut v: Vec<f32> = (0..16).map(|d| if d == c * 4 { 1.0 } else { 0.0 } + rng.gen::<f32>() * 0.2).collect();
                crate::vector::normalize(&mut v);
                pts.push(v);
            }
        }
        Matrix::from_rows(&pts).unwrap()
    }

    #[test]
    fn layout_keeps_neighbours_and_is_reproducible() {
        let pts = clusters(40);
        let p = ProjectionParams { seed: 3, ..Default::default() };
        let graph = knn::exact(&pts, p.graph_k());
        let a = project(&pts, &graph, &p).unwrap();
        let b = project(&pts, &graph, &p).unwrap();
        assert_eq!(a, b);
        assert!(a.iter().all(|c| c[0].is_finite() && c[1].is_finite()));
        let t = trustworthiness(&pts, &a, 10);
        assert!(t > 0.9, "trustworthiness {t}");
    }

    #[test]
    fn the_fuzzy_graph_is_symmetric() {
        let pts = clusters(20);
        let edges = fuzzy_graph(&knn::exact(&pts, 9), 10);
        for e in &edges {
            assert!(e.weight > 0.0 && e.weight <= 1.0);
            assert!(edges.iter().any(|f| f.head == e.tail && f.tail == e.head && f.weight == e.weight), "{e:?} has no reverse");
        }
        let mut pairs: Vec<(u32, u32)> = edges.iter().map(|e| (e.head, e.tail)).collect();
        let before = pairs.len();
        pairs.dedup();
        assert_eq!(before, pairs.len(), "an edge appears twice");
    }

    #[test]
    fn a_graph_of_another_size_is_refused() {
        let pts = clusters(5);
        let other = knn::exact(&clusters(6), 4);
        assert_eq!(project(&pts, &other, &ProjectionParams::default()).unwrap_err(), GraphSizeError { graph: 24, points: 20 });
    }
}
