//! A file is chosen and not yet analysed: what it holds, what the run will
//! cost before anything is spent, and the button that starts it.

use std::sync::Arc;

use kleio_core::api::{BackendInfo, ModelInfo, ModelRole, SpendCaps};
use kleio_core::cost::{self, CostEstimate};
use kleio_core::import::{ImportOptions, Imported};
use leptos::prelude::*;

use crate::dataset::{self, Source, Upload};
use crate::home::file_columns::FileColumns;
use crate::run_settings::RunSettings;

/// The file as read with `options`, kept to start the run with.
#[derive(Clone)]
struct ImportedFile {
    imported: Arc<Imported>,
    options: ImportOptions,
}

#[component]
pub fn ReadyPanel(
    upload: Upload,
    settings: RwSignal<RunSettings>,
    /// What the proxy said about its analyst, when there is a proxy.
    backend: Signal<Option<BackendInfo>>,
    /// Starts the run, with the file as read for the current settings when it has been.
    on_start: Callback<Option<Arc<Imported>>>,
    on_other_file: Callback<()>,
) -> impl IntoView {
    let options = Memo::new(move |_| settings.with(|s| s.import.clone()));
    // Where reading a Parquet file by ranges has got to: (row group, of how many).
    let reading = RwSignal::new(None::<(usize, usize)>);
    let source = upload.source.clone();
    let read = LocalResource::new(move || {
        let (source, options) = (source.clone(), options.get());
        async move {
            let result = dataset::read(&source, &options, |n, of| reading.set(Some((n, of)))).await;
            reading.set(None);
            result.map(|imported| ImportedFile { imported: Arc::new(imported), options }).map_err(|e| e.to_string())
        }
    });
    // The read for the options chosen now; `None` while it is under way.
    let imported = move || match read.get() {
        Some(Ok(file)) if file.options != options.get() => None,
        other => other,
    };
    let problem = move || match (imported(), settings.get().params.checked()) {
        (Some(Err(e)), _) => Some(format!("the file could not be imported: {e}")),
        (_, Err(e)) => Some(e.to_string()),
        _ => None,
    };
    let summary = move || {
        imported().and_then(Result::ok).map(|file| {
            let (conversations, report) = (&file.imported.conversations, &file.imported.report);
            let skipped = report.rows_skipped();
            let accounts = if report.accounts_known { "accounts known" } else { "no account field found: each conversation counts as its own account" };
            let mut text = format!("{} conversations, {skipped} rows skipped; {accounts}.", conversations.len());
            if let Some(sampled) = report.sampled {
                let groups = sampled.row_groups.map(|g| format!(", drawn from {} of its {} row groups", g.read, g.in_file)).unwrap_or_default();
                text = format!("A sample of {} of {} rows (seed {}{groups}): {text}", report.rows_read, sampled.rows_in_file, sampled.seed);
            }
            if report.duplicates_dropped > 0 {
                let exact = report.duplicates_dropped.saturating_sub(report.near_duplicates_dropped);
                if exact > 0 {
                    text.push_str(&format!(" {exact} exact copies counted once (the copies column)."));
                }
                if report.near_duplicates_dropped > 0 {
                    text.push_str(&format!(" {} near copies counted once too.", report.near_duplicates_dropped));
                }
            }
            if let Some(first) = report.skipped.first() {
                text.push_str(&format!(" First skipped: row {}, {}.", first.line, first.reason));
            }
            text
        })
    };
    let estimate = move || {
        let s = settings.get();
        let llm = backend.get().filter(|b| b.backend.is_llm() && s.proxy_analyst);
        let Some(info) = llm else {
            return "Cost: none. The offline analyst runs in this browser and nothing is sent anywhere.".to_string();
        };
        let Some(Ok(file)) = imported() else { return String::new() };
        let (fast, strong) = (info.model(ModelRole::Fast), info.model(ModelRole::Strong));
        let price = |m: Option<&ModelInfo>| m.map(|m| m.price_per_million_tokens).unwrap_or_default();
        let e = cost::estimate(&file.imported.conversations, &s.params, info.conversation_tokens.max(1), price(fast), price(strong));
        describe_cost(&e, fast.map(|m| m.name.as_str()).unwrap_or("?"), strong.map(|m| m.name.as_str()).unwrap_or("?"), info.spending_caps)
    };
    view! {
        <section aria-label="Ready to analyse" class="ready">
            <h2>{upload.name.clone()}</h2>
            {parquet_shape(&upload.source)}
            <p class="stats" role="status">{move || match reading.get() {
                Some((n, of)) => format!("Reading row group {n} of {of}…"),
                None => summary().unwrap_or_else(|| "Reading the file…".into()),
            }}</p>
            {move || imported().and_then(Result::ok).and_then(|file| file.imported.report.damaged.clone()).map(|d| view! {
                <p class="error" role="alert">{format!("Only part of the file could be read ({d}); the rows before it are here.")}</p>
            })}
            <p class="estimate">{estimate}</p>
            {move || problem().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            <button class="primary" disabled=move || imported().is_none() || problem().is_some()
                on:click=move |_| on_start.run(imported().and_then(Result::ok).map(|f| f.imported))>"Start the analysis"</button>
            " "
            <button on:click=move |_| on_other_file.run(())>"Choose another file"</button>
            <FileColumns source=upload.source.clone() settings=settings />
        </section>
    }
}

/// A Parquet file's size and rows, known from its footer before any row is read.
fn parquet_shape(source: &Source) -> Option<impl IntoView> {
    let Source::Parquet(file) = source else { return None };
    let text = format!("Parquet, {:.1} MB: {} rows in {} row groups.", file.size() / 1e6, file.rows(), file.row_groups());
    Some(view! { <p class="stats">{text}</p> })
}

fn describe_cost(e: &CostEstimate, fast: &str, strong: &str, caps: SpendCaps) -> String {
    let tokens = (e.fast.input_tokens + e.fast.output_tokens + e.strong.input_tokens + e.strong.output_tokens) as f64 / 1e6;
    let mut words = format!(
        "Estimated cost with the proxy's analyst: about ${:.2} ({} calls to {fast}, {} to {strong}; about {tokens:.1} M tokens, before any cache or batch discount).",
        e.usd, e.fast.calls, e.strong.calls
    );
    let limits: Vec<String> = [
        (caps.per_run_usd, "a run"),
        (caps.per_token_day_usd, "an access token's day"),
        (caps.per_token_usd, "an access token"),
        (caps.total_usd, "the whole proxy"),
    ]
    .into_iter()
    .filter_map(|(cap, what)| cap.map(|usd| format!("${usd:.2} for {what}")))
    .collect();
    if !limits.is_empty() {
        words.push_str(&format!(" The proxy stops spending at {}.", limits.join(", ")));
    }
    words
}
