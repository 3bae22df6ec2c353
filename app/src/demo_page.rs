//! The start page: the demo analysis that `kleio analyze` wrote, as a map
//! of every conversation and the top-level clusters.

use leptos::prelude::*;

use crate::api;
use crate::cluster_list::ClusterList;
use crate::map_canvas::MapCanvas;

#[component]
pub fn DemoPage() -> impl IntoView {
    let analysis = LocalResource::new(api::demo_analysis);
    view! {
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
