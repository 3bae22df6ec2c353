//! The runs this browser kept (see `run_store`): open a finished one,
//! resume one that stopped, or forget one.

use leptos::prelude::*;

use crate::run_store::{self, RunRecord, RunState};

#[component]
pub fn EarlierRuns(on_open: Callback<RunRecord>, on_resume: Callback<RunRecord>) -> impl IntoView {
    // Bumped after a deletion so the list is read again.
    let version = RwSignal::new(0u32);
    let runs = LocalResource::new(move || {
        version.track();
        run_store::list()
    });
    let forget = Action::new_local(move |id: &String| {
        let id = id.clone();
        async move {
            let result = run_store::delete(&id).await.map_err(|e| e.to_string());
            version.update(|v| *v += 1);
            result
        }
    });
    let item = move |run: RunRecord| {
        let id = run.id.clone();
        let finished = matches!(run.state, RunState::Finished { .. });
        let again = run.clone();
        view! {
            <li class="earlier-run">
                <span class="title">{run.name.clone()}</span>
                <span class="stats">{format!(" {} · {} · seed {}", started(run.started_ms), run.settings.model.name(), run.settings.params.seed)}</span>
                <span class="run-state">{describe(&run)}</span>
                {if finished {
                    view! { <button on:click=move |_| on_open.run(again.clone())>"Open"</button> }.into_any()
                } else {
                    view! { <button on:click=move |_| on_resume.run(again.clone())>"Resume"</button> }.into_any()
                }}
                <button on:click=move |_| { forget.dispatch(id.clone()); }>"Delete"</button>
            </li>
        }
    };
    view! {
        <section aria-label="Earlier runs" class="earlier">
            <h2>"Earlier runs"</h2>
            <Transition fallback=|| view! { <p class="stats">"Reading the runs kept in this browser…"</p> }>
                <ErrorBoundary fallback=|errors| view! {
                    <p class="error">{move || errors.get().into_iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>().join("; ")}</p>
                }>
                    {move || Suspend::new(async move {
                        runs.await.map(|runs| {
                            if runs.is_empty() {
                                view! { <p class="stats">"None yet. Runs are kept in this browser, with their files, until you delete them."</p> }.into_any()
                            } else {
                                view! { <ul>{runs.into_iter().map(item).collect_view()}</ul> }.into_any()
                            }
                        })
                    })}
                </ErrorBoundary>
            </Transition>
            {move || forget.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}

fn describe(run: &RunRecord) -> String {
    // Work another build kept is dropped on resume (`run_store::forget_other_builds_work`).
    let resume =
        if run.built_by == run_store::BUILD { "resume to go on from the work it kept" } else { "begun by another version of Kleio: resuming runs it again" };
    match &run.state {
        RunState::Running => format!("interrupted (the page closed while it ran): {resume}"),
        RunState::Stopped { reason } => format!("stopped: {reason}; {resume}"),
        RunState::Finished { conversations, clusters } => format!("finished: {conversations} conversations, {clusters} clusters"),
    }
}

fn started(ms: f64) -> String {
    js_sys::Date::new(&ms.into()).to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED).into()
}
