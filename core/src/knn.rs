//! The k-nearest-neighbour graph behind the layout: for each unit vector,
//! the `k` others with the highest cosine similarity.
//!
//! Small inputs are searched exactly: every pair, as blocked matrix products
//! (`matrix::dots`), one block of queries against one tile of candidates at
//! a time, so no n × n matrix is ever held. Large inputs are searched the way
//! an inverted-file index searches (Jégou et al., 2011): a coarse k-means
//! splits the points into about √n cells, and the points of each cell are
//! compared with the points of the cells whose centres are nearest its own.
//! The cost falls from n² to about n × `probe` × √n comparisons, still as
//! matrix products; neighbours that lie beyond the probed cells are missed,
//! which is what `recall` measures and the benchmark reports.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::kmeans::{self, KMeansParams};
use crate::matrix::{dots, map_indices, par_map, Matrix};

/// For each of `n` points its `k` nearest others, nearest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnnGraph {
    k: usize,
    /// `n × k` indices of neighbours, row-major.
    indices: Vec<u32>,
    /// `n × k` cosine distances (1 − cosine, at least 0), matching `indices`.
    distances: Vec<f32>,
}

#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum KnnGraphError {
    #[error("{indices} neighbour indices and {distances} distances do not make rows of {k}")]
    Shape { indices: usize, distances: usize, k: usize },
    #[error("neighbour index {index} is not one of the {n} points")]
    OutOfRange { index: u32, n: usize },
}

impl KnnGraph {
    /// Builds a graph from `n × k` rows, as another engine (the GPU) found them.
    pub fn from_rows(k: usize, indices: Vec<u32>, distances: Vec<f32>) -> Result<Self, KnnGraphError> {
        let shape = KnnGraphError::Shape { indices: indices.len(), distances: distances.len(), k };
        if indices.len() != distances.len() || (k == 0 && !indices.is_empty()) || (k > 0 && !indices.len().is_multiple_of(k)) {
            return Err(shape);
        }
        let n = indices.len().checked_div(k).unwrap_or(0);
        if let Some(&index) = indices.iter().find(|&&i| i as usize >= n) {
            return Err(KnnGraphError::OutOfRange { index, n });
        }
        Ok(KnnGraph { k, indices, distances })
    }

    /// Neighbours per point.
    pub fn k(&self) -> usize {
        self.k
    }

    pub fn len(&self) -> usize {
        self.indices.len().checked_div(self.k).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// Point `i`'s neighbours and their cosine distances, nearest first.
    pub fn neighbours(&self, i: usize) -> impl Iterator<Item = (usize, f32)> + '_ {
        let row = i * self.k..(i + 1) * self.k;
        self.indices[row.clone()].iter().map(|&j| j as usize).zip(self.distances[row].iter().copied())
    }

    /// The share of this graph's neighbours that are also in `truth`'s
    /// (the same points, at least as many neighbours each).
    pub fn recall(&self, truth: &KnnGraph) -> f64 {
        let n = self.len().min(truth.len());
        if n == 0 || self.k == 0 {
            return 1.0;
        }
        let mut found = 0usize;
        for i in 0..n {
            let true_row: Vec<usize> = truth.neighbours(i).take(self.k).map(|(j, _)| j).collect();
            found += self.neighbours(i).filter(|(j, _)| true_row.contains(j)).count();
        }
        found as f64 / (n * self.k.min(truth.k)) as f64
    }
}

/// How the graph is searched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnnParams {
    pub k: usize,
    /// Up to this many points, every pair is compared.
    pub exact_up_to: usize,
    /// Cells compared with each cell (its own included) in the large-input search.
    pub probe: usize,
    pub seed: u64,
}

impl KnnParams {
    pub fn new(k: usize, seed: u64) -> Self {
        KnnParams { k, exact_up_to: 10_000, probe: 12, seed }
    }
}

/// The graph for unit vectors: exact up to `exact_up_to` points, by cells above.
pub fn knn(points: &Matrix, params: &KnnParams) -> KnnGraph {
    if points.rows() <= params.exact_up_to {
        exact(points, params.k)
    } else {
        by_cells(points, params)
    }
}

/// Queries per block; candidates per tile. A block's scores against a tile
/// (1 MB) stay in the core's cache while they are sifted.
const QUERY_BLOCK: usize = 128;
const CANDIDATE_TILE: usize = 2048;

/// Every pair compared.
pub fn exact(points: &Matrix, k: usize) -> KnnGraph {
    let n = points.rows();
    let k = k.min(n.saturating_sub(1));
    let ids: Vec<u32> = (0..n as u32).collect();
    let rows = map_indices(n.div_ceil(QUERY_BLOCK), |b| {
        let queries = b * QUERY_BLOCK..((b + 1) * QUERY_BLOCK).min(n);
        // One pool: every point.
        let everyone = 0..n;
        nearest_among(points, &ids, queries, std::slice::from_ref(&everyone), k)
    });
    assemble(rows.into_iter().flatten().collect(), k)
}

