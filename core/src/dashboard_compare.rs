//! The paper's comparisons (Figures 7 and 8) from a published dashboard's
//! aggregates alone, for a reader who has no conversation: which clusters
//! hold a breakdown value far more, or far less, often than the dashboard's
//! clusters together, and where clusters sit on the means of two numeric
//! breakdowns. Shares carry Wilson intervals, and clusters with fewer
//! counted conversations than a minimum are left out, so that a tiny
//! cluster's noisy share does not top the list.

use serde::Serialize;

use crate::compare::ClusterMeans;
use crate::publish::{Dashboard, PublishedCluster};

/// The gate's name for the values it pooled; no value of its own.
pub const POOLED: &str = "other";
/// The normal quantile of a two-sided 95 % interval.
const Z95: f64 = 1.959_963_985;

/// The Wilson score interval of `successes` out of `n` at normal quantile `z`
/// (0 to 1 when `n` is 0): unlike the plain `p ± z·se`, it stays inside 0–1
/// and is honest about small counts.
pub fn wilson(successes: usize, n: usize, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n) = (successes as f64, n as f64);
    let p = k / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// One cluster's share of a breakdown value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValueShare {
    /// Index into `dashboard.clusters`.
    pub cluster: usize,
    pub matching: usize,
    /// The cluster's conversations with any value of the breakdown.
    pub counted: usize,
    pub share: f64,
    /// The share's 95 % Wilson interval.
    pub low: f64,
    pub high: f64,
    /// `share` over the base rate: 3.0 means three times as common here.
    pub ratio: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShareTable {
    /// The value's share over every counted conversation of the level's clusters.
    pub base_rate: f64,
    pub matching: usize,
    pub counted: usize,
    /// Clusters whose whole interval lies above the base rate, the surest
    /// (highest lower bound) first.
    pub over: Vec<ValueShare>,
    /// Clusters whose whole interval lies below it, the surest (lowest upper
    /// bound) first.
    pub under: Vec<ValueShare>,
}

fn counted(c: &PublishedCluster, breakdown: &str) -> usize {
    c.breakdowns.get(breakdown).map_or(0, |values| values.values().sum())
}

fn matching(c: &PublishedCluster, breakdown: &str, value: &str) -> usize {
    c.breakdowns.get(breakdown).and_then(|values| values.get(value)).copied().unwrap_or(0)
}

/// Figure 7 both ways, from the breakdowns of the clusters of `level`.
pub fn value_shares(d: &Dashboard, breakdown: &str, value: &str, level: usize, min_counted: usize) -> ShareTable {
    let at_level: Vec<usize> = (0..d.clusters.len()).filter(|&i| d.clusters[i].level == level).collect();
    let total: usize = at_level.iter().map(|&i| counted(&d.clusters[i], breakdown)).sum();
    let with_value: usize = at_level.iter().map(|&i| matching(&d.clusters[i], breakdown, value)).sum();
    let base_rate = if total == 0 { 0.0 } else { with_value as f64 / total as f64 };
    let rows: Vec<ValueShare> = at_level
        .into_iter()
        .filter_map(|i| {
            let n = counted(&d.clusters[i], breakdown);
            if n < min_counted.max(1) || base_rate == 0.0 {
                return None;
            }
            let k = matching(&d.clusters[i], breakdown, value);
            let share = k as f64 / n as f64;
            let (low, high) = wilson(k, n, Z95);
            Some(ValueShare { cluster: i, matching: k, counted: n, share, low, high, ratio: share / base_rate })
        })
        .collect();
    let mut over: Vec<ValueShare> = rows.iter().filter(|r| r.low > base_rate).cloned().collect();
    over.sort_by(|a, b| b.low.total_cmp(&a.low).then(a.cluster.cmp(&b.cluster)));
    let mut under: Vec<ValueShare> = rows.into_iter().filter(|r| r.high < base_rate).collect();
    under.sort_by(|a, b| a.high.total_cmp(&b.high).then(a.cluster.cmp(&b.cluster)));
    ShareTable { base_rate, matching: with_value, counted: total, over, under }
}

