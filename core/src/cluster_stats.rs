//! The statistics the comparisons draw on, whatever they are computed from:
//! the owner's conversations (`compare`) or a dashboard's aggregates
//! (`dashboard_compare`). A share carries its Wilson interval, so that a
//! tiny cluster's noisy share does not top a list; clusters on two means
//! carry their size-weighted correlation and the clusters where the two
//! measures disagree most; a share over time carries its growth.
//! `core/tests/fixtures/cluster_stats_reference.py` computed the values the
//! tests compare against, with scipy and numpy.

use serde::Serialize;

/// The normal quantile of a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_985;

/// The Wilson score interval of `successes` out of `n` at normal quantile `z`
/// (0 to 1 when `n` is 0): unlike the plain `p ± z·se`, it stays inside 0–1
/// and is honest about small counts.
pub fn wilson(successes: usize, n: usize, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n) = (successes.min(n) as f64, n as f64);
    let p = k / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At 0 or n successes a bound is exactly 0 or 1; rounding would leave a hair off it.
    let low = if successes == 0 { 0.0 } else { (centre - half).max(0.0) };
    let high = if k == n { 1.0 } else { (centre + half).min(1.0) };
    (low, high)
}

/// One cluster's share of a value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValueShare {
    /// The cluster, as the caller numbers them.
    pub cluster: usize,
    pub matching: usize,
    /// The cluster's conversations with any value of the dimension.
    pub counted: usize,
    pub share: f64,
    /// The share's 95 % Wilson interval.
    pub low: f64,
    pub high: f64,
    /// `share` over the base rate: 3.0 means three times as common here.
    pub ratio: f64,
}

/// Figure 7 both ways: the clusters that hold a value surely more often than
/// the data as a whole, and those that hold it surely less often.
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
    /// Clusters left out for having fewer than the minimum counted.
    pub too_small: usize,
}

/// One cluster's counts of a value: `(cluster, matching, counted)`.
pub type ValueCount = (usize, usize, usize);

/// The share table of a level's clusters from their counts; clusters with
/// fewer than `min_counted` counted conversations take part in the base rate
/// but are not listed.
pub fn share_table(counts: &[ValueCount], min_counted: usize) -> ShareTable {
    let counted: usize = counts.iter().map(|c| c.2).sum();
    let matching: usize = counts.iter().map(|c| c.1).sum();
    let base_rate = if counted == 0 { 0.0 } else { matching as f64 / counted as f64 };
    let listed: Vec<ValueShare> = counts
        .iter()
        .filter(|c| c.2 >= min_counted.max(1))
        .map(|&(cluster, k, n)| {
            let share = k as f64 / n as f64;
            let (low, high) = wilson(k, n, Z95);
            let ratio = if base_rate > 0.0 { share / base_rate } else { 0.0 };
            ValueShare { cluster, matching: k, counted: n, share, low, high, ratio }
        })
        .collect();
    let too_small = counts.len() - listed.len();
    let mut over: Vec<ValueShare> = listed.iter().filter(|r| r.low > base_rate).cloned().collect();
    over.sort_by(|a, b| b.low.total_cmp(&a.low).then(a.cluster.cmp(&b.cluster)));
    let mut under: Vec<ValueShare> = listed.into_iter().filter(|r| r.high < base_rate).collect();
    under.sort_by(|a, b| a.high.total_cmp(&b.high).then(a.cluster.cmp(&b.cluster)));
    ShareTable { base_rate, matching, counted, over, under, too_small }
}

/// A cluster's mean on two numeric dimensions (Figure 8).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClusterMeans {
    pub cluster: usize,
    pub size: usize,
    pub x: f64,
    pub y: f64,
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

/// Where a cluster's two measures disagree: each mean rescaled to 0–1 over
/// the clusters shown (the scatter plot's own axes, whose corner-to-corner
/// diagonal is where the two agree), and the gap between them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Disagreement {
    pub cluster: usize,
    pub size: usize,
    /// The first measure's mean, rescaled.
    pub x: f64,
    /// The second measure's mean, rescaled.
    pub y: f64,
    /// `x − y`: above zero the first measure rates the cluster higher than
    /// the second does (say, concern high but rarely flagged: the flag's
    /// likely misses), below zero the reverse (its likely false alarms).
    pub gap: f64,
}

/// The clusters by how much their two rescaled means disagree, the largest
/// gap first; empty when either axis has no spread.
pub fn disagreements(points: &[ClusterMeans]) -> Vec<Disagreement> {
    let range = |f: fn(&ClusterMeans) -> f64| -> Option<(f64, f64)> {
        let lo = points.iter().map(f).fold(f64::INFINITY, f64::min);
        let hi = points.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
        (hi > lo).then_some((lo, hi - lo))
    };
    let (Some((x0, xw)), Some((y0, yw))) = (range(|p| p.x), range(|p| p.y)) else {
        return Vec::new();
    };
    let mut out: Vec<Disagreement> = points
        .iter()
        .map(|p| {
            let (x, y) = ((p.x - x0) / xw, (p.y - y0) / yw);
            Disagreement { cluster: p.cluster, size: p.size, x, y, gap: x - y }
        })
        .collect();
    out.sort_by(|a, b| b.gap.abs().total_cmp(&a.gap.abs()).then(b.size.cmp(&a.size)).then(a.cluster.cmp(&b.cluster)));
    out
}

