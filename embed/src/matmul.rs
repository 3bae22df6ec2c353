//! The matrix product the encoder runs on in WebAssembly.
//!
//! burn's CPU backend hands its products to the gemm crate, whose wasm
//! kernel keeps 24 vectors of partial sums: more than the 16 registers a
//! browser's compiler has on x86-64, so they spill, and it multiplies and adds
//! in two instructions. This kernel keeps a tile of 4 rows × 8 columns (8
//! vectors, plus 2 of the right-hand side and 1 broadcast value), and where
//! the module is built with relaxed SIMD (`relaxed-simd` feature, chosen by
//! the page at load time) it uses the fused multiply-add. Measured in
//! Chromium's engine on 1,920 × 384 × 1,536 products: the gemm crate 33
//! GFLOP/s, this kernel 44 with plain SIMD and 53 with the fused one
//! (BENCHMARKS.md, "In the browser").
//!
//! Elsewhere (native builds, where burn's kernels are used, and this crate's
//! tests) the same blocking runs on a portable kernel.

/// Rows and columns of the tile one kernel call computes.
const TILE_ROWS: usize = 4;
const TILE_COLS: usize = 8;
/// Depth of one block of the product: a panel of the right-hand side (8
/// columns × 256 rows, 8 KiB) stays in the first-level cache while every row
/// of the left-hand side passes over it.
const DEPTH: usize = 256;

/// A matrix in a slice: element (i, j) at `data[start + i·row_step + j·col_step]`.
#[derive(Clone, Copy, Debug)]
pub struct Strided<'a> {
    pub data: &'a [f32],
    pub start: usize,
    pub row_step: usize,
    pub col_step: usize,
}

impl<'a> Strided<'a> {
    /// A row-major matrix whose rows are `row_step` apart.
    pub fn rows(data: &'a [f32], start: usize, row_step: usize) -> Self {
        Strided { data, start, row_step, col_step: 1 }
    }
    /// The transpose of a row-major matrix whose rows are `row_step` apart.
    pub fn columns(data: &'a [f32], start: usize, row_step: usize) -> Self {
        Strided { data, start, row_step: 1, col_step: row_step }
    }
    fn at(&self, i: usize, j: usize) -> f32 {
        self.data[self.start + i * self.row_step + j * self.col_step]
    }
}

/// The output: row-major, rows `row_step` apart, starting at `start`.
pub struct Output<'a> {
    pub data: &'a mut [f32],
    pub start: usize,
    pub row_step: usize,
}

/// `out = a · b` for `a` of `m × depth` (rows contiguous: `col_step` 1) and
/// `b` of `depth × n` (any layout), overwriting `out`'s `m × n` values.
///
/// Panics when a view reaches outside its slice: callers build the views
/// from the shapes they allocate, so that is a bug, not bad input.
pub fn product(m: usize, depth: usize, n: usize, a: Strided, b: Strided, out: Output) {
    assert_eq!(a.col_step, 1, "the left operand's rows must be contiguous");
    if m == 0 || n == 0 {
        return;
    }
    let Output { data: out, start: out_start, row_step: out_row } = out;
    assert!(out_start + (m - 1) * out_row + n <= out.len(), "the output view reaches past its slice");
    if depth == 0 {
        (0..m).for_each(|i| out[out_start + i * out_row..][..n].fill(0.0));
        return;
    }
    assert!(a.start + (m - 1) * a.row_step + depth <= a.data.len(), "the left operand reaches past its slice");
    let panels = n.div_ceil(TILE_COLS);
    let mut packed = vec![0f32; panels * DEPTH.min(depth) * TILE_COLS];
    for block_start in (0..depth).step_by(DEPTH) {
        let block = DEPTH.min(depth - block_start);
        pack_panels(&b, block_start, block, n, &mut packed);
        for row in (0..m).step_by(TILE_ROWS) {
            let rows = TILE_ROWS.min(m - row);
            let a_start = a.start + row * a.row_step + block_start;
            for panel in 0..panels {
                let panel_values = &packed[panel * block * TILE_COLS..][..block * TILE_COLS];
                let tile = match rows {
                    4 => widen(kernel::tile::<4>(a.data, a_start, a.row_step, panel_values, block)),
                    3 => widen(kernel::tile::<3>(a.data, a_start, a.row_step, panel_values, block)),
                    2 => widen(kernel::tile::<2>(a.data, a_start, a.row_step, panel_values, block)),
                    _ => widen(kernel::tile::<1>(a.data, a_start, a.row_step, panel_values, block)),
                };
                let col = panel * TILE_COLS;
                let cols = TILE_COLS.min(n - col);
                for (r, tile_row) in tile.iter().take(rows).enumerate() {
                    let target = &mut out[out_start + (row + r) * out_row + col..][..cols];
                    if block_start == 0 {
                        target.copy_from_slice(&tile_row[..cols]);
                    } else {
                        target.iter_mut().zip(tile_row).for_each(|(t, v)| *t += v);
                    }
                }
            }
        }
    }
}

