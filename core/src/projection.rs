//! A UMAP layout in 2-D (McInnes, Healy & Melville, 2018), as umap-learn
//! computes it with `min_dist = 0` (the paper's G.6): the fuzzy simplicial
//! set of a k-nearest-neighbour graph (`knn`), a start along the data's two
//! principal axes, and seeded stochastic gradient descent with negative
//! sampling. The neighbour graph comes in from the caller, so that it can be
//! found on whatever device holds the vectors.

use std::ops::Range;

use rand::distributions::{Distribution, Uniform};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_pcg::Pcg32;
use serde::{Deserialize, Serialize};

use crate::knn::KnnGraph;
use crate::matrix::{map_indices, par_map, Matrix};

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
            let s: f32 = row
                .iter()
                .map(|&(_, d)| {
                    let excess = d - rho;
                    if excess > 0.0 {
                        (-excess / sigma).exp()
                    } else {
                        1.0
                    }
                })
                .sum();
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
        row.iter()
            .map(|&(j, d)| {
                let excess = d - rho;
                (j as u32, if excess > 0.0 { (-excess / sigma).exp() } else { 1.0 })
            })
            .collect()
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
            let start = c * CHUNK;
            for (i, coord) in coords.iter().enumerate().take(((c + 1) * CHUNK).min(n)).skip(start) {
                let row = points.row(i);
                for a in 0..2 {
                    let s = coord[a] as f64;
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

/// Fixed pieces of the graph (edges of consecutive heads) that each epoch
/// works on side by side; fixed, so that the layout does not depend on the
/// number of threads.
const PIECES: usize = 32;

/// Negative samples computed side by side (two SIMD registers of four).
const LANES: usize = 8;

/// umap-learn's `optimize_layout_euclidean` with `move_other`: each edge is
/// sampled in proportion to its weight, pulls its two ends together and
/// pushes its head away from `negative_samples` random points per sample.
/// The curve is `1 / (1 + a·d^(2b))` with umap-learn's fit for `min_dist = 0`,
/// `spread = 1`.
///
/// Unlike umap-learn's loop, which moves points in place in edge order (or,
/// in parallel, in whatever order threads happen to run), each epoch here
/// works on [`PIECES`] pieces at once. A piece owns its edges' heads and
/// moves them as it goes; every other position it reads as the epoch began,
/// and what it does to other points (the pull on an edge's tail) is added
/// when the epoch ends, piece by piece in order. So the result is the same
/// on one thread or many, in the browser or natively.
fn optimise(y: &mut [[f32; 2]], edges: &[Edge], max_w: f32, epochs: usize, negative_samples: usize, rng: &mut ChaCha8Rng) {
    let n = y.len();
    if edges.is_empty() {
        return;
    }
    // Edges are sorted by head: cut them into pieces of about equal size at head boundaries.
    let mut cuts = vec![0usize];
    for p in 1..PIECES {
        let mut at = (edges.len() * p / PIECES).max(*cuts.last().unwrap_or(&0));
        while at < edges.len() && at > 0 && edges[at].head == edges[at - 1].head {
            at += 1;
        }
        cuts.push(at);
    }
    cuts.push(edges.len());
    cuts.dedup();
    let pieces: Vec<Piece> = cuts
        .windows(2)
        .map(|w| {
            let own = &edges[w[0]..w[1]];
            let every: Vec<f32> = own.iter().map(|e| max_w / e.weight).collect();
            let every_negative: Vec<f32> = every.iter().map(|&e| e / negative_samples.max(1) as f32).collect();
            Piece {
                heads: own[0].head as usize..own[own.len() - 1].head as usize + 1,
                edges: own,
                next: every.clone(),
                next_negative: every_negative.clone(),
                every,
                every_negative,
                rng: Pcg32::seed_from_u64(rng.gen()),
            }
        })
        .collect();
    let mut pieces = pieces;
    let negative_samples = negative_samples > 0;
    for epoch in 0..epochs {
        let alpha = 1.0 - epoch as f32 / epochs as f32;
        let snapshot = y.to_vec();
        // Each piece takes its own run of heads out of `y`.
        let mut rest: &mut [[f32; 2]] = y;
        let mut offset = 0;
        let mut work = Vec::with_capacity(pieces.len());
        for piece in pieces.iter_mut() {
            let (_, after) = std::mem::take(&mut rest).split_at_mut(piece.heads.start - offset);
            let (own, after) = after.split_at_mut(piece.heads.len());
            offset = piece.heads.end;
            rest = after;
            work.push((piece, own));
        }
        let pulls: Vec<Vec<(u32, [f32; 2])>> = par_map(work, |(piece, own)| piece.epoch(own, &snapshot, epoch as f32, alpha, negative_samples, n));
        for (j, g) in pulls.into_iter().flatten() {
            y[j as usize][0] += g[0];
            y[j as usize][1] += g[1];
        }
    }
}

/// A run of edges with consecutive heads, and its sampling state.
struct Piece<'a> {
    heads: Range<usize>,
    edges: &'a [Edge],
    /// Epochs between samples of each edge, and between its negative samples.
    every: Vec<f32>,
    every_negative: Vec<f32>,
    /// The epoch at which each edge (its negatives) is next due.
    next: Vec<f32>,
    next_negative: Vec<f32>,
    /// The draws of negative samples: hundreds of millions of them, where
    /// ChaCha's cost showed (in WebAssembly above all), and a permuted
    /// congruential generator is ample for picking random points.
    rng: Pcg32,
}

impl Piece<'_> {
    /// One epoch over this piece's edges: moves the heads in `own` (the
    /// positions of `self.heads`) and returns the pulls on the tails.
    fn epoch(&mut self, own: &mut [[f32; 2]], snapshot: &[[f32; 2]], now: f32, alpha: f32, negatives_on: bool, n: usize) -> Vec<(u32, [f32; 2])> {
        let (a, b) = (1.929f32, 0.7915f32);
        let clip = |g: f32| g.clamp(-4.0, 4.0);
        // Set up once: `gen_range` would redo an integer division on every
        // draw. Drawn as u32, one word of the generator per draw, and the
        // same draws on 32-bit WebAssembly as on a 64-bit machine.
        let any_point = Uniform::new(0, n as u32);
        let mut pulls = Vec::new();
        for (e, edge) in self.edges.iter().enumerate() {
            if self.next[e] > now {
                continue;
            }
            let i = edge.head as usize;
            let j = edge.tail as usize;
            let at = i - self.heads.start;
            let d = [own[at][0] - snapshot[j][0], own[at][1] - snapshot[j][1]];
            let dist2 = d[0] * d[0] + d[1] * d[1];
            if dist2 > 0.0 {
                let pow_b = pow(dist2, b);
                let coeff = -2.0 * a * b * pow_b / dist2 / (1.0 + a * pow_b);
                let g = [clip(coeff * d[0]) * alpha, clip(coeff * d[1]) * alpha];
                own[at][0] += g[0];
                own[at][1] += g[1];
                pulls.push((edge.tail, [-g[0], -g[1]]));
            }
            self.next[e] += self.every[e];
            // A float-to-int conversion saturates, so a negative count is 0.
            let negatives = if negatives_on { ((now - self.next_negative[e]) / self.every_negative[e]) as usize } else { 0 };
            // The repulsions of one sample are all taken from where the head
            // is now and applied together (umap-learn moves the head after
            // each): the same push in expectation, and the draws no longer
            // wait on one another, which made this loop several times slower.
            let from = own[at];
            let mut push = [0.0f32; 2];
            // In groups of LANES: the positions are fetched one by one, then
            // the arithmetic runs lane by lane with no branches, which the
            // compiler turns into SIMD. A skipped draw (the head itself, or a
            // point on the same spot) has weight 0; sums stay in draw order.
            for group in (0..negatives).step_by(LANES) {
                let (mut dx, mut dy, mut live) = ([0.0f32; LANES], [0.0f32; LANES], [0.0f32; LANES]);
                for l in 0..LANES.min(negatives - group) {
                    let k = any_point.sample(&mut self.rng) as usize;
                    let other = if self.heads.contains(&k) { own[k - self.heads.start] } else { snapshot[k] };
                    dx[l] = from[0] - other[0];
                    dy[l] = from[1] - other[1];
                    live[l] = f32::from(u8::from(k != i));
                }
                let mut gx = [0.0f32; LANES];
                let mut gy = [0.0f32; LANES];
                for l in 0..LANES {
                    let dist2 = dx[l] * dx[l] + dy[l] * dy[l];
                    // A floor keeps the power's argument a normal float; such
                    // lanes are dropped below. (A comparison, not `f32::max`,
                    // which WebAssembly turns into a call per lane.)
                    let pow_b = pow(if dist2 > f32::MIN_POSITIVE { dist2 } else { f32::MIN_POSITIVE }, b);
                    let coeff = 2.0 * b / ((0.001 + dist2) * (1.0 + a * pow_b));
                    let weight = if dist2 > 0.0 { live[l] } else { 0.0 };
                    gx[l] = clip(coeff * dx[l]) * weight;
                    gy[l] = clip(coeff * dy[l]) * weight;
                }
                for l in 0..LANES {
                    push[0] += gx[l];
                    push[1] += gy[l];
                }
            }
            own[at][0] += push[0] * alpha;
            own[at][1] += push[1] * alpha;
            self.next_negative[e] += negatives as f32 * self.every_negative[e];
        }
        pulls
    }
}

