//! `/`: start a run (upload or demo), watch it, then explore the result.
//! Every run is kept in this browser as it goes (`run_store`): a failed,
//! cancelled or interrupted run goes back to the start with the reason and
//! resumes from the work it finished.

use std::sync::Arc;

use kleio_core::analysis::{Analysis, SCHEMA_VERSION};
use kleio_core::api::BackendInfo;
use kleio_core::import::{import, ImportError, Imported, Sample};
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::dataset::{self, Source, Upload};
use crate::explorer::{Explorer, LocalFacts, Transcripts};
use crate::home::about::About;
use crate::home::configure_panel::ConfigurePanel;
use crate::home::earlier_runs::EarlierRuns;
use crate::home::file_columns::DEFAULT_SAMPLE;
use crate::home::published_list::PublishedList;
use crate::home::ready_panel::ReadyPanel;
use crate::home::run_view::RunView;
use crate::home::start_panel::StartPanel;
use crate::run_settings::RunSettings;
use crate::run_store::{self, Kept, RunRecord, RunState};
use crate::runner::{self, RunProgress};

#[derive(Clone)]
enum Phase {
    Start,
    /// A file is chosen: its summary, the cost, and the start button.
    Ready(Upload),
    Running(RunProgress),
    Explore {
        analysis: Arc<Analysis>,
        facts: Arc<LocalFacts>,
        title: String,
        stage_seconds: Vec<f64>,
        /// What reopens it from an address: a kept run's id, or `demo`.
        run: Option<String>,
    },
}

/// The address's name for the demo, in place of a run's id.
const DEMO_RUN: &str = "demo";

/// Said when a run resumes on another build than the one that kept its work.
const OTHER_BUILD: &str =
    "This run was begun by another version of Kleio: the work it kept was dropped and is done again, so that the result comes from one version.";

