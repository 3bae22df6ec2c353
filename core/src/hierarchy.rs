//! Building the cluster hierarchy as the paper's G.7 describes.
//!
//! Each new level: embed the current clusters' names and summaries; group
//! them into neighbourhoods of about 40 by k-means; ask the analyst for parent
//! proposals per neighbourhood (it also sees the nearest clusters outside);
//! de-duplicate the proposals across neighbourhoods; assign every child to one
//! parent, with the parents shuffled for each child; drop parents nobody chose;
//! rename each parent from its children, against the nearest children of
//! other parents; rename once more, each against the others, parents that
//! came back with one name. Level sizes follow a geometric ratio
//! from the base count to the wanted top count.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::analyst::*;
use crate::embedder::Embedder;
use crate::kmeans::{kmeans, KMeansParams};
use crate::matrix::Matrix;
use crate::progress::{between_units, Progress, Stage};
use crate::twin_names::rename_twins;
use crate::vector::dot;
use crate::PipelineError;

/// Checked parameters of the hierarchy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HierarchyParams {
    /// Levels in all, the base level included (at least 1).
    pub levels: usize,
    /// Wanted number of top-level clusters.
    pub top: usize,
    /// Average clusters per neighbourhood (the paper uses 40).
    pub neighbourhood: usize,
    /// Nearest clusters outside a neighbourhood shown with it.
    pub outside: usize,
    pub seed: u64,
}

impl Default for HierarchyParams {
    fn default() -> Self {
        HierarchyParams { levels: 3, top: 10, neighbourhood: 40, outside: 10, seed: 0 }
    }
}

impl HierarchyParams {
    /// How many parents to ask for at level `level` (1 is the first above the
    /// base) when the base has `base` clusters and the level below `below`:
    /// geometric sizes down to `top` at the last level, always fewer than
    /// `below` so that each level shrinks. `None` when `below` is already at
    /// most `top` (or `level` is past the last), so no level is built.
    pub fn parents_wanted(&self, base: usize, level: usize, below: usize) -> Option<usize> {
        let planned = self.levels.max(1);
        let top = self.top.max(1);
        if below <= top || level == 0 || level >= planned {
            return None;
        }
        let wanted = if level == planned - 1 { top } else { level_size(base, self.top, planned, level) };
        Some(wanted.clamp(1, below - 1))
    }
}

/// One cluster of one level. Level 0 is the base.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub label: ClusterLabel,
    /// Conversations under this cluster.
    pub size: usize,
    /// Indices into the level below (empty at the base).
    pub children: Vec<usize>,
    /// Index into the level above, once there is one.
    pub parent: Option<usize>,
    /// The unit mean of the embeddings of the conversations under it (empty
    /// when not known). What a cluster holds says more than its name and
    /// summary do, so the hierarchy places clusters mostly by it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub centroid: Vec<f32>,
}

/// How much of a cluster's vector in the hierarchy comes from what it holds
/// rather than from its name and summary. Of 0.8, 0.85 and 0.9, tried on the
/// three labelled sets together, 0.85 gave the best mean accuracy at the
/// default weights (docs/eval/README.md).
pub const CENTROID_WEIGHT: f32 = 0.85;

/// A cluster's vector for placing it: its members' unit mean blended with
/// the embedding of its label, or the label's alone when the mean is not
/// known. The hierarchy places clusters by it, and `kleio eval reconstruct`
/// measures how they were placed with it.
pub fn placing_vector(centroid: &[f32], label: Vec<f32>) -> Vec<f32> {
    if centroid.len() != label.len() {
        return label;
    }
    let mut v: Vec<f32> = centroid.iter().zip(&label).map(|(c, l)| CENTROID_WEIGHT * c + (1.0 - CENTROID_WEIGHT) * l).collect();
    crate::vector::normalize(&mut v);
    v
}

/// The unit size-weighted mean of some clusters' centroids; empty when any
/// of them has none.
fn mean_centroid<'a>(nodes: impl Iterator<Item = &'a Node>) -> Vec<f32> {
    let mut sum: Vec<f32> = Vec::new();
    for node in nodes {
        if node.centroid.is_empty() || (!sum.is_empty() && sum.len() != node.centroid.len()) {
            return Vec::new();
        }
        sum.resize(node.centroid.len(), 0.0);
        sum.iter_mut().zip(&node.centroid).for_each(|(s, c)| *s += node.size as f32 * c);
    }
    crate::vector::normalize(&mut sum);
    sum
}

/// How many clusters level `l` (1-based above the base) should have.
pub fn level_size(base: usize, top: usize, levels: usize, l: usize) -> usize {
    if levels <= 1 || base <= top {
        return top.min(base).max(1);
    }
    let ratio = (top as f64 / base as f64).powf(1.0 / (levels - 1) as f64);
    ((base as f64) * ratio.powi(l as i32)).round().max(1.0) as usize
}

