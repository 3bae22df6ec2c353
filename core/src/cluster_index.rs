//! Lookups over an analysis's cluster tree that the app's map, tree and
//! panel, publishing, comparisons and the evaluation all need: by id,
//! children, ancestors, members.

use std::collections::HashMap;

use crate::analysis::Analysis;

pub struct ClusterIndex {
    by_id: HashMap<String, usize>,
    /// Top-level clusters, largest first.
    pub roots: Vec<usize>,
    /// Children of each cluster, largest first.
    children: Vec<Vec<usize>>,
    /// The top-level ancestor of each cluster, as a position in `roots`.
    root_rank: Vec<usize>,
    /// Conversations (indices into `analysis.conversations`) under each cluster.
    members: Vec<Vec<usize>>,
}

impl ClusterIndex {
    pub fn new(a: &Analysis) -> Self {
        let by_id: HashMap<String, usize> = a.clusters.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect();
        let size_order = |list: &mut Vec<usize>| list.sort_by(|&x, &y| a.clusters[y].size.cmp(&a.clusters[x].size).then(x.cmp(&y)));
        let mut roots: Vec<usize> = (0..a.clusters.len()).filter(|&i| a.clusters[i].parent.is_none()).collect();
        size_order(&mut roots);
        let mut children = vec![Vec::new(); a.clusters.len()];
        for (i, c) in a.clusters.iter().enumerate() {
            if let Some(p) = c.parent.as_ref().and_then(|p| by_id.get(p)) {
                children[*p].push(i);
            }
        }
        children.iter_mut().for_each(size_order);
        let mut index = ClusterIndex { by_id, roots, children, root_rank: vec![0; a.clusters.len()], members: vec![Vec::new(); a.clusters.len()] };
        for (rank, &root) in index.roots.clone().iter().enumerate() {
            for i in index.descendants(root, a) {
                index.root_rank[i] = rank;
            }
        }
        for (k, conversation) in a.conversations.iter().enumerate() {
            if let Some(base) = conversation.cluster.as_ref().and_then(|id| index.by_id.get(id)) {
                let chain: Vec<usize> = index.ancestors(*base, a).collect();
                for i in chain {
                    index.members[i].push(k);
                }
            }
        }
        index
    }

    pub fn get(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn children(&self, i: usize) -> &[usize] {
        &self.children[i]
    }

    /// The rank of the cluster's top-level ancestor, which picks its colour.
    pub fn root_rank(&self, i: usize) -> usize {
        self.root_rank[i]
    }

    pub fn members(&self, i: usize) -> &[usize] {
        &self.members[i]
    }

    /// The cluster itself, then its parent, up to the top. An analysis from
    /// elsewhere could name parents in a loop; no chain is longer than the
    /// number of clusters, so the walk ends anyway.
    pub fn ancestors<'a>(&'a self, i: usize, a: &'a Analysis) -> impl Iterator<Item = usize> + 'a {
        std::iter::successors(Some(i), move |&c| a.clusters[c].parent.as_ref().and_then(|p| self.get(p))).take(a.clusters.len())
    }

    /// The top-level cluster above `i`.
    pub fn top(&self, i: usize, a: &Analysis) -> usize {
        self.ancestors(i, a).last().unwrap_or(i)
    }

    /// The cluster and everything below it.
    pub fn descendants(&self, i: usize, a: &Analysis) -> Vec<usize> {
        let mut out = vec![i];
        let mut k = 0;
        // Bounded like `ancestors`, against a loop in a foreign analysis.
        while k < out.len() && out.len() <= a.clusters.len() {
            out.extend_from_slice(&self.children[out[k]]);
            k += 1;
        }
        out
    }

    /// The ancestor of `i` at `level` (or `i` when it is at or above it).
    pub fn at_level(&self, i: usize, level: usize, a: &Analysis) -> usize {
        self.ancestors(i, a).find(|&c| a.clusters[c].level >= level).unwrap_or(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::ClusterResult;

    fn cluster(id: &str, level: usize, parent: Option<&str>, size: usize) -> ClusterResult {
        ClusterResult {
            id: id.into(),
            level,
            parent: parent.map(Into::into),
            children: Vec::new(),
            name: id.into(),
            summary: String::new(),
            size,
            accounts: size,
            position: [0.0, 0.0],
            audit_score: 5,
            audit_reason: String::new(),
            hidden_reasons: Vec::new(),
            shareable: true,
        }
    }

    fn analysis(clusters: Vec<ClusterResult>) -> Analysis {
        Analysis {
            schema_version: crate::analysis::SCHEMA_VERSION,
            params: Default::default(),
            analyst: String::new(),
            analyst_versions: Default::default(),
            embedder: String::new(),
            import: crate::import::ImportReport {
                format: crate::import::FileFormat::JsonLines,
                compression: None,
                rows_read: 0,
                skipped: Vec::new(),
                accounts_known: true,
                sampled: None,
                duplicates_dropped: 0,
                near_duplicates_dropped: 0,
                damaged: None,
            },
            accounts_known: true,
            screened_out: 0,
            conversations: Vec::new(),
            levels: 2,
            clusters,
            other_hierarchies: Vec::new(),
        }
    }

    #[test]
    fn walks_up_and_down_the_tree() {
        let a = analysis(vec![cluster("L0-0", 0, Some("L1-0"), 3), cluster("L0-1", 0, Some("L1-0"), 5), cluster("L1-0", 1, None, 8)]);
        let index = ClusterIndex::new(&a);
        assert_eq!(index.roots, vec![2]);
        assert_eq!(index.children(2), &[1, 0], "largest first");
        assert_eq!(index.ancestors(0, &a).collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(index.top(1, &a), 2);
        assert_eq!(index.at_level(0, 1, &a), 2);
        assert_eq!(index.descendants(2, &a), vec![2, 1, 0]);
    }

    #[test]
    fn a_parent_loop_in_a_foreign_analysis_ends() {
        let a = analysis(vec![cluster("L0-0", 0, Some("L1-0"), 3), cluster("L1-0", 1, Some("L0-0"), 3)]);
        let index = ClusterIndex::new(&a);
        assert!(index.ancestors(0, &a).count() <= 2);
        assert!(index.descendants(0, &a).len() <= 3);
    }
}
