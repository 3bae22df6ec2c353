//! Opening a dataset by its link (a Hugging Face file's download link, say):
//! the browser fetches it itself, with the bytes so far and a Cancel
//! button; the proxy never fetches a person's link. Only origins the
//! proxy's policy allows can be reached, and a link elsewhere is refused
//! here with the list, before the browser's policy would refuse it silently.

use kleio_core::api::{BackendInfo, DatasetOrigin};
use kleio_core::import;
use leptos::prelude::*;

use crate::api;
use crate::dataset::{Source, Upload};

/// Where a download stands.
#[derive(Clone, Debug, PartialEq)]
enum Fetching {
    Idle,
    /// `rows`: the lines so far, for a file whose rows are lines.
    Under {
        received: u64,
        total: Option<u64>,
        rows: Option<u64>,
    },
}

/// The file name a link ends in, for the run's title.
fn file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').find(|s| !s.is_empty()).unwrap_or("dataset").to_string()
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

#[component]
pub fn OpenLink(on_upload: Callback<Upload>, backend: Signal<Option<BackendInfo>>) -> impl IntoView {
    let link = RwSignal::new(String::new());
    let state = RwSignal::new(Fetching::Idle);
    let problem = RwSignal::new(None::<String>);
    let abort = StoredValue::new_local(None::<web_sys::AbortController>);
    let open = move || {
        let url = link.get_untracked().trim().to_string();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            problem.set(Some("a link starts with https://".into()));
            return;
        }
        // Without a proxy (a static copy of the app) there is no list to check against.
        if let Some(info) = backend.get_untracked() {
            let allowed = info.dataset_origins.iter().filter_map(|o| DatasetOrigin::parse(o).ok()).any(|o| o.allows(&url));
            if !allowed {
                let list = if info.dataset_origins.is_empty() { "none".to_string() } else { info.dataset_origins.join(", ") };
                problem.set(Some(format!(
                    "this Kleio opens links only from {list} (its operator sets KLEIO_DATASET_ORIGINS); download the file and upload it instead"
                )));
                return;
            }
        }
        let Ok(controller) = web_sys::AbortController::new() else {
            problem.set(Some("this browser cannot cancel a download, so none is started".into()));
            return;
        };
        let signal = controller.signal();
        abort.set_value(Some(controller));
        problem.set(None);
        state.set(Fetching::Under { received: 0, total: None, rows: None });
        leptos::task::spawn_local(async move {
            let (mut rows_are_lines, mut lines) = (None, 0u64);
            let result = api::dataset_file(&url, &signal, |part, received, total| {
                // Decided on the first part: JSON Lines and CSV count their rows as lines.
                let counted = *rows_are_lines.get_or_insert_with(|| import::rows_are_lines(part));
                if counted {
                    lines += part.iter().filter(|&&b| b == b'\n').count() as u64;
                }
                state.set(Fetching::Under { received, total, rows: counted.then_some(lines) })
            })
            .await;
            state.set(Fetching::Idle);
            abort.set_value(None);
            match result {
                Ok(bytes) => on_upload.run(Upload { name: file_name(&url), source: Source::Bytes(std::sync::Arc::new(bytes)) }),
                Err(e) => problem.set(Some(format!("{}: {e}", file_name(&url)))),
            }
        });
    };
    let cancel = move |_| {
        abort.with_value(|c| {
            if let Some(c) = c {
                c.abort();
            }
        })
    };
    view! {
        <div class="open-link">
            <label>"Open a link "
                <input type="url" placeholder="https://huggingface.co/datasets/…/resolve/main/….parquet" prop:value=move || link.get()
                    on:input=move |e| link.set(event_target_value(&e))
                    on:keydown=move |e: web_sys::KeyboardEvent| if e.key() == "Enter" { open() } />
            </label>
            <button disabled=move || state.get() != Fetching::Idle on:click=move |_| open()>"Open link"</button>
            {move || match state.get() {
                Fetching::Idle => None,
                Fetching::Under { received, total, rows } => Some(view! {
                    <div class="download" role="status" aria-label="Download">
                        <progress max=total.unwrap_or(0).to_string() value=received.to_string()></progress>
                        " "{match total { Some(t) => format!("{} of {}", megabytes(received), megabytes(t)), None => megabytes(received) }}
                        {rows.map(|r| format!(", about {r} rows"))}" "
                        <button on:click=cancel>"Cancel download"</button>
                    </div>
                }),
            }}
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        </div>
    }
}
