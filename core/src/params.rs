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
    /// Facets to extract.
    pub facets: Vec<Facet>,
    /// The open-text facets to cluster, by id, each into its own base
    /// clusters, names, hierarchy and map from the one run (the paper builds
    /// a hierarchy per facet). The first is the one shown first. Empty
    /// means the first open-text facet of `facets`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clustered: Vec<String>,
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
            clustered: Vec::new(),
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
    /// Fills the seeds of the parts from the run's seed and the clustered
    /// facets from the default rule, and checks the values.
    pub fn checked(mut self) -> Result<Self, PipelineError> {
        if !self.facets.iter().any(|f| f.kind == FacetKind::OpenText) {
            return Err(PipelineError::Params("at least one open-text facet is needed to cluster".into()));
        }
        for (i, id) in self.clustered.iter().enumerate() {
            match self.facets.iter().find(|f| &f.id == id) {
                None => return Err(PipelineError::Params(format!("the clustered facet {id:?} is not among the facets extracted"))),
                Some(f) if f.kind != FacetKind::OpenText => {
                    return Err(PipelineError::Params(format!("the facet {id:?} cannot be clustered: only open-text answers are embedded")))
                }
                Some(_) if self.clustered[..i].contains(id) => return Err(PipelineError::Params(format!("the facet {id:?} is clustered twice"))),
                Some(_) => {}
            }
        }
        self.clustered = self.clustered_facets().into_iter().map(|f| f.id.clone()).collect();
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

    /// The facet whose hierarchy is shown first (the analysis's own
    /// clusters): the first of [`Self::clustered_facets`]. `None` only in
    /// parameters that were never checked (an analysis file from elsewhere,
    /// say).
    pub fn cluster_facet(&self) -> Option<&Facet> {
        self.clustered_facets().into_iter().next()
    }

    /// The facets whose answers are embedded and clustered, in order: those
    /// named in `clustered` that are extracted open-text facets, or the first
    /// open-text facet when none is named.
    pub fn clustered_facets(&self) -> Vec<&Facet> {
        let named: Vec<&Facet> = self.clustered.iter().filter_map(|id| self.facets.iter().find(|f| &f.id == id && f.kind == FacetKind::OpenText)).collect();
        if named.is_empty() {
            self.facets.iter().find(|f| f.kind == FacetKind::OpenText).into_iter().collect()
        } else {
            named
        }
    }

    /// The number of base clusters for `n` clustered conversations: the
    /// requested k, else [`choose_k`], never more than there are
    /// conversations and never none.
    pub fn base_k(&self, n: usize) -> usize {
        self.k.unwrap_or_else(|| choose_k(n, self.privacy.min_accounts)).clamp(1, n.max(1))
    }
}
