//! What both compare views (the owner's and a dashboard's) draw from
//! core's statistics: Figure 7 both ways, as two tables of clusters with
//! their shares' 95 % intervals; and Figure 8, the clusters on the means of
//! two measures with their correlation, the diagonal where the two agree,
//! and the clusters where they disagree most (a classifier's likely misses
//! and false alarms, the paper's §4.3). Selecting a cluster here selects it
//! everywhere.

use std::sync::Arc;

use kleio_core::cluster_stats::{disagreements, weighted_correlation, ClusterMeans, ShareTable, ValueShare};
use leptos::prelude::*;

use crate::scatter_plot::{Dot, ScatterPlot};

/// Rows shown of each table.
const ROWS: usize = 10;

/// The fewest conversations with a value a cluster needs to be listed (at least 1).
#[component]
pub fn MinCount(min_counted: RwSignal<usize>) -> impl IntoView {
    view! {
        <label>"At least "
            <input type="number" min="1" aria-label="Fewest counted conversations" prop:value=move || min_counted.get().to_string()
                on:change=move |e| min_counted.set(event_target_value(&e).parse::<usize>().unwrap_or(1).max(1)) />
            " conversations"
        </label>
    }
}

#[component]
pub fn ShareTables(table: ShareTable, value: String, min_counted: usize, names: Arc<Vec<String>>, selected: RwSignal<Option<usize>>) -> impl IntoView {
    let caption = format!(
        "{} of {} conversations with a value ({:.1} %) have {value}. Listed: clusters of at least {min_counted} such conversations whose whole 95 % interval lies above, or below, that rate{}.",
        table.matching,
        table.counted,
        100.0 * table.base_rate,
        if table.too_small > 0 { format!(" ({} smaller clusters left out)", table.too_small) } else { String::new() }
    );
    let rows = move |rows: Vec<ValueShare>, label: &'static str| {
        if rows.is_empty() {
            return view! { <p class="stats">"None surely."</p> }.into_any();
        }
        let more = rows.len().saturating_sub(ROWS);
        let names = names.clone();
        let body = rows
            .into_iter()
            .take(ROWS)
            .map(|r| {
                let cluster = r.cluster;
                view! {
                    <tr>
                        <td><button class="link" on:click=move |_| selected.set(Some(cluster))>{names.get(cluster).cloned().unwrap_or_default()}</button></td>
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
        .into_any()
    };
    view! {
        <p class="stats">{caption}</p>
        <h4>"More often than in all the data"</h4>
        {rows(table.over, "Over-represented clusters")}
        <h4>"Less often than in all the data"</h4>
        {rows(table.under, "Under-represented clusters")}
    }
}

#[component]
pub fn MeansView(points: Vec<ClusterMeans>, x_label: String, y_label: String, names: Arc<Vec<String>>, selected: RwSignal<Option<usize>>) -> impl IntoView {
    let correlation = match weighted_correlation(&points) {
        Some(r) => format!("Correlation of the clusters' means, weighted by size: {r:.2}."),
        None => "Too few clusters, or too little spread, for a correlation.".to_string(),
    };
    let gaps = disagreements(&points);
    let no_spread = gaps.is_empty();
    let name = move |i: usize| names.get(i).cloned().unwrap_or_default();
    let dots = points
        .iter()
        .map(|p| Dot {
            cluster: p.cluster,
            size: p.size,
            x: p.x,
            y: p.y,
            title: format!("{} ({} conversations): {:.2}, {:.2}", name(p.cluster), p.size, p.x, p.y),
        })
        .collect();
    let list = gaps
        .into_iter()
        .take(ROWS)
        .map(|g| {
            let cluster = g.cluster;
            let reading = if g.gap > 0.0 { format!("higher on {x_label}") } else { format!("higher on {y_label}") };
            view! {
                <tr>
                    <td><button class="link" on:click=move |_| selected.set(Some(cluster))>{name(cluster)}</button></td>
                    <td>{g.size}</td>
                    <td>{format!("{:.2}", g.x)}</td>
                    <td>{format!("{:.2}", g.y)}</td>
                    <td>{format!("{:+.2}, {reading}", g.gap)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="stats">{correlation}</p>
        <ScatterPlot dots x_label=x_label.clone() y_label=y_label.clone() selected diagonal=true />
        <h4>"Where the two disagree most"</h4>
        {if no_spread {
            view! { <p class="stats">"One of the two has the same mean in every cluster: there is nothing to disagree about."</p> }.into_any()
        } else {
            view! {
                <p class="hint">"Each mean rescaled to 0–1 over these clusters (the plot's diagonal is where they agree). A cluster high on one and low on the other is where one measure likely misses what the other catches."</p>
                <table aria-label="Clusters where the measures disagree">
                    <thead><tr><th>"Cluster"</th><th>"Conversations"</th><th>{x_label}</th><th>{y_label}</th><th>"Gap"</th></tr></thead>
                    <tbody>{list}</tbody>
                </table>
            }
            .into_any()
        }}
    }
}
