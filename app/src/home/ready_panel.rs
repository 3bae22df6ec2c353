//! A file is chosen and not yet analysed: what it holds, what the run will
//! cost before anything is spent, and the button that starts it.

use std::sync::Arc;

use kleio_core::cost::{self, CostEstimate};
use kleio_core::import::{import, ImportReport};
use kleio_core::model::Conversation;
use leptos::prelude::*;

use kleio_core::api::{BackendInfo, ModelInfo, ModelRole, SpendCaps};

use crate::home::file_columns::FileColumns;
use crate::home::start_panel::Upload;
use crate::run_settings::RunSettings;

/// The file as imported with the chosen import options. Compared by identity:
/// a new import is a new value.
#[derive(Clone)]
struct ImportedFile(Arc<(Vec<Conversation>, ImportReport)>);

impl PartialEq for ImportedFile {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[component]
pub fn ReadyPanel(
    upload: Upload,
    settings: RwSignal<RunSettings>,
    /// What the proxy said about its analyst, when there is a proxy.
    backend: Signal<Option<BackendInfo>>,
    on_start: Callback<()>,
    on_other_file: Callback<()>,
) -> impl IntoView {
    let options = Memo::new(move |_| settings.with(|s| s.import.clone()));
    let bytes = upload.bytes.clone();
    let imported = Memo::new(move |_| import(&bytes, &options.get()).map(|i| ImportedFile(Arc::new((i.conversations, i.report)))).map_err(|e| e.to_string()));
    let problem = move || match (imported.get(), settings.get().params.checked()) {
        (Err(e), _) => Some(format!("the file could not be imported: {e}")),
        (_, Err(e)) => Some(e.to_string()),
        _ => None,
    };
    let summary = move || {
        imported.get().ok().map(|ImportedFile(file)| {
            let (conversations, report) = &*file;
            let skipped = report.rows_skipped();
            let accounts = if report.accounts_known { "accounts known" } else { "no account field found: each conversation counts as its own account" };
            let mut text = format!("{} conversations, {skipped} rows skipped; {accounts}.", conversations.len());
            if let Some(sampled) = report.sampled {
                text = format!("A sample of {} of {} rows (seed {}): {text}", report.rows_read, sampled.rows_in_file, sampled.seed);
            }
            if report.duplicates_dropped > 0 {
                text.push_str(&format!(" {} exact copies counted once (the copies column).", report.duplicates_dropped));
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
        let Ok(ImportedFile(file)) = imported.get() else { return String::new() };
        let (fast, strong) = (info.model(ModelRole::Fast), info.model(ModelRole::Strong));
        let price = |m: Option<&ModelInfo>| m.map(|m| m.price_per_million_tokens).unwrap_or_default();
        let e = cost::estimate(&file.0, &s.params, info.conversation_tokens.max(1), price(fast), price(strong));
        describe_cost(&e, fast.map(|m| m.name.as_str()).unwrap_or("?"), strong.map(|m| m.name.as_str()).unwrap_or("?"), info.spending_caps)
    };
    view! {
        <section aria-label="Ready to analyse" class="ready">
            <h2>{upload.name.clone()}</h2>
            <p class="stats">{summary}</p>
            {move || imported.get().ok().and_then(|ImportedFile(file)| file.1.damaged.clone()).map(|d| view! {
                <p class="error" role="alert">{format!("Only part of the file could be read ({d}); the rows before it are here.")}</p>
            })}
            <p class="estimate">{estimate}</p>
            {move || problem().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            <button class="primary" disabled=move || problem().is_some() on:click=move |_| on_start.run(())>"Start the analysis"</button>
            " "
            <button on:click=move |_| on_other_file.run(())>"Choose another file"</button>
            <FileColumns bytes=upload.bytes.clone() settings=settings />
        </section>
    }
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
