//! Which clustered facet's hierarchy the explorer shows, where a run
//! clustered several: each choice is a step in the address, so the back
//! button returns to the hierarchy before.

use leptos::prelude::*;

use crate::explorer::view_address::step_to_hierarchy;

#[component]
pub fn HierarchyPicker(
    /// The clustered facets' ids, the analysis's own first.
    facets: Vec<String>,
    /// Each facet's question, in the same order.
    questions: Vec<String>,
    chosen: RwSignal<usize>,
) -> impl IntoView {
    let ids = StoredValue::new(facets.clone());
    view! {
        <label class="hierarchy-picker">"Hierarchy of the "
            <select aria-label="Clustered facet" prop:value=move || chosen.get().to_string() on:change=move |e| {
                let Ok(i) = event_target_value(&e).parse::<usize>() else { return };
                ids.with_value(|ids| step_to_hierarchy(ids, i));
                chosen.set(i);
            }>
                {facets.iter().zip(questions).enumerate().map(|(i, (id, question))| {
                    view! { <option value=i.to_string() title=question>{format!("{id} facet")}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}