pub(crate) fn brief(n: &Node, embedding: &[f32]) -> ClusterBrief {
    ClusterBrief { name: n.label.name.clone(), summary: n.label.summary.clone(), size: n.size, embedding: embedding.to_vec(), parts: Vec::new() }
}

/// A proposed parent, which has no conversations of its own yet.
fn proposed_brief(label: &ClusterLabel, embedding: &[f32]) -> ClusterBrief {
    ClusterBrief { name: label.name.clone(), summary: label.summary.clone(), size: 0, embedding: embedding.to_vec(), parts: Vec::new() }
}

/// Adds levels above `base` until the top is small enough or `levels` is reached.
/// Returns all levels, base first. Every child has exactly one parent and no
/// parent is empty; each new level is strictly smaller than the one below, so
/// the loop always ends.
pub async fn build<A: Analyst, E: Embedder>(
    base: Vec<Node>,
    facet: &Facet,
    params: &HierarchyParams,
    analyst: &A,
    embedder: &E,
    progress: &mut dyn Progress,
) -> Result<Vec<Vec<Node>>, PipelineError> {
    let mut levels = vec![base];
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let base_n = levels[0].len();
    let planned = params.levels.max(1);
    for l in 1..planned {
        let current = levels.last().expect("at least the base level");
        let n = current.len();
        // Strictly fewer parents than children, so each pass shrinks the level.
        let Some(wanted) = params.parents_wanted(base_n, l, n) else { break };
        progress.report(Stage::Hierarchy, l - 1, planned - 1);
        let next = build_level(current, wanted, facet, params, analyst, embedder, &mut rng, progress).await?;
        if next.len() >= n {
            // The analyst did not group anything: another level would not be a level.
            break;
        }
        let parents_of: Vec<usize> = {
            let mut p = vec![usize::MAX; n];
            for (pi, parent) in next.iter().enumerate() {
                for &c in &parent.children {
                    p[c] = pi;
                }
            }
            p
        };
        let current = levels.last_mut().expect("at least the base level");
        for (c, node) in current.iter_mut().enumerate() {
            node.parent = Some(parents_of[c]);
        }
        levels.push(next);
    }
    progress.report(Stage::Hierarchy, planned - 1, planned - 1);
    Ok(levels)
}

async fn embed_labels<E: Embedder>(embedder: &E, labels: &[&ClusterLabel]) -> Result<Vec<Vec<f32>>, PipelineError> {
    let texts: Vec<String> = labels.iter().map(|l| l.meaning()).collect();
    embedder.embed(&texts).await.map_err(PipelineError::Embed)
}

