//! Compare on a published dashboard, from its aggregates alone (the
//! paper's Figures 7 and 8): the clusters that hold a breakdown value surely
//! more, or surely less, often than the dashboard's clusters together, and
//! the clusters placed by their means on two numeric breakdowns. Selecting
//! a cluster here selects it on the map, the tree and the panel.

use std::sync::Arc;

use kleio_core::dashboard_compare::{cluster_means, numeric_breakdowns, value_shares, weighted_correlation, ValueShare, POOLED};
use kleio_core::publish::Dashboard;
use leptos::prelude::*;

use crate::dashboard::dashboard_panel::Breakdowns;
use crate::scatter_plot::{Dot, ScatterPlot};

/// Rows shown of each table.
const ROWS: usize = 10;

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

    let name = {
        let dashboard = dashboard.clone();
        move |i: usize| dashboard.clusters[i].name.clone()
    };
    let table_rows = {
        let name = name.clone();
        move |rows: Vec<ValueShare>, label: &'static str| {
            let more = rows.len().saturating_sub(ROWS);
            let body = rows
                .into_iter()
                .take(ROWS)
                .map(|r| {
                    let cluster = r.cluster;
                    view! {
                        <tr>
                            <td><button class="link" on:click=move |_| selected.set(Some(cluster))>{name(cluster)}</button></td>
                            <td>{r.counted}</td>
                            <td>{format!("{:.1} % ({:.1}–{:.1} %)", 100.0 * r.share, 100.0 * r.low, 100.0 * r.high)}</td>
                            <td>{format!("{:.2}×", r.ratio)}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <table aria-label=label>
                    <thead><tr><th>"Cluster"</th><th>"Counted"</th><th>"With the value (95 % interval)"</th><th>"Against the base rate"</th></tr></thead>
                    <tbody>{body}</tbody>
                </table>
                {(more > 0).then(|| view! { <p class="stats">{format!("and {more} more")}</p> })}
            }
        }
    };
    let shares = {
        let dashboard = dashboard.clone();
        move || {
            let v = value.get()?;
            let t = value_shares(&dashboard, &breakdown.get(), &v, level.get(), min_counted.get());
            let caption = format!(
                "{} of {} counted conversations at this level ({:.1} %) have {v}. Listed: clusters of at least {} counted conversations whose whole 95 % interval lies above, or below, that rate.",
                t.matching,
                t.counted,
                100.0 * t.base_rate,
                min_counted.get()
            );
            let (over, under) = (t.over, t.under);
            let table_rows = table_rows.clone();
            Some(view! {
                <p class="stats">{caption}</p>
                <h4>"More often than the dashboard"</h4>
                {if over.is_empty() { view! { <p class="stats">"None surely."</p> }.into_any() } else { table_rows(over, "Over-represented clusters").into_any() }}
                <h4>"Less often than the dashboard"</h4>
                {if under.is_empty() { view! { <p class="stats">"None surely."</p> }.into_any() } else { table_rows(under, "Under-represented clusters").into_any() }}
            })
        }
    };

    let numeric = numeric_breakdowns(&dashboard);
    let x_axis = RwSignal::new(numeric.first().cloned().unwrap_or_default());
    let y_axis = RwSignal::new(numeric.get(1).or(numeric.first()).cloned().unwrap_or_default());
    let scatter = {
        let dashboard = dashboard.clone();
        move || {
            let points = cluster_means(&dashboard, &x_axis.get(), &y_axis.get(), level.get(), min_counted.get());
            let correlation = match weighted_correlation(&points) {
                Some(r) => format!("Correlation of the clusters' means, weighted by size: {r:.2}."),
                None => "Too few clusters, or too little spread, for a correlation.".to_string(),
            };
            let dots = points
                .into_iter()
                .map(|p| Dot {
                    cluster: p.cluster,
                    size: p.size,
                    x: p.x,
                    y: p.y,
                    title: format!("{} ({} conversations): {:.2}, {:.2}", dashboard.clusters[p.cluster].name, p.size, p.x, p.y),
                })
                .collect();
            view! {
                <p class="stats">{correlation}</p>
                <ScatterPlot dots x_label=x_axis.get() y_label=y_axis.get() selected />
            }
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
                <label>"At least "
                    <input type="number" min="1" aria-label="Fewest counted conversations" prop:value=move || min_counted.get().to_string()
                        on:change=move |e| min_counted.set(event_target_value(&e).parse::<usize>().unwrap_or(1).max(1)) />
                    " conversations"
                </label>
            </div>
            <h4>"Where a value is over- or under-represented"</h4>
            <div class="toolbar">
                <label>"Breakdown "
                    <select aria-label="Breakdown" on:change=move |e| breakdown.set(event_target_value(&e))>{pick(breakdowns)}</select>
                </label>
                <label>"Value "
                    <select aria-label="Value" prop:value=move || value.get().unwrap_or_default() on:change=move |e| value.set(Some(event_target_value(&e)))>
                        {move || value_options.get().into_iter().map(|(v, n)| view! { <option value=v.clone()>{format!("{v} ({n})")}</option> }).collect_view()}
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
