//! Compare on a published dashboard, from its aggregates alone (the
//! paper's Figures 7 and 8): the clusters that hold a breakdown value surely
//! more, or surely less, often than the dashboard's clusters together, and
//! the clusters placed by their means on two numeric breakdowns. Selecting
//! a cluster here selects it on the map, the tree and the panel.

use std::sync::Arc;

use kleio_core::dashboard_compare::{cluster_means, numeric_breakdowns, value_shares, POOLED};
use kleio_core::publish::Dashboard;
use leptos::prelude::*;

use crate::compare_tables::{MeansView, MinCount, ShareTables};
use crate::dashboard::dashboard_panel::{value_label, Breakdowns};

#[component]
pub fn DashboardCompare(dashboard: Arc<Dashboard>, base: Arc<Breakdowns>, selected: RwSignal<Option<usize>>) -> impl IntoView {
    if base.is_empty() {
        return view! {
            <section aria-label="Compare" class="compare">
                <h3>"Compare clusters"</h3>
                <p class="stats">"This dashboard was published without breakdowns, so there is nothing to compare its clusters by."</p>
            </section>
        }
        .into_any();
    }
    let mut levels: Vec<usize> = dashboard.clusters.iter().map(|c| c.level).collect();
    levels.sort_unstable();
    levels.dedup();
    let level = RwSignal::new(levels.first().copied().unwrap_or(0));
    let breakdowns: Vec<String> = base.keys().cloned().collect();
    let breakdown = RwSignal::new(breakdowns.first().cloned().unwrap_or_default());
    // A breakdown's values, most common first; the pooled rest is no value to compare.
    let value_options = {
        let base = base.clone();
        Memo::new(move |_| {
            let mut values: Vec<(String, usize)> =
                base.get(&breakdown.get()).map(|v| v.iter().filter(|(k, _)| *k != POOLED).map(|(k, n)| (k.clone(), *n)).collect()).unwrap_or_default();
            values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            values
        })
    };
    // The most common value is everywhere; the second is the first worth comparing.
    let value = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let options = value_options.get();
        value.set(options.get(1).or(options.first()).map(|(v, _)| v.clone()));
    });
    let min_counted = RwSignal::new(dashboard.privacy.min_conversations.max(1));

    let names: Arc<Vec<String>> = Arc::new(dashboard.clusters.iter().map(|c| c.name.clone()).collect());
    let shares = {
        let (dashboard, names) = (dashboard.clone(), names.clone());
        move || {
            let v = value.get()?;
            let table = value_shares(&dashboard, &breakdown.get(), &v, level.get(), min_counted.get());
            Some(view! { <ShareTables table value=value_label(&breakdown.get(), &v) min_counted=min_counted.get() names=names.clone() selected /> })
        }
    };

    let numeric = numeric_breakdowns(&dashboard);
    let x_axis = RwSignal::new(numeric.first().cloned().unwrap_or_default());
    let y_axis = RwSignal::new(numeric.get(1).or(numeric.first()).cloned().unwrap_or_default());
    let scatter = {
        let dashboard = dashboard.clone();
        move || {
            let points = cluster_means(&dashboard, &x_axis.get(), &y_axis.get(), level.get(), min_counted.get());
            view! { <MeansView points x_label=x_axis.get() y_label=y_axis.get() names=names.clone() selected /> }
        }
    };

    let pick = |options: Vec<String>| options.into_iter().map(|o| view! { <option value=o.clone()>{o.clone()}</option> }).collect_view();
    view! {
        <section aria-label="Compare" class="compare">
            <h3>"Compare clusters"</h3>
            <div class="toolbar">
                <label>"Level "
                    <select aria-label="Level" on:change=move |e| level.set(event_target_value(&e).parse().unwrap_or(0))>
                        {levels.iter().map(|l| view! { <option value=l.to_string()>{format!("level {l}")}</option> }).collect_view()}
                    </select>
                </label>
                <MinCount min_counted />
            </div>
            <h4>"Where a value is over- or under-represented"</h4>
            <div class="toolbar">
                <label>"Breakdown "
                    <select aria-label="Breakdown" on:change=move |e| breakdown.set(event_target_value(&e))>{pick(breakdowns)}</select>
                </label>
                <label>"Value "
                    <select aria-label="Value" prop:value=move || value.get().unwrap_or_default() on:change=move |e| value.set(Some(event_target_value(&e)))>
                        {move || value_options.get().into_iter().map(|(v, n)| view! { <option value=v.clone()>{format!("{} ({n})", value_label(&breakdown.get(), &v))}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            {shares}
            <h4>"Clusters by the means of two numeric breakdowns"</h4>
            <div class="toolbar">
                <label>"Across "
                    <select aria-label="Across" prop:value=move || x_axis.get() on:change=move |e| x_axis.set(event_target_value(&e))>{pick(numeric.clone())}</select>
                </label>
                <label>"Up "
                    <select aria-label="Up" prop:value=move || y_axis.get() on:change=move |e| y_axis.set(event_target_value(&e))>{pick(numeric)}</select>
                </label>
            </div>
            {scatter}
        </section>
    }
    .into_any()
}
