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
use crate::dashboard::dashboard_compare::DashboardCompare;
use crate::dashboard::dashboard_map::DashboardMap;
use crate::dashboard::dashboard_panel::{base_rates, DashboardPanel};
use crate::dashboard::privacy_report::PrivacyReport;
use crate::dashboard::share_panel::SharePanel;

/// Where a dashboard comes from.
#[derive(Clone)]
pub enum DashboardSource {
    /// Published on the proxy that serves this page, by id.
    Published(String),
    /// An exported site's own file, with no proxy behind the page.
    Exported(String),
}

#[component]
pub fn DashboardPage(source: DashboardSource) -> impl IntoView {
    let dashboard = {
        let source = source.clone();
        LocalResource::new(move || {
            let source = source.clone();
            async move {
                match source {
                    DashboardSource::Published(id) => api::dashboard(id).await,
                    DashboardSource::Exported(file) => api::exported_dashboard(file).await,
                }
            }
        })
    };
    let published_id = match source {
        DashboardSource::Published(id) => Some(id),
        DashboardSource::Exported(_) => None,
    };
    view! {
        <Transition fallback=|| view! { <p>"Loading the dashboard…"</p> }>
            <ErrorBoundary fallback=|errors| view! {
                <p class="error">{move || errors.get().into_iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>().join("; ")}</p>
            }>
                {move || {
                    let published_id = published_id.clone();
                    Suspend::new(async move { dashboard.await.map(|d| view! { <DashboardView dashboard=Arc::new(d) published_id /> }) })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
/// `published_id` is the dashboard's id on the proxy serving the page; an
/// exported site has none, and nothing to share from.
fn DashboardView(dashboard: Arc<Dashboard>, published_id: Option<String>) -> impl IntoView {
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
                <DashboardCompare dashboard=dashboard.clone() base=base.clone() selected=selected />
                <PrivacyReport dashboard=dashboard.clone() />
                {published_id.map(|id| view! { <SharePanel id title=dashboard.title.clone() /> })}
            </section>
            <aside>
                <ClusterSearch clusters=dashboard.clusters.iter().map(|c| Searchable { name: c.name.clone(), summary: c.summary.clone(), size: c.size }).collect() selected=selected />
                <DashboardPanel dashboard=dashboard.clone() nodes=nodes.clone() base=base selected=selected />
                <ClusterTree nodes=nodes selected=selected />
            </aside>
        </main>
    }
}
