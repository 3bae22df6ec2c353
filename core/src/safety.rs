//! Signs of automated or coordinated use (the paper's §4.1 and §4.2): a
//! cluster whose conversations come from few accounts, or whose texts are a
//! template filled in again and again, and clusters that grew or appeared
//! between two windows of time. Only in the owner's own view: it needs
//! who wrote each conversation and what, which never leave the machine.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::analysis::Analysis;
use crate::cluster_index::ClusterIndex;
use crate::compare::Dimension;
use crate::import::COPIES_COLUMN;

/// What the owner's machine knows of each conversation beyond the analysis,
/// by conversation id.
#[derive(Clone, Copy, Debug)]
pub struct Provenance<'a> {
    /// The account that wrote it, where the file named one.
    pub accounts: &'a HashMap<String, String>,
    /// The id of the first conversation of its group of near duplicates
    /// (`import::near_duplicate_groups`), where it is not the first itself.
    pub templates: &'a HashMap<String, String>,
}

/// How concentrated and how templated one cluster is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClusterSafety {
    /// Index into `analysis.clusters`.
    pub cluster: usize,
    pub size: usize,
    /// Distinct accounts; a conversation without one counts as its own.
    pub accounts: usize,
    /// `size / accounts`.
    pub per_account: f64,
    /// The share of the cluster's conversations written by its busiest account.
    pub top_account_share: f64,
    /// The share that is a near duplicate of another conversation of the
    /// data, or stands for exact copies of itself.
    pub templated_share: f64,
    /// The larger of `top_account_share` and `templated_share`: how much of
    /// the cluster one account or one template explains.
    pub suspicion: f64,
}

/// Every cluster of `level` with at least `min_size` conversations, the most
/// suspicious first.
pub fn cluster_safety(a: &Analysis, index: &ClusterIndex, provenance: &Provenance, level: usize, min_size: usize) -> Vec<ClusterSafety> {
    let grouped = provenance.grouped();
    let mut out: Vec<ClusterSafety> = (0..a.clusters.len())
        .filter(|&i| a.clusters[i].level == level && !index.members(i).is_empty() && index.members(i).len() >= min_size)
        .map(|i| measure(a, provenance, &grouped, i, index.members(i)))
        .collect();
    out.sort_by(|x, y| y.suspicion.total_cmp(&x.suspicion).then(y.size.cmp(&x.size)).then(x.cluster.cmp(&y.cluster)));
    out
}

/// One cluster's figures (none for a cluster without conversations), as
/// `cluster_safety` lists them.
pub fn safety_of(a: &Analysis, index: &ClusterIndex, provenance: &Provenance, cluster: usize) -> Option<ClusterSafety> {
    let members = index.members(cluster);
    (!members.is_empty()).then(|| measure(a, provenance, &provenance.grouped(), cluster, members))
}

impl Provenance<'_> {
    /// The ids of the conversations in a group of near duplicates with more
    /// than one member.
    fn grouped(&self) -> HashSet<&str> {
        let mut grouped = HashSet::new();
        for (id, first) in self.templates.iter().filter(|(id, first)| id != first) {
            grouped.insert(id.as_str());
            grouped.insert(first.as_str());
        }
        grouped
    }
}

/// The figures of the conversations `members` of `cluster` (not empty).
fn measure(a: &Analysis, provenance: &Provenance, grouped: &HashSet<&str>, cluster: usize, members: &[usize]) -> ClusterSafety {
    let templated = |k: usize| -> bool {
        let c = &a.conversations[k];
        grouped.contains(c.id.as_str()) || c.facets.meta.get(COPIES_COLUMN).and_then(|n| n.parse::<usize>().ok()).is_some_and(|n| n > 1)
    };
    let mut by_account: HashMap<&str, usize> = HashMap::new();
    for &k in members {
        let id = &a.conversations[k].id;
        *by_account.entry(provenance.accounts.get(id).map_or(id.as_str(), String::as_str)).or_default() += 1;
    }
    let size = members.len();
    let top = by_account.values().copied().max().unwrap_or(0);
    let top_account_share = if by_account.len() > 1 || provenance.accounts.contains_key(&a.conversations[members[0]].id) {
        top as f64 / size as f64
    } else {
        // One conversation alone, with no account: no concentration to speak of.
        0.0
    };
    let templated_share = members.iter().filter(|&&k| templated(k)).count() as f64 / size as f64;
    ClusterSafety {
        cluster,
        size,
        accounts: by_account.len(),
        per_account: size as f64 / by_account.len() as f64,
        top_account_share,
        templated_share,
        suspicion: top_account_share.max(templated_share),
    }
}

/// One cluster in two windows of time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WindowChange {
    pub cluster: usize,
    pub before: usize,
    pub after: usize,
    /// Its share of each window's conversations.
    pub share_before: f64,
    pub share_after: f64,
    /// `share_after − share_before`.
    pub change: f64,
    /// None in the first window, some in the second.
    pub appeared: bool,
}

