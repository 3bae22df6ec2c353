//! Fitting map positions into a canvas.

/// The affine map from layout coordinates to canvas pixels that fits every
/// point inside the canvas with a margin.
pub struct Fit {
    x0: f32,
    y0: f32,
    sx: f64,
    sy: f64,
    pad: f64,
}

impl Fit {
    /// `None` when there are no points.
    pub fn new(points: impl IntoIterator<Item = [f32; 2]>, width: f64, height: f64, pad: f64) -> Option<Fit> {
        let (mut x0, mut x1, mut y0, mut y1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        let mut any = false;
        for p in points {
            any = true;
            x0 = x0.min(p[0]);
            x1 = x1.max(p[0]);
            y0 = y0.min(p[1]);
            y1 = y1.max(p[1]);
        }
        any.then(|| Fit { x0, y0, sx: (width - 2.0 * pad) / ((x1 - x0).max(1e-6) as f64), sy: (height - 2.0 * pad) / ((y1 - y0).max(1e-6) as f64), pad })
    }

    pub fn to_canvas(&self, p: [f32; 2]) -> (f64, f64) {
        (self.pad + (p[0] - self.x0) as f64 * self.sx, self.pad + (p[1] - self.y0) as f64 * self.sy)
    }
}
