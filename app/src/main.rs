//! Kleio's browser app. `/` runs the pipeline on an uploaded dataset (or
//! opens the demo) and explores the result; `/d/{id}` shows a published
//! dashboard, read-only.

mod api;
mod cluster_search;
mod cluster_tree;
mod compare_tables;
mod compute_worker;
mod dashboard;
mod dataset;
mod embed_workers;
mod embedding;
mod explorer;
mod gpu_probe;
mod home;
mod map_surface;
mod module_worker;
mod off_page_compute;
mod palette;
mod pan_zoom;
mod rate_bars;
mod run_settings;
mod run_store;
mod runner;
mod scatter_plot;
mod scripting;
mod viewport;

use leptos::prelude::*;

use crate::dashboard::dashboard_page::{DashboardPage, DashboardSource};
use crate::home::home_page::HomePage;

extern "C" {
    /// The module's static constructors (cubecl registers its kernels in
    /// them), synthesised by wasm-ld. A module that never names it gets
    /// them run again before every call from JavaScript into it, each
    /// callback and wakeup of a future included: about 3 s of the page's
    /// time in a run of 1,000 conversations. Naming it here turns that off.
    fn __wasm_call_ctors();
}

fn main() {
    // SAFETY: `main` is the module's first call (wasm-bindgen's start
    // function, once per page or worker), so the constructors run exactly
    // once, before anything that reads what they register.
    #[allow(unsafe_code)]
    unsafe {
        __wasm_call_ctors()
    };
    console_error_panic_hook::set_once();
    // The workers run this module too (`module_worker`); only a page has a body to mount on.
    if web_sys::window().is_some() {
        leptos::mount::mount_to_body(App);
    }
}

#[component]
fn App() -> impl IntoView {
    let path = window().location().pathname().unwrap_or_default();
    let (page, status) = match (exported_dashboard(), kleio_core::api::dashboard_id(&path)) {
        // An exported site has no proxy to ask about its analyst.
        (Some(file), _) => (
            view! { <DashboardPage source=DashboardSource::Exported(file) /> }.into_any(),
            view! { "a dashboard exported from Kleio, with no server behind it" }.into_any(),
        ),
        (None, id) => {
            let backend = LocalResource::new(api::backend);
            let page = match id {
                Some(id) => view! { <DashboardPage source=DashboardSource::Published(id.to_string()) /> }.into_any(),
                None => view! { <HomePage backend=backend /> }.into_any(),
            };
            let status = view! {
                <Transition fallback=|| "checking the analyst…">
                    {move || Suspend::new(async move {
                        match backend.await {
                            Ok(b) => format!("analyst: {}", b.description),
                            Err(e) => format!("no proxy ({e}): running in the browser only"),
                        }
                    })}
                </Transition>
            };
            (page, status.into_any())
        }
    };
    view! {
        <header>
            <h1>"Kleio"</h1>
            <span class="stats">{status}</span>
        </header>
        {page}
    }
}

/// The dashboard file an exported site's `index.html` names, if this page is
/// one (`site.rs` in the proxy writes the `<meta>`).
fn exported_dashboard() -> Option<String> {
    let selector = format!("meta[name=\"{}\"]", kleio_core::api::EXPORTED_DASHBOARD_META);
    document().query_selector(&selector).ok()??.get_attribute("content")
}