/// `x^y` for positive, normal `x`, to about five significant digits, as
/// `2^(y · log₂ x)` with short polynomials evaluated in Estrin's order (few
/// dependent steps: each SGD update waits for the one before). The layout
/// calls it hundreds of millions of times, where libm's `expf` and `logf`
/// were a third of the run; being plain arithmetic, it also gives the same
/// bits on every platform, the browser's included, which libm does not promise.
#[inline]
fn pow(x: f32, y: f32) -> f32 {
    exp2(y * log2(x))
}

/// log₂ of a positive normal float: the exponent, plus a degree-5 fit of
/// log₂(1 + t) on [0, 1) for the mantissa (error under 1.5e-5).
#[inline]
fn log2(x: f32) -> f32 {
    let bits = x.to_bits();
    let exponent = ((bits >> 23) & 0xff) as i32 - 127;
    let t = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000) - 1.0;
    let t2 = t * t;
    let low = 1.439_092_9e-5 + 1.441_592_1 * t;
    let mid = -0.707_253_4 + 0.411_561_5 * t;
    let high = -0.189_832_45 + 0.043_928_63 * t;
    exponent as f32 + low + t2 * (mid + t2 * high)
}

/// 2^y: the integer part into the exponent bits, a degree-4 fit of 2^f on
/// [0, 1] for the rest (error under 4e-6). The integer part is found by
/// rounding y − ½ with the 1.5 · 2²³ trick rather than by a float-to-int
/// conversion, so that the compiler can keep eight of these in SIMD
/// registers; where y is a whole number it may come out one low, and then
/// f is 1, which the fit covers.
#[inline]
fn exp2(y: f32) -> f32 {
    const ROUND: f32 = 12_582_912.0;
    let y = y.clamp(-126.0, 126.0);
    let rounded = (y - 0.5) + ROUND;
    let whole = rounded.to_bits() as i32 - ROUND.to_bits() as i32;
    let f = y - (rounded - ROUND);
    let f2 = f * f;
    let p = (1.000_003_6 + 0.692_969_55 * f) + f2 * ((0.241_621_32 + 0.051_717_736 * f) + f2 * 0.013_683_983);
    p * f32::from_bits(((whole + 127) as u32) << 23)
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
    fn the_fast_power_matches_powf() {
        // Squared distances on the map, from coincident points to opposite corners.
        let mut x = 1e-12f32;
        while x < 1e6 {
            let (want, got) = (x.powf(0.7915), pow(x, 0.7915));
            assert!(((got - want) / want).abs() < 3e-5, "{x}^0.7915: {got} vs {want}");
            x *= 1.013;
        }
    }

    #[test]
    fn a_graph_of_another_size_is_refused() {
        let pts = clusters(5);
        let other = knn::exact(&clusters(6), 4);
        assert_eq!(project(&pts, &other, &ProjectionParams::default()).unwrap_err(), GraphSizeError { graph: 24, points: 20 });
    }
}
