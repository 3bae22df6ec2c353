//! Which level of the hierarchy a view lists: the base clusters or a level above.

use leptos::prelude::*;

#[component]
pub fn LevelPicker(levels: usize, level: RwSignal<usize>, label: &'static str) -> impl IntoView {
    view! {
        <label>"Level "
            <select aria-label=label on:change=move |e| level.set(event_target_value(&e).parse().unwrap_or(0))>
                {(0..levels).map(|l| view! { <option value=l.to_string()>{if l == 0 { "base clusters".to_string() } else { format!("level {l}") }}</option> }).collect_view()}
            </select>
        </label>
    }
}
