//! What the map's points are coloured by, and the legend that says so: the
//! top-level cluster; any dimension's value (categories by colour, numbers
//! and periods on a ramp); one value lit against the rest; each point by its
//! base cluster's share of one value; or each point by its base cluster's
//! growth over time. Colours themselves are the app's: this says which
//! paint each conversation gets and how many got each.

use std::collections::HashMap;

use serde::Serialize;

use crate::analysis::Analysis;
use crate::breakdown::{Baselines, Reading};
use crate::cluster_index::ClusterIndex;
use crate::cluster_stats::growth;
use crate::compare::Dimension;

/// Values of a dimension of categories with a colour of their own; the
/// rest share one.
pub const COLOURED_VALUES: usize = 9;
/// Bands of a legend of shares or growth.
const BANDS: usize = 5;

#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    TopCluster,
    /// Every conversation by its value.
    By(Dimension),
    /// The conversations with one value lit, the others faint.
    Equals(Dimension, String),
    /// Every conversation by its base cluster's share of one value.
    ClusterShare(Dimension, String),
    /// Every conversation by its base cluster's growth over time.
    Growth,
}

impl Overlay {
    /// For an address: `cluster`, `by:KEY`, `eq:KEY=VALUE`, `share:KEY=VALUE`,
    /// `growth`, with `KEY` a `Dimension::key` whose own `=` and `%` are
    /// escaped. The inverse of [`Overlay::from_key`].
    pub fn key(&self) -> String {
        let escaped = |d: &Dimension| d.key().replace('%', "%25").replace('=', "%3D");
        match self {
            Overlay::TopCluster => "cluster".into(),
            Overlay::By(d) => format!("by:{}", d.key()),
            Overlay::Equals(d, v) => format!("eq:{}={v}", escaped(d)),
            Overlay::ClusterShare(d, v) => format!("share:{}={v}", escaped(d)),
            Overlay::Growth => "growth".into(),
        }
    }

    pub fn from_key(key: &str) -> Option<Overlay> {
        let with_value = |rest: &str| -> Option<(Dimension, String)> {
            let (d, v) = rest.split_once('=')?;
            Some((Dimension::from_key(&d.replace("%3D", "=").replace("%25", "%"))?, v.to_string()))
        };
        match key {
            "cluster" => Some(Overlay::TopCluster),
            "growth" => Some(Overlay::Growth),
            _ => {
                if let Some(rest) = key.strip_prefix("by:") {
                    Dimension::from_key(rest).map(Overlay::By)
                } else if let Some(rest) = key.strip_prefix("eq:") {
                    with_value(rest).map(|(d, v)| Overlay::Equals(d, v))
                } else if let Some(rest) = key.strip_prefix("share:") {
                    with_value(rest).map(|(d, v)| Overlay::ClusterShare(d, v))
                } else {
                    None
                }
            }
        }
    }

    /// The dimension the overlay reads, if any.
    pub fn dimension(&self) -> Option<&Dimension> {
        match self {
            Overlay::By(d) | Overlay::Equals(d, _) | Overlay::ClusterShare(d, _) => Some(d),
            Overlay::TopCluster | Overlay::Growth => None,
        }
    }
}

/// How one conversation is painted.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "at", rename_all = "snake_case")]
pub enum Paint {
    /// The palette's colour of this rank.
    Palette(usize),
    /// On a light-to-dark ramp, 0 to 1.
    Ramp(f64),
    /// On a two-sided ramp, −1 (falling) to 1 (rising), 0 in between.
    Diverging(f64),
    /// The value looked for.
    Lit,
    /// Any other value, or the values with no colour of their own.
    Faint,
    /// No value.
    Missing,
}

/// One line of the legend.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Swatch {
    pub label: String,
    /// Conversations painted so.
    pub count: usize,
    pub paint: Paint,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Colouring {
    /// One per conversation of the analysis, in its order.
    pub paints: Vec<Paint>,
    pub legend: Vec<Swatch>,
    /// Why the overlay shows nothing, when it cannot (no times for growth, say).
    pub note: Option<String>,
}

