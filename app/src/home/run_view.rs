//! A run in progress: one bar per stage with counts and the time left, what
//! is happening now, and a way to stop.

use kleio_core::progress::Stage;
use leptos::prelude::*;

use crate::runner::{now_ms, RunProgress, StageState};

#[component]
pub fn RunView(progress: RunProgress) -> impl IntoView {
    let rows = move || {
        let now = now_ms();
        Stage::ALL
            .iter()
            .zip(progress.stages.get())
            .map(|(stage, s)| {
                let label = stage.label();
                view! {
                    <li class="stage">
                        <span class="stage-name">{label}</span>
                        <progress aria-label=format!("{label} progress") max=s.total.max(1) value=s.done></progress>
                        <span class="stage-count">{describe(&s, now)}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section aria-label="Run progress" class="run">
            <h2>"Analysing"</h2>
            <p class="stats" role="status">{move || progress.status.get()}</p>
            {move || progress.notice.get().map(|n| view! { <p class="notice">{n}</p> })}
            <ul class="stages">{rows}</ul>
            <button on:click=move |_| progress.cancel.set(true) disabled=move || progress.cancel.get()>"Cancel"</button>
        </section>
    }
}

/// "120 / 400, about 35 s left", "done in 4.2 s" or "waiting", and how
/// much an earlier try had kept.
fn describe(s: &StageState, now: f64) -> String {
    let progress = progress_words(s, now);
    if s.restored > 0 {
        format!("{progress} ({} kept from an earlier try)", s.restored)
    } else {
        progress
    }
}

fn progress_words(s: &StageState, now: f64) -> String {
    match (s.started_ms, s.finished_ms) {
        (None, _) => "waiting".into(),
        (Some(_), Some(_)) => format!("{} done in {:.1} s", s.total, s.elapsed_ms(now) / 1000.0),
        (Some(start), None) => {
            let elapsed = now - start;
            if s.done == 0 || s.total == 0 {
                return format!("{} / {}", s.done, s.total);
            }
            let left = elapsed / s.done as f64 * (s.total - s.done.min(s.total)) as f64;
            format!("{} / {}, about {:.0} s left", s.done, s.total, left / 1000.0)
        }
    }
}
