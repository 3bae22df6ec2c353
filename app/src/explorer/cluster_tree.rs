//! The cluster hierarchy as an ARIA tree: sizes and shares, expand and
//! collapse, arrow keys to move, Enter or a click to select. Selecting here
//! selects on the map, and a selection on the map opens its branch here.

use std::collections::HashSet;
use std::sync::Arc;

use kleio_core::analysis::Analysis;
use leptos::prelude::*;

use crate::palette::colour;
use kleio_core::cluster_index::ClusterIndex;

#[component]
pub fn ClusterTree(analysis: Arc<Analysis>, index: Arc<ClusterIndex>, selected: RwSignal<Option<usize>>) -> impl IntoView {
    let expanded = RwSignal::new(HashSet::<usize>::new());
    let focused = RwSignal::new(index.roots.first().copied());
    let total = analysis.conversations.len().max(1) as f64;

    // A selection made elsewhere (the map, search) opens the path to it.
    {
        let (analysis, index) = (analysis.clone(), index.clone());
        Effect::new(move |_| {
            if let Some(s) = selected.get() {
                expanded.update(|open| open.extend(index.ancestors(s, &analysis).skip(1)));
                focused.set(Some(s));
            }
        });
    }

    let visible = {
        let index = index.clone();
        move || -> Vec<(usize, usize)> {
            let open = expanded.get();
            let mut out = Vec::new();
            let mut stack: Vec<(usize, usize)> = index.roots.iter().rev().map(|&r| (r, 1)).collect();
            while let Some((i, depth)) = stack.pop() {
                out.push((i, depth));
                if open.contains(&i) {
                    stack.extend(index.children(i).iter().rev().map(|&c| (c, depth + 1)));
                }
            }
            out
        }
    };

    let on_key = {
        let (visible, index, analysis) = (visible.clone(), index.clone(), analysis.clone());
        move |e: web_sys::KeyboardEvent| {
            let rows = visible();
            let Some(current) = focused.get_untracked() else { return };
            let at = rows.iter().position(|(i, _)| *i == current).unwrap_or(0);
            let has_children = !index.children(current).is_empty();
            let is_open = expanded.with_untracked(|o| o.contains(&current));
            match e.key().as_str() {
                "ArrowDown" => focused.set(rows.get(at + 1).map(|r| r.0).or(Some(current))),
                "ArrowUp" => focused.set(Some(rows[at.saturating_sub(1)].0)),
                "ArrowRight" if has_children && !is_open => expanded.update(|o| {
                    o.insert(current);
                }),
                "ArrowRight" if has_children => focused.set(Some(index.children(current)[0])),
                "ArrowLeft" if is_open => expanded.update(|o| {
                    o.remove(&current);
                }),
                "ArrowLeft" => focused.set(index.ancestors(current, &analysis).nth(1).or(Some(current))),
                "Home" => focused.set(rows.first().map(|r| r.0)),
                "End" => focused.set(rows.last().map(|r| r.0)),
                "Enter" | " " => selected.set(Some(current)),
                _ => return,
            }
            e.prevent_default();
            // After the rows have been redrawn for the new state.
            request_animation_frame(move || focus_row(focused.get_untracked()));
        }
    };

    let rows = move || {
        let open = expanded.get();
        visible()
            .into_iter()
            .map(|(i, depth)| {
                let c = &analysis.clusters[i];
                let has_children = !index.children(i).is_empty();
                let is_open = open.contains(&i);
                let share = 100.0 * c.size as f64 / total;
                let toggle = move |e: web_sys::MouseEvent| {
                    e.stop_propagation();
                    expanded.update(|o| {
                        if !o.remove(&i) {
                            o.insert(i);
                        }
                    });
                };
                view! {
                    <li
                        role="treeitem"
                        id=format!("tree-{i}")
                        attr:aria-level=depth
                        aria-expanded=has_children.then(|| is_open.to_string())
                        aria-selected=move || (selected.get() == Some(i)).to_string()
                        tabindex=move || if focused.get() == Some(i) { "0" } else { "-1" }
                        style:padding-left=format!("{}rem", (depth - 1) as f64 * 1.1)
                        on:click=move |_| {
                            focused.set(Some(i));
                            selected.set(Some(i));
                        }
                    >
                        <span class="twisty" aria-hidden="true" on:click=toggle>
                            {if !has_children { "·" } else if is_open { "▾" } else { "▸" }}
                        </span>
                        <span class="swatch" style:background=colour(index.root_rank(i))></span>
                        <span class="name">{c.name.clone()}</span>
                        <span class="size">{format!(" {} · {share:.1}%", c.size)}</span>
                    </li>
                }
            })
            .collect_view()
    };

    view! {
        <section aria-label="Cluster tree" class="tree">
            <h2>"Clusters"</h2>
            <ul role="tree" aria-label="Cluster hierarchy" on:keydown=on_key>{rows}</ul>
        </section>
    }
}

fn focus_row(i: Option<usize>) {
    use wasm_bindgen::JsCast;
    let Some(i) = i else { return };
    if let Some(el) = document().get_element_by_id(&format!("tree-{i}")).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}
