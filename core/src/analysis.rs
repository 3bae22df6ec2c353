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
