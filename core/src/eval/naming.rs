//! Whether names say what their clusters hold (issue #22). A name, embedded
//! alone, is compared with the centre of every cluster at its level (the
//! mean of the embedded answers under it): a name that says what its
//! cluster holds is closest to its own, and a name one member in ten wrote,
//! or one word that fits anywhere, is not. No labels are needed, so it
//! measures any dataset and any analyst, an LLM's included.

use std::collections::{BTreeMap, HashMap};

use crate::analysis::Analysis;
use crate::cluster_index::ClusterIndex;
use crate::vector::{centroid, dot};

/// How the names of one level find their clusters.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NameRetrieval {
    pub level: usize,
    /// Clusters at the level with a name and at least one embedded member.
    pub clusters: usize,
    /// Names closest to their own cluster.
    pub first: usize,
    /// Names with their own cluster among the five closest.
    pub in_five: usize,
    /// The sum over names of 1 / the rank of their own cluster.
    pub reciprocal_ranks: f64,
}

impl NameRetrieval {
    pub fn first_share(&self) -> f64 {
        self.first as f64 / self.clusters.max(1) as f64
    }

    pub fn in_five_share(&self) -> f64 {
        self.in_five as f64 / self.clusters.max(1) as f64
    }

    pub fn mean_reciprocal_rank(&self) -> f64 {
        self.reciprocal_ranks / self.clusters.max(1) as f64
    }
}

type NameAndCentre<'a> = (&'a Vec<f32>, Vec<f32>);

/// [`NameRetrieval`] for every level of `analysis` with two clusters or
/// more, base first. `answers` holds each conversation's embedded answer by
/// conversation id, `names` each cluster's embedded name by cluster id;
/// clusters missing either are left out. A name's own cluster ranks after
/// every cluster strictly closer to it, so ties count in its favour.
pub fn name_retrieval(analysis: &Analysis, answers: &HashMap<String, Vec<f32>>, names: &HashMap<String, Vec<f32>>) -> Vec<NameRetrieval> {
    let index = ClusterIndex::new(analysis);
    // Each level's clusters as (embedded name, centre).
    let mut levels: BTreeMap<usize, Vec<NameAndCentre>> = BTreeMap::new();
    for (i, cluster) in analysis.clusters.iter().enumerate() {
        let Some(name) = names.get(&cluster.id) else { continue };
        let vectors: Vec<&[f32]> = index.members(i).iter().filter_map(|&k| answers.get(&analysis.conversations[k].id)).map(Vec::as_slice).collect();
        let Some(dim) = vectors.first().map(|v| v.len()) else { continue };
        levels.entry(cluster.level).or_default().push((name, centroid(vectors, dim)));
    }
    levels
        .into_iter()
        .filter(|(_, clusters)| clusters.len() >= 2)
        .map(|(level, clusters)| {
            let mut out = NameRetrieval { level, clusters: clusters.len(), ..NameRetrieval::default() };
            for (name, own) in &clusters {
                let own_closeness = dot(name, own);
                let rank = 1 + clusters.iter().filter(|(_, other)| dot(name, other) > own_closeness).count();
                out.first += usize::from(rank == 1);
                out.in_five += usize::from(rank <= 5);
                out.reciprocal_ranks += 1.0 / rank as f64;
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rows::{analyse, four_topics};

    #[test]
    fn names_pointing_at_their_own_clusters_are_found_first_and_swapped_names_are_not() {
        let analysis = analyse(four_topics(), 3);
        // Every answer points the way of its topic; a cluster's name points
        // the way of the topic most of its members have.
        let axis = |t: usize| -> Vec<f32> { (0..4).map(|d| if d == t { 1.0 } else { 0.0 }).collect() };
        let topic_of = |id: &str| id[1..].parse::<usize>().unwrap() % 4;
        let answers: HashMap<String, Vec<f32>> = analysis.conversations.iter().map(|c| (c.id.clone(), axis(topic_of(&c.id)))).collect();
        let index = ClusterIndex::new(&analysis);
        let commonest = |i: usize| {
            let mut counts = [0usize; 4];
            index.members(i).iter().for_each(|&k| counts[topic_of(&analysis.conversations[k].id)] += 1);
            (0..4).max_by_key(|&t| (counts[t], std::cmp::Reverse(t))).unwrap()
        };
        let base: Vec<usize> = (0..analysis.clusters.len()).filter(|&i| analysis.clusters[i].level == 0).collect();
        let pure: Vec<usize> =
            base.iter().copied().filter(|&i| index.members(i).iter().all(|&k| topic_of(&analysis.conversations[k].id) == commonest(i))).collect();
        let topics_named: std::collections::BTreeSet<usize> = pure.iter().map(|&i| commonest(i)).collect();
        assert!(topics_named.len() >= 2, "the four topics make pure base clusters");
        // One pure cluster per topic, so no two share a centre.
        let one_per_topic: Vec<usize> = topics_named.iter().map(|&t| *pure.iter().find(|&&i| commonest(i) == t).unwrap()).collect();
        let names: HashMap<String, Vec<f32>> = one_per_topic.iter().map(|&i| (analysis.clusters[i].id.clone(), axis(commonest(i)))).collect();
        let base_level = name_retrieval(&analysis, &answers, &names).into_iter().find(|r| r.level == 0).unwrap();
        assert_eq!((base_level.clusters, base_level.first), (one_per_topic.len(), one_per_topic.len()));
        assert!((base_level.mean_reciprocal_rank() - 1.0).abs() < 1e-12);
        // Each name turned to the next topic's cluster: none finds its own.
        let swapped: HashMap<String, Vec<f32>> = one_per_topic
            .iter()
            .enumerate()
            .map(|(k, &i)| (analysis.clusters[i].id.clone(), axis(commonest(one_per_topic[(k + 1) % one_per_topic.len()]))))
            .collect();
        let base_level = name_retrieval(&analysis, &answers, &swapped).into_iter().find(|r| r.level == 0).unwrap();
        assert_eq!(base_level.first, 0);
        assert!(base_level.mean_reciprocal_rank() < 0.75);
    }
}
