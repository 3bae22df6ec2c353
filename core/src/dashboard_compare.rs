//! The paper's comparisons (Figures 7 and 8) from a published dashboard's
//! aggregates alone, for a reader who has no conversation: which clusters
//! hold a breakdown value far more, or far less, often than the dashboard's
//! clusters together, and where clusters sit on the means of two numeric
//! breakdowns. Shares carry Wilson intervals, and clusters with fewer
//! counted conversations than a minimum are left out, so that a tiny
//! cluster's noisy share does not top the list.

use crate::cluster_stats::{share_table, ClusterMeans, ShareTable};
use crate::publish::{Dashboard, PublishedCluster};

/// The gate's name for the values it pooled; no value of its own.
pub const POOLED: &str = "other";

fn counted(c: &PublishedCluster, breakdown: &str) -> usize {
    c.breakdowns.get(breakdown).map_or(0, |values| values.values().sum())
}

fn matching(c: &PublishedCluster, breakdown: &str, value: &str) -> usize {
    c.breakdowns.get(breakdown).and_then(|values| values.get(value)).copied().unwrap_or(0)
}

/// Figure 7 both ways, from the breakdowns of the clusters of `level`.
pub fn value_shares(d: &Dashboard, breakdown: &str, value: &str, level: usize, min_counted: usize) -> ShareTable {
    let counts: Vec<(usize, usize, usize)> = (0..d.clusters.len())
        .filter(|&i| d.clusters[i].level == level)
        .map(|i| (i, matching(&d.clusters[i], breakdown, value), counted(&d.clusters[i], breakdown)))
        .collect();
    share_table(&counts, min_counted)
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::cluster_stats::{weighted_correlation, ValueShare};
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