/// Copies rows `block_start..block_start + block` of `b` into panels of 8
/// columns, each panel's values in the order the kernel reads them (row by
/// row, 8 at a time), the last panel padded with zeros.
fn pack_panels(b: &Strided, block_start: usize, block: usize, n: usize, packed: &mut [f32]) {
    for (panel, values) in packed.chunks_exact_mut(block * TILE_COLS).take(n.div_ceil(TILE_COLS)).enumerate() {
        let col = panel * TILE_COLS;
        let cols = TILE_COLS.min(n - col);
        for (p, row) in values.chunks_exact_mut(TILE_COLS).enumerate() {
            for (q, v) in row.iter_mut().enumerate() {
                *v = if q < cols { b.at(block_start + p, col + q) } else { 0.0 };
            }
        }
    }
}

fn widen<const R: usize>(tile: [[f32; TILE_COLS]; R]) -> [[f32; TILE_COLS]; TILE_ROWS] {
    let mut wide = [[0.0; TILE_COLS]; TILE_ROWS];
    wide[..R].copy_from_slice(&tile);
    wide
}

/// Depths one step of the integer kernel takes: relaxed SIMD's 8-bit dot
/// product sums four products into each 32-bit lane.
const QUAD: usize = 4;
/// The weights' zero point: quantised to -63..=63 and stored shifted by 64,
/// so every stored value is in 0..=127, the range in which relaxed SIMD's
/// 8-bit dot product gives the same result on every engine (and cannot
/// saturate where the engine sums pairs in 16 bits).
const ZERO_POINT: i32 = 64;

/// A dense layer's weights (`depth × n`, row-major) for the integer
/// product: 7 bits per value with one scale per column, packed in panels of
/// 8 columns whose values come four depths at a time per column, the depth
/// padded to a multiple of four with the zero point.
pub struct QuantizedPanels {
    values: Vec<i8>,
    scales: Vec<f32>,
    depth: usize,
    n: usize,
}

impl QuantizedPanels {
    pub fn new(weight: &[f32], depth: usize, n: usize) -> Self {
        assert_eq!(weight.len(), depth * n, "the weights are not depth × n");
        let scales: Vec<f32> = (0..n)
            .map(|j| {
                let largest = (0..depth).map(|p| weight[p * n + j].abs()).fold(0.0f32, f32::max);
                if largest > 0.0 {
                    largest / 63.0
                } else {
                    1.0
                }
            })
            .collect();
        let quads = depth.div_ceil(QUAD);
        let panels = n.div_ceil(TILE_COLS);
        let mut values = vec![ZERO_POINT as i8; panels * quads * TILE_COLS * QUAD];
        for (panel, panel_values) in values.chunks_exact_mut(quads * TILE_COLS * QUAD).enumerate() {
            for (quad, quad_values) in panel_values.chunks_exact_mut(TILE_COLS * QUAD).enumerate() {
                for (c, column_values) in quad_values.chunks_exact_mut(QUAD).enumerate() {
                    let j = panel * TILE_COLS + c;
                    for (t, v) in column_values.iter_mut().enumerate() {
                        let p = quad * QUAD + t;
                        if j < n && p < depth {
                            *v = ((weight[p * n + j] / scales[j]).round().clamp(-63.0, 63.0) as i32 + ZERO_POINT) as i8;
                        }
                    }
                }
            }
        }
        QuantizedPanels { values, scales, depth, n }
    }
}