/// Compared within nearby cells.
fn by_cells(points: &Matrix, params: &KnnParams) -> KnnGraph {
    let n = points.rows();
    let k = params.k.min(n.saturating_sub(1));
    let cells = cells(points, params.seed);
    let cell_count = cells.centers.rows();
    let probe = params.probe.clamp(1, cell_count);
    // Each cell's nearest cells by their centres, itself first.
    let center_scores = {
        let mut s = vec![0.0f32; cell_count * cell_count];
        dots(cells.centers.as_slice(), cells.centers.as_slice(), cells.centers.dim(), &mut s);
        s
    };
    let near_cells: Vec<Vec<usize>> = (0..cell_count)
        .map(|c| {
            let row = &center_scores[c * cell_count..(c + 1) * cell_count];
            let mut order: Vec<usize> = (0..cell_count).filter(|&j| j != c).collect();
            order.sort_by(|&a, &b| row[b].total_cmp(&row[a]).then(a.cmp(&b)));
            std::iter::once(c).chain(order.into_iter().take(probe - 1)).collect()
        })
        .collect();
    // The points reordered cell by cell, so that every cell is one run of rows.
    let ids: Vec<u32> = cells.members.iter().flatten().copied().collect();
    let sorted = points.gather(&ids.iter().map(|&i| i as usize).collect::<Vec<_>>());
    let mut starts = Vec::with_capacity(cell_count + 1);
    starts.push(0);
    for m in &cells.members {
        starts.push(starts.last().copied().unwrap_or(0) + m.len());
    }
    let span = |c: usize| starts[c]..starts[c + 1];
    // Work in pieces of at most QUERY_BLOCK queries, so that big cells spread over threads too.
    let work: Vec<(usize, Range<usize>)> = (0..cell_count)
        .flat_map(|c| {
            let own = span(c);
            (own.start..own.end).step_by(QUERY_BLOCK).map(move |b| (c, b..(b + QUERY_BLOCK).min(own.end)))
        })
        .collect();
    let found = par_map(work, |(c, queries)| {
        let pools: Vec<Range<usize>> = near_cells[c].iter().map(|&j| span(j)).collect();
        nearest_among(&sorted, &ids, queries, &pools, k)
    });
    assemble(found.into_iter().flatten().collect(), k)
}

/// The coarse cells of the large-input search.
struct Cells {
    centers: Matrix,
    /// Point indices per cell, ascending.
    members: Vec<Vec<u32>>,
}

/// About √n cells from a k-means fitted on a sample (a few dozen points per
/// cell are enough to place the centres), then every point in its nearest cell.
fn cells(points: &Matrix, seed: u64) -> Cells {
    let n = points.rows();
    let count = ((n as f64).sqrt().round() as usize).max(1);
    let sample_size = (count * 40).min(n);
    // Every (n / sample)-th point: a sample spread over the whole input, with no RNG needed.
    let sample: Vec<usize> = (0..sample_size).map(|s| s * n / sample_size).collect();
    let params = KMeansParams { max_iterations: 8, tolerance: 1e-3, ..KMeansParams::new(count, seed) };
    let centers = match kmeans::fit(&points.gather(&sample), &params) {
        Ok(fit) => fit.centers,
        Err(_) => points.gather(&[0]),
    };
    let labels = kmeans::nearest_centers(points, &centers);
    let mut members = vec![Vec::new(); centers.rows()];
    for (i, &l) in labels.iter().enumerate() {
        members[l as usize].push(i as u32);
    }
    Cells { centers, members }
}

/// For each query row of `rows` (a range), its `k` most similar rows among
/// the `pools` (ranges of rows; itself excluded), as `(id, [(similarity,
/// id)])` with the best first, where `ids` maps a row to the point it is.
fn nearest_among(rows: &Matrix, ids: &[u32], queries: Range<usize>, pools: &[Range<usize>], k: usize) -> Vec<(u32, Vec<(f32, u32)>)> {
    let dim = rows.dim();
    let data = rows.as_slice();
    let query_rows = &data[queries.start * dim..queries.end * dim];
    let mut best: Vec<TopK> = queries.clone().map(|_| TopK::new(k)).collect();
    let mut scores = Vec::new();
    for pool in pools {
        for tile_start in pool.clone().step_by(CANDIDATE_TILE) {
            let tile = tile_start..(tile_start + CANDIDATE_TILE).min(pool.end);
            scores.resize(queries.len() * tile.len(), 0.0);
            dots(query_rows, &data[tile.start * dim..tile.end * dim], dim, &mut scores);
            for (q, row) in scores.chunks_exact(tile.len()).enumerate() {
                let me = ids[queries.start + q];
                let top = &mut best[q];
                for (&s, &j) in row.iter().zip(&ids[tile.clone()]) {
                    if j != me {
                        top.offer(s, j);
                    }
                }
            }
        }
    }
    queries.map(|q| ids[q]).zip(best).map(|(q, t)| (q, t.items)).collect()
}

/// The `k` highest scores seen, best first; ties go to the lower index so
/// that the result does not depend on the order candidates arrive in.
struct TopK {
    k: usize,
    items: Vec<(f32, u32)>,
}

