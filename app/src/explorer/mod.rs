//! A finished analysis to explore, one clustered facet's hierarchy at a
//! time (`hierarchy_view`), with a switch between them where the run
//! clustered several. What is being looked at lives in the address
//! (`view_address`), so a copied link reopens it and the back button steps
//! back through selections and hierarchies.

pub(crate) mod breakdown_figure;
pub(crate) mod cluster_panel;
pub(crate) mod compare_view;
pub(crate) mod conversation_pages;
pub(crate) mod download;
pub(crate) mod hierarchy_picker;
pub(crate) mod hierarchy_view;
pub(crate) mod legend;
pub(crate) mod level_picker;
pub(crate) mod map_canvas;
pub(crate) mod meaning_search;
pub(crate) mod overlay_picker;
pub(crate) mod paint;
pub(crate) mod publish_panel;
pub(crate) mod safety_view;
pub(crate) mod view_address;

use std::collections::HashMap;
use std::sync::Arc;

use kleio_core::analysis::Analysis;
use kleio_core::model::Conversation;
use leptos::prelude::*;

use crate::explorer::hierarchy_picker::HierarchyPicker;
use crate::explorer::hierarchy_view::HierarchyView;
use crate::explorer::view_address::{follow_hierarchy, hierarchy_in};
use crate::run_store::RunRecord;

/// Where the conversations of a run can be read from, for reading them in
/// the owner's own view; they never go into anything published.
#[derive(Clone)]
pub enum Transcripts {
    /// The run's conversations, in memory.
    Held(Arc<Vec<Conversation>>),
    /// An earlier run's: read again, when asked, from what the browser kept of its file.
    Kept(Box<RunRecord>),
    /// None to read, and why.
    Unavailable(&'static str),
}

/// What the owner's machine knows of a run beyond its analysis.
pub struct LocalFacts {
    /// Conversation id → account, where the file named accounts.
    pub accounts: HashMap<String, String>,
    /// Conversation id → the id of the first conversation of its group of
    /// near duplicates (`kleio_core::import::near_duplicate_groups`).
    pub templates: HashMap<String, String>,
    pub transcripts: Transcripts,
    /// The run's id in this browser's store, where its embeddings are kept
    /// (for search by meaning over conversations); none for an analysis
    /// that came without a run.
    pub run: Option<String>,
}

impl LocalFacts {
    /// For an analysis that came without them (the demo, a file).
    pub fn none(why: &'static str) -> LocalFacts {
        LocalFacts { accounts: HashMap::new(), templates: HashMap::new(), transcripts: Transcripts::Unavailable(why), run: None }
    }

    /// Whether accounts or templates are known, so concentration means something.
    pub fn known(&self) -> bool {
        !self.accounts.is_empty() || !self.templates.is_empty()
    }
}

#[component]
pub fn Explorer(
    analysis: Arc<Analysis>,
    facts: Arc<LocalFacts>,
    title: String,
    /// Seconds per stage in `Stage::ALL` order; empty for a loaded analysis.
    stage_seconds: Vec<f64>,
) -> impl IntoView {
    let facets = analysis.hierarchy_facets();
    let questions: Vec<String> =
        facets.iter().map(|id| analysis.params.facets.iter().find(|f| &f.id == id).map_or_else(|| id.clone(), |f| f.question.clone())).collect();
    let chosen = RwSignal::new(hierarchy_in(&facets));
    follow_hierarchy(facets.clone(), chosen);
    // Each hierarchy's view of the analysis is made once, when first shown.
    let mut made = vec![None::<Arc<Analysis>>; facets.len()];
    made[0] = Some(analysis.clone());
    let views = StoredValue::new(made);
    let picker = (facets.len() > 1).then(|| view! { <HierarchyPicker facets=facets.clone() questions chosen /> });
    let shown = move || {
        let i = chosen.get();
        let view = views.with_value(|v| v[i].clone()).unwrap_or_else(|| {
            let v = Arc::new(analysis.viewed_by(&facets[i]).unwrap_or_else(|| (*analysis).clone()));
            views.update_value(|all| all[i] = Some(v.clone()));
            v
        });
        let hierarchy = (i > 0).then(|| facets[i].clone());
        view! { <HierarchyView analysis=view hierarchy facts=facts.clone() title=title.clone() stage_seconds=stage_seconds.clone() /> }
    };
    view! {
        <main class="explorer-page">
            {picker}
            {shown}
        </main>
    }
}
