//! Kleio's browser app. For now it shows the demo analysis that `kleio
//! analyze` wrote: a map of every conversation coloured by its top-level
//! cluster, and the top-level clusters with their sizes.

mod api;
mod cluster_list;
mod map_canvas;
mod palette;

use leptos::prelude::*;

use crate::cluster_list::ClusterList;
use crate::map_canvas::MapCanvas;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    let backend = LocalResource::new(api::backend);
    let analysis = LocalResource::new(api::demo_analysis);
    view! {
        <header>
            <h1>"Kleio"</h1>
            <span class="stats">
                <Transition fallback=|| "checking the analyst…">
                    {move || Suspend::new(async move {
                        match backend.await {
                            Ok(b) => format!("analyst: {}", b.description),
                            Err(e) => format!("no proxy ({e}): running in the browser only"),
                        }
                    })}
                </Transition>
            </span>
        </header>
        <Transition fallback=|| view! { <p>"Loading the demo analysis…"</p> }>
            <ErrorBoundary fallback=|errors| view! {
                <p class="error">{move || errors.get().into_iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>().join("; ")}</p>
            }>
                {move || Suspend::new(async move {
                    analysis.await.map(|a| {
                        let a = std::sync::Arc::new(a);
                        view! {
                            <main>
                                <section>
                                    <p class="stats">{format!(
                                        "{} conversations, {} clusters in {} levels; embedded with {}",
                                        a.conversations.len(), a.clusters.len(), a.levels, a.embedder
                                    )}</p>
                                    <MapCanvas analysis=a.clone() />
                                </section>
                                <ClusterList analysis=a />
                            </main>
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}
