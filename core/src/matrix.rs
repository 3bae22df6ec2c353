//! A dense row-major matrix of `f32` and the one heavy product the clustering
//! and neighbour searches need: every row of one block against every row of
//! another (`A · Bᵀ`), done by the `gemm` crate's cache-blocked SIMD kernels.
//!
//! This is the only `unsafe` in the core: `gemm` takes raw pointers and
//! strides, and the lengths are checked here before it is called.

use serde::{Deserialize, Serialize};

/// `rows()` rows of `dim()` values each, stored one row after another.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    data: Vec<f32>,
    dim: usize,
}

#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum MatrixError {
    #[error("rows have different lengths ({0} and {1})")]
    Ragged(usize, usize),
    #[error("{len} values do not make whole rows of {dim}")]
    NotWholeRows { len: usize, dim: usize },
    #[error("rows of length 0 hold nothing to compare")]
    ZeroDim,
}

impl Matrix {
    /// Takes `data` as rows of `dim` values.
    pub fn new(data: Vec<f32>, dim: usize) -> Result<Self, MatrixError> {
        if dim == 0 {
            return Err(MatrixError::ZeroDim);
        }
        if !data.len().is_multiple_of(dim) {
            return Err(MatrixError::NotWholeRows { len: data.len(), dim });
        }
        Ok(Matrix { data, dim })
    }

    /// Copies rows of equal length into one matrix. No rows give an empty
    /// matrix of dimension 1, so that callers can report "no points" themselves.
    pub fn from_rows(rows: &[Vec<f32>]) -> Result<Self, MatrixError> {
        let Some(first) = rows.first() else {
            return Ok(Matrix { data: Vec::new(), dim: 1 });
        };
        let dim = first.len();
        if let Some(bad) = rows.iter().find(|r| r.len() != dim) {
            return Err(MatrixError::Ragged(dim, bad.len()));
        }
        Matrix::new(rows.concat(), dim)
    }

    pub fn rows(&self) -> usize {
        self.data.len() / self.dim
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    /// The rows named by `indices`, in that order, as a new matrix.
    pub fn gather(&self, indices: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(indices.len() * self.dim);
        for &i in indices {
            data.extend_from_slice(self.row(i));
        }
        Matrix { data, dim: self.dim }
    }

    /// Squared length of every row.
    pub fn squared_norms(&self) -> Vec<f32> {
        self.data.chunks_exact(self.dim).map(|r| crate::vector::dot(r, r)).collect()
    }
}

/// `out[i * b_rows + j] = a_i · b_j` for the `a_rows` rows of `a` and the
/// `b_rows` rows of `b`, all of length `dim`, row-major. Runs on the calling
/// thread: callers split work into blocks and spread the blocks over threads
/// themselves, so that every number is computed the same way however many
/// threads there are.
pub fn dots(a: &[f32], b: &[f32], dim: usize, out: &mut [f32]) {
    assert!(dim > 0, "dots: zero dimension");
    let (m, n) = (a.len() / dim, b.len() / dim);
    assert_eq!(a.len(), m * dim, "dots: a is not whole rows");
    assert_eq!(b.len(), n * dim, "dots: b is not whole rows");
    assert_eq!(out.len(), m * n, "dots: output is {} long, not {m} × {n}", out.len());
    if m == 0 || n == 0 {
        return;
    }
    // SAFETY: the asserts above give `out` m × n values and `a`, `b` whole
    // rows of `dim`; the strides below address exactly those elements:
    // out (i, j) at i·n + j, lhs (i, p) at i·dim + p, and rhs (p, j), which
    // is bᵀ, at j·dim + p. The three slices cannot overlap (`out` is `&mut`).
    #[allow(unsafe_code)]
    unsafe {
        gemm::gemm(
            m,
            n,
            dim,
            out.as_mut_ptr(),
            1,
            n as isize,
            false,
            a.as_ptr(),
            1,
            dim as isize,
            b.as_ptr(),
            dim as isize,
            1,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// Runs `f(block_index, block)` over consecutive blocks of `block_len` items
/// of `out`, on every core natively and in order on one thread in the
/// browser. Each block is written by exactly one call, so results do not
/// depend on the number of threads.
pub fn for_each_block<T: Send>(out: &mut [T], block_len: usize, f: impl Fn(usize, &mut [T]) + Sync + Send) {
    let block_len = block_len.max(1);
    #[cfg(not(target_family = "wasm"))]
    {
        use rayon::prelude::*;
        out.par_chunks_mut(block_len).enumerate().for_each(|(b, chunk)| f(b, chunk));
    }
    #[cfg(target_family = "wasm")]
    {
        out.chunks_mut(block_len).enumerate().for_each(|(b, chunk)| f(b, chunk));
    }
}

/// Maps every index in `0..n` to a value, in parallel natively, keeping order.
pub fn map_indices<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    par_map((0..n).collect(), f)
}

/// Maps owned work items to values, in parallel natively, keeping order.
pub fn par_map<I: Send, T: Send>(items: Vec<I>, f: impl Fn(I) -> T + Sync + Send) -> Vec<T> {
    #[cfg(not(target_family = "wasm"))]
    {
        use rayon::prelude::*;
        items.into_par_iter().map(f).collect()
    }
    #[cfg(target_family = "wasm")]
    {
        items.into_iter().map(f).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_match_the_naive_product() {
        let a: Vec<f32> = (0..3 * 5).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..4 * 5).map(|i| (i as f32 * 0.11).cos()).collect();
        let mut out = vec![0.0; 12];
        dots(&a, &b, 5, &mut out);
        for i in 0..3 {
            for j in 0..4 {
                let want = crate::vector::dot(&a[i * 5..i * 5 + 5], &b[j * 5..j * 5 + 5]);
                assert!((out[i * 4 + j] - want).abs() < 1e-5, "({i}, {j}): {} vs {want}", out[i * 4 + j]);
            }
        }
    }

    #[test]
    fn matrices_check_their_shape() {
        assert_eq!(Matrix::new(vec![1.0; 5], 2).unwrap_err(), MatrixError::NotWholeRows { len: 5, dim: 2 });
        assert_eq!(Matrix::new(vec![], 0).unwrap_err(), MatrixError::ZeroDim);
        assert_eq!(Matrix::from_rows(&[vec![1.0], vec![1.0, 2.0]]).unwrap_err(), MatrixError::Ragged(1, 2));
        let m = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]]).unwrap();
        assert_eq!((m.rows(), m.dim()), (2, 2));
        assert_eq!(m.gather(&[1, 0]).as_slice(), &[3.0, 4.0, 1.0, 2.0]);
        assert_eq!(Matrix::from_rows(&[]).unwrap().rows(), 0);
    }
}
