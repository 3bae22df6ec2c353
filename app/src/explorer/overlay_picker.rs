//! What the map is coloured by: the top-level cluster, growth over time, or
//! any facet or column, and for one of categories a value to light (its
//! conversations, or each cluster's share of it).

use std::sync::Arc;

use kleio_core::breakdown::{Baselines, Reading};
use kleio_core::colouring::Overlay;
use kleio_core::compare::Dimension;
use leptos::prelude::*;

/// Values offered in the value menu; the rest are reached by search elsewhere.
const MENU_VALUES: usize = 200;

#[component]
pub fn OverlayPicker(baselines: Arc<Baselines>, overlay: RwSignal<Overlay>) -> impl IntoView {
    let dimensions: Vec<(Dimension, Reading)> = baselines.dimensions().map(|(d, r)| (d.clone(), r)).collect();
    let has_times = dimensions.iter().any(|(_, r)| *r == Reading::Periods);
    let options = dimensions
        .iter()
        .map(|(d, r)| {
            let kind = match r {
                Reading::Categories => "",
                Reading::Numbers => " (numbers)",
                Reading::Periods => " (time)",
            };
            view! { <option value=format!("by:{}", d.key())>{format!("{}{kind}", d.label())}</option> }
        })
        .collect_view();
    // The dimension of categories the value menus are about, if the overlay has one.
    let categorical = {
        let baselines = baselines.clone();
        Memo::new(move |_| overlay.with(|o| o.dimension().filter(|d| baselines.reading(d) == Some(Reading::Categories)).cloned()))
    };
    let values = {
        let baselines = baselines.clone();
        Memo::new(move |_| categorical.get().map(|d| baselines.values(&d).into_iter().take(MENU_VALUES).collect::<Vec<_>>()).unwrap_or_default())
    };
    let chosen_value = move || match overlay.get() {
        Overlay::Equals(_, v) | Overlay::ClusterShare(_, v) => v,
        _ => String::new(),
    };
    let by_share = move || matches!(overlay.get(), Overlay::ClusterShare(..));
    let on_dimension = move |e: web_sys::Event| {
        if let Some(o) = Overlay::from_key(&event_target_value(&e)) {
            overlay.set(o);
        }
    };
    let on_value = move |e: web_sys::Event| {
        let Some(d) = categorical.get_untracked() else { return };
        let v = event_target_value(&e);
        overlay.set(match (v.is_empty(), by_share()) {
            (true, _) => Overlay::By(d),
            (false, true) => Overlay::ClusterShare(d, v),
            (false, false) => Overlay::Equals(d, v),
        });
    };
    let on_mode = move |e: web_sys::Event| {
        let share = event_target_value(&e) == "share";
        overlay.update(|o| {
            *o = match std::mem::replace(o, Overlay::TopCluster) {
                Overlay::Equals(d, v) | Overlay::ClusterShare(d, v) if share => Overlay::ClusterShare(d, v),
                Overlay::Equals(d, v) | Overlay::ClusterShare(d, v) => Overlay::Equals(d, v),
                other => other,
            }
        });
    };
    let dimension_key = move || match overlay.get() {
        Overlay::TopCluster => "cluster".to_string(),
        Overlay::Growth => "growth".to_string(),
        o => o.dimension().map(|d| format!("by:{}", d.key())).unwrap_or_default(),
    };
    view! {
        <label>"Colour by "
            <select aria-label="Colour by" prop:value=dimension_key on:change=on_dimension>
                <option value="cluster">"top-level cluster"</option>
                {has_times.then(|| view! { <option value="growth">"growth over time (per cluster)"</option> })}
                {options}
            </select>
        </label>
        {move || categorical.get().is_some().then(|| view! {
            <label>"Value "
                <select aria-label="Overlay value" prop:value=chosen_value on:change=on_value>
                    <option value="">"every value"</option>
                    {values.get().into_iter().map(|(v, n)| view! { <option value=v.clone()>{format!("{v} ({n})")}</option> }).collect_view()}
                </select>
            </label>
        })}
        {move || (!chosen_value().is_empty()).then(|| view! {
            <label>"Show "
                <select aria-label="Show" prop:value=move || if by_share() { "share" } else { "conversations" } on:change=on_mode>
                    <option value="conversations">"its conversations"</option>
                    <option value="share">"each cluster's share of it"</option>
                </select>
            </label>
        })}
    }
}
