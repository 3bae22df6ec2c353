//! The start: upload a dataset (file input or drop), or try the demo; and
//! the choices a run is made with.

use kleio_embed::{BackendChoice, ModelKind};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::runner::RunSettings;

/// A file the person gave, read into memory.
#[derive(Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

#[component]
pub fn StartPanel(
    settings: RwSignal<RunSettings>,
    /// `Some(description)` when the proxy runs an LLM the run may use.
    llm: Signal<Option<String>>,
    on_upload: Callback<Upload>,
    on_demo: Callback<()>,
) -> impl IntoView {
    let dragging = RwSignal::new(false);
    let read_error = RwSignal::new(None::<String>);
    let take = move |file: Option<web_sys::File>| {
        let Some(file) = file else { return };
        leptos::task::spawn_local(async move {
            match JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => on_upload.run(Upload { name: file.name(), bytes: js_sys::Uint8Array::new(&buffer).to_vec() }),
                Err(e) => read_error.set(Some(format!("the file could not be read: {e:?}"))),
            }
        });
    };
    let on_change = move |e: web_sys::Event| {
        let input = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        take(input.and_then(|i| i.files()).and_then(|f| f.get(0)));
    };
    let on_drop = move |e: web_sys::DragEvent| {
        e.prevent_default();
        dragging.set(false);
        take(e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)));
    };
    let model_value = move || if settings.get().model == ModelKind::MpNet { "mpnet" } else { "minilm" };
    let device_value = move || match settings.get().device {
        BackendChoice::Auto => "auto",
        BackendChoice::Gpu => "gpu",
        BackendChoice::Cpu => "cpu",
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
                <p>"Drop a conversation dataset here (JSON Lines, JSON or CSV), or"</p>
                <label class="button" for="upload">"Upload dataset"</label>
                <input id="upload" type="file" accept=".jsonl,.json,.csv,.txt,.tsv" on:change=on_change />
                <p>"or"</p>
                <button on:click=move |_| on_demo.run(())>"Try the demo dataset"</button>
                <p class="stats">"Files stay in this browser. Only an LLM analyst (when the proxy has one and you choose it) sees conversation text."</p>
            </div>
            {move || read_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <fieldset class="settings">
                <legend>"Run settings"</legend>
                <label>"Embedding model "
                    <select prop:value=model_value on:change=move |e| {
                        let model = if event_target_value(&e) == "mpnet" { ModelKind::MpNet } else { ModelKind::MiniLm };
                        settings.update(|s| s.model = model);
                    }>
                        <option value="minilm">"all-MiniLM-L6-v2 (fast, 91 MB)"</option>
                        <option value="mpnet">"all-mpnet-base-v2 (the paper's, 438 MB)"</option>
                    </select>
                </label>
                <label>"Device "
                    <select prop:value=device_value on:change=move |e| {
                        let device = event_target_value(&e).parse().unwrap_or(BackendChoice::Auto);
                        settings.update(|s| s.device = device);
                    }>
                        <option value="auto">"WebGPU if available, else CPU"</option>
                        <option value="gpu">"WebGPU"</option>
                        <option value="cpu">"CPU"</option>
                    </select>
                </label>
                <label>"Seed "
                    <input type="number" min="0" prop:value=move || settings.get().params.seed.to_string()
                        on:change=move |e| if let Ok(seed) = event_target_value(&e).parse() { settings.update(|s| s.params.seed = seed) } />
                </label>
                {move || match llm.get() {
                    Some(description) => view! {
                        <label>
                            <input type="checkbox" prop:checked=move || settings.get().proxy_analyst
                                on:change=move |e| settings.update(|s| s.proxy_analyst = event_target_checked(&e)) />
                            {format!(" Use the proxy's analyst ({description}); sends conversation text to it")}
                        </label>
                    }.into_any(),
                    None => view! { <p class="stats">"Analyst: the offline analyst, running in this browser (no LLM)."</p> }.into_any(),
                }}
            </fieldset>
        </section>
    }
}
