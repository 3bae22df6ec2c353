//! Compare clusters (the paper's Figures 7 and 8): the clusters where a
//! facet value is surely over- or under-represented against its base rate,
//! and the clusters placed by their means on two numeric facets with where
//! the two disagree. Both read core's `compare`; selecting a cluster here
//! selects it on the map and the tree.

use std::sync::Arc;

use kleio_core::analysis::Analysis;
use kleio_core::cluster_index::ClusterIndex;
use kleio_core::compare::{self, Dimension};
use leptos::prelude::*;

use crate::explorer::level_picker::LevelPicker;

use crate::compare_tables::{MeansView, MinCount, ShareTables};

#[component]
pub fn CompareView(analysis: Arc<Analysis>, index: Arc<ClusterIndex>, selected: RwSignal<Option<usize>>) -> impl IntoView {
    let (categorical, numeric) = compare::dimensions(&analysis);
    let first_look = compare::first_look(&analysis, &index, &categorical, &numeric);
    let (categorical, numeric) = (Arc::new(categorical), Arc::new(numeric));
    let category = RwSignal::new(first_look.category);
    let level = RwSignal::new(0usize);
    let min_size = analysis.params.privacy.min_conversations;
    let value_options = {
        let (analysis, categorical) = (analysis.clone(), categorical.clone());
        Memo::new(move |_| categorical.get(category.get()).map(|d| compare::values(&analysis, d)).unwrap_or_default())
    };
    // The most common value is everywhere; the second is the first worth comparing.
    let value = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let options = value_options.get();
        value.set(options.get(1).or(options.first()).map(|(v, _)| v.clone()));
    });
    let min_counted = RwSignal::new(min_size.max(1));
    let names: Arc<Vec<String>> = Arc::new(analysis.clusters.iter().map(|c| c.name.clone()).collect());
    let shares = {
        let (analysis, index, categorical, names) = (analysis.clone(), index.clone(), categorical.clone(), names.clone());
        move || {
            let d = categorical.get(category.get())?;
            let v = value.get()?;
            let table = compare::prevalence(&analysis, &index, d, &v, level.get(), min_counted.get());
            Some(view! { <ShareTables table value=v min_counted=min_counted.get() names=names.clone() selected /> })
        }
    };

    let x_axis = RwSignal::new(first_look.across);
    let y_axis = RwSignal::new(first_look.up);
    let points = {
        let (analysis, index, numeric) = (analysis.clone(), index.clone(), numeric.clone());
        move || match (numeric.get(x_axis.get()), numeric.get(y_axis.get())) {
            (Some(x), Some(y)) => compare::means(&analysis, &index, x, y, level.get(), min_counted.get()),
            _ => Vec::new(),
        }
    };

    let numeric_for_labels = numeric.clone();
    let scatter = move || {
        let label = |i: usize| numeric_for_labels.get(i).map(Dimension::label).unwrap_or_default();
        view! { <MeansView points=points() x_label=label(x_axis.get()) y_label=label(y_axis.get()) names=names.clone() selected /> }
    };

    let options = |dims: &[Dimension]| dims.iter().enumerate().map(|(i, d)| view! { <option value=i.to_string()>{d.label()}</option> }).collect_view();
    let index_of = |e: &web_sys::Event| event_target_value(e).parse::<usize>().unwrap_or(0);
    view! {
        <section aria-label="Compare" class="compare">
            <h2>"Compare clusters"</h2>
            <div class="toolbar">
                <LevelPicker levels=analysis.levels level label="Level" />
                <MinCount min_counted />
            </div>
            <h3>"Where a value is over- or under-represented"</h3>
            <div class="toolbar">
                <label>"Facet "
                    <select aria-label="Facet" prop:value=move || category.get().to_string() on:change=move |e| category.set(index_of(&e))>{options(&categorical)}</select>
                </label>
                <label>"Value "
                    <select aria-label="Value" prop:value=move || value.get().unwrap_or_default() on:change=move |e| value.set(Some(event_target_value(&e)))>
                        {move || value_options.get().into_iter().map(|(v, n)| view! { <option value=v.clone()>{format!("{v} ({n})")}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            {shares}
            <h3>"Clusters by two numeric facets"</h3>
            <div class="toolbar">
                <label>"Across "
                    <select aria-label="Across" prop:value=move || x_axis.get().to_string() on:change=move |e| x_axis.set(index_of(&e))>{options(&numeric)}</select>
                </label>
                <label>"Up "
                    <select aria-label="Up" prop:value=move || y_axis.get().to_string() on:change=move |e| y_axis.set(index_of(&e))>{options(&numeric)}</select>
                </label>
            </div>
            {scatter}
        </section>
    }
}