/// How fast a cluster's share of the data grows over consecutive periods:
/// the least-squares slope of its share per period (each period weighted by
/// its conversations), over its share of all of them, so `0.1` reads "its
/// share grows by a tenth of itself each period". `periods` holds, in order,
/// the cluster's conversations and all conversations in each period. None
/// with fewer than two periods that have conversations, or when the cluster
/// has none.
pub fn growth(periods: &[(usize, usize)]) -> Option<f64> {
    let used: Vec<(f64, f64, f64)> = periods
        .iter()
        .enumerate()
        .filter(|(_, (_, total))| *total > 0)
        .map(|(t, &(here, total))| (t as f64, here as f64 / total as f64, total as f64))
        .collect();
    let here: usize = periods.iter().map(|p| p.0).sum();
    let total: usize = periods.iter().map(|p| p.1).sum();
    if used.len() < 2 || here == 0 {
        return None;
    }
    let w: f64 = used.iter().map(|u| u.2).sum();
    let mt = used.iter().map(|u| u.2 * u.0).sum::<f64>() / w;
    let ms = used.iter().map(|u| u.2 * u.1).sum::<f64>() / w;
    let (mut sts, mut stt) = (0.0, 0.0);
    for &(t, s, weight) in &used {
        sts += weight * (t - mt) * (s - ms);
        stt += weight * (t - mt) * (t - mt);
    }
    let overall = here as f64 / total as f64;
    (stt > 0.0).then(|| sts / stt / overall)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values computed by `core/tests/fixtures/cluster_stats_reference.py`.
    const REFERENCE: &str = include_str!("../tests/fixtures/cluster_stats_reference.json");

    #[derive(serde::Deserialize)]
    struct Reference {
        wilson: Vec<WilsonCase>,
        correlation: Vec<CorrelationCase>,
        growth: Vec<GrowthCase>,
    }
    #[derive(serde::Deserialize)]
    struct WilsonCase {
        k: usize,
        n: usize,
        low: f64,
        high: f64,
    }
    #[derive(serde::Deserialize)]
    struct CorrelationCase {
        x: Vec<f64>,
        y: Vec<f64>,
        w: Vec<usize>,
        r: f64,
    }
    #[derive(serde::Deserialize)]
    struct GrowthCase {
        here: Vec<usize>,
        total: Vec<usize>,
        growth: Option<f64>,
    }

    fn reference() -> Reference {
        serde_json::from_str(REFERENCE).unwrap()
    }

    #[test]
    fn wilson_intervals_match_scipy() {
        for case in reference().wilson {
            let (low, high) = wilson(case.k, case.n, Z95);
            assert!((low - case.low).abs() < 1e-9 && (high - case.high).abs() < 1e-9, "{}/{}: {low} {high}", case.k, case.n);
        }
    }

    #[test]
    fn weighted_correlations_match_numpy() {
        for case in reference().correlation {
            let points: Vec<ClusterMeans> = (0..case.x.len()).map(|i| ClusterMeans { cluster: i, size: case.w[i], x: case.x[i], y: case.y[i] }).collect();
            let r = weighted_correlation(&points).unwrap();
            assert!((r - case.r).abs() < 1e-9, "{r} against {}", case.r);
        }
    }

    #[test]
    fn growth_matches_a_weighted_least_squares_fit() {
        for case in reference().growth {
            let periods: Vec<(usize, usize)> = case.here.iter().copied().zip(case.total.iter().copied()).collect();
            match (growth(&periods), case.growth) {
                (Some(g), Some(want)) => assert!((g - want).abs() < 1e-9, "{g} against {want}"),
                (got, want) => assert_eq!(got, want),
            }
        }
    }

    #[test]
    fn a_tiny_cluster_with_every_conversation_matching_is_not_listed_over() {
        // 2 of 2 is a share of 1, but its interval reaches down to 0.34,
        // under the base rate of 55/155: it is no evidence. 3 of 3 reaches
        // down to 0.44, over it, but less surely than 40 of 50.
        let t = share_table(&[(0, 2, 2), (1, 40, 50), (2, 10, 100), (3, 3, 3)], 1);
        assert_eq!(t.over.iter().map(|r| r.cluster).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(t.under.iter().map(|r| r.cluster).collect::<Vec<_>>(), vec![2]);
        let t = share_table(&[(0, 2, 2), (1, 40, 50), (2, 10, 100)], 10);
        assert_eq!(t.too_small, 1);
    }

    #[test]
    fn disagreements_put_the_largest_gap_first_with_its_sign() {
        let p = |cluster, x, y| ClusterMeans { cluster, size: 10, x, y };
        // Concern 1–5 against a flagged share 0–1: cluster 2 is of high
        // concern and never flagged, cluster 3 flagged at low concern.
        let d = disagreements(&[p(0, 1.0, 0.0), p(1, 5.0, 1.0), p(2, 5.0, 0.1), p(3, 1.5, 0.8)]);
        assert_eq!(d[0].cluster, 2);
        assert!(d[0].gap > 0.8);
        assert_eq!(d[1].cluster, 3);
        assert!(d[1].gap < -0.6);
        assert!(disagreements(&[p(0, 1.0, 0.5), p(1, 1.0, 0.7)]).is_empty(), "no spread on one axis");
    }
}
