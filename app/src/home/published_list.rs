//! The dashboards this browser published: their share links, and Delete,
//! which sends the delete token kept for each to the proxy that gave it.

use leptos::prelude::*;

use crate::api;
use crate::run_store::{self, PublishedRecord};

#[component]
pub fn PublishedList() -> impl IntoView {
    // Bumped after a deletion so the list is read again.
    let version = RwSignal::new(0u32);
    let published = LocalResource::new(move || {
        version.track();
        run_store::published()
    });
    let delete = Action::new_local(move |record: &PublishedRecord| {
        let record = record.clone();
        async move {
            api::delete_dashboard(&record.id, &record.delete_token).await.map_err(|e| format!("{}: the proxy did not delete it: {e}", record.title))?;
            let forgot = run_store::forget_published(&record.id).await.map_err(|e| e.to_string());
            version.update(|v| *v += 1);
            forgot
        }
    });
    let item = move |record: PublishedRecord| {
        let origin = window().location().origin().unwrap_or_default();
        let this = record.clone();
        view! {
            <li class="published-dashboard">
                <a href=record.url.clone()>{record.title.clone()}</a>
                <span class="stats">{format!(" {} clusters · {origin}{}", record.clusters, record.url)}</span>
                <button on:click=move |_| { delete.dispatch(this.clone()); }>"Delete dashboard"</button>
            </li>
        }
    };
    view! {
        <section aria-label="Published dashboards" class="earlier">
            <h2>"Published dashboards"</h2>
            <Transition fallback=|| view! { <p class="stats">"Reading the dashboards kept in this browser…"</p> }>
                <ErrorBoundary fallback=|errors| view! {
                    <p class="error">{move || errors.get().into_iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>().join("; ")}</p>
                }>
                    {move || Suspend::new(async move {
                        published.await.map(|list| {
                            if list.is_empty() {
                                view! { <p class="stats">"None yet. A dashboard published from a run is listed here, with what deletes it."</p> }.into_any()
                            } else {
                                view! { <ul>{list.into_iter().map(item).collect_view()}</ul> }.into_any()
                            }
                        })
                    })}
                </ErrorBoundary>
            </Transition>
            {move || delete.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}