#[component]
pub fn HomePage(backend: LocalResource<Result<BackendInfo, ApiError>>) -> impl IntoView {
    let phase = RwSignal::new(Phase::Start);
    let error = RwSignal::new(None::<String>);
    let settings = RwSignal::new(RunSettings::default());
    // The last run started, to run it again after a failure.
    let last_run = StoredValue::new_local(None::<(Upload, RunSettings)>);
    // The proxy's LLM, when it has one; `None` for the offline backend or no proxy.
    let llm = Signal::derive(move || match backend.get() {
        Some(Ok(info)) if info.backend.is_llm() => Some(info.description),
        _ => None,
    });

    // One set of progress signals, made here and reset for each run: signals
    // made in the panel whose button starts a run would be disposed with it.
    let progress = RunProgress::new();
    // `ready` is the file as the ready panel read it with these settings, if
    // it did; otherwise (a resumed run, a run again) it is read here.
    let start_run = move |upload: Upload, chosen: RunSettings, ready: Option<Arc<Imported>>| {
        last_run.set_value(Some((upload.clone(), chosen.clone())));
        progress.reset();
        error.set(None);
        phase.set(Phase::Running(progress));
        leptos::task::spawn_local(async move {
            let Upload { name, source } = upload;
            let imported = match ready {
                Some(imported) => Imported::clone(&imported),
                None => {
                    progress.status.set("reading the file".into());
                    let read = dataset::read(&source, &chosen.import, |n, of| progress.status.set(format!("reading row group {n} of {of}"))).await;
                    match read {
                        Ok(imported) => imported,
                        Err(e) => {
                            error.set(Some(format!("{name}: the file could not be imported: {e}")));
                            phase.set(Phase::Start);
                            return;
                        }
                    }
                }
            };
            let id = dataset::run_id(&source, &chosen);
            let record = RunRecord {
                id: id.clone(),
                name: name.clone(),
                started_ms: js_sys::Date::now(),
                settings: chosen.clone(),
                state: RunState::Running,
                kept: Kept::for_source(&source),
                built_by: run_store::BUILD.into(),
            };
            match run_store::forget_other_builds_work(&id).await {
                Ok(true) => progress.notice.set(Some(OTHER_BUILD.into())),
                Ok(false) => {}
                Err(e) => progress
                    .notice
                    .set(Some(format!("Whether this run's kept work came from this version of Kleio could not be checked ({e}); it is used as kept."))),
            }
            if let Err(e) = run_store::begin(&record, &source, &imported).await {
                progress.notice.set(Some(format!("This run will not resume after a reload: {e}")));
            }
            let proxy_analyst = backend.get_untracked().and_then(Result::ok).filter(|info| info.backend.is_llm());
            match runner::run(imported, chosen, id.clone(), proxy_analyst, progress).await {
                Ok((outcome, conversations)) => {
                    let state = RunState::Finished { conversations: outcome.analysis.conversations.len(), clusters: outcome.analysis.clusters.len() };
                    // The result is shown even if it cannot be kept; the run is then listed as unfinished.
                    if run_store::finish(&id, &outcome).await.is_ok() {
                        let _ = run_store::set_state(&id, state).await;
                    }
                    phase.set(Phase::Explore {
                        analysis: Arc::new(outcome.analysis),
                        facts: Arc::new(LocalFacts {
                            accounts: outcome.accounts,
                            templates: outcome.templates,
                            transcripts: Transcripts::Held(Arc::new(conversations)),
                            run: Some(id.clone()),
                        }),
                        title: name,
                        stage_seconds: outcome.stage_seconds,
                        run: Some(id.clone()),
                    });
                }
                Err(e) => {
                    let _ = run_store::set_state(&id, RunState::Stopped { reason: e.to_string() }).await;
                    error.set(Some(format!("{name}: {e}. The work it finished is kept.")));
                    phase.set(Phase::Start);
                }
            }
        });
    };
    // An analysis exported earlier opens in the explorer; any other file is
    // a dataset, and one that does not import stays at the start with the reason.
    let on_upload = Callback::new(move |upload: Upload| {
        let bytes = match &upload.source {
            Source::Bytes(bytes) => bytes.clone(),
            // A Parquet file's footer has been read; its rows are read on the
            // ready panel, and a file larger than a browser analyses in
            // minutes starts as a sample of that size.
            Source::Parquet(file) => {
                if file.rows() > DEFAULT_SAMPLE && settings.with_untracked(|s| s.import.sample.is_none()) {
                    settings.update(|s| s.import.sample = Some(Sample { size: DEFAULT_SAMPLE, seed: s.params.seed }));
                }
                error.set(None);
                phase.set(Phase::Ready(upload));
                return;
            }
            Source::Kept { .. } => {
                phase.set(Phase::Ready(upload));
                return;
            }
        };
        match saved_analysis(&bytes) {
            Some(Ok(analysis)) => {
                error.set(None);
                phase.set(Phase::Explore {
                    analysis: Arc::new(analysis),
                    facts: Arc::new(LocalFacts::none("An analysis opened from a file holds no conversations to read.")),
                    title: upload.name,
                    stage_seconds: Vec::new(),
                    run: None,
                });
                return;
            }
            Some(Err(e)) => {
                error.set(Some(format!("{}: this looks like a Kleio analysis but cannot be opened: {e}", upload.name)));
                return;
            }
            None => {}
        }
        match import(&bytes, &settings.with_untracked(|s| s.import.clone())) {
            Ok(_) => {
                error.set(None);
                phase.set(Phase::Ready(upload));
            }
            // Rows Kleio cannot place (a layout it does not know, a wrong
            // column): the ready panel shows them and lets the person name
            // the columns, with the reason beside them.
            Err(ImportError::NoUsableRows(_) | ImportError::NoSuchColumn(..)) => {
                error.set(None);
                phase.set(Phase::Ready(upload));
            }
            Err(e) => error.set(Some(format!("{}: the file could not be imported: {e}", upload.name))),
        }
    });
    let backend_info = Signal::derive(move || backend.get().and_then(Result::ok));
    let on_demo = Callback::new(move |()| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::demo_analysis().await {
                Ok(a) => phase.set(Phase::Explore {
                    analysis: Arc::new(a),
                    facts: Arc::new(LocalFacts::none("The demo's analysis comes without its conversations.")),
                    title: "Kleio demo".into(),
                    stage_seconds: Vec::new(),
                    run: Some(DEMO_RUN.into()),
                }),
                Err(e) => error.set(Some(format!("the demo analysis could not be loaded: {e}"))),
            }
        });
    });
    let on_resume = Callback::new(move |run: RunRecord| {
        leptos::task::spawn_local(async move {
            match run_store::source(&run).await {
                Ok(Some(source)) => start_run(Upload { name: run.name, source }, run.settings, None),
                Ok(None) => error.set(Some(format!("{}: the file of this run is no longer kept; upload it again", run.name))),
                Err(e) => error.set(Some(format!("{}: {e}", run.name))),
            }
        });
    });
    let on_open = Callback::new(move |run: RunRecord| {
        leptos::task::spawn_local(async move {
            match run_store::outcome(&run.id).await {
                Ok(Some(o)) => phase.set(Phase::Explore {
                    analysis: Arc::new(o.analysis),
                    facts: Arc::new(LocalFacts {
                        accounts: o.accounts,
                        templates: o.templates,
                        transcripts: Transcripts::Kept(Box::new(run.clone())),
                        run: Some(run.id.clone()),
                    }),
                    title: run.name,
                    stage_seconds: o.stage_seconds,
                    run: Some(run.id),
                }),
                Ok(None) => error.set(Some(format!("{}: the result of this run is no longer kept; resume it to make it again", run.name))),
                Err(e) => error.set(Some(format!("{}: {e}", run.name))),
            }
        });
    });

    // An address naming a run (a link copied from the explorer) reopens it.
    if let Some(run) = run_in_address() {
        if run == DEMO_RUN {
            on_demo.run(());
        } else {
            leptos::task::spawn_local(async move {
                match run_store::record(&run).await {
                    Ok(Some(record)) => on_open.run(record),
                    Ok(None) => error.set(Some("The run this link names is not kept in this browser: links to a run open only where it was made.".into())),
                    Err(e) => error.set(Some(format!("The run this link names could not be opened: {e}"))),
                }
            });
        }
    }

    move || match phase.get() {
        Phase::Start => view! {
            <main class="home">
                {move || error.get().map(|e| view! {
                    <div class="error" role="alert">
                        <p>{e}</p>
                        {last_run.with_value(Option::is_some).then(|| view! {
                            <button on:click=move |_| if let Some((u, s)) = last_run.get_value() { start_run(u, s, None) }>"Run this file again"</button>
                        })}
                    </div>
                })}
                <StartPanel on_upload=on_upload on_demo=on_demo backend=backend_info />
                <ConfigurePanel settings=settings llm=llm />
                <EarlierRuns on_open=on_open on_resume=on_resume />
                <PublishedList />
                <About />
            </main>
        }
        .into_any(),
        Phase::Ready(upload) => {
            let chosen = upload.clone();
            view! {
                <main class="home">
                    <ReadyPanel
                        upload=upload
                        settings=settings
                        backend=backend_info
                        on_start=Callback::new(move |ready| start_run(chosen.clone(), settings.get_untracked(), ready))
                        on_other_file=Callback::new(move |()| phase.set(Phase::Start))
                    />
                    <ConfigurePanel settings=settings llm=llm />
                </main>
            }
            .into_any()
        }
        Phase::Running(progress) => view! { <main class="home"><RunView progress=progress /></main> }.into_any(),
        Phase::Explore { analysis, facts, title, stage_seconds, run } => {
            set_run_in_address(run.as_deref());
            view! {
            <div class="back"><button on:click=move |_| { set_run_in_address(None); phase.set(Phase::Start) }>"New run"</button><span class="title">{title.clone()}</span></div>
            <Explorer analysis=analysis facts=facts title=title stage_seconds=stage_seconds />
            }
            .into_any()
        }
    }
}

