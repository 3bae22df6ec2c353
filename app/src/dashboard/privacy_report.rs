//! The privacy report every dashboard carries: the minimums the proxy
//! applied and whose they were, what was withheld at each level and why
//! (counts only: nothing says which cluster), how the analysis was made,
//! and what the method cannot promise.

use kleio_core::publish::{AnalystKind, Dashboard, EmbedderKind, Withheld};
use leptos::prelude::*;

fn withheld(w: &Withheld) -> String {
    if w.clusters == 0 {
        return "none".into();
    }
    let reasons: Vec<String> = [
        (w.too_few_accounts, "too few accounts"),
        (w.too_few_conversations, "too few conversations"),
        (w.audit_failed, "the privacy audit"),
        (w.parent_hidden, "a hidden parent"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, why)| format!("{n} for {why}"))
    .collect();
    let clusters = if w.clusters == 1 { "1 cluster".to_string() } else { format!("{} clusters", w.clusters) };
    let conversations = if w.conversations == 1 { "1 conversation".to_string() } else { format!("{} conversations", w.conversations) };
    format!("{clusters}, {conversations} ({})", reasons.join(", "))
}

fn date(seconds: i64) -> String {
    js_sys::Date::new(&((seconds as f64) * 1000.0).into()).to_iso_string().as_string().unwrap_or_default().chars().take(10).collect()
}

#[component]
pub fn PrivacyReport(dashboard: std::sync::Arc<Dashboard>) -> impl IntoView {
    let (d, r) = (&dashboard, &dashboard.report);
    let whose = |applied: usize, proxy: usize, publisher: usize| match (applied == proxy, applied == publisher) {
        (true, true) => "the proxy's and the publisher's alike",
        (true, false) => "the proxy's, the stricter",
        _ => "the publisher's, the stricter",
    };
    let analyst = match r.analyst {
        AnalystKind::Offline => "the offline analyst (no language model: extracts and term-based names, in the publisher's browser)",
        AnalystKind::Llm => "a language model through a Kleio proxy",
        AnalystKind::Unknown => "not stated",
    };
    let embedder = match r.embedder {
        EmbedderKind::MiniLm => "all-MiniLM-L6-v2",
        EmbedderKind::MpNet => "all-mpnet-base-v2",
        EmbedderKind::Unknown => "not stated",
    };
    // Recorded in the publisher's browser from the proxy it ran through;
    // the proxy checked that they are identifiers, not that they are true.
    let versions = &r.analyst_versions;
    let analyst = if versions.is_empty() {
        analyst.to_string()
    } else {
        let prompts = versions.prompt_versions.iter().map(|(task, v)| format!("{task} v{v}")).collect::<Vec<_>>().join(", ");
        let models = if versions.models.is_empty() { "not stated".to_string() } else { versions.models.join(", ") };
        format!("{analyst} (models {models}; prompts {prompts}, as the publisher's browser recorded them)")
    };
    let auditor = match r.audit_prompt_version {
        Some(v) => format!("{} (audit prompt version {v})", r.auditor),
        None => r.auditor.clone(),
    };
    let rows = r
        .levels
        .iter()
        .map(|l| {
            view! {
                <tr>
                    <th scope="row">{format!("level {}", l.level)}</th>
                    <td>{format!("{} of {}", l.published_clusters, l.clusters)}</td>
                    <td>{format!("{} of {}", l.published_conversations, l.conversations)}</td>
                    <td class="withheld-owner">{withheld(&l.withheld_by_owner)}</td>
                    <td class="withheld-proxy">{withheld(&l.withheld_by_proxy)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-label="Privacy report" class="panel privacy-report">
            <h2>"Privacy report"</h2>
            <p>{format!(
                "Published {}. Every cluster shown has at least {} distinct accounts (minimum: {}), at least {} conversations ({}), and a privacy audit score of at least {} of 5, and so does every cluster above it.",
                date(d.created_at),
                d.privacy.min_accounts, whose(d.privacy.min_accounts, r.proxy_minimums.min_accounts, r.publisher_min_accounts),
                d.privacy.min_conversations, whose(d.privacy.min_conversations, r.proxy_minimums.min_conversations, r.publisher_min_conversations),
                d.privacy.min_audit_score,
            )}</p>
            <table aria-label="Withheld at each level">
                <thead><tr><th scope="col">"Level"</th><th scope="col">"Clusters shown"</th><th scope="col">"Conversations shown"</th>
                    <th scope="col">"Withheld in the publisher's browser"</th><th scope="col">"Withheld by the proxy"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="stats">{format!("Clusters named by {analyst}; conversations embedded with {embedder}; every name and summary audited at publication by {auditor}.")}</p>
            <p class="stats">"What this cannot promise: the audit is a model's or a rule's judgement and can miss a detail; minimums count distinct accounts as the data names them, so one person with many accounts counts many times; a cluster's summary describes many conversations and may still read as one person's where they are alike; and the breakdowns pool values held by few accounts into \"other\" but show the rest exactly."</p>
        </section>
    }
}
