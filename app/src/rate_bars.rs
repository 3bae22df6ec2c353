//! A breakdown of one cluster drawn against the base rates of all the data
//! (the owner's explorer) or of the whole dashboard: each value's share of
//! the cluster as a bar, its share of the whole as a mark on the same
//! scale, and the ratio of the two.

use kleio_core::breakdown::Bar;
use leptos::prelude::*;

/// `cluster` and `base` are counts by value; the rows keep `order`'s order.
pub fn rate_rows(order: &[String], cluster: &std::collections::BTreeMap<String, usize>, base: &std::collections::BTreeMap<String, usize>) -> Vec<Bar> {
    let (in_cluster, in_base) = (cluster.values().sum::<usize>().max(1) as f64, base.values().sum::<usize>().max(1) as f64);
    order
        .iter()
        .map(|v| {
            let count = cluster.get(v).copied().unwrap_or(0);
            Bar { label: v.clone(), count, share: count as f64 / in_cluster, base_share: base.get(v).copied().unwrap_or(0) as f64 / in_base }
        })
        .collect()
}

#[component]
pub fn RateBars(
    title: String,
    rows: Vec<Bar>,
    /// What the marks stand for: "the whole dashboard", "all the data".
    whole: &'static str,
) -> impl IntoView {
    let widest = rows.iter().map(|r| r.share.max(r.base_share)).fold(0.0, f64::max).max(1e-9);
    let label = title.clone();
    view! {
        <figure class="bars rate-bars" aria-label=label>
            <figcaption>{title}" "<span class="stats">{format!("(bar: this cluster; mark: {whole})")}</span></figcaption>
            {rows.into_iter().map(|r| {
                let ratio = if r.base_share > 0.0 { format!("{:.1}×", r.share / r.base_share) } else { "new".to_string() };
                view! {
                    <div class="bar-row">
                        <span class="bar-label">{r.label.clone()}</span>
                        <span class="bar-track">
                            <span class="bar" style:width=format!("{:.1}%", 100.0 * r.share / widest)></span>
                            <span class="base-mark" style:left=format!("{:.1}%", 100.0 * r.base_share / widest)></span>
                        </span>
                        <span class="bar-value">{format!("{} ({:.0}% vs {:.0}%, {ratio})", r.count, 100.0 * r.share, 100.0 * r.base_share)}</span>
                    </div>
                }
            }).collect_view()}
        </figure>
    }
}
