//! `/`: start a run (upload or demo), watch it, then explore the result.
//! A failed run goes back to the start with the reason, and keeps the file
//! so it can be run again without choosing it again.

use std::collections::HashMap;
use std::sync::Arc;

use kleio_core::analysis::Analysis;
use kleio_embed::{BackendChoice, ModelKind};
use leptos::prelude::*;

use crate::api::{self, ApiError, BackendInfo};
use crate::explorer::Explorer;
use crate::run_view::RunView;
use crate::runner::{self, RunProgress, RunSettings};
use crate::start_panel::{StartPanel, Upload};

#[derive(Clone)]
enum Phase {
    Start,
    Running(RunProgress),
    Explore { analysis: Arc<Analysis>, accounts: Arc<HashMap<String, String>>, title: String, stage_seconds: Vec<(&'static str, f64)> },
}

#[component]
pub fn HomePage(backend: LocalResource<Result<BackendInfo, ApiError>>) -> impl IntoView {
    let phase = RwSignal::new(Phase::Start);
    let error = RwSignal::new(None::<String>);
    let settings = RwSignal::new(RunSettings { model: ModelKind::MiniLm, device: BackendChoice::Auto, seed: 0, proxy_analyst: true });
    let last_upload = StoredValue::new_local(None::<Upload>);
    // The proxy's LLM, when it has one; `None` for the offline backend or no proxy.
    let llm = Signal::derive(move || match backend.get() {
        Some(Ok(info)) if info.backend != "offline" => Some(info.description),
        _ => None,
    });

    let start_run = move |upload: Upload| {
        last_upload.set_value(Some(upload.clone()));
        let progress = RunProgress::new();
        error.set(None);
        phase.set(Phase::Running(progress));
        let title = upload.name.clone();
        leptos::task::spawn_local(async move {
            match runner::run(upload.bytes, settings.get_untracked(), llm.get_untracked(), progress).await {
                Ok(outcome) => phase.set(Phase::Explore {
                    analysis: Arc::new(outcome.analysis),
                    accounts: Arc::new(outcome.accounts),
                    title,
                    stage_seconds: outcome.stage_seconds,
                }),
                Err(e) => {
                    error.set(Some(format!("{title}: {e}")));
                    phase.set(Phase::Start);
                }
            }
        });
    };
    let on_upload = Callback::new(start_run);
    let on_demo = Callback::new(move |()| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::demo_analysis().await {
                Ok(a) => phase.set(Phase::Explore { analysis: Arc::new(a), accounts: Arc::new(HashMap::new()), title: "Kleio demo".into(), stage_seconds: Vec::new() }),
                Err(e) => error.set(Some(format!("the demo analysis could not be loaded: {e}"))),
            }
        });
    });

    move || match phase.get() {
        Phase::Start => view! {
            <main class="home">
                {move || error.get().map(|e| view! {
                    <div class="error" role="alert">
                        <p>{e}</p>
                        {last_upload.with_value(Option::is_some).then(|| view! {
                            <button on:click=move |_| if let Some(u) = last_upload.get_value() { start_run(u) }>"Run this file again"</button>
                        })}
                    </div>
                })}
                <StartPanel settings=settings llm=llm on_upload=on_upload on_demo=on_demo />
            </main>
        }
        .into_any(),
        Phase::Running(progress) => view! { <main class="home"><RunView progress=progress /></main> }.into_any(),
        Phase::Explore { analysis, accounts, title, stage_seconds } => view! {
            <div class="back"><button on:click=move |_| phase.set(Phase::Start)>"New run"</button><span class="title">{title.clone()}</span></div>
            <Explorer analysis=analysis accounts=accounts title=title stage_seconds=stage_seconds />
        }
        .into_any(),
    }
}
