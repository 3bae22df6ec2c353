//! Small dense-vector helpers shared by clustering, naming and layout.

pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Scales to unit length; the zero vector stays zero.
pub fn normalize(v: &mut [f32]) {
    let norm = dot(v, v).sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let na = dot(a, a).sqrt();
    let nb = dot(b, b).sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot(a, b) / (na * nb)
    }
}

/// The unit-length mean of some rows.
pub fn centroid<'a>(rows: impl IntoIterator<Item = &'a [f32]>, dim: usize) -> Vec<f32> {
    let mut sum = vec![0.0f32; dim];
    for r in rows {
        sum.iter_mut().zip(r).for_each(|(s, x)| *s += x);
    }
    normalize(&mut sum);
    sum
}

/// Index of the row most similar to `query`, ties to the lowest index.
pub fn nearest(query: &[f32], rows: &[Vec<f32>]) -> Option<usize> {
    first_max(rows.iter().map(|r| dot(query, r)))
}

/// Index of the largest score, ties to the lowest index; `None` when there are none.
pub fn first_max(scores: impl IntoIterator<Item = f32>) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for (i, s) in scores.into_iter().enumerate() {
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((i, s));
        }
    }
    best.map(|(i, _)| i)
}
