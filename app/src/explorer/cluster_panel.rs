//! The selected cluster: name, summary, size, distinct accounts, whether it
//! may be shared, breakdowns of its conversations by facet as bars, when
//! they happened, its children, and (in a local run only) a few of its
//! conversations' summaries.

use std::collections::BTreeMap;
use std::sync::Arc;

use kleio_core::analysis::Analysis;
use leptos::prelude::*;

use crate::explorer::overlay::concern;
use kleio_core::cluster_index::ClusterIndex;

/// Bars shown per breakdown; the rest are summed as "other".
const BARS: usize = 6;
/// Example summaries shown in a local run.
const EXAMPLES: usize = 3;

#[component]
pub fn ClusterPanel(analysis: Arc<Analysis>, index: Arc<ClusterIndex>, selected: RwSignal<Option<usize>>) -> impl IntoView {
    move || {
        let Some(i) = selected.get() else {
            return view! { <section aria-label="Cluster details" class="panel"><p class="hint">"Select a cluster on the map or in the tree."</p></section> }
                .into_any();
        };
        let (a, index) = (&analysis, &index);
        let c = &a.clusters[i];
        let members = index.members(i);
        let share = 100.0 * c.size as f64 / a.conversations.len().max(1) as f64;
        let language = breakdown(members.iter().map(|&k| a.conversations[k].facets.language.clone().unwrap_or_else(|| "unknown".into())));
        let turns = breakdown(members.iter().map(|&k| match a.conversations[k].facets.turns {
            0 | 1 => "1 turn".to_string(),
            2..=3 => "2–3 turns".to_string(),
            _ => "4+ turns".to_string(),
        }));
        let months = breakdown_in_order(members.iter().filter_map(|&k| a.conversations[k].facets.month.clone()));
        let concerns: Vec<f64> = members.iter().filter_map(|&k| concern(&a.conversations[k]).map(f64::from)).collect();
        let mean_concern = (!concerns.is_empty()).then(|| concerns.iter().sum::<f64>() / concerns.len() as f64);
        let examples: Vec<String> = match a.params.cluster_facet() {
            Some(facet) => members.iter().filter_map(|&k| a.conversations[k].answers.get(&facet.id)).take(EXAMPLES).map(|x| x.as_text()).collect(),
            None => Vec::new(),
        };
        let children = index
            .children(i)
            .iter()
            .map(|&ch| {
                let child = &a.clusters[ch];
                view! { <li><button class="link" on:click=move |_| selected.set(Some(ch))>{child.name.clone()}</button>{format!(" ({})", child.size)}</li> }
            })
            .collect_view();
        let hidden = (!c.shareable).then(|| {
            let reasons: Vec<String> = c.hidden_reasons.iter().map(ToString::to_string).collect();
            view! { <p class="warning">"Not shareable: "{if reasons.is_empty() { "an ancestor is below the privacy minimums".to_string() } else { reasons.join("; ") }}</p> }
        });
        view! {
            <section aria-label="Cluster details" class="panel">
                <h2>{c.name.clone()}</h2>
                <p>{c.summary.clone()}</p>
                <p class="stats">{format!("{} conversations ({share:.1}%), {} distinct accounts, level {}, audit {}/5", c.size, c.accounts, c.level, c.audit_score)}</p>
                {hidden}
                {mean_concern.map(|m| view! { <p class="stats">{format!("mean concern {m:.2} of 5")}</p> })}
                <Bars title="Language" rows=language />
                <Bars title="Turns" rows=turns />
                {(!months.is_empty()).then(|| view! { <Bars title="When" rows=months /> })}
                {(!index.children(i).is_empty()).then(|| view! { <h3>"Children"</h3><ul class="children">{children}</ul> })}
                <h3>"Examples (local only, never published)"</h3>
                <ul class="examples">{examples.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul>
            </section>
        }
        .into_any()
    }
}

#[component]
fn Bars(title: &'static str, rows: Vec<(String, usize)>) -> impl IntoView {
    let largest = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1) as f64;
    let total: usize = rows.iter().map(|r| r.1).sum();
    view! {
        <figure class="bars" aria-label=title>
            <figcaption>{title}</figcaption>
            {rows.into_iter().map(|(label, n)| view! {
                <div class="bar-row">
                    <span class="bar-label">{label}</span>
                    <span class="bar" style:width=format!("{:.0}%", 70.0 * n as f64 / largest)></span>
                    <span class="bar-value">{format!("{n} ({:.0}%)", 100.0 * n as f64 / total.max(1) as f64)}</span>
                </div>
            }).collect_view()}
        </figure>
    }
}

/// Counts, largest first, the tail pooled as "other".
fn breakdown(values: impl Iterator<Item = String>) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = count(values).into_iter().collect();
    counts.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    if counts.len() > BARS {
        let other: usize = counts[BARS - 1..].iter().map(|r| r.1).sum();
        counts.truncate(BARS - 1);
        counts.push(("other".into(), other));
    }
    counts
}

/// Counts in key order (months), the latest kept when there are many.
fn breakdown_in_order(values: impl Iterator<Item = String>) -> Vec<(String, usize)> {
    let counts: Vec<(String, usize)> = count(values).into_iter().collect();
    let skip = counts.len().saturating_sub(12);
    counts.into_iter().skip(skip).collect()
}

fn count(values: impl Iterator<Item = String>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    counts
}
