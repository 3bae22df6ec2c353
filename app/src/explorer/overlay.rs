//! What colours the points on the map: their top-level cluster or a facet.

use kleio_core::analysis::{Analysis, ConversationResult};
use kleio_core::analyst::FacetAnswer;
use kleio_core::api::facet_id;

use crate::palette::colour_rgb;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    TopCluster,
    Language,
    Concern,
    Turns,
}

impl Overlay {
    pub const ALL: [Overlay; 4] = [Overlay::TopCluster, Overlay::Language, Overlay::Concern, Overlay::Turns];

    pub fn label(self) -> &'static str {
        match self {
            Overlay::TopCluster => "top-level cluster",
            // The computed facets are shown by their own ids.
            Overlay::Language => facet_id::LANGUAGE,
            Overlay::Concern => "concern (1–5)",
            Overlay::Turns => facet_id::TURNS,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Overlay::TopCluster => "cluster",
            Overlay::Language => facet_id::LANGUAGE,
            Overlay::Concern => facet_id::CONCERN,
            Overlay::Turns => facet_id::TURNS,
        }
    }

    pub fn from_key(key: &str) -> Overlay {
        Overlay::ALL.into_iter().find(|o| o.key() == key).unwrap_or(Overlay::TopCluster)
    }
}

/// A conversation's concern score, when the concern facet was extracted.
pub fn concern(c: &ConversationResult) -> Option<u8> {
    match c.answers.get(facet_id::CONCERN) {
        Some(FacetAnswer::Scale(v)) => Some(*v),
        _ => None,
    }
}

/// Languages by how many conversations use them, most first.
pub fn languages_by_count(a: &Analysis) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for c in &a.conversations {
        *counts.entry(c.facets.language.as_deref().unwrap_or("unknown")).or_default() += 1;
    }
    let mut list: Vec<(&str, usize)> = counts.into_iter().collect();
    list.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
    list.into_iter().map(|(l, _)| l.to_string()).collect()
}

/// A light-to-dark red ramp for a value in 0..=1.
pub fn ramp(t: f64) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    [lerp(253.0, 165.0), lerp(212.0, 15.0), lerp(158.0, 21.0)]
}

/// For conversations without a value.
const GREY: [u8; 3] = [187, 187, 187];

/// The colour of one conversation under `overlay`; `root_rank` is its top-level cluster's rank.
pub fn point_colour(overlay: Overlay, c: &ConversationResult, root_rank: usize, languages: &[String]) -> [u8; 3] {
    match overlay {
        Overlay::TopCluster => colour_rgb(root_rank),
        Overlay::Language => {
            let language = c.facets.language.as_deref().unwrap_or("unknown");
            colour_rgb(languages.iter().position(|l| l == language).unwrap_or(0))
        }
        Overlay::Concern => concern(c).map(|v| ramp((f64::from(v) - 1.0) / 4.0)).unwrap_or(GREY),
        Overlay::Turns => ramp((c.facets.turns.max(1) as f64).log2() / 5.0),
    }
}
