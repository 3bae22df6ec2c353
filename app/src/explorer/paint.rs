//! The colours of core's paints (`kleio_core::colouring::Paint`): the
//! palette for categories, a light-to-dark red ramp for numbers and
//! periods, blue to red for growth, and greys for the rest.

use kleio_core::colouring::Paint;

use crate::palette::colour_rgb;

/// For conversations with another value, or a value without a colour of its own.
const FAINT: [u8; 3] = [205, 205, 205];
/// For conversations without a value.
const MISSING: [u8; 3] = [232, 232, 232];
/// The value looked for.
const LIT: [u8; 3] = [213, 94, 0];

pub fn paint_rgb(p: Paint) -> [u8; 3] {
    let lerp = |a: [f64; 3], b: [f64; 3], t: f64| -> [u8; 3] {
        let t = t.clamp(0.0, 1.0);
        [0, 1, 2].map(|i| (a[i] + (b[i] - a[i]) * t).round() as u8)
    };
    match p {
        Paint::Palette(rank) => colour_rgb(rank),
        Paint::Ramp(t) => lerp([253.0, 212.0, 158.0], [165.0, 15.0, 21.0], t),
        // Blue for falling, a neutral grey for steady, red for rising.
        Paint::Diverging(t) if t < 0.0 => lerp([170.0, 170.0, 170.0], [33.0, 102.0, 172.0], -t),
        Paint::Diverging(t) => lerp([170.0, 170.0, 170.0], [178.0, 24.0, 43.0], t),
        Paint::Lit => LIT,
        Paint::Faint => FAINT,
        Paint::Missing => MISSING,
    }
}

/// The same colour for a style attribute.
pub fn paint_css(p: Paint) -> String {
    let [r, g, b] = paint_rgb(p);
    format!("rgb({r}, {g}, {b})")
}