/// The colouring of every conversation under `overlay`.
pub fn colouring(a: &Analysis, index: &ClusterIndex, baselines: &Baselines, overlay: &Overlay) -> Colouring {
    let n = a.conversations.len();
    let base_of = |k: usize| a.conversations[k].cluster.as_deref().and_then(|id| index.get(id));
    match overlay {
        Overlay::TopCluster => {
            let paints: Vec<Paint> = (0..n).map(|k| base_of(k).map_or(Paint::Missing, |b| Paint::Palette(index.root_rank(b)))).collect();
            let mut tops: Vec<usize> = (0..a.clusters.len()).filter(|&i| a.clusters[i].parent.is_none()).collect();
            tops.sort_by_key(|&i| index.root_rank(i));
            let legend = tops
                .into_iter()
                .map(|i| Swatch { label: a.clusters[i].name.clone(), count: index.members(i).len(), paint: Paint::Palette(index.root_rank(i)) })
                .collect();
            finish(paints, legend, None)
        }
        Overlay::By(d) => match baselines.reading(d) {
            Some(Reading::Categories) => {
                let values = baselines.values(d);
                let rank: HashMap<&str, usize> = values.iter().take(COLOURED_VALUES).enumerate().map(|(r, (v, _))| (v.as_str(), r)).collect();
                let paints = (0..n)
                    .map(|k| match d.category(&a.conversations[k]) {
                        Some(v) => rank.get(v.as_str()).map_or(Paint::Faint, |&r| Paint::Palette(r)),
                        None => Paint::Missing,
                    })
                    .collect();
                let mut legend: Vec<Swatch> = values
                    .iter()
                    .take(COLOURED_VALUES)
                    .enumerate()
                    .map(|(r, (v, _))| Swatch { label: v.clone(), count: 0, paint: Paint::Palette(r) })
                    .collect();
                if values.len() > COLOURED_VALUES {
                    legend.push(Swatch { label: format!("{} other values", values.len() - COLOURED_VALUES), count: 0, paint: Paint::Faint });
                }
                finish(paints, legend, None)
            }
            Some(Reading::Numbers) => {
                let bins = baselines.bins(d);
                let step = |i: usize| if bins.len() > 1 { i as f64 / (bins.len() - 1) as f64 } else { 1.0 };
                let paints =
                    (0..n).map(|k| d.number(&a.conversations[k]).and_then(|v| baselines.bin(d, v)).map_or(Paint::Missing, |i| Paint::Ramp(step(i)))).collect();
                let legend = bins.iter().enumerate().map(|(i, (label, _))| Swatch { label: label.clone(), count: 0, paint: Paint::Ramp(step(i)) }).collect();
                finish(paints, legend, None)
            }
            Some(Reading::Periods) => {
                let periods = baselines.periods(d);
                let position: HashMap<&str, usize> = periods.iter().enumerate().map(|(i, (p, _))| (p.as_str(), i)).collect();
                let step = |i: usize| if periods.len() > 1 { i as f64 / (periods.len() - 1) as f64 } else { 1.0 };
                let paints = (0..n)
                    .map(|k| d.period(&a.conversations[k]).and_then(|p| position.get(p.as_str()).copied()).map_or(Paint::Missing, |i| Paint::Ramp(step(i))))
                    .collect();
                let legend = periods.iter().enumerate().map(|(i, (p, _))| Swatch { label: p.clone(), count: 0, paint: Paint::Ramp(step(i)) }).collect();
                finish(paints, legend, None)
            }
            None => finish(vec![Paint::Missing; n], Vec::new(), Some(format!("no conversation has a value of {}", d.label()))),
        },
        Overlay::Equals(d, value) => {
            let paints = (0..n)
                .map(|k| match d.category(&a.conversations[k]) {
                    Some(v) if v == *value => Paint::Lit,
                    Some(_) => Paint::Faint,
                    None => Paint::Missing,
                })
                .collect();
            let legend = vec![
                Swatch { label: format!("{} = {value}", d.label()), count: 0, paint: Paint::Lit },
                Swatch { label: "another value".into(), count: 0, paint: Paint::Faint },
            ];
            finish(paints, legend, None)
        }
        Overlay::ClusterShare(d, value) => {
            // Each base cluster's share of the value among its conversations with any value.
            let share: Vec<Option<f64>> = (0..a.clusters.len())
                .map(|i| {
                    if a.clusters[i].level != 0 {
                        return None;
                    }
                    let values: Vec<String> = index.members(i).iter().filter_map(|&k| d.category(&a.conversations[k])).collect();
                    (!values.is_empty()).then(|| values.iter().filter(|v| *v == value).count() as f64 / values.len() as f64)
                })
                .collect();
            let top = share.iter().flatten().copied().fold(0.0, f64::max);
            if top == 0.0 {
                return finish(vec![Paint::Missing; n], Vec::new(), Some(format!("no conversation has {} = {value}", d.label())));
            }
            let band = |s: f64| ((s / top * BANDS as f64).ceil() as usize).clamp(1, BANDS);
            let paints = (0..n).map(|k| base_of(k).and_then(|b| share[b]).map_or(Paint::Missing, |s| Paint::Ramp(band(s) as f64 / BANDS as f64))).collect();
            let legend = (1..=BANDS)
                .map(|b| Swatch {
                    label: format!("{:.0}–{:.0} % with {value}", 100.0 * top * (b - 1) as f64 / BANDS as f64, 100.0 * top * b as f64 / BANDS as f64),
                    count: 0,
                    paint: Paint::Ramp(b as f64 / BANDS as f64),
                })
                .collect();
            finish(paints, legend, None)
        }
        Overlay::Growth => {
            let Some(time) = baselines.dimensions().find(|(_, r)| *r == Reading::Periods).map(|(d, _)| d.clone()) else {
                return finish(vec![Paint::Missing; n], Vec::new(), Some("the conversations have no times to measure growth by".into()));
            };
            let periods = baselines.periods(&time);
            if periods.len() < 2 {
                return finish(vec![Paint::Missing; n], Vec::new(), Some("the conversations span one month: there is no growth to show".into()));
            }
            let position: HashMap<&str, usize> = periods.iter().enumerate().map(|(i, (p, _))| (p.as_str(), i)).collect();
            let rate: Vec<Option<f64>> = (0..a.clusters.len())
                .map(|i| {
                    if a.clusters[i].level != 0 {
                        return None;
                    }
                    let mut counts = vec![0; periods.len()];
                    for p in index.members(i).iter().filter_map(|&k| time.period(&a.conversations[k])) {
                        if let Some(&t) = position.get(p.as_str()) {
                            counts[t] += 1;
                        }
                    }
                    let pairs: Vec<(usize, usize)> = counts.into_iter().zip(periods.iter().map(|p| p.1)).collect();
                    growth(&pairs)
                })
                .collect();
            // The ramp's ends at the largest growth either way, at most
            // doubling per month, so one extreme cluster does not wash out the rest.
            let extreme = rate.iter().flatten().map(|g| g.abs()).fold(0.0, f64::max).clamp(1e-9, 1.0);
            let band = |g: f64| ((g / extreme * 2.0).round().clamp(-2.0, 2.0)) / 2.0;
            let paints = (0..n).map(|k| base_of(k).and_then(|b| rate[b]).map_or(Paint::Missing, |g| Paint::Diverging(band(g)))).collect();
            let words = ["shrinking fast", "shrinking", "steady", "growing", "growing fast"];
            let legend = words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let at = (i as f64 - 2.0) / 2.0;
                    let bound = 100.0 * extreme * (at.abs() - 0.25).max(0.0);
                    let label = match i {
                        2 => format!("{w} (within ±{:.0} % a month)", 25.0 * extreme),
                        _ => format!("{w} ({}{bound:.0} % a month or more)", if at < 0.0 { "−" } else { "+" }),
                    };
                    Swatch { label, count: 0, paint: Paint::Diverging(at) }
                })
                .collect();
            finish(paints, legend, None)
        }
    }
}