/// `out = a · b` in integers: each row of `a` (`m × depth`, contiguous) is
/// quantised to 8 bits with its own scale, multiplied by `b`'s 7-bit
/// values, and the 32-bit sums scaled back, overwriting `out` (`m × n`).
/// As onnxruntime's dynamic quantisation computes, close to the f32 product
/// (a relative error of about 1 % on a value), not equal to it.
pub fn quantized_product(m: usize, a: &[f32], b: &QuantizedPanels, out: &mut [f32]) {
    let (depth, n) = (b.depth, b.n);
    assert!(a.len() >= m * depth && out.len() >= m * n, "the operands do not fit their shapes");
    let quads = depth.div_ceil(QUAD);
    let padded = quads * QUAD;
    let mut rows = vec![0i8; m * padded];
    let mut row_scales = vec![0f32; m];
    let mut row_sums = vec![0i32; m];
    for i in 0..m {
        let row = &a[i * depth..][..depth];
        let largest = row.iter().fold(0.0f32, |l, v| l.max(v.abs()));
        let scale = if largest > 0.0 { largest / 127.0 } else { 1.0 };
        let target = &mut rows[i * padded..][..depth];
        for (q, v) in target.iter_mut().zip(row) {
            *q = (v / scale).round().clamp(-127.0, 127.0) as i8;
        }
        row_scales[i] = scale;
        row_sums[i] = target.iter().map(|&q| q as i32).sum();
    }
    let panel_len = quads * TILE_COLS * QUAD;
    for row in (0..m).step_by(TILE_ROWS) {
        let count = TILE_ROWS.min(m - row);
        for (panel, panel_values) in b.values.chunks_exact(panel_len).enumerate() {
            let sums = integer_kernel::tile(&rows, row * padded, padded, count, panel_values, quads);
            let col = panel * TILE_COLS;
            for (r, tile_row) in sums.iter().take(count).enumerate() {
                let i = row + r;
                let shift = ZERO_POINT * row_sums[i];
                for (c, &sum) in tile_row.iter().take(TILE_COLS.min(n - col)).enumerate() {
                    out[i * n + col + c] = (sum - shift) as f32 * row_scales[i] * b.scales[col + c];
                }
            }
        }
    }
}

/// The integer tile with relaxed SIMD's 8-bit dot product.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128", feature = "relaxed-simd"))]
mod integer_kernel {
    use super::{QUAD, TILE_COLS, TILE_ROWS};
    use core::arch::wasm32::*;

    /// Sums of rows `start + r·row_step` (`r < count`) of `rows` times the panel, `quads` steps deep.
    #[allow(unsafe_code)]
    pub fn tile(rows: &[i8], start: usize, row_step: usize, count: usize, panel: &[i8], quads: usize) -> [[i32; TILE_COLS]; TILE_ROWS] {
        assert!(count > 0 && count <= TILE_ROWS && start + (count - 1) * row_step + quads * QUAD <= rows.len() && panel.len() >= quads * TILE_COLS * QUAD);
        // Rows past `count` repeat the last one rather than read past the
        // slice; their sums are not used.
        let row_starts: [usize; TILE_ROWS] = core::array::from_fn(|r| start + r.min(count - 1) * row_step);
        // SAFETY: the assertion keeps every row's `quads · 4` values and the
        // panel's `quads · 32` inside their slices. The module is built with
        // relaxed SIMD only for browsers that validated it.
        let sums = unsafe { sums(rows.as_ptr(), row_starts, panel.as_ptr(), quads) };
        let mut out = [[0; TILE_COLS]; TILE_ROWS];
        for (row, sum) in out.iter_mut().zip(sums) {
            for (half, lanes) in row.chunks_exact_mut(4).zip(sum) {
                half.copy_from_slice(&[
                    i32x4_extract_lane::<0>(lanes),
                    i32x4_extract_lane::<1>(lanes),
                    i32x4_extract_lane::<2>(lanes),
                    i32x4_extract_lane::<3>(lanes),
                ]);
            }
        }
        out
    }

    #[allow(unsafe_code)]
    #[inline(never)]
    #[target_feature(enable = "relaxed-simd")]
    unsafe fn sums(rows: *const i8, row_starts: [usize; TILE_ROWS], panel: *const i8, quads: usize) -> [[v128; 2]; TILE_ROWS] {
        let mut sums = [[i32x4_splat(0); 2]; TILE_ROWS];
        for quad in 0..quads {
            // SAFETY: within the ranges `tile` checked; wasm loads need no alignment.
            unsafe {
                let right = panel.add(quad * TILE_COLS * QUAD);
                let low = v128_load(right.cast::<v128>());
                let high = v128_load(right.add(16).cast::<v128>());
                for (sum, &row_start) in sums.iter_mut().zip(&row_starts) {
                    let left = v128_load32_splat(rows.add(row_start + quad * QUAD).cast::<u32>());
                    sum[0] = i32x4_relaxed_dot_i8x16_i7x16_add(left, low, sum[0]);
                    sum[1] = i32x4_relaxed_dot_i8x16_i7x16_add(left, high, sum[1]);
                }
            }
        }
        sums
    }
}

/// The same tile in portable code, for native builds and tests (and the
/// plain SIMD build, which does not offer the integer product).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128", feature = "relaxed-simd")))]
mod integer_kernel {
    use super::{QUAD, TILE_COLS, TILE_ROWS};

