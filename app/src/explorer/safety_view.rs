//! Signs of automated or coordinated use (the paper's §4.1 and §4.2):
//! clusters by how much of them one account or one template explains,
//! sortable, and the clusters that grew or appeared between two windows of
//! time. Only in the owner's view: it needs who wrote what.

use std::sync::Arc;

use kleio_core::analysis::Analysis;
use kleio_core::breakdown::{Baselines, Reading};
use kleio_core::cluster_index::ClusterIndex;
use kleio_core::safety::{cluster_safety, grew_between, ClusterSafety, Provenance};
use leptos::prelude::*;

use crate::explorer::level_picker::LevelPicker;

use crate::explorer::LocalFacts;

/// Rows shown of each list.
const ROWS: usize = 20;

#[derive(Clone, Copy, PartialEq)]
enum SortBy {
    Suspicion,
    TopAccount,
    Templated,
    PerAccount,
    Size,
}

impl SortBy {
    const ALL: [(SortBy, &'static str); 5] = [
        (SortBy::Suspicion, "one account or template explains most"),
        (SortBy::TopAccount, "busiest account's share"),
        (SortBy::Templated, "templated share"),
        (SortBy::PerAccount, "conversations per account"),
        (SortBy::Size, "size"),
    ];

    fn key(self, s: &ClusterSafety) -> f64 {
        match self {
            SortBy::Suspicion => s.suspicion,
            SortBy::TopAccount => s.top_account_share,
            SortBy::Templated => s.templated_share,
            SortBy::PerAccount => s.per_account,
            SortBy::Size => s.size as f64,
        }
    }
}

#[component]
pub fn SafetyView(
    analysis: Arc<Analysis>,
    index: Arc<ClusterIndex>,
    baselines: Arc<Baselines>,
    facts: Arc<LocalFacts>,
    selected: RwSignal<Option<usize>>,
) -> impl IntoView {
    let level = RwSignal::new(0usize);
    let sort = RwSignal::new(0usize);
    let min_size = analysis.params.privacy.min_conversations;
    let name = {
        let analysis = analysis.clone();
        move |i: usize| analysis.clusters[i].name.clone()
    };
    let rows = {
        let (analysis, index, facts, name) = (analysis.clone(), index.clone(), facts.clone(), name.clone());
        move || {
            if !facts.known() {
                return view! { <p class="hint">"Who wrote each conversation is known only for a run made in this browser from a file: this analysis was loaded without it."</p> }.into_any();
            }
            let provenance = Provenance { accounts: &facts.accounts, templates: &facts.templates };
            let mut list = cluster_safety(&analysis, &index, &provenance, level.get(), min_size);
            let by = SortBy::ALL[sort.get().min(SortBy::ALL.len() - 1)].0;
            list.sort_by(|x, y| by.key(y).total_cmp(&by.key(x)).then(x.cluster.cmp(&y.cluster)));
            let note = (!analysis.accounts_known).then(
                || view! { <p class="hint">"The file named no accounts, so each conversation counts as its own: only templated text can show here."</p> },
            );
            let body = list
                .into_iter()
                .take(ROWS)
                .map(|s| {
                    let cluster = s.cluster;
                    view! {
                        <tr>
                            <td><button class="link" on:click=move |_| selected.set(Some(cluster))>{name(cluster)}</button></td>
                            <td>{s.size}</td>
                            <td>{s.accounts}</td>
                            <td>{format!("{:.1}", s.per_account)}</td>
                            <td>{format!("{:.0} %", 100.0 * s.top_account_share)}</td>
                            <td>{format!("{:.0} %", 100.0 * s.templated_share)}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                {note}
                <table aria-label="Clusters by concentration">
                    <thead><tr><th>"Cluster"</th><th>"Conversations"</th><th>"Accounts"</th><th>"Per account"</th><th>"Busiest account"</th><th>"Templated"</th></tr></thead>
                    <tbody>{body}</tbody>
                </table>
            }
            .into_any()
        }
    };

    // Two windows of the run's months: the first half against the second, at first.
    let time = baselines.dimensions().find(|(_, r)| *r == Reading::Periods).map(|(d, _)| d.clone());
    let months: Vec<String> = time.as_ref().map(|d| baselines.periods(d).into_iter().map(|p| p.0).collect()).unwrap_or_default();
    let windows = (months.len() >= 2).then(|| {
        let half = months.len() / 2;
        let bounds = [RwSignal::new(0), RwSignal::new(half - 1), RwSignal::new(half), RwSignal::new(months.len() - 1)];
        let (months, time) = (Arc::new(months), time.clone().unwrap_or(kleio_core::compare::Dimension::Month));
        let pick = {
            let months = months.clone();
            move |label: &'static str, at: RwSignal<usize>| {
                let options = months.iter().enumerate().map(|(i, m)| view! { <option value=i.to_string()>{m.clone()}</option> }).collect_view();
                view! {
                    <select aria-label=label prop:value=move || at.get().to_string() on:change=move |e| at.set(event_target_value(&e).parse().unwrap_or(0))>{options}</select>
                }
            }
        };
        let grown = {
            let (analysis, index) = (analysis.clone(), index.clone());
            move || {
                let m = |s: RwSignal<usize>| months[s.get().min(months.len() - 1)].clone();
                let (b0, b1, a0, a1) = (m(bounds[0]), m(bounds[1]), m(bounds[2]), m(bounds[3]));
                let list = grew_between(&analysis, &index, &time, level.get(), (&b0, &b1), (&a0, &a1), min_size);
                if list.is_empty() {
                    return view! { <p class="stats">"No cluster of this level grew between these windows."</p> }.into_any();
                }
                let body = list
                    .into_iter()
                    .take(ROWS)
                    .map(|w| {
                        let cluster = w.cluster;
                        view! {
                            <tr>
                                <td><button class="link" on:click=move |_| selected.set(Some(cluster))>{name(cluster)}</button>{w.appeared.then_some(" (new)")}</td>
                                <td>{format!("{} ({:.1} %)", w.before, 100.0 * w.share_before)}</td>
                                <td>{format!("{} ({:.1} %)", w.after, 100.0 * w.share_after)}</td>
                                <td>{format!("{:+.1} points", 100.0 * w.change)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <table aria-label="Clusters that grew">
                        <thead><tr><th>"Cluster"</th><th>"Before"</th><th>"After"</th><th>"Change of share"</th></tr></thead>
                        <tbody>{body}</tbody>
                    </table>
                }
                .into_any()
            }
        };
        view! {
            <h3>"Grew or appeared between two windows"</h3>
            <div class="toolbar">
                "Before: " {pick("Before from", bounds[0])} " to " {pick("Before to", bounds[1])}
                " After: " {pick("After from", bounds[2])} " to " {pick("After to", bounds[3])}
            </div>
            {grown}
        }
    });

    let index_of = |e: &web_sys::Event| event_target_value(e).parse::<usize>().unwrap_or(0);
    view! {
        <section aria-label="Safety" class="compare">
            <h2>"Automated or coordinated use"</h2>
            <div class="toolbar">
                <LevelPicker levels=analysis.levels level label="Safety level" />
                <label>"Sort by "
                    <select aria-label="Sort by" on:change=move |e| sort.set(index_of(&e))>
                        {SortBy::ALL.iter().enumerate().map(|(i, (_, label))| view! { <option value=i.to_string()>{*label}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            {rows}
            {windows}
        </section>
    }
}