impl TopK {
    fn new(k: usize) -> Self {
        TopK { k, items: Vec::with_capacity(k + 1) }
    }

    #[inline]
    fn offer(&mut self, score: f32, index: u32) {
        let better = |a: (f32, u32), b: (f32, u32)| a.0 > b.0 || (a.0 == b.0 && a.1 < b.1);
        if self.items.len() == self.k {
            match self.items.last() {
                Some(&worst) if better((score, index), worst) => {}
                _ => return,
            }
        }
        let at = self.items.partition_point(|&it| better(it, (score, index)));
        self.items.insert(at, (score, index));
        self.items.truncate(self.k);
    }
}

/// Puts per-query results back in point order as a graph.
fn assemble(mut rows: Vec<(u32, Vec<(f32, u32)>)>, k: usize) -> KnnGraph {
    rows.sort_by_key(|r| r.0);
    let mut indices = Vec::with_capacity(rows.len() * k);
    let mut distances = Vec::with_capacity(rows.len() * k);
    for (q, found) in rows {
        // A point with fewer than k others (only when n ≤ k) repeats its last neighbour.
        for slot in 0..k {
            let (s, j) = found.get(slot).or(found.last()).copied().unwrap_or((1.0, q));
            indices.push(j);
            distances.push((1.0 - s).max(0.0));
        }
    }
    KnnGraph { k, indices, distances }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn unit_points(n: usize, dim: usize, seed: u64) -> Matrix {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let groups: Vec<Vec<f32>> = (0..30).map(|_| (0..dim).map(|_| rng.gen::<f32>() - 0.5).collect()).collect();
        let mut data = Vec::new();
        for i in 0..n {
            let mut v: Vec<f32> = groups[i % 30].iter().map(|&g| g + 0.6 * (rng.gen::<f32>() - 0.5)).collect();
            crate::vector::normalize(&mut v);
            data.extend(v);
        }
        Matrix::new(data, dim).unwrap()
    }

    /// Every pair, one at a time, sorted: the definition the fast paths must meet.
    fn brute_force(points: &Matrix, k: usize) -> Vec<Vec<usize>> {
        (0..points.rows())
            .map(|i| {
                let mut others: Vec<(f32, usize)> =
                    (0..points.rows()).filter(|&j| j != i).map(|j| (crate::vector::dot(points.row(i), points.row(j)), j)).collect();
                others.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                others.into_iter().take(k).map(|(_, j)| j).collect()
            })
            .collect()
    }

    #[test]
    fn exact_search_finds_the_true_neighbours() {
        let pts = unit_points(700, 12, 1);
        let graph = exact(&pts, 10);
        let truth = brute_force(&pts, 10);
        let mut same = 0;
        for (i, true_neighbours) in truth.iter().enumerate() {
            let found: Vec<usize> = graph.neighbours(i).map(|(j, _)| j).collect();
            same += found.iter().filter(|j| true_neighbours.contains(j)).count();
            assert!(!found.contains(&i), "point {i} is its own neighbour");
            let d: Vec<f32> = graph.neighbours(i).map(|(_, d)| d).collect();
            assert!(d.windows(2).all(|w| w[0] <= w[1]), "not nearest first: {d:?}");
        }
        // Products in blocks round differently from one dot at a time; only near-ties may swap.
        assert!(same as f64 / 7000.0 > 0.995, "{same} of 7000");
    }

    #[test]
    fn cell_search_recalls_most_neighbours() {
        let pts = unit_points(6000, 16, 2);
        let truth = exact(&pts, 15);
        let approx = by_cells(&pts, &KnnParams { probe: 12, ..KnnParams::new(15, 3) });
        let recall = approx.recall(&truth);
        assert!(recall > 0.9, "recall {recall}");
        assert_eq!(approx.len(), 6000);
        // The same seed gives the same graph.
        assert_eq!(approx, by_cells(&pts, &KnnParams { probe: 12, ..KnnParams::new(15, 3) }));
    }

    #[test]
    fn tiny_inputs_do_not_fail() {
        let one = Matrix::from_rows(&[vec![1.0, 0.0]]).unwrap();
        assert_eq!(exact(&one, 15).k(), 0);
        let two = Matrix::from_rows(&[vec![1.0, 0.0], vec![0.0, 1.0]]).unwrap();
        let g = exact(&two, 15);
        assert_eq!(g.neighbours(0).collect::<Vec<_>>(), vec![(1, 1.0)]);
    }

    #[test]
    fn foreign_graphs_are_checked() {
        assert!(KnnGraph::from_rows(2, vec![1, 0, 0], vec![0.0; 3]).is_err());
        assert_eq!(KnnGraph::from_rows(1, vec![0, 5], vec![0.0; 2]).unwrap_err(), KnnGraphError::OutOfRange { index: 5, n: 2 });
        assert!(KnnGraph::from_rows(1, vec![1, 0], vec![0.1, 0.1]).is_ok());
    }
}