    pub fn tile(rows: &[i8], start: usize, row_step: usize, count: usize, panel: &[i8], quads: usize) -> [[i32; TILE_COLS]; TILE_ROWS] {
        let mut out = [[0; TILE_COLS]; TILE_ROWS];
        for (r, row_sums) in out.iter_mut().enumerate().take(count) {
            let row = &rows[start + r * row_step..][..quads * QUAD];
            for (quad, quad_values) in panel.chunks_exact(TILE_COLS * QUAD).take(quads).enumerate() {
                for (sum, column) in row_sums.iter_mut().zip(quad_values.chunks_exact(QUAD)) {
                    *sum += (0..QUAD).map(|t| row[quad * QUAD + t] as i32 * column[t] as i32).sum::<i32>();
                }
            }
        }
        out
    }
}

/// Whether this build runs the integer product on a fast kernel (relaxed
/// SIMD's dot product); elsewhere it is the portable one, slower than f32.
pub const FAST_INTEGER_PRODUCT: bool = cfg!(all(target_arch = "wasm32", target_feature = "simd128", feature = "relaxed-simd"));

/// The kernel with WebAssembly's 128-bit vectors.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod kernel {
    use super::TILE_COLS;
    use core::arch::wasm32::*;

    /// One tile: rows `a_start + r·a_row .. + depth` of `a` times the packed panel.
    #[allow(unsafe_code)]
    pub fn tile<const R: usize>(a: &[f32], a_start: usize, a_row: usize, panel: &[f32], depth: usize) -> [[f32; TILE_COLS]; R] {
        assert!(R > 0 && a_start + (R - 1) * a_row + depth <= a.len() && panel.len() >= depth * TILE_COLS);
        // SAFETY: the assertion above keeps every read of `sums` inside `a`
        // (rows a_start + r·a_row, r < R, columns below depth) and `panel`
        // (depth rows of TILE_COLS values). A module built with relaxed SIMD
        // is only instantiated where the browser validated it, which is where
        // its instructions exist.
        let sums = unsafe { sums::<R>(a.as_ptr().add(a_start), a_row, panel.as_ptr(), depth) };
        let mut tile = [[0.0; TILE_COLS]; R];
        for (row, sum) in tile.iter_mut().zip(sums) {
            for (half, lanes) in row.chunks_exact_mut(4).zip(sum) {
                half.copy_from_slice(&[
                    f32x4_extract_lane::<0>(lanes),
                    f32x4_extract_lane::<1>(lanes),
                    f32x4_extract_lane::<2>(lanes),
                    f32x4_extract_lane::<3>(lanes),
                ]);
            }
        }
        tile
    }

    /// The loop itself, on raw pointers so that no bounds check sits inside it.
    #[allow(unsafe_code)]
    #[inline(never)]
    #[cfg_attr(feature = "relaxed-simd", target_feature(enable = "relaxed-simd"))]
    unsafe fn sums<const R: usize>(a: *const f32, a_row: usize, panel: *const f32, depth: usize) -> [[v128; 2]; R] {
        let mut sums = [[f32x4_splat(0.0); 2]; R];
        for p in 0..depth {
            // SAFETY: within the ranges `tile` checked; wasm loads need no alignment.
            unsafe {
                let right = panel.add(p * TILE_COLS);
                let low = v128_load(right.cast::<v128>());
                let high = v128_load(right.add(4).cast::<v128>());
                for (r, sum) in sums.iter_mut().enumerate() {
                    let left = v128_load32_splat(a.add(r * a_row + p).cast::<u32>());
                    sum[0] = multiply_add(left, low, sum[0]);
                    sum[1] = multiply_add(left, high, sum[1]);
                }
            }
        }
        sums
    }

    /// a·b + c, fused (one rounding) where the module has relaxed SIMD.
    #[cfg(feature = "relaxed-simd")]
    #[inline]
    #[target_feature(enable = "relaxed-simd")]
    fn multiply_add(a: v128, b: v128, c: v128) -> v128 {
        f32x4_relaxed_madd(a, b, c)
    }

    #[cfg(not(feature = "relaxed-simd"))]
    #[inline(always)]
    fn multiply_add(a: v128, b: v128, c: v128) -> v128 {
        f32x4_add(f32x4_mul(a, b), c)
    }
}

