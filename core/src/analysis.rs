//! The result of a run: the schema of `analysis.json` (documented in docs/analysis-schema.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analyst::FacetAnswer;
use crate::facets::ComputedFacets;
use crate::import::ImportReport;
use crate::privacy::HiddenReason;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub schema_version: u32,
    pub params: crate::params::RunParams,
    /// Who answered the LLM tasks, and which model embedded.
    pub analyst: String,
    /// The analyst's models and prompt versions (none for the offline one,
    /// and for analyses made before they were kept).
    #[serde(default)]
    pub analyst_versions: crate::analyst::AnalystVersions,
    pub embedder: String,
    pub import: ImportReport,
    /// Whether the file named accounts; if not, each conversation counted as its own account.
    pub accounts_known: bool,
    /// Conversations the screener left out.
    pub screened_out: usize,
    pub conversations: Vec<ConversationResult>,
    /// All clusters, base level (0) first, then each level above.
    pub clusters: Vec<ClusterResult>,
    /// Number of levels, the base included.
    pub levels: usize,
    /// The hierarchies of the run's other clustered facets
    /// (`params.clustered` after the first), each with its own clusters and
    /// map; [`Analysis::viewed_by`] makes one of them the analysis's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_hierarchies: Vec<FacetHierarchy>,
}

/// The clusters of one more clustered facet: everything an analysis holds
/// of its own hierarchy, beside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FacetHierarchy {
    /// The facet's id.
    pub facet: String,
    pub clusters: Vec<ClusterResult>,
    pub levels: usize,
    /// Each conversation's base cluster and place on this facet's map, in
    /// the analysis's order; `None` where the facet had no answer.
    pub placements: Vec<Option<Placement>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    pub cluster: String,
    pub position: [f32; 2],
}

impl Analysis {
    /// The clustered facets' ids, the analysis's own first.
    pub fn hierarchy_facets(&self) -> Vec<String> {
        let own = self.params.cluster_facet().map(|f| f.id.clone()).unwrap_or_default();
        std::iter::once(own).chain(self.other_hierarchies.iter().map(|h| h.facet.clone())).collect()
    }

    /// The same analysis with `facet`'s hierarchy as its own (clusters,
    /// levels, each conversation's cluster and position, and `facet` first
    /// among the clustered), so everything that reads one hierarchy reads
    /// this one; the one it had joins the others. `None` when no hierarchy
    /// is of `facet`.
    pub fn viewed_by(&self, facet: &str) -> Option<Analysis> {
        let mut view = self.clone();
        if self.params.cluster_facet().is_some_and(|f| f.id == facet) {
            return Some(view);
        }
        let at = view.other_hierarchies.iter().position(|h| h.facet == facet)?;
        let other = view.other_hierarchies.remove(at);
        let own_facet = self.params.cluster_facet().map(|f| f.id.clone()).unwrap_or_default();
        let own_placements = view
            .conversations
            .iter_mut()
            .zip(other.placements.into_iter().chain(std::iter::repeat(None)))
            .map(|(c, theirs)| {
                let own = c.cluster.take().zip(c.position.take()).map(|(cluster, position)| Placement { cluster, position });
                if let Some(p) = theirs {
                    c.cluster = Some(p.cluster);
                    c.position = Some(p.position);
                }
                own
            })
            .collect();
        let own = FacetHierarchy {
            facet: own_facet,
            clusters: std::mem::replace(&mut view.clusters, other.clusters),
            levels: std::mem::replace(&mut view.levels, other.levels),
            placements: own_placements,
        };
        view.other_hierarchies.insert(at, own);
        view.params.clustered = std::iter::once(facet.to_string()).chain(view.other_hierarchies.iter().map(|h| h.facet.clone())).collect();
        Some(view)
    }

    /// Each clustered facet with how many conversations it placed (the
    /// vectors its run embedded), the analysis's own first.
    pub fn clustered_counts(&self) -> Vec<(String, usize)> {
        let own = self.conversations.iter().filter(|c| c.cluster.is_some()).count();
        let facets = self.hierarchy_facets();
        std::iter::once(own)
            .chain(self.other_hierarchies.iter().map(|h| h.placements.iter().filter(|p| p.is_some()).count()))
            .zip(facets)
            .map(|(n, f)| (f, n))
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationResult {
    pub id: String,
    pub facets: ComputedFacets,
    /// The answers to the extracted facets, by facet id.
    pub answers: BTreeMap<String, FacetAnswer>,
    /// Facets the analyst could not answer for this conversation, with why.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, String>,
    /// The base cluster's id; `None` when the clustered facet had no answer.
    pub cluster: Option<String>,
    /// Position on the 2-D map; `None` together with `cluster`.
    pub position: Option<[f32; 2]>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterResult {
    /// `L{level}-{index}`, for example `L0-12` for base cluster 12.
    pub id: String,
    pub level: usize,
    pub parent: Option<String>,
    pub children: Vec<String>,
    pub name: String,
    pub summary: String,
    /// Conversations in the cluster (under it, above the base).
    pub size: usize,
    /// Distinct accounts among them.
    pub accounts: usize,
    /// The mean position of its conversations on the map.
    pub position: [f32; 2],
    pub audit_score: u8,
    pub audit_reason: String,
    /// The cluster's own failed gates.
    pub hidden_reasons: Vec<HiddenReason>,
    /// Passes its own gates and every ancestor's: only these may leave the owner's machine.
    pub shareable: bool,
}

pub fn cluster_id(level: usize, index: usize) -> String {
    format!("L{level}-{index}")
}
