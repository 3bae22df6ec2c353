//! The start: upload a dataset (file input or drop), open one by its link, or try the demo.

use kleio_core::api::BackendInfo;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::dataset::{self, Upload};
use crate::home::open_link::OpenLink;

#[component]
pub fn StartPanel(
    on_upload: Callback<Upload>,
    on_demo: Callback<()>,
    /// What the proxy said (the origins links may be opened from), when there is a proxy.
    backend: Signal<Option<BackendInfo>>,
) -> impl IntoView {
    let dragging = RwSignal::new(false);
    let read_error = RwSignal::new(None::<String>);
    let take = move |file: Option<web_sys::File>| {
        let Some(file) = file else { return };
        leptos::task::spawn_local(async move {
            let name = file.name();
            match dataset::open(file).await {
                Ok(upload) => {
                    read_error.set(None);
                    on_upload.run(upload);
                }
                Err(e) => read_error.set(Some(format!("{name}: {e}"))),
            }
        });
    };
    let on_change = move |e: web_sys::Event| {
        let input = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        take(input.clone().and_then(|i| i.files()).and_then(|f| f.get(0)));
        // The same file chosen again (after a fix, say) must fire `change` again.
        if let Some(input) = input {
            input.set_value("");
        }
    };
    let on_drop = move |e: web_sys::DragEvent| {
        e.prevent_default();
        dragging.set(false);
        take(e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)));
    };
    view! {
        <section aria-label="Start" class="start">
            <div
                class="drop"
                class:dragging=dragging
                on:dragover=move |e: web_sys::DragEvent| { e.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <p>"Drop a conversation dataset here (JSON Lines, JSON, CSV or Parquet, plain or compressed with gzip or zstd), or"</p>
                <label class="button" for="upload">"Upload dataset"</label>
                <input id="upload" type="file" accept=".jsonl,.json,.csv,.txt,.tsv,.parquet,.gz,.zst" on:change=on_change />
                <p>"or"</p>
                <OpenLink on_upload=on_upload backend=backend />
                <p>"or"</p>
                <button on:click=move |_| on_demo.run(())>"Try the demo dataset"</button>
                <p class="stats">"Files stay in this browser. Only an LLM analyst (when the proxy has one and you choose it) sees conversation text."</p>
            </div>
            {move || read_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}