/// The run the address names (`?run=ID`), if any.
fn run_in_address() -> Option<String> {
    let search = window().location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("run").filter(|r| !r.is_empty())
}

/// Names `run` in the address, keeping the view after `#`, or clears both;
/// a copied address then reopens the run on this machine.
fn set_run_in_address(run: Option<&str>) {
    let Ok(history) = window().history() else { return };
    let address = match run {
        Some(run) => format!("?run={}{}", js_sys::encode_uri_component(run), window().location().hash().unwrap_or_default()),
        None => window().location().pathname().unwrap_or_else(|_| "/".into()),
    };
    let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&address));
}

/// `Some` when the file is an analysis (as "Export JSON" writes it) rather
/// than a dataset: a JSON object that opens with a schema version.
fn saved_analysis(bytes: &[u8]) -> Option<Result<Analysis, String>> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]);
    if !head.trim_start().trim_start_matches('{').trim_start().starts_with("\"schema_version\"") {
        return None;
    }
    Some(match serde_json::from_slice::<Analysis>(bytes) {
        Ok(a) if a.schema_version != SCHEMA_VERSION => Err(format!("it has schema version {}, this app reads {SCHEMA_VERSION}", a.schema_version)),
        Ok(a) => Ok(a),
        Err(e) => Err(e.to_string()),
    })
}
