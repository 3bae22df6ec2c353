//! The explorer over one hierarchy of a run: the map with its overlays and
//! legend, the tree, search, the selected cluster's panel, comparisons, the
//! safety views, exports and publishing.

use std::sync::Arc;

use kleio_core::analysis::Analysis;
use kleio_core::breakdown::Baselines;
use kleio_core::cluster_index::ClusterIndex;
use kleio_core::colouring::{colouring, lit, Overlay};
use kleio_core::progress::Stage;
use leptos::prelude::*;

use crate::cluster_search::{ClusterSearch, Searchable};
use crate::cluster_tree::{ClusterTree, TreeNodes};
use crate::explorer::cluster_panel::ClusterPanel;
use crate::explorer::compare_view::CompareView;
use crate::explorer::conversation_pages::Readable;
use crate::explorer::download;
use crate::explorer::legend::Legend;
use crate::explorer::map_canvas::MapCanvas;
use crate::explorer::meaning_search::{Found, MeaningSearch};
use crate::explorer::overlay_picker::OverlayPicker;
use crate::explorer::publish_panel::PublishPanel;
use crate::explorer::safety_view::SafetyView;
use crate::explorer::view_address::{keep_in_address, ViewState};
use crate::explorer::LocalFacts;
use crate::pan_zoom::View;

/// The explorer over one hierarchy: `analysis` as viewed by one clustered
/// facet (`Analysis::viewed_by`), `hierarchy` naming it in the address
/// unless it is the analysis's own.
#[component]
pub fn HierarchyView(
    analysis: Arc<Analysis>,
    hierarchy: Option<String>,
    facts: Arc<LocalFacts>,
    title: String,
    /// Seconds per stage in `Stage::ALL` order; empty for a loaded analysis.
    stage_seconds: Vec<f64>,
) -> impl IntoView {
    let index = Arc::new(ClusterIndex::new(&analysis));
    let baselines = Arc::new(Baselines::new(&analysis));
    let state = ViewState {
        selected: RwSignal::new(None::<usize>),
        overlay: RwSignal::new(Overlay::TopCluster),
        view: RwSignal::new(View::FITTED),
        query: RwSignal::new(String::new()),
    };
    keep_in_address(analysis.clone(), hierarchy, index.clone(), state);
    let ViewState { selected, overlay, view, query } = state;
    // What a search by meaning found is lit in place of the overlay, until it is cleared.
    let found = RwSignal::new(None::<Found>);
    let colours = {
        let (analysis, index, baselines) = (analysis.clone(), index.clone(), baselines.clone());
        Memo::new(move |_| match found.get() {
            Some(f) => lit(analysis.conversations.len(), &f.lit, &format!("nearest to “{}”", f.query)),
            None => overlay.with(|o| colouring(&analysis, &index, &baselines, o)),
        })
    };
    let readable = RwSignal::new(Readable::of(&facts.transcripts));
    let export_error = RwSignal::new(None::<String>);

    let report = move |r: Result<(), String>| export_error.set(r.err());
    let (a_json, a_csv, i_csv) = (analysis.clone(), analysis.clone(), index.clone());
    let accounts = Arc::new(facts.accounts.clone());

    view! {
        <div class="explorer">
            <section class="map-column">
                <p class="stats">{format!(
                    "{} conversations, {} clusters in {} levels; embedded with {}; analyst: {}",
                    analysis.conversations.len(), analysis.clusters.len(), analysis.levels, analysis.embedder, analysis.analyst
                )}</p>
                {(!stage_seconds.is_empty()).then(|| {
                    let times: Vec<String> = Stage::ALL.iter().zip(&stage_seconds).map(|(stage, s)| format!("{} {s:.1} s", stage.label())).collect();
                    view! { <p class="stats" aria-label="Stage times">{format!("Stage times: {}", times.join(" · "))}</p> }
                })}
                <div class="toolbar">
                    <OverlayPicker baselines=baselines.clone() overlay />
                    <button on:click=move |_| report(serde_json::to_string_pretty(&*a_json).map_err(|e| e.to_string()).and_then(|j| download::save("kleio-analysis.json", "application/json", &j)))>"Export JSON"</button>
                    <button on:click=move |_| report(download::save("kleio-assignments.csv", "text/csv", &download::assignments_csv(&a_csv, &i_csv)))>"Export CSV"</button>
                    <button on:click=move |_| report(download::save_map_png("kleio-map.png"))>"Export PNG"</button>
                </div>
                {move || export_error.get().map(|e| view! { <p class="error" role="alert">{format!("Export failed: {e}")}</p> })}
                <MapCanvas analysis=analysis.clone() index=index.clone() selected=selected colouring=colours view />
                <Legend colouring=colours />
                <CompareView analysis=analysis.clone() index=index.clone() selected=selected />
                <SafetyView analysis=analysis.clone() index=index.clone() baselines=baselines.clone() facts=facts.clone() selected=selected />
                <PublishPanel analysis=analysis.clone() accounts=accounts title=title />
            </section>
            <aside>
                <MeaningSearch analysis=analysis.clone() index=index.clone() run=facts.run.clone() selected found />
                <ClusterSearch clusters=analysis.clusters.iter().map(|c| Searchable { name: c.name.clone(), summary: c.summary.clone(), size: c.size }).collect() selected=selected query />
                <ClusterPanel analysis=analysis.clone() index=index.clone() baselines=baselines facts=facts readable selected=selected />
                <ClusterTree nodes=Arc::new(TreeNodes::of_analysis(&analysis, &index)) selected=selected />
            </aside>
        </div>
    }
}
