//! A breakdown of one cluster drawn against the dashboard's base rates:
//! each value's share of the cluster as a bar, the share it has in the
//! whole dashboard as a mark on the same scale, and the ratio of the two.

use leptos::prelude::*;

/// One value of a breakdown: its count in the cluster, its share there
/// and in the whole dashboard.
#[derive(Clone, Debug, PartialEq)]
pub struct RateRow {
    pub label: String,
    pub count: usize,
    pub share: f64,
    pub base: f64,
}

/// `cluster` and `base` are counts by value; the rows keep `order`'s order.
pub fn rate_rows(order: &[String], cluster: &std::collections::BTreeMap<String, usize>, base: &std::collections::BTreeMap<String, usize>) -> Vec<RateRow> {
    let (in_cluster, in_base) = (cluster.values().sum::<usize>().max(1) as f64, base.values().sum::<usize>().max(1) as f64);
    order
        .iter()
        .map(|v| {
            let count = cluster.get(v).copied().unwrap_or(0);
            RateRow { label: v.clone(), count, share: count as f64 / in_cluster, base: base.get(v).copied().unwrap_or(0) as f64 / in_base }
        })
        .collect()
}

#[component]
pub fn RateBars(title: String, rows: Vec<RateRow>) -> impl IntoView {
    let widest = rows.iter().map(|r| r.share.max(r.base)).fold(0.0, f64::max).max(1e-9);
    let label = title.clone();
    view! {
        <figure class="bars rate-bars" aria-label=label>
            <figcaption>{title}" "<span class="stats">"(bar: this cluster; mark: the whole dashboard)"</span></figcaption>
            {rows.into_iter().map(|r| {
                let ratio = if r.base > 0.0 { format!("{:.1}×", r.share / r.base) } else { "new".to_string() };
                view! {
                    <div class="bar-row">
                        <span class="bar-label">{r.label.clone()}</span>
                        <span class="bar-track">
                            <span class="bar" style:width=format!("{:.1}%", 100.0 * r.share / widest)></span>
                            <span class="base-mark" style:left=format!("{:.1}%", 100.0 * r.base / widest)></span>
                        </span>
                        <span class="bar-value">{format!("{} ({:.0}% vs {:.0}%, {ratio})", r.count, 100.0 * r.share, 100.0 * r.base)}</span>
                    </div>
                }
            }).collect_view()}
        </figure>
    }
}