#[allow(clippy::too_many_arguments)]
async fn build_level<A: Analyst, E: Embedder>(
    children: &[Node],
    wanted: usize,
    facet: &Facet,
    params: &HierarchyParams,
    analyst: &A,
    embedder: &E,
    rng: &mut ChaCha8Rng,
    progress: &mut dyn Progress,
) -> Result<Vec<Node>, PipelineError> {
    let n = children.len();
    let labels = embed_labels(embedder, &children.iter().map(|c| &c.label).collect::<Vec<_>>()).await?;
    let emb: Vec<Vec<f32>> = children.iter().zip(labels).map(|(c, label)| placing_vector(&c.centroid, label)).collect();
    let briefs: Vec<ClusterBrief> = children.iter().zip(&emb).map(|(c, e)| brief(c, e)).collect();

    // Neighbourhoods of about `params.neighbourhood` clusters.
    let m = n.div_ceil(params.neighbourhood.max(2));
    let hoods = kmeans(&Matrix::from_rows(&emb)?, &KMeansParams::new(m, params.seed))?;
    let mut proposals: Vec<ClusterLabel> = Vec::new();
    for (h, centroid) in hoods.centroids.iter().enumerate() {
        between_units(&*progress).await?;
        let members: Vec<usize> = (0..n).filter(|&i| hoods.assignments[i] == h).collect();
        let mut outside: Vec<usize> = (0..n).filter(|&i| hoods.assignments[i] != h).collect();
        outside.sort_by(|&a, &b| dot(&emb[b], centroid).total_cmp(&dot(&emb[a], centroid)).then(a.cmp(&b)));
        outside.truncate(params.outside);
        let share = ((wanted * members.len()) as f64 / n as f64).round().max(1.0) as usize;
        let req = ProposeParentsRequest {
            facet: facet.clone(),
            children: members.iter().map(|&i| briefs[i].clone()).collect(),
            outside: outside.iter().map(|&i| briefs[i].clone()).collect(),
            wanted: share.min(members.len()),
        };
        proposals.extend(analyst.propose_parents(&req).await.map_err(PipelineError::Analyst)?);
    }
    if proposals.is_empty() {
        return Err(PipelineError::Analyst(AnalystError::Malformed("no parent clusters were proposed".into())));
    }

    // De-duplicate across neighbourhoods.
    let prop_emb = embed_labels(embedder, &proposals.iter().collect::<Vec<_>>()).await?;
    let req = DedupeRequest { facet: facet.clone(), proposals: proposals.iter().zip(&prop_emb).map(|(p, e)| proposed_brief(p, e)).collect(), wanted };
    let parents = analyst.dedupe(&req).await.map_err(PipelineError::Analyst)?;
    if parents.is_empty() {
        return Err(PipelineError::Analyst(AnalystError::Malformed("de-duplication left no parents".into())));
    }
    let parent_emb = embed_labels(embedder, &parents.iter().collect::<Vec<_>>()).await?;
    let parent_briefs: Vec<ClusterBrief> = parents.iter().zip(&parent_emb).map(|(p, e)| proposed_brief(p, e)).collect();

    // Assign every child at once, showing the parents in a fresh random order each time.
    let mut chosen = vec![0usize; n];
    let orders = AssignBatchRequest::shuffled_orders(n, parents.len(), rng);
    let placement = AssignBatchRequest { facet: facet.clone(), parents: parent_briefs, children: briefs, orders };
    let mut answers = analyst.assign_batch(&placement).await.into_iter();
    for (c, chosen) in chosen.iter_mut().enumerate() {
        *chosen = match answers.next() {
            Some(Ok(p)) if p < parents.len() => p,
            // A failed, missing or out-of-range answer falls back to the most
            // similar parent, so every child still gets exactly one parent.
            _ => crate::vector::nearest(&emb[c], &parent_emb).unwrap_or(0),
        };
    }

    // Keep parents that got children, then rename each from its children,
    // against the nearest children that went to other parents.
    let kept: Vec<Vec<usize>> =
        (0..parents.len()).map(|p| (0..n).filter(|&c| chosen[c] == p).collect::<Vec<usize>>()).filter(|kids| !kids.is_empty()).collect();
    let requests: Vec<RenameRequest> = kept
        .iter()
        .map(|kids| {
            let mut centre = vec![0.0f32; emb[kids[0]].len()];
            for &c in kids {
                centre.iter_mut().zip(&emb[c]).for_each(|(s, x)| *s += x);
            }
            crate::vector::normalize(&mut centre);
            let mut others: Vec<usize> = (0..n).filter(|&c| chosen[c] != chosen[kids[0]]).collect();
            others.sort_by(|&a, &b| dot(&emb[b], &centre).total_cmp(&dot(&emb[a], &centre)).then(a.cmp(&b)));
            others.truncate(params.outside);
            let briefs_of = |ids: &[usize]| ids.iter().map(|&c| placement.children[c].clone()).collect();
            RenameRequest { facet: facet.clone(), children: briefs_of(kids), outside: briefs_of(&others), again: None }
        })
        .collect();
    let mut labels = Vec::with_capacity(requests.len());
    for req in &requests {
        labels.push(analyst.rename(req).await.map_err(PipelineError::Analyst)?);
    }
    rename_twins(&mut labels, async |p: usize, twins: &[usize], alike: NamedAlike| {
        // What the twins hold, an equal share of each, comes first among
        // what this parent is set apart from, so the words they share stop naming it.
        let each = params.neighbourhood.div_ceil(twins.len() - 1);
        let theirs = twins.iter().filter(|&&q| q != p).flat_map(|&q| requests[q].children.iter().take(each).cloned());
        let req = RenameRequest {
            facet: facet.clone(),
            children: requests[p].children.clone(),
            outside: theirs.chain(requests[p].outside.iter().cloned()).collect(),
            again: Some(alike),
        };
        analyst.rename(&req).await.map_err(PipelineError::Analyst)
    })
    .await?;
    Ok(kept
        .into_iter()
        .zip(labels)
        .map(|(kids, label)| {
            let centroid = mean_centroid(kids.iter().map(|&c| &children[c]));
            Node { label, size: kids.iter().map(|&c| children[c].size).sum(), children: kids, parent: None, centroid }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_sizes_are_geometric() {
        assert_eq!(level_size(1000, 10, 3, 1), 100);
        assert_eq!(level_size(1000, 10, 3, 2), 10);
        assert_eq!(level_size(8, 10, 3, 1), 8);
    }

    #[test]
    fn parents_wanted_shrink_each_level_and_stop_at_the_top() {
        let p = HierarchyParams::default();
        assert_eq!(p.parents_wanted(1000, 1, 1000), Some(100));
        assert_eq!(p.parents_wanted(1000, 2, 100), Some(10));
        assert_eq!(p.parents_wanted(1000, 3, 10), None);
        assert_eq!(p.parents_wanted(12, 1, 12), Some(11), "never as many parents as children");
        assert_eq!(p.parents_wanted(1000, 1, 11), Some(10));
        assert_eq!(p.parents_wanted(1000, 1, 8), None);
    }
}