/// A breakdown value as a number: concern levels and turn counts are; a
/// pooled top bucket ("10+") counts as its bound, so a mean over it is a
/// lower bound.
fn number(value: &str) -> Option<f64> {
    value.strip_suffix('+').unwrap_or(value).parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The breakdowns whose values are numbers (apart from the pooled ones):
/// those a mean can be taken of.
pub fn numeric_breakdowns(d: &Dashboard) -> Vec<String> {
    let mut names: Vec<String> = d.clusters.iter().flat_map(|c| c.breakdowns.keys().cloned()).collect();
    names.sort();
    names.dedup();
    names.retain(|b| {
        let mut values = d.clusters.iter().filter_map(|c| c.breakdowns.get(b)).flat_map(|v| v.keys()).filter(|v| *v != POOLED).peekable();
        values.peek().is_some() && values.all(|v| number(v).is_some())
    });
    names
}

/// A cluster's mean on a numeric breakdown, over its conversations with a
/// number (pooled ones left out), and how many those were.
fn mean(c: &PublishedCluster, breakdown: &str) -> Option<(f64, usize)> {
    let values = c.breakdowns.get(breakdown)?;
    let (sum, n) = values.iter().filter_map(|(v, &k)| Some((number(v)? * k as f64, k))).fold((0.0, 0), |(s, n), (x, k)| (s + x, n + k));
    (n > 0).then(|| (sum / n as f64, n))
}

/// Every cluster of `level` with at least `min_counted` numbered
/// conversations on each axis, at its two means (Figure 8; `cluster`
/// indexes `dashboard.clusters`).
pub fn cluster_means(d: &Dashboard, x: &str, y: &str, level: usize, min_counted: usize) -> Vec<ClusterMeans> {
    (0..d.clusters.len())
        .filter(|&i| d.clusters[i].level == level)
        .filter_map(|i| {
            let c = &d.clusters[i];
            let ((mx, nx), (my, ny)) = (mean(c, x)?, mean(c, y)?);
            (nx.min(ny) >= min_counted.max(1)).then_some(ClusterMeans { cluster: i, size: c.size, x: mx, y: my })
        })
        .collect()
}

/// The correlation of the clusters' two means, each cluster weighted by its
/// size; none for fewer than three clusters or an axis without spread.
pub fn weighted_correlation(points: &[ClusterMeans]) -> Option<f64> {
    if points.len() < 3 {
        return None;
    }
    let w: f64 = points.iter().map(|p| p.size as f64).sum();
    if w == 0.0 {
        return None;
    }
    let mx = points.iter().map(|p| p.size as f64 * p.x).sum::<f64>() / w;
    let my = points.iter().map(|p| p.size as f64 * p.y).sum::<f64>() / w;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for p in points {
        let (dx, dy, s) = (p.x - mx, p.y - my, p.size as f64);
        sxy += s * dx * dy;
        sxx += s * dx * dx;
        syy += s * dy * dy;
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::privacy::PrivacyParams;
    use crate::publish::PrivacyReport;

    fn cluster(id: &str, level: usize, parent: Option<&str>, size: usize, breakdowns: &[(&str, &[(&str, usize)])]) -> PublishedCluster {
        PublishedCluster {
            id: id.into(),
            level,
            parent: parent.map(String::from),
            children: Vec::new(),
            name: format!("Cluster {id}"),
            summary: String::new(),
            size,
            accounts: size,
            position: [0.0, 0.0],
            breakdowns: breakdowns
                .iter()
                .map(|(b, values)| (b.to_string(), values.iter().map(|(v, n)| (v.to_string(), *n)).collect::<BTreeMap<_, _>>()))
                .collect(),
        }
    }

    fn dashboard(clusters: Vec<PublishedCluster>) -> Dashboard {
        Dashboard {
            id: "d".into(),
            title: "t".into(),
            facet: "request".into(),
            created_at: 0,
            privacy: PrivacyParams::default(),
            clusters,
            report: PrivacyReport::default(),
        }
    }

    #[test]
    fn the_wilson_interval_matches_its_formula_and_stays_in_bounds() {
        // 8 of 10: the textbook interval is 0.4902 to 0.9433.
        let (low, high) = wilson(8, 10, Z95);
        assert!((low - 0.4902).abs() < 1e-4 && (high - 0.9433).abs() < 1e-4, "{low} {high}");
        let (low, high) = wilson(0, 5, Z95);
        assert_eq!(low, 0.0);
        assert!(high > 0.4 && high < 0.5, "{high}");
        assert_eq!(wilson(0, 0, Z95), (0.0, 1.0));
        let (low, high) = wilson(1000, 1000, Z95);
        assert!(low > 0.99 && (high - 1.0).abs() < 1e-12);
    }

    #[test]
    fn over_and_under_represented_clusters_by_their_intervals_with_tiny_ones_left_out() {
        let d = dashboard(vec![
            cluster("top", 1, None, 430, &[("language", &[("ja", 100), ("en", 330)])]),
            cluster("ja-heavy", 0, Some("top"), 100, &[("language", &[("ja", 80), ("en", 20)])]),
            cluster("some-ja", 0, Some("top"), 100, &[("language", &[("ja", 20), ("en", 80)])]),
            cluster("no-ja", 0, Some("top"), 200, &[("language", &[("en", 200)])]),
            // All Japanese, but of three conversations: under the minimum.
            cluster("tiny", 0, Some("top"), 3, &[("language", &[("ja", 3)])]),
            // Japanese more often than the base, but too few to be sure.
            cluster("unsure", 0, Some("top"), 27, &[("language", &[("ja", 9), ("en", 18)])]),
        ]);
        let t = value_shares(&d, "language", "ja", 0, 10);
        assert_eq!((t.matching, t.counted), (112, 430));
        let ids = |rows: &[ValueShare]| rows.iter().map(|r| d.clusters[r.cluster].id.as_str()).collect::<Vec<_>>();
        assert_eq!(ids(&t.over), ["ja-heavy"]);
        assert_eq!(ids(&t.under), ["no-ja"]);
        let heavy = &t.over[0];
        assert!((heavy.share - 0.8).abs() < 1e-12 && heavy.low < 0.8 && heavy.high > 0.8);
        assert!((heavy.ratio - 0.8 / (112.0 / 430.0)).abs() < 1e-12);
        // With no minimum, the tiny cluster is over-represented too, but its
        // wide interval puts it below the sure one.
        assert_eq!(ids(&value_shares(&d, "language", "ja", 0, 1).over), ["ja-heavy", "tiny"]);
        // A value no one has gives no rows rather than a division by zero.
        let none = value_shares(&d, "language", "fr", 0, 1);
        assert!(none.over.is_empty() && none.under.is_empty() && none.base_rate == 0.0);
    }

    #[test]
    fn means_of_numeric_breakdowns_leave_pooled_values_out_and_correlate() {
        let d = dashboard(vec![
            cluster("top", 1, None, 60, &[]),
            cluster("a", 0, Some("top"), 20, &[("concern", &[("1", 20)]), ("turns", &[("1", 10), ("2", 10)]), ("language", &[("en", 20)])]),
            cluster("b", 0, Some("top"), 20, &[("concern", &[("3", 10), ("5", 10)]), ("turns", &[("4", 15), ("10+", 5)])]),
            cluster("c", 0, Some("top"), 20, &[("concern", &[("2", 18), (POOLED, 2)]), ("turns", &[("2", 20)])]),
        ]);
        assert_eq!(numeric_breakdowns(&d), ["concern", "turns"]);
        let points = cluster_means(&d, "concern", "turns", 0, 10);
        assert_eq!(points.len(), 3);
        assert_eq!((points[0].x, points[0].y), (1.0, 1.5));
        assert_eq!((points[1].x, points[1].y), (4.0, 5.5), "10+ counts as 10");
        assert_eq!(points[2].x, 2.0, "the pooled two are not counted");
        let r = weighted_correlation(&points).unwrap();
        assert!(r > 0.9 && r <= 1.0, "{r}");
        assert!(cluster_means(&d, "concern", "turns", 0, 19).len() == 2, "c has only 18 numbered conversations");
        assert_eq!(weighted_correlation(&points[..2]), None);
    }
}
