//! Three products of an m × k by k × n matrix, each with the blocking of
//! `embed/src/matmul.rs` (tiles of 4 rows × 8 columns, the right-hand side
//! packed into panels of 8 columns, 8 vector accumulators), differing only
//! in the arithmetic:
//! - `f32_product`: f32, multiply and add, fused under relaxed SIMD (what Kleio runs);
//! - `i16_product`: 16-bit integers, `i32x4.dot_i16x8_s` (plain SIMD, 2 depths an instruction);
//! - `i8_product`: 8-bit integers, `i32x4.relaxed_dot_i8x16_i7x16_add_s`
//!   (relaxed SIMD, 4 depths an instruction, accumulating; the right-hand
//!   side in 0..=127, where every engine gives the same result).
//!
//! The values are arbitrary: only the time is read. `bench/wasm_kernels.mjs`
//! calls `setup`, then each product a few times.
#![allow(unsafe_code)]

use core::arch::wasm32::*;

pub struct Buffers {
    m: usize,
    k: usize,
    n: usize,
    a_f32: Vec<f32>,
    b_f32: Vec<f32>,
    a_i16: Vec<i16>,
    b_i16: Vec<i16>,
    // Read by `i8_product` only, which exists in the relaxed build.
    #[cfg_attr(not(target_feature = "relaxed-simd"), allow(dead_code))]
    a_i8: Vec<i8>,
    #[cfg_attr(not(target_feature = "relaxed-simd"), allow(dead_code))]
    b_i8: Vec<i8>,
    out_f32: Vec<f32>,
    out_i32: Vec<i32>,
}

/// Buffers for an m × k by k × n product (m a multiple of 4, k of 4, n of 8).
#[no_mangle]
pub extern "C" fn setup(m: usize, k: usize, n: usize) -> *mut Buffers {
    let a = |i: usize| (i % 7) as i8;
    let b = |i: usize| (i % 5) as i8;
    Box::into_raw(Box::new(Buffers {
        m,
        k,
        n,
        a_f32: (0..m * k).map(|i| a(i) as f32 * 0.1).collect(),
        b_f32: (0..k * n).map(|i| b(i) as f32 * 0.1).collect(),
        a_i16: (0..m * k).map(|i| a(i) as i16).collect(),
        b_i16: (0..k * n).map(|i| b(i) as i16).collect(),
        a_i8: (0..m * k).map(a).collect(),
        b_i8: (0..k * n).map(b).collect(),
        out_f32: vec![0.0; m * n],
        out_i32: vec![0; m * n],
    }))
}

/// Panels: 8 columns × k depths, 8 values a depth.
#[no_mangle]
pub extern "C" fn f32_product(buffers: *mut Buffers) {
    // SAFETY: the pointer came from `setup` and is used by one call at a time.
    let bf = unsafe { &mut *buffers };
    let (m, k, n) = (bf.m, bf.k, bf.n);
    for panel in 0..n / 8 {
        let right = &bf.b_f32[panel * 8 * k..][..8 * k];
        for row in (0..m).step_by(4) {
            let mut sums = [[f32x4_splat(0.0); 2]; 4];
            for p in 0..k {
                // SAFETY: p < k keeps every load inside the panel and the rows; wasm loads need no alignment.
                unsafe {
                    let low = v128_load(right.as_ptr().add(p * 8).cast());
                    let high = v128_load(right.as_ptr().add(p * 8 + 4).cast());
                    for (r, sum) in sums.iter_mut().enumerate() {
                        let left = v128_load32_splat(bf.a_f32.as_ptr().add((row + r) * k + p).cast());
                        sum[0] = multiply_add(left, low, sum[0]);
                        sum[1] = multiply_add(left, high, sum[1]);
                    }
                }
            }
            store(&mut bf.out_f32, row, n, panel, &sums);
        }
    }
}

#[cfg(target_feature = "relaxed-simd")]
#[inline(always)]
fn multiply_add(a: v128, b: v128, c: v128) -> v128 {
    f32x4_relaxed_madd(a, b, c)
}

#[cfg(not(target_feature = "relaxed-simd"))]
#[inline(always)]
fn multiply_add(a: v128, b: v128, c: v128) -> v128 {
    f32x4_add(f32x4_mul(a, b), c)
}

/// Panels: 8 columns × k depths, each pair of depths interleaved column by
/// column (16 values, two vectors, a pair); a row's pair is one 32-bit splat.
#[no_mangle]
pub extern "C" fn i16_product(buffers: *mut Buffers) {
    // SAFETY: as in `f32_product`.
    let bf = unsafe { &mut *buffers };
    let (m, k, n) = (bf.m, bf.k, bf.n);
    for panel in 0..n / 8 {
        let right = &bf.b_i16[panel * 8 * k..][..8 * k];
        for row in (0..m).step_by(4) {
            let mut sums = [[i32x4_splat(0); 2]; 4];
            for pair in 0..k / 2 {
                // SAFETY: pair < k / 2 keeps every load inside the panel and the rows.
                unsafe {
                    let low = v128_load(right.as_ptr().add(pair * 16).cast());
                    let high = v128_load(right.as_ptr().add(pair * 16 + 8).cast());
                    for (r, sum) in sums.iter_mut().enumerate() {
                        let left = v128_load32_splat(bf.a_i16.as_ptr().add((row + r) * k + 2 * pair).cast());
                        sum[0] = i32x4_add(sum[0], i32x4_dot_i16x8(left, low));
                        sum[1] = i32x4_add(sum[1], i32x4_dot_i16x8(left, high));
                    }
                }
            }
            store(&mut bf.out_i32, row, n, panel, &sums);
        }
    }
}

/// Panels: 8 columns × k depths, each four depths interleaved column by
/// column (32 values, two vectors); a row's four values are one 32-bit splat.
#[cfg(target_feature = "relaxed-simd")]
#[no_mangle]
pub extern "C" fn i8_product(buffers: *mut Buffers) {
    // SAFETY: as in `f32_product`.
    let bf = unsafe { &mut *buffers };
    let (m, k, n) = (bf.m, bf.k, bf.n);
    for panel in 0..n / 8 {
        let right = &bf.b_i8[panel * 8 * k..][..8 * k];
        for row in (0..m).step_by(4) {
            let mut sums = [[i32x4_splat(0); 2]; 4];
            for quad in 0..k / 4 {
                // SAFETY: quad < k / 4 keeps every load inside the panel and the rows.
                unsafe {
                    let low = v128_load(right.as_ptr().add(quad * 32).cast());
                    let high = v128_load(right.as_ptr().add(quad * 32 + 16).cast());
                    for (r, sum) in sums.iter_mut().enumerate() {
                        let left = v128_load32_splat(bf.a_i8.as_ptr().add((row + r) * k + 4 * quad).cast());
                        sum[0] = i32x4_relaxed_dot_i8x16_i7x16_add(left, low, sum[0]);
                        sum[1] = i32x4_relaxed_dot_i8x16_i7x16_add(left, high, sum[1]);
                    }
                }
            }
            store(&mut bf.out_i32, row, n, panel, &sums);
        }
    }
}

fn store<T>(out: &mut [T], row: usize, n: usize, panel: usize, sums: &[[v128; 2]; 4]) {
    for (r, sum) in sums.iter().enumerate() {
        let target = &mut out[(row + r) * n + panel * 8..][..8];
        // SAFETY: `target` holds 8 values of 4 bytes, the two vectors' 32 bytes.
        unsafe {
            v128_store(target.as_mut_ptr().cast(), sum[0]);
            v128_store(target.as_mut_ptr().add(4).cast(), sum[1]);
        }
    }
}
