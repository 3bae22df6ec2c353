//! Kleio's browser app. `/` shows the demo analysis that `kleio analyze`
//! wrote; `/d/{id}` shows a published dashboard, read-only.

mod api;
mod cluster_list;
mod dashboard_map;
mod dashboard_page;
mod demo_page;
mod map_canvas;
mod palette;
mod viewport;

use leptos::prelude::*;

use crate::dashboard_page::DashboardPage;
use crate::demo_page::DemoPage;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The dashboard id of a `/d/{id}` path.
fn dashboard_id(path: &str) -> Option<String> {
    path.strip_prefix("/d/").map(|id| id.trim_end_matches('/').to_string()).filter(|id| !id.is_empty() && !id.contains('/'))
}

#[component]
fn App() -> impl IntoView {
    let backend = LocalResource::new(api::backend);
    let path = window().location().pathname().unwrap_or_default();
    let page = match dashboard_id(&path) {
        Some(id) => view! { <DashboardPage id=id /> }.into_any(),
        None => view! { <DemoPage /> }.into_any(),
    };
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
        {page}
    }
}
