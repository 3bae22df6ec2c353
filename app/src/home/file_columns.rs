//! How the chosen file is read: its first rows as a table, and the choices
//! a layout Kleio does not know needs (which field holds the messages or
//! the text, the account and the time), a sample of a large file, and
//! whether exact copies are collapsed. Everything edits the `RunSettings`'
//! import options; the ready panel imports again with them.

use kleio_core::import::{ImportOptions, Sample};
use leptos::prelude::*;

use crate::dataset::{self, Source};
use crate::run_settings::RunSettings;

/// Rows the preview shows.
const PREVIEW_ROWS: usize = 5;
/// A sample's size until the person types another (the paper's runs are
/// far larger; this is what a browser analyses in minutes).
pub const DEFAULT_SAMPLE: usize = 10_000;

#[component]
pub fn FileColumns(source: Source, settings: RwSignal<RunSettings>) -> impl IntoView {
    let preview = LocalResource::new(move || {
        let source = source.clone();
        async move { dataset::preview(&source, PREVIEW_ROWS).await }
    });
    let options = move || settings.with(|s| s.import.clone());
    let edit = move |change: &dyn Fn(&mut ImportOptions)| settings.update(|s| change(&mut s.import));
    let field =
        move |label: &'static str, placeholder: &'static str, get: fn(&ImportOptions) -> &Option<String>, set: fn(&mut ImportOptions, Option<String>)| {
            view! {
                <label>{label}" "
                    <input type="text" placeholder=placeholder prop:value=move || get(&options()).clone().unwrap_or_default()
                        on:change=move |e| {
                            let value = event_target_value(&e).trim().to_string();
                            edit(&|o| set(o, (!value.is_empty()).then(|| value.clone())));
                        } />
                </label>
            }
        };
    let table = move || match preview.get() {
        None => view! { <p class="stats">"Reading the first rows…"</p> }.into_any(),
        Some(Ok(p)) if !p.rows.is_empty() => view! {
            <div class="preview">
                <table aria-label="The file's first rows">
                    <thead><tr>{p.columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {p.rows.iter().map(|r| view! { <tr>{r.iter().map(|cell| view! { <td>{cell.clone()}</td> }).collect_view()}</tr> }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any(),
        Some(Ok(_)) => view! { <p class="stats">"No row to preview."</p> }.into_any(),
        Some(Err(e)) => view! { <p class="stats">{format!("No preview: {e}")}</p> }.into_any(),
    };
    view! {
        <fieldset class="file-columns" aria-label="How the file is read">
            <legend>"How the file is read"</legend>
            {table}
            <p class="stats wide">"Known layouts (OpenAI messages, ShareGPT, WildChat, LMSYS-Chat-1M, HH-RLHF, a text column) are found by themselves; name a field only where the rows are laid out otherwise."</p>
            {field("Messages field", "messages, conversation, …", |o| &o.messages_field, |o, v| o.messages_field = v)}
            {field("Text field", "text, prompt, …", |o| &o.text_field, |o, v| o.text_field = v)}
            {field("Account field", "account_id, user_id, hashed_ip, …", |o| &o.account_field, |o, v| o.account_field = v)}
            {field("Time field", "created_at, timestamp, …", |o| &o.time_field, |o, v| o.time_field = v)}
            <label>
                <input type="checkbox" prop:checked=move || options().sample.is_some()
                    on:change=move |e| {
                        let on = event_target_checked(&e);
                        let seed = settings.with_untracked(|s| s.params.seed);
                        edit(&|o| o.sample = on.then_some(Sample { size: DEFAULT_SAMPLE, seed }));
                    } />
                " Analyse a sample of "
                <input type="number" min="1" aria-label="Sample size" prop:value=move || options().sample.map_or(DEFAULT_SAMPLE, |s| s.size).to_string()
                    disabled=move || options().sample.is_none()
                    on:change=move |e| {
                        if let Ok(size) = event_target_value(&e).trim().parse::<usize>() {
                            edit(&|o| if let Some(s) = &mut o.sample { s.size = size.max(1) });
                        }
                    } />
                " rows (chosen by the run's seed)"
            </label>
            <label>
                <input type="checkbox" prop:checked=move || options().keep_duplicates
                    on:change=move |e| { let keep = event_target_checked(&e); edit(&|o| o.keep_duplicates = keep) } />
                " Keep exact copies (by default conversations whose user turns repeat are counted once, with a copies column)"
            </label>
            <label>
                <input type="checkbox" prop:checked=move || options().near_duplicates disabled=move || options().keep_duplicates
                    on:change=move |e| { let near = event_target_checked(&e); edit(&|o| o.near_duplicates = near) } />
                " Count near copies once too (user turns sharing 80 % of their word triples, as a filled-in template does)"
            </label>
        </fieldset>
    }
}