/// The clusters of `level` that grew between the periods `before` and
/// `after` (each an inclusive range of `YYYY-MM` keys of `time`), with at
/// least `min_size` conversations in the second: those that appeared
/// first, then by how much their share rose. Clusters that shrank are not
/// listed.
pub fn grew_between(
    a: &Analysis,
    index: &ClusterIndex,
    time: &Dimension,
    level: usize,
    before: (&str, &str),
    after: (&str, &str),
    min_size: usize,
) -> Vec<WindowChange> {
    let window = |k: usize, w: (&str, &str)| time.period(&a.conversations[k]).is_some_and(|p| w.0 <= p.as_str() && p.as_str() <= w.1);
    let clustered: Vec<usize> = (0..a.conversations.len()).filter(|&k| a.conversations[k].cluster.is_some()).collect();
    let total_before = clustered.iter().filter(|&&k| window(k, before)).count();
    let total_after = clustered.iter().filter(|&&k| window(k, after)).count();
    if total_before == 0 || total_after == 0 {
        return Vec::new();
    }
    let mut out: Vec<WindowChange> = (0..a.clusters.len())
        .filter(|&i| a.clusters[i].level == level)
        .filter_map(|i| {
            let members = index.members(i);
            let b = members.iter().filter(|&&k| window(k, before)).count();
            let n = members.iter().filter(|&&k| window(k, after)).count();
            let (share_before, share_after) = (b as f64 / total_before as f64, n as f64 / total_after as f64);
            (n >= min_size.max(1) && share_after > share_before).then_some(WindowChange {
                cluster: i,
                before: b,
                after: n,
                share_before,
                share_after,
                change: share_after - share_before,
                appeared: b == 0,
            })
        })
        .collect();
    out.sort_by(|x, y| y.appeared.cmp(&x.appeared).then(y.change.total_cmp(&x.change)).then(x.cluster.cmp(&y.cluster)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::near_duplicate_groups;
    use crate::test_rows::{analyse, imported};

    /// 40 conversations from 20 accounts on gardening, in January and
    /// February; 30 on one filled-in template, all from account "bot", all in
    /// February.
    fn data() -> (Analysis, HashMap<String, String>, HashMap<String, String>) {
        let mut rows = Vec::new();
        let plants = ["tulips", "roses", "basil", "tomatoes", "ferns", "orchids", "lavender", "peppers"];
        let symptoms = [
            "have yellow leaves with brown edges",
            "are wilting even though the soil is damp",
            "grow long pale stems and few flowers",
            "show white powder on every leaf",
            "dropped most of their buds overnight",
        ];
        let events =
            ["I moved them to a sunny window", "the weather turned cold last week", "I repotted them in new compost", "we came back from a long holiday"];
        let questions = ["what am I doing wrong with watering", "should I cut the damaged parts away", "is it a disease that spreads to other plants"];
        for i in 0..40 {
            let text = format!("My {} {} since {}; {}?", plants[i % 8], symptoms[i % 5], events[i % 4], questions[i % 3]);
            rows.push(serde_json::json!({"id": format!("g{i}"), "user": format!("u{}", i % 20), "created_at": if i < 20 { "2024-01-05" } else { "2024-02-05" }, "messages": [{"role": "user", "content": text}]}));
        }
        for i in 0..30 {
            let text = format!("Generate a five star product review for the wireless earbuds model X{i} that mentions the long battery life, the deep bass, the comfortable fit in both ears, the quick pairing with any phone, and the fast shipping to my city, in a friendly tone and under one hundred words");
            rows.push(serde_json::json!({"id": format!("t{i}"), "user": "bot", "created_at": "2024-02-09", "messages": [{"role": "user", "content": text}]}));
        }
        let imported = imported(&rows);
        let accounts: HashMap<String, String> = imported.conversations.iter().filter_map(|c| Some((c.id.clone(), c.account.clone()?))).collect();
        let groups = near_duplicate_groups(&imported.conversations);
        let templates: HashMap<String, String> =
            imported.conversations.iter().zip(&groups).map(|(c, &g)| (c.id.clone(), imported.conversations[g].id.clone())).collect();
        let a = analyse(imported, 2);
        (a, accounts, templates)
    }

    #[test]
    fn the_templated_single_account_cluster_tops_the_list() {
        let (a, accounts, templates) = data();
        let index = ClusterIndex::new(&a);
        let provenance = Provenance { accounts: &accounts, templates: &templates };
        let list = cluster_safety(&a, &index, &provenance, 0, 1);
        let first = &list[0];
        let members = index.members(first.cluster);
        assert!(members.iter().all(|&k| a.conversations[k].id.starts_with('t')), "{first:?}");
        assert!(first.top_account_share > 0.99 && first.templated_share > 0.9, "{first:?}");
        let gardening = list.iter().find(|s| index.members(s.cluster).iter().all(|&k| a.conversations[k].id.starts_with('g'))).unwrap();
        assert!(gardening.suspicion < 0.5, "{gardening:?}");
        assert!(gardening.per_account <= 2.0);
        assert_eq!(safety_of(&a, &index, &provenance, first.cluster).as_ref(), Some(first), "one cluster's figures are those listed");
    }

    #[test]
    fn the_template_appeared_in_the_second_month() {
        let (a, _, _) = data();
        let index = ClusterIndex::new(&a);
        let grew = grew_between(&a, &index, &Dimension::Month, 0, ("2024-01", "2024-01"), ("2024-02", "2024-02"), 5);
        assert!(!grew.is_empty());
        assert!(grew[0].appeared && grew[0].before == 0, "{grew:?}");
        assert!(index.members(grew[0].cluster).iter().all(|&k| a.conversations[k].id.starts_with('t')));
        assert!(grew_between(&a, &index, &Dimension::Month, 0, ("2023-01", "2023-02"), ("2024-02", "2024-02"), 1).is_empty(), "an empty window");
    }
}
