//! A finished analysis to explore: the map with its overlays, the tree,
//! search, the selected cluster's panel, exports and publishing.

pub(crate) mod cluster_panel;
pub(crate) mod compare_view;
pub(crate) mod download;
pub(crate) mod map_canvas;
pub(crate) mod overlay;
pub(crate) mod publish_panel;

use std::collections::HashMap;
use std::sync::Arc;

use kleio_core::analysis::Analysis;
use kleio_core::progress::Stage;
use leptos::prelude::*;

use crate::cluster_search::{ClusterSearch, Searchable};
use crate::cluster_tree::{ClusterTree, TreeNodes};
use crate::explorer::cluster_panel::ClusterPanel;
use crate::explorer::compare_view::CompareView;
use crate::explorer::map_canvas::MapCanvas;
use crate::explorer::overlay::Overlay;
use crate::explorer::publish_panel::PublishPanel;
use kleio_core::cluster_index::ClusterIndex;

#[component]
pub fn Explorer(
    analysis: Arc<Analysis>,
    accounts: Arc<HashMap<String, String>>,
    title: String,
    /// Seconds per stage in `Stage::ALL` order; empty for a loaded analysis.
    stage_seconds: Vec<f64>,
) -> impl IntoView {
    let index = Arc::new(ClusterIndex::new(&analysis));
    let selected = RwSignal::new(None::<usize>);
    let overlay = RwSignal::new(Overlay::TopCluster);
    let export_error = RwSignal::new(None::<String>);

    let report = move |r: Result<(), String>| export_error.set(r.err());
    let (a_json, a_csv, i_csv) = (analysis.clone(), analysis.clone(), index.clone());

    view! {
        <main class="explorer">
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
                    <label>"Colour by "
                        <select on:change=move |e| overlay.set(Overlay::from_key(&event_target_value(&e)))>
                            {Overlay::ALL.into_iter().map(|o| view! { <option value=o.key()>{o.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <button on:click=move |_| report(serde_json::to_string_pretty(&*a_json).map_err(|e| e.to_string()).and_then(|j| download::save("kleio-analysis.json", "application/json", &j)))>"Export JSON"</button>
                    <button on:click=move |_| report(download::save("kleio-assignments.csv", "text/csv", &download::assignments_csv(&a_csv, &i_csv)))>"Export CSV"</button>
                    <button on:click=move |_| report(download::save_map_png("kleio-map.png"))>"Export PNG"</button>
                </div>
                {move || export_error.get().map(|e| view! { <p class="error" role="alert">{format!("Export failed: {e}")}</p> })}
                <MapCanvas analysis=analysis.clone() index=index.clone() selected=selected overlay=overlay.into() />
                <CompareView analysis=analysis.clone() index=index.clone() selected=selected />
                <PublishPanel analysis=analysis.clone() accounts=accounts title=title />
            </section>
            <aside>
                <ClusterSearch clusters=analysis.clusters.iter().map(|c| Searchable { name: c.name.clone(), summary: c.summary.clone(), size: c.size }).collect() selected=selected />
                <ClusterPanel analysis=analysis.clone() index=index.clone() selected=selected />
                <ClusterTree nodes=Arc::new(TreeNodes::of_analysis(&analysis, &index)) selected=selected />
            </aside>
        </main>
    }
}
