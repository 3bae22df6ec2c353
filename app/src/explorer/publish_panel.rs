//! Publishing a read-only dashboard: first what would leave the browser
//! (aggregates only), then the proxy's verdict (what its gate removed and
//! why) and the share link.

use std::collections::HashMap;
use std::sync::Arc;

use kleio_core::analysis::Analysis;
use kleio_core::publish::{submission, Submission};
use leptos::prelude::*;

use crate::api;

#[component]
pub fn PublishPanel(analysis: Arc<Analysis>, accounts: Arc<HashMap<String, String>>, title: String) -> impl IntoView {
    let preview = RwSignal::new(None::<Arc<Submission>>);
    let publish = Action::new_local(|s: &Arc<Submission>| {
        let s = s.clone();
        async move { api::publish(&s).await }
    });
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
                    <button on:click=move |_| { publish.dispatch(send.clone()); }>"Send to the proxy"</button>
                </div>
            }
        })
    };
    let verdict = move || {
        publish.value().get().map(|result| match result {
            Ok(p) => {
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
                        <p class="stats">"Delete token (shown once, keep it to remove the dashboard): "<code>{p.delete_token}</code></p>
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
