//! The top-level clusters, largest first.

use std::sync::Arc;

use kleio_core::analysis::Analysis;
use leptos::prelude::*;

use crate::palette::colour;

#[component]
pub fn ClusterList(analysis: Arc<Analysis>) -> impl IntoView {
    let top = analysis.levels.saturating_sub(1);
    let total = analysis.conversations.len().max(1);
    let mut clusters: Vec<(usize, &kleio_core::analysis::ClusterResult)> =
        analysis.clusters.iter().filter(|c| c.level == top).enumerate().collect();
    clusters.sort_by(|a, b| b.1.size.cmp(&a.1.size));
    let items = clusters.into_iter().map(|(i, c)| {
        let share = 100.0 * c.size as f64 / total as f64;
        let hidden = (!c.shareable).then_some(" (below the privacy minimums)");
        view! {
            <li>
                <span class="swatch" style:background=colour(i)></span>
                <strong>{c.name.clone()}</strong>
                <span class="size">{format!(" {} conversations, {share:.1}%", c.size)}{hidden}</span>
                <div>{c.summary.clone()}</div>
            </li>
        }
    }).collect_view();
    view! {
        <section aria-label="Top-level clusters">
            <h2>"Top-level clusters"</h2>
            <ul class="clusters">{items}</ul>
        </section>
    }
}