/// The conversations `found` (indexes into the analysis's) lit and the rest
/// faint: what a search by meaning found, shown on the map in place of the
/// overlay.
pub fn lit(conversations: usize, found: &[usize], label: &str) -> Colouring {
    let mut paints = vec![Paint::Faint; conversations];
    for &k in found {
        if let Some(p) = paints.get_mut(k) {
            *p = Paint::Lit;
        }
    }
    let legend = vec![Swatch { label: label.into(), count: 0, paint: Paint::Lit }, Swatch { label: "the others".into(), count: 0, paint: Paint::Faint }];
    finish(paints, legend, None)
}

/// Counts the conversations of each swatch, and adds one for those with no
/// value when there are any.
fn finish(paints: Vec<Paint>, mut legend: Vec<Swatch>, note: Option<String>) -> Colouring {
    let key = |p: &Paint| format!("{p:?}");
    let mut counts: HashMap<String, usize> = HashMap::new();
    for p in &paints {
        *counts.entry(key(p)).or_default() += 1;
    }
    for swatch in &mut legend {
        swatch.count = counts.get(&key(&swatch.paint)).copied().unwrap_or(0);
    }
    let missing = counts.get(&key(&Paint::Missing)).copied().unwrap_or(0);
    if missing > 0 && note.is_none() {
        legend.push(Swatch { label: "no value".into(), count: missing, paint: Paint::Missing });
    }
    Colouring { paints, legend, note }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rows::{analyse, imported};

    /// 60 conversations: 20 on bread in months 1 to 3 (then none), 40 on
    /// Rust, most of them in month 3; the bread ones are `model = a`.
    fn analysis() -> Analysis {
        let mut rows = Vec::new();
        for i in 0..60 {
            let (text, month, model) = if i < 20 {
                ("What hydration should a sourdough bread dough have for an open crumb?", ["2024-01", "2024-02", "2024-03"][i % 3], "a")
            } else {
                ("Why does the Rust borrow checker reject two mutable references here?", if i < 25 { "2024-01" } else { "2024-03" }, "b")
            };
            rows.push(serde_json::json!({"id": format!("c{i}"), "created_at": format!("{month}-02"), "model": model, "messages": [{"role": "user", "content": text}]}));
        }
        analyse(imported(&rows), 5)
    }

    #[test]
    fn overlays_survive_their_keys() {
        for o in [
            Overlay::TopCluster,
            Overlay::Growth,
            Overlay::By(Dimension::Column("model".into())),
            Overlay::Equals(Dimension::Answer("language".into()), "Japanese".into()),
            Overlay::ClusterShare(Dimension::Column("a=b%3D".into()), "x=y".into()),
        ] {
            assert_eq!(Overlay::from_key(&o.key()), Some(o.clone()), "{}", o.key());
        }
        assert_eq!(Overlay::from_key("by:nothing"), None);
    }

    #[test]
    fn a_value_picked_lights_its_conversations_and_the_legend_counts_them() {
        let a = analysis();
        let (index, base) = (ClusterIndex::new(&a), Baselines::new(&a));
        let c = colouring(&a, &index, &base, &Overlay::Equals(Dimension::Column("model".into()), "a".into()));
        assert_eq!(c.paints.iter().filter(|p| **p == Paint::Lit).count(), 20);
        assert_eq!((c.legend[0].count, c.legend[1].count), (20, 40));

        let c = colouring(&a, &index, &base, &Overlay::By(Dimension::Column("model".into())));
        assert_eq!(c.legend.iter().map(|s| s.count).sum::<usize>(), 60);
        assert_eq!(c.legend[0].label, "b", "the most common value takes the first colour");

        let c = colouring(&a, &index, &base, &Overlay::ClusterShare(Dimension::Column("model".into()), "a".into()));
        let bread = c.paints[0];
        assert_eq!(bread, Paint::Ramp(1.0), "the bread cluster holds the most of model a");
        assert_eq!(c.legend.iter().map(|s| s.count).sum::<usize>(), 60);

        let c = colouring(&a, &index, &base, &Overlay::By(Dimension::Turns));
        assert!(c.paints.iter().all(|p| matches!(p, Paint::Ramp(_))));
    }

    #[test]
    fn growth_tells_the_rising_cluster_from_the_fading_one() {
        let a = analysis();
        let (index, base) = (ClusterIndex::new(&a), Baselines::new(&a));
        let c = colouring(&a, &index, &base, &Overlay::Growth);
        assert_eq!(c.note, None);
        let (Paint::Diverging(bread), Paint::Diverging(rust)) = (c.paints[0], c.paints[59]) else { panic!("{:?}", &c.paints[..2]) };
        assert!(bread < 0.0 && rust > 0.0, "bread {bread}, rust {rust}");
        assert_eq!(c.legend.len(), 5);
    }
}
