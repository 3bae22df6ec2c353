//! How the next run is made: the model and device, the analyst, the
//! screener (paper G.3), which facets to extract (a custom question among
//! them), the cluster counts and the privacy minimums. Everything edits the
//! one `RunSettings` signal; how the file is read is `file_columns.rs`'s.

use kleio_core::analyst::{Facet, FacetKind};
use kleio_core::api::facet_id;
use kleio_embed::{BackendChoice, ModelKind};
use leptos::prelude::*;

use crate::run_settings::RunSettings;

/// What the custom-question inputs hold, kept apart from the settings so a
/// kind or category list typed before the question is not lost.
#[derive(Clone, Default)]
struct CustomDraft {
    question: String,
    /// `open`, `scale` or `category`.
    kind: String,
    /// Comma-separated, for `category`.
    options: String,
}

impl CustomDraft {
    fn facet(&self) -> Option<Facet> {
        let question = self.question.trim();
        if question.is_empty() {
            return None;
        }
        let kind = match self.kind.as_str() {
            "scale" => FacetKind::Scale { min: 1, max: 5 },
            "category" => FacetKind::Category { options: self.options.split(',').map(str::trim).filter(|o| !o.is_empty()).map(String::from).collect() },
            _ => FacetKind::OpenText,
        };
        Some(Facet { id: facet_id::CUSTOM.into(), question: question.into(), kind })
    }
}

/// Rebuilds the facet list in its fixed order (the built-in ones chosen now,
/// with `toggled` switched on or off, then the custom one).
fn set_facets(settings: RwSignal<RunSettings>, toggled: Option<(&str, bool)>, custom: Option<Facet>) {
    settings.update(|s| {
        let chosen = |id: &str| match toggled {
            Some((t, on)) if t == id => on,
            _ => s.params.facets.iter().any(|f| f.id == id),
        };
        let mut facets: Vec<Facet> = Facet::built_in().into_iter().filter(|f| chosen(&f.id)).collect();
        facets.extend(custom);
        s.params.facets = facets;
        // A facet no longer asked, or no longer open text, cannot stay clustered.
        let open: Vec<String> = s.params.facets.iter().filter(|f| f.kind == FacetKind::OpenText).map(|f| f.id.clone()).collect();
        s.params.clustered.retain(|id| open.contains(id));
    });
}

/// Clusters `id` too, or no longer: the list starts from what a run would
/// cluster now, and never ends empty (a run clusters at least one facet).
fn set_clustered(settings: RwSignal<RunSettings>, id: &str, on: bool) {
    settings.update(|s| {
        let mut clustered: Vec<String> = s.params.clustered_facets().into_iter().map(|f| f.id.clone()).collect();
        if on && !clustered.iter().any(|c| c == id) {
            clustered.push(id.to_string());
        } else if !on && clustered.len() > 1 {
            clustered.retain(|c| c != id);
        }
        s.params.clustered = clustered;
    });
}

/// The open-text facets a run would extract, with their labels, for the
/// choice of which to cluster.
fn open_text_facets(settings: &RunSettings) -> Vec<(String, String)> {
    settings
        .params
        .facets
        .iter()
        .filter(|f| f.kind == FacetKind::OpenText)
        .map(|f| {
            let label = match f.id.as_str() {
                facet_id::REQUEST => "Request".to_string(),
                facet_id::TASK => "Task".to_string(),
                facet_id::LANGUAGE => "Language".to_string(),
                _ => format!("“{}”", f.question),
            };
            (f.id.clone(), label)
        })
        .collect()
}

