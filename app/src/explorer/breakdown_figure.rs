//! One facet or column of the selected cluster against the whole data:
//! bars (categories, or a histogram's bins) with a mark at the data's own
//! share, or a timeline of the cluster's share of each month and its growth.

use kleio_core::breakdown::{Breakdown, Period};
use leptos::prelude::*;

use crate::rate_bars::RateBars;

/// What the marks of the bars stand for.
const WHOLE: &str = "all the data";

#[component]
pub fn BreakdownFigure(title: String, breakdown: Breakdown) -> impl IntoView {
    let counted = breakdown.counted();
    let caption = format!("{title} ({counted} with a value)");
    match breakdown {
        Breakdown::Categories { bars, .. } => view! { <RateBars title=caption rows=bars whole=WHOLE /> }.into_any(),
        Breakdown::Histogram { bars, mean, base_mean, .. } => view! {
            <RateBars title=caption rows=bars whole=WHOLE />
            <p class="stats">{format!("mean {} here, {} in all the data", short(mean), short(base_mean))}</p>
        }
        .into_any(),
        Breakdown::Timeline { periods, growth } => view! {
            <figure class="bars" aria-label=title>
                <figcaption>{caption}</figcaption>
                <Timeline periods />
                <p class="stats">{match growth {
                    Some(g) => format!("its share of each month changes by {:+.0} % a month (a least-squares trend)", 100.0 * g),
                    None => "too few months to measure growth".to_string(),
                }}</p>
            </figure>
        }
        .into_any(),
    }
}

#[component]
fn Timeline(periods: Vec<Period>) -> impl IntoView {
    // Each month's column is the cluster's share of that month's conversations.
    let share = |p: &Period| if p.total == 0 { 0.0 } else { p.count as f64 / p.total as f64 };
    let largest = periods.iter().map(share).fold(0.0, f64::max).max(1e-9);
    let (first, last) = (periods.first().map(|p| p.period.clone()).unwrap_or_default(), periods.last().map(|p| p.period.clone()).unwrap_or_default());
    let columns = periods
        .iter()
        .map(|p| {
            let title = format!("{}: {} of {} conversations ({:.1} %)", p.period, p.count, p.total, 100.0 * share(p));
            view! { <span class="period" title=title style:height=format!("{:.1}%", 100.0 * share(p) / largest)></span> }
        })
        .collect_view();
    view! {
        <div class="timeline" role="img" aria-label="Its share of each month">{columns}</div>
        <div class="timeline-ends"><span>{first}</span><span>{last}</span></div>
    }
}

fn short(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}
