//! The selected published cluster: its name and summary, its size and share,
//! its distinct accounts, its breakdowns (as the gate pooled them) against
//! the dashboard's base rates, the months as a timeline, and its children.

use std::collections::BTreeMap;
use std::sync::Arc;

use kleio_core::api::facet_id;
use kleio_core::language::language_name;
use kleio_core::publish::Dashboard;
use leptos::prelude::*;

use crate::cluster_tree::TreeNodes;
use crate::rate_bars::{rate_rows, RateBars};

/// Values shown per categorical breakdown, the most common in the dashboard first.
const VALUES: usize = 8;

pub type Breakdowns = BTreeMap<String, BTreeMap<String, usize>>;

/// The dashboard's base rates: each breakdown summed over the top level,
/// which holds every published conversation once.
pub fn base_rates(d: &Dashboard) -> Breakdowns {
    let mut base: Breakdowns = BTreeMap::new();
    for c in d.clusters.iter().filter(|c| c.parent.is_none()) {
        for (facet, values) in &c.breakdowns {
            let into = base.entry(facet.clone()).or_default();
            for (value, n) in values {
                *into.entry(value.clone()).or_default() += n;
            }
        }
    }
    base
}

/// How a breakdown value reads: languages by name ("English"), though a
/// dashboard carries their codes, the closed vocabulary the proxy checks.
pub fn value_label(facet: &str, value: &str) -> String {
    if facet == facet_id::LANGUAGE {
        language_name(value)
    } else {
        value.to_string()
    }
}

/// A breakdown's title and the order its values are shown in.
fn layout(facet: &str, base: &BTreeMap<String, usize>) -> (String, Vec<String>) {
    let mut values: Vec<String> = base.keys().cloned().collect();
    let title = match facet {
        facet_id::MONTH => "When (by month)",
        facet_id::CONCERN => "Concern (1 none – 5 severe)",
        facet_id::TURNS => "Turns",
        facet_id::LANGUAGE => "Language",
        other => other,
    };
    match facet {
        // Months, concern levels and turn counts keep their own order.
        facet_id::MONTH | facet_id::CONCERN => {}
        facet_id::TURNS => values.sort_by_key(|v| v.trim_end_matches(['+', '-']).parse::<usize>().unwrap_or(usize::MAX)),
        _ => {
            values.sort_by(|a, b| base[b].cmp(&base[a]).then(a.cmp(b)));
            values.truncate(VALUES);
        }
    }
    (title.to_string(), values)
}

#[component]
pub fn DashboardPanel(dashboard: Arc<Dashboard>, nodes: Arc<TreeNodes>, base: Arc<Breakdowns>, selected: RwSignal<Option<usize>>) -> impl IntoView {
    move || {
        let Some(i) = selected.get() else {
            return view! { <section aria-label="Cluster details" class="panel"><p class="hint">"Select a cluster on the map or in the tree."</p></section> }
                .into_any();
        };
        let c = &dashboard.clusters[i];
        let total: usize = dashboard.clusters.iter().filter(|c| c.parent.is_none()).map(|c| c.size).sum();
        let share = 100.0 * c.size as f64 / total.max(1) as f64;
        let bars = c
            .breakdowns
            .iter()
            .filter_map(|(facet, counts)| {
                let (title, order) = layout(facet, base.get(facet)?);
                let mut rows = rate_rows(&order, counts, &base[facet]);
                rows.iter_mut().for_each(|r| r.label = value_label(facet, &r.label));
                Some(view! { <RateBars title=title rows=rows whole="the whole dashboard" /> })
            })
            .collect_view();
        let children = nodes
            .children(i)
            .iter()
            .map(|&ch| {
                let child = &dashboard.clusters[ch];
                view! { <li><button class="link" on:click=move |_| selected.set(Some(ch))>{child.name.clone()}</button>{format!(" ({})", child.size)}</li> }
            })
            .collect_view();
        view! {
            <section aria-label="Cluster details" class="panel">
                <h2>{c.name.clone()}</h2>
                <p>{c.summary.clone()}</p>
                <p class="stats">{format!("{} conversations ({share:.1}% of the dashboard), {} distinct accounts, level {}", c.size, c.accounts, c.level)}</p>
                {bars}
                {(!nodes.children(i).is_empty()).then(|| view! { <h3>"Children"</h3><ul class="children">{children}</ul> })}
            </section>
        }
        .into_any()
    }
}