#[component]
pub fn ConfigurePanel(
    settings: RwSignal<RunSettings>,
    /// `Some(description)` when the proxy runs an LLM the run may use.
    llm: Signal<Option<String>>,
) -> impl IntoView {
    let draft = RwSignal::new(CustomDraft { kind: "open".into(), ..Default::default() });
    let has = move |id: &'static str| move || settings.with(|s| s.params.facets.iter().any(|f| f.id == id));
    let toggle = move |id: &'static str, on: bool| set_facets(settings, Some((id, on)), draft.get_untracked().facet());
    let edit_custom = move |change: &dyn Fn(&mut CustomDraft)| {
        draft.update(|d| change(d));
        set_facets(settings, None, draft.get_untracked().facet());
    };
    let number = move |e: &web_sys::Event| event_target_value(e).trim().parse::<usize>().ok();
    let facet_box = move |id: &'static str, label: &'static str| {
        view! {
            <label><input type="checkbox" prop:checked=has(id) on:change=move |e| toggle(id, event_target_checked(&e)) />{label}</label>
        }
    };
    view! {
        <fieldset class="settings">
            <legend>"Run settings"</legend>
            <label>"Embedding model "
                <select prop:value=move || settings.get().model.folder() on:change=move |e| {
                    let model = event_target_value(&e).parse().unwrap_or(ModelKind::MiniLm);
                    settings.update(|s| s.model = model);
                }>
                    <option value="minilm">"all-MiniLM-L6-v2 (fast, 91 MB)"</option>
                    <option value="mpnet">"all-mpnet-base-v2 (the paper's, 438 MB)"</option>
                </select>
            </label>
            <label>"Device "
                <select prop:value=move || device_value(settings.get().device) on:change=move |e| {
                    let device = event_target_value(&e).parse().unwrap_or(BackendChoice::Auto);
                    settings.update(|s| s.device = device);
                }>
                    <option value="auto">"WebGPU if available, else CPU"</option>
                    <option value="gpu">"WebGPU"</option>
                    <option value="cpu">"CPU"</option>
                </select>
            </label>
            <label>"Arithmetic on the CPU "
                <select prop:value=move || settings.get().precision.name() on:change=move |e| {
                    let precision = event_target_value(&e).parse().unwrap_or_default();
                    settings.update(|s| s.precision = precision);
                }>
                    <option value="fp32">"fp32: matches sentence-transformers (cosine ≥ 0.999)"</option>
                    <option value="int8">"int8: 1.6× (MiniLM) to 2.1× (MPNet) faster, cosine 0.99 on average, 0.96 at worst; needs relaxed SIMD, else fp32"</option>
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
            <label class="wide">"Screener question (optional) "
                <input type="text" placeholder="Does the conversation involve programming?" prop:value=move || settings.get().params.screener.unwrap_or_default()
                    on:change=move |e| {
                        let q = event_target_value(&e).trim().to_string();
                        settings.update(|s| s.params.screener = (!q.is_empty()).then_some(q));
                    } />
            </label>
            <fieldset class="facets">
                <legend>"Facets to extract"</legend>
                {facet_box(facet_id::REQUEST, "Request")}
                {facet_box(facet_id::TASK, "Task")}
                {facet_box(facet_id::LANGUAGE, "Language")}
                {facet_box(facet_id::CONCERN, "Concern (1–5)")}
                <label class="wide">"Custom question "
                    <input type="text" placeholder="Is the user a student?" prop:value=move || draft.get().question
                        on:change=move |e| { let v = event_target_value(&e); edit_custom(&|d| d.question = v.clone()) } />
                </label>
                <label>"Answer kind "
                    <select prop:value=move || draft.get().kind on:change=move |e| { let v = event_target_value(&e); edit_custom(&|d| d.kind = v.clone()) }>
                        <option value="open">"open text"</option>
                        <option value="scale">"1–5 scale"</option>
                        <option value="category">"category"</option>
                    </select>
                </label>
                <label>"Categories "
                    <input type="text" placeholder="yes, no, other" prop:value=move || draft.get().options disabled=move || draft.get().kind != "category"
                        on:change=move |e| { let v = event_target_value(&e); edit_custom(&|d| d.options = v.clone()) } />
                </label>
                <p class="stats wide">"The offline analyst answers a category question from the categories' words; open and 1–5 questions need the proxy's LLM."</p>
            </fieldset>
            <fieldset class="facets" aria-label="Facets to cluster">
                <legend>"Facets to cluster"</legend>
                {move || {
                    let clustered: Vec<String> = settings.with(|s| s.params.clustered_facets().into_iter().map(|f| f.id.clone()).collect());
                    settings.with(open_text_facets).into_iter().map(|(id, label)| {
                        // Toggle buttons, not checkboxes: the extraction checkboxes above carry these names as labels.
                        let pressed = clustered.contains(&id);
                        let only = pressed && clustered.len() == 1;
                        view! {
                            <button type="button" class="toggle" aria-pressed=pressed.to_string() disabled=only
                                on:click=move |_| set_clustered(settings, &id, !pressed)>{label}</button>
                        }
                    }).collect_view()
                }}
                <p class="stats wide">"Each chosen facet gets its own base clusters, names, hierarchy and map from the same run (the explorer’s “Hierarchy of the” switch moves between them); the first chosen is shown first. Each adds its naming, hierarchy and audit calls to an LLM run's cost."</p>
            </fieldset>
            <label>"Base clusters "
                <input type="number" min="1" placeholder="automatic" prop:value=move || settings.get().params.k.map(|k| k.to_string()).unwrap_or_default()
                    on:change=move |e| { let k = number(&e); settings.update(|s| s.params.k = k) } />
            </label>
            <label>"Top-level clusters "
                <input type="number" min="1" prop:value=move || settings.get().params.hierarchy.top.to_string()
                    on:change=move |e| if let Some(top) = number(&e) { settings.update(|s| s.params.hierarchy.top = top) } />
            </label>
            <fieldset class="privacy">
                <legend>"Privacy minimums (what may be shown or published)"</legend>
                <label>"Accounts per cluster "
                    <input type="number" min="1" prop:value=move || settings.get().params.privacy.min_accounts.to_string()
                        on:change=move |e| if let Some(v) = number(&e) { settings.update(|s| s.params.privacy.min_accounts = v) } />
                </label>
                <label>"Conversations per cluster "
                    <input type="number" min="1" prop:value=move || settings.get().params.privacy.min_conversations.to_string()
                        on:change=move |e| if let Some(v) = number(&e) { settings.update(|s| s.params.privacy.min_conversations = v) } />
                </label>
                <label>"Audit score (1–5) "
                    <input type="number" min="1" max="5" prop:value=move || settings.get().params.privacy.min_audit_score.to_string()
                        on:change=move |e| if let Some(v) = number(&e) { settings.update(|s| s.params.privacy.min_audit_score = v.min(5) as u8) } />
                </label>
            </fieldset>
        </fieldset>
    }
}

fn device_value(device: BackendChoice) -> &'static str {
    match device {
        BackendChoice::Auto => "auto",
        BackendChoice::Gpu => "gpu",
        BackendChoice::Cpu => "cpu",
    }
}
