//! What a run can be told, checked, and the rules that follow from it alone
//! (how many base clusters), so the pipeline and the cost estimate share them.

use serde::{Deserialize, Serialize};

use crate::analyst::{Facet, FacetKind};
use crate::hierarchy::HierarchyParams;
use crate::kmeans::choose_k;
use crate::privacy::PrivacyParams;
use crate::projection::ProjectionParams;
use crate::PipelineError;

/// Everything a run can be told. Defaults follow the paper where it gives a value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunParams {
    pub seed: u64,
    /// Facets to extract; the first open-text one is clustered.
    pub facets: Vec<Facet>,
    /// Optional yes/no question; only conversations answered yes are analysed (paper G.3).
    pub screener: Option<String>,
    /// Base clusters; `None` applies [`choose_k`].
    pub k: Option<usize>,
    pub privacy: PrivacyParams,
    pub hierarchy: HierarchyParams,
    pub projection: ProjectionParams,
    /// Members shown to the namer per cluster (the paper uses 50).
    pub naming_members: usize,
    /// Nearest non-members shown to the namer per cluster (the paper uses 50).
    pub naming_contrast: usize,
}

impl Default for RunParams {
    fn default() -> Self {
        RunParams {
            seed: 0,
            facets: vec![Facet::request(), Facet::language(), Facet::concern()],
            screener: None,
            k: None,
            privacy: PrivacyParams::default(),
            hierarchy: HierarchyParams::default(),
            projection: ProjectionParams::default(),
            naming_members: 50,
            naming_contrast: 50,
        }
    }
}

impl RunParams {
    /// Fills the seeds of the parts from the run's seed, and checks the values.
    pub fn checked(mut self) -> Result<Self, PipelineError> {
        if !self.facets.iter().any(|f| f.kind == FacetKind::OpenText) {
            return Err(PipelineError::Params("at least one open-text facet is needed to cluster".into()));
        }
        if self.hierarchy.levels == 0 || self.hierarchy.top == 0 {
            return Err(PipelineError::Params("levels and top must be at least 1".into()));
        }
        if self.k == Some(0) {
            return Err(PipelineError::Params("k must be at least 1".into()));
        }
        if !(1..=5).contains(&self.privacy.min_audit_score) {
            return Err(PipelineError::Params("the audit minimum is on the 1–5 scale".into()));
        }
        self.hierarchy.seed = self.seed.wrapping_add(1);
        self.projection.seed = self.seed.wrapping_add(2);
        Ok(self)
    }

    /// The facet whose answers are embedded and clustered: the first
    /// open-text one. `None` only in parameters that were never checked (an
    /// analysis file from elsewhere, say).
    pub fn cluster_facet(&self) -> Option<&Facet> {
        self.facets.iter().find(|f| f.kind == FacetKind::OpenText)
    }

    /// The number of base clusters for `n` clustered conversations: the
    /// requested k, else [`choose_k`], never more than there are
    /// conversations and never none.
    pub fn base_k(&self, n: usize) -> usize {
        self.k.unwrap_or_else(|| choose_k(n, self.privacy.min_accounts)).clamp(1, n.max(1))
    }
}
