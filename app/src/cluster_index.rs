//! Lookups over an analysis's cluster tree that the map, the tree and the
//! panel all need: by id, children, ancestors, members.

use std::collections::HashMap;

use kleio_core::analysis::Analysis;

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
            for i in index.descendants(root) {
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

    /// The cluster itself, then its parent, up to the top.
    pub fn ancestors<'a>(&'a self, i: usize, a: &'a Analysis) -> impl Iterator<Item = usize> + 'a {
        std::iter::successors(Some(i), move |&c| a.clusters[c].parent.as_ref().and_then(|p| self.get(p)))
    }

    /// The cluster and everything below it.
    pub fn descendants(&self, i: usize) -> Vec<usize> {
        let mut out = vec![i];
        let mut k = 0;
        while k < out.len() {
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
