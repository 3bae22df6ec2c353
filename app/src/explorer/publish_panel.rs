//! Publishing a read-only dashboard: first what would leave the browser
//! (aggregates only) and what other minimums would keep, then the proxy's
//! verdict (what its gate removed and why) and the share link, which this
//! browser keeps with its delete token (`run_store`).

use std::collections::HashMap;
use std::sync::Arc;

use kleio_core::analysis::Analysis;
use kleio_core::publish::{kept_at, submission, Submission};
use leptos::prelude::*;

use crate::api;
use crate::run_store::{self, PublishedRecord};

/// The minimums of accounts the preview compares, beside the run's own.
const MINIMUMS: [usize; 3] = [5, 10, 25];

#[component]
pub fn PublishPanel(analysis: Arc<Analysis>, accounts: Arc<HashMap<String, String>>, title: String) -> impl IntoView {
    let preview = RwSignal::new(None::<Arc<Submission>>);
    let publish = Action::new_local(|s: &Arc<Submission>| {
        let s = s.clone();
        async move {
            let p = api::publish(&s).await?;
            let record = PublishedRecord {
                id: p.id.clone(),
                title: s.title.clone(),
                url: p.url.clone(),
                delete_token: p.delete_token.clone(),
                published_ms: js_sys::Date::now(),
                clusters: p.published,
            };
            // The dashboard is published either way; only the list on the start page misses it.
            let kept = run_store::keep_published(&record).await.err().map(|e| e.to_string());
            Ok::<_, api::ApiError>((p, kept))
        }
    });
    let mut minimums: Vec<usize> = MINIMUMS.into_iter().chain([analysis.params.privacy.min_accounts]).collect();
    minimums.sort_unstable();
    minimums.dedup();
    let choices = kept_at(&analysis, &minimums);
    let own = analysis.params.privacy.min_accounts;
    let prepare = move |_| {
        // A fresh salt per dashboard: its account hashes cannot be matched with another's.
        let mut salt = [0u8; 32];
        if getrandom_02::getrandom(&mut salt).is_err() {
            return;
        }
        preview.set(Some(Arc::new(submission(&analysis, &title, &accounts, &salt))));
    };
    let what_leaves = move || {
        preview.get().map(|s| {
            let rows = s.clusters.iter().map(|c| view! {
                <li><strong>{c.name.clone()}</strong>{format!(" — {} conversations, {} hashed accounts, level {}", c.size, c.account_hashes.len(), c.level)}</li>
            }).collect_view();
            let send = s.clone();
            view! {
                <div class="preview" aria-label="What will leave the browser" role="region">
                    <p>{format!(
                        "Only these {} clusters leave the browser: names, summaries, sizes, positions, facet counts and salted account hashes. No conversation text and no conversation or account id is sent. The proxy applies its own minimums and audit again.",
                        s.clusters.len()
                    )}</p>
                    <ul>{rows}</ul>
                    <table aria-label="What each minimum keeps">
                        <caption>"What other minimums of distinct accounts would keep (your other minimums and the audit unchanged; the proxy's may be stricter still)"</caption>
                        <thead><tr><th scope="col">"At least"</th><th scope="col">"Clusters"</th><th scope="col">"Conversations in base clusters"</th></tr></thead>
                        <tbody>{choices.iter().map(|k| view! {
                            <tr class:own=k.min_accounts == own>
                                <th scope="row">{format!("{} accounts{}", k.min_accounts, if k.min_accounts == own { " (this run's)" } else { "" })}</th>
                                <td>{k.clusters}</td>
                                <td>{format!("{} ({:.0}%)", k.conversations, 100.0 * k.share)}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                    <button on:click=move |_| { publish.dispatch(send.clone()); }>"Send to the proxy"</button>
                </div>
            }
        })
    };
    let verdict = move || {
        publish.value().get().map(|result| match result {
            Ok((p, kept)) => {
                let link = format!("{}{}", window().location().origin().unwrap_or_default(), p.url);
                let removed = p
                    .removed
                    .iter()
                    .map(|r| {
                        let reasons: Vec<String> = r.reasons.iter().map(ToString::to_string).collect();
                        view! { <li>{format!("{}: {}", r.id, reasons.join("; "))}</li> }
                    })
                    .collect_view();
                view! {
                    <div class="published" role="status">
                        <p>{format!("Published {} clusters; the proxy removed {}.", p.published, p.removed.len())}</p>
                        <ul>{removed}</ul>
                        <p>"Share link: "<a href=p.url.clone()>{link}</a></p>
                        <p class="stats">"Delete token (kept in this browser's list of published dashboards, on the start page): "<code>{p.delete_token}</code></p>
                        {kept.map(|e| view! { <p class="warning">{format!("This browser could not keep the token ({e}): copy it now to delete the dashboard later.")}</p> })}
                    </div>
                }
                .into_any()
            }
            Err(e) => view! { <p class="error" role="alert">{format!("Publishing failed: {e}")}</p> }.into_any(),
        })
    };
    view! {
        <section aria-label="Publish" class="publish">
            <h2>"Publish a dashboard"</h2>
            <button on:click=prepare>"Prepare dashboard"</button>
            {what_leaves}
            {move || publish.pending().get().then(|| view! { <p>"Publishing…"</p> })}
            {verdict}
        </section>
    }
}
