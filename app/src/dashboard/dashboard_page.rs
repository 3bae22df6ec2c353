//! `/d/{id}`: a published dashboard, read-only, from what the proxy stored
//! after its privacy gate alone: the map, the tree of every published level,
//! the selected cluster's breakdowns against the dashboard's, search over
//! names and summaries, and the privacy report.

use std::sync::Arc;

use kleio_core::publish::Dashboard;
use leptos::prelude::*;

use crate::api;
use crate::cluster_search::{ClusterSearch, Searchable};
use crate::cluster_tree::{ClusterTree, TreeNodes};
use crate::dashboard::dashboard_map::DashboardMap;
use crate::dashboard::dashboard_panel::{base_rates, DashboardPanel};
use crate::dashboard::privacy_report::PrivacyReport;

#[component]
pub fn DashboardPage(id: String) -> impl IntoView {
    let dashboard = LocalResource::new(move || api::dashboard(id.clone()));
    view! {
        <Transition fallback=|| view! { <p>"Loading the dashboard…"</p> }>
            <ErrorBoundary fallback=|errors| view! {
                <p class="error">{move || errors.get().into_iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>().join("; ")}</p>
            }>
                {move || Suspend::new(async move { dashboard.await.map(|d| view! { <DashboardView dashboard=Arc::new(d) /> }) })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn DashboardView(dashboard: Arc<Dashboard>) -> impl IntoView {
    let nodes = Arc::new(TreeNodes::of_dashboard(&dashboard));
    let base = Arc::new(base_rates(&dashboard));
    let selected = RwSignal::new(None::<usize>);
    let conversations: usize = dashboard.clusters.iter().filter(|c| c.parent.is_none()).map(|c| c.size).sum();
    let levels = dashboard.clusters.iter().map(|c| c.level).collect::<std::collections::BTreeSet<_>>().len();
    view! {
        <main class="explorer dashboard">
            <section class="map-column">
                <h2>{dashboard.title.clone()}</h2>
                <p class="stats">{format!(
                    "A read-only dashboard: {} clusters in {levels} levels, {conversations} conversations, clustered by {}. Only what passed the privacy gates is here; the report below says what did not, in numbers.",
                    dashboard.clusters.len(), dashboard.facet
                )}</p>
                <DashboardMap dashboard=dashboard.clone() nodes=nodes.clone() selected=selected />
                <PrivacyReport dashboard=dashboard.clone() />
            </section>
            <aside>
                <ClusterSearch clusters=dashboard.clusters.iter().map(|c| Searchable { name: c.name.clone(), summary: c.summary.clone(), size: c.size }).collect() selected=selected />
                <DashboardPanel dashboard=dashboard.clone() nodes=nodes.clone() base=base selected=selected />
                <ClusterTree nodes=nodes selected=selected />
            </aside>
        </main>
    }
}
