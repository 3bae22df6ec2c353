//! The selected cluster: name, summary, size, distinct accounts, whether it
//! may be shared, how concentrated in few accounts and how templated it is
//! (where the owner's machine knows), its children, every facet and column
//! against the whole data, and (in a local run only) its conversations.

use std::sync::Arc;

use kleio_core::analysis::Analysis;
use kleio_core::breakdown::Baselines;
use kleio_core::cluster_index::ClusterIndex;
use kleio_core::safety::{safety_of, Provenance};
use leptos::prelude::*;

use crate::explorer::breakdown_figure::BreakdownFigure;
use crate::explorer::conversation_pages::{ConversationPages, Readable};
use crate::explorer::LocalFacts;

/// Breakdowns shown open; the rest are a click away.
const OPEN_BREAKDOWNS: usize = 4;

#[component]
pub fn ClusterPanel(
    analysis: Arc<Analysis>,
    index: Arc<ClusterIndex>,
    baselines: Arc<Baselines>,
    facts: Arc<LocalFacts>,
    readable: RwSignal<Readable>,
    selected: RwSignal<Option<usize>>,
) -> impl IntoView {
    move || {
        let Some(i) = selected.get() else {
            return view! { <section aria-label="Cluster details" class="panel"><p class="hint">"Select a cluster on the map or in the tree."</p></section> }
                .into_any();
        };
        let (a, index) = (&analysis, &index);
        let c = &a.clusters[i];
        let members = index.members(i);
        let share = 100.0 * c.size as f64 / a.conversations.len().max(1) as f64;
        let provenance = Provenance { accounts: &facts.accounts, templates: &facts.templates };
        let safety = facts.known().then(|| safety_of(a, index, &provenance, i)).flatten().map(|s| {
            view! {
                <p class="stats" aria-label="Concentration">{format!(
                    "{:.1} conversations per account; the busiest account wrote {:.0} %; {:.0} % is templated (near-identical to another conversation)",
                    s.per_account, 100.0 * s.top_account_share, 100.0 * s.templated_share
                )}</p>
            }
        });
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
        let breakdowns = baselines
            .dimensions()
            .filter_map(|(d, _)| Some((d.label(), baselines.breakdown(a, members, d)?)))
            .filter(|(_, b)| b.counted() > 0)
            .enumerate()
            .map(|(n, (title, breakdown))| {
                view! {
                    <details open=n < OPEN_BREAKDOWNS>
                        <summary>{title.clone()}</summary>
                        <BreakdownFigure title breakdown />
                    </details>
                }
            })
            .collect_view();
        view! {
            <section aria-label="Cluster details" class="panel">
                <h2>{c.name.clone()}</h2>
                <p>{c.summary.clone()}</p>
                <p class="stats">{format!("{} conversations ({share:.1}%), {} distinct accounts, level {}, audit {}/5", c.size, c.accounts, c.level, c.audit_score)}</p>
                {hidden}
                {safety}
                {(!index.children(i).is_empty()).then(|| view! { <h3>"Children"</h3><ul class="children">{children}</ul> })}
                <h3>"Against all the data"</h3>
                <p class="hint">"Bars are this cluster's shares; a tick marks the share in all the data."</p>
                {breakdowns}
                <ConversationPages analysis=analysis.clone() facts=facts.clone() readable members=members.to_vec() />
            </section>
        }
        .into_any()
    }
}
