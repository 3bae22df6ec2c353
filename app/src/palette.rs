//! Colours for clusters: distinct, colour-blind-aware (Okabe–Ito, then Tableau).

const COLOURS: [&str; 16] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#76B7B2", "#EDC948",
    "#B07AA1", "#9C755F",
];

pub fn colour(i: usize) -> &'static str {
    COLOURS[i % COLOURS.len()]
}

/// The same colour as red, green and blue, for drawing into pixels.
pub fn colour_rgb(i: usize) -> [u8; 3] {
    let hex = &colour(i)[1..];
    let channel = |k: usize| u8::from_str_radix(&hex[2 * k..2 * k + 2], 16).unwrap_or(0);
    [channel(0), channel(1), channel(2)]
}
