//! `/d/{id}`: a published dashboard, read-only. It shows only what the
//! proxy stored after its privacy gate: clusters and their counts.

use std::sync::Arc;

use kleio_core::publish::Dashboard;
use leptos::prelude::*;

use crate::api;
use crate::dashboard::dashboard_map::{top_index, DashboardMap};
use crate::palette::colour;

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
    let d = dashboard.clone();
    let tops = top_index(&d);
    let total: usize = d.clusters.iter().filter(|c| c.parent.is_none()).map(|c| c.size).sum::<usize>().max(1);
    let mut top: Vec<_> = d.clusters.iter().filter(|c| c.parent.is_none()).collect();
    top.sort_by_key(|c| std::cmp::Reverse(c.size));
    let items = top
        .into_iter()
        .map(|c| {
            let children: Vec<String> =
                c.children.iter().filter_map(|id| d.clusters.iter().find(|x| &x.id == id)).map(|x| format!("{} ({})", x.name, x.size)).collect();
            view! {
                <li>
                    <span class="swatch" style:background=colour(tops.get(c.id.as_str()).copied().unwrap_or(0))></span>
                    <strong>{c.name.clone()}</strong>
                    <span class="size">{format!(" {} conversations, {:.1}%, {} accounts", c.size, 100.0 * c.size as f64 / total as f64, c.accounts)}</span>
                    <div>{c.summary.clone()}</div>
                    <div class="children">{children.join(" · ")}</div>
                </li>
            }
        })
        .collect_view();
    view! {
        <main>
            <section>
                <h2>{d.title.clone()}</h2>
                <p class="stats">{format!(
                    "A read-only dashboard: {} clusters that passed the privacy gates (at least {} accounts and {} conversations each, audit score ≥ {}).",
                    d.clusters.len(), d.privacy.min_accounts, d.privacy.min_conversations, d.privacy.min_audit_score
                )}</p>
                <DashboardMap dashboard=dashboard.clone() />
            </section>
            <section aria-label="Top-level clusters">
                <h2>"Top-level clusters"</h2>
                <ul class="clusters">{items}</ul>
            </section>
        </main>
    }
}