/// The same tile in portable code, for native builds and tests.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod kernel {
    use super::TILE_COLS;

    pub fn tile<const R: usize>(a: &[f32], a_start: usize, a_row: usize, panel: &[f32], depth: usize) -> [[f32; TILE_COLS]; R] {
        let mut tile = [[0.0; TILE_COLS]; R];
        for (p, right) in panel.chunks_exact(TILE_COLS).take(depth).enumerate() {
            for (r, row) in tile.iter_mut().enumerate() {
                let left = a[a_start + r * a_row + p];
                row.iter_mut().zip(right).for_each(|(sum, b)| *sum += left * b);
            }
        }
        tile
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(m: usize, depth: usize, n: usize, a: &Strided, b: &Strided) -> Vec<f64> {
        let mut out = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                out[i * n + j] = (0..depth).map(|p| a.at(i, p) as f64 * b.at(p, j) as f64).sum();
            }
        }
        out
    }

    fn values(count: usize, seed: usize) -> Vec<f32> {
        (0..count).map(|i| (((i * 7919 + seed * 104_729) % 2003) as f32 / 1001.5) - 1.0).collect()
    }

    /// Shapes around every edge: partial tiles of rows and columns, depths
    /// across a block boundary, one-column and one-row products.
    #[test]
    fn products_match_a_naive_product_on_every_edge() {
        for &(m, depth, n) in &[(1, 1, 1), (4, 8, 8), (5, 3, 9), (7, 257, 13), (13, 600, 31), (3, 512, 8), (9, 300, 1), (1, 40, 17)] {
            let a_values = values(m * depth, 1);
            let b_values = values(depth * n, 2);
            let a = Strided::rows(&a_values, 0, depth);
            let b = Strided::rows(&b_values, 0, n);
            let mut out = vec![f32::NAN; m * n];
            product(m, depth, n, a, b, Output { data: &mut out, start: 0, row_step: n });
            for (got, want) in out.iter().zip(naive(m, depth, n, &a, &b)) {
                assert!((*got as f64 - want).abs() < 1e-4 * (1.0 + want.abs()), "{m}×{depth}×{n}: {got} against {want}");
            }
        }
    }

    /// The attention's uses: a transposed right operand read out of a wider
    /// matrix, and an output written into columns of a wider one.
    #[test]
    fn strided_operands_and_outputs_are_read_and_written_in_place() {
        let (m, depth, n, width) = (6, 5, 7, 20);
        let wide = values(20 * width, 3);
        let a = Strided::rows(&wide, 2, width);
        let b = Strided::columns(&wide, 9, width);
        let mut out = vec![-7.0f32; 10 * width];
        product(m, depth, n, a, b, Output { data: &mut out, start: 3, row_step: width });
        let want = naive(m, depth, n, &a, &b);
        for i in 0..10 {
            for j in 0..width {
                let got = out[i * width + j];
                if i < m && (3..3 + n).contains(&j) {
                    let w = want[i * n + j - 3];
                    assert!((got as f64 - w).abs() < 1e-4, "({i}, {j}): {got} against {w}");
                } else {
                    assert_eq!(got, -7.0, "({i}, {j}) is outside the output and must stay");
                }
            }
        }
    }

    /// The integer product stays within the quantisation's noise of the f32
    /// one on shapes around every edge: 7-bit weights are steps of 1.6 % of
    /// a column's largest, about 1.6 % of a typical output (one standard
    /// deviation) on these values, so 10 % is six of them, where a packing
    /// mistake would be off by the whole value.
    #[test]
    fn the_quantized_product_is_close_to_the_f32_product() {
        for &(m, depth, n) in &[(1, 1, 1), (5, 3, 9), (7, 257, 13), (13, 384, 31), (9, 30, 8)] {
            let a_values = values(m * depth, 4);
            let b_values = values(depth * n, 5);
            let exact = naive(m, depth, n, &Strided::rows(&a_values, 0, depth), &Strided::rows(&b_values, 0, n));
            let mut out = vec![f32::NAN; m * n];
            quantized_product(m, &a_values, &QuantizedPanels::new(&b_values, depth, n), &mut out);
            let typical = (exact.iter().map(|v| v * v).sum::<f64>() / exact.len() as f64).sqrt().max(1e-6);
            for (got, want) in out.iter().zip(&exact) {
                assert!((*got as f64 - want).abs() < 0.1 * typical + 1e-6, "{m}×{depth}×{n}: {got} against {want} (typical {typical})");
            }
        }
    }

    #[test]
    fn an_empty_depth_gives_zeros() {
        let mut out = vec![1.0f32; 6];
        product(2, 0, 3, Strided::rows(&[], 0, 0), Strided::rows(&[], 0, 3), Output { data: &mut out, start: 0, row_step: 3 });
        assert_eq!(out, vec![0.0; 6]);
    }
}
