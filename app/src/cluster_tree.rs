//! The cluster hierarchy as an ARIA tree: sizes and shares, expand and
//! collapse, arrow keys to move, Enter or a click to select. Selecting here
//! selects on the map, and a selection on the map opens its branch here.
//! The owner's explorer and a published dashboard both show one, each from
//! its own clusters ([`TreeNodes`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use kleio_core::analysis::Analysis;
use kleio_core::cluster_index::ClusterIndex;
use kleio_core::publish::Dashboard;
use leptos::prelude::*;

use crate::palette::colour;

/// What the tree shows of each cluster, by the cluster's index in its source.
pub struct TreeNodes {
    /// Largest first.
    roots: Vec<usize>,
    children: Vec<Vec<usize>>,
    parent: Vec<Option<usize>>,
    name: Vec<String>,
    size: Vec<usize>,
    /// The rank of each cluster's top-level ancestor, for its colour.
    root_rank: Vec<usize>,
    /// Conversations a share is of.
    total: usize,
}

impl TreeNodes {
    pub fn of_analysis(a: &Analysis, index: &ClusterIndex) -> TreeNodes {
        let n = a.clusters.len();
        TreeNodes {
            roots: index.roots.clone(),
            children: (0..n).map(|i| index.children(i).to_vec()).collect(),
            parent: (0..n).map(|i| index.ancestors(i, a).nth(1)).collect(),
            name: a.clusters.iter().map(|c| c.name.clone()).collect(),
            size: a.clusters.iter().map(|c| c.size).collect(),
            root_rank: (0..n).map(|i| index.root_rank(i)).collect(),
            total: a.conversations.len(),
        }
    }

    /// A dashboard's published clusters; shares are of the top level's conversations.
    pub fn of_dashboard(d: &Dashboard) -> TreeNodes {
        let at: HashMap<&str, usize> = d.clusters.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
        let by_size = |mut ids: Vec<usize>| {
            ids.sort_by_key(|&i| std::cmp::Reverse(d.clusters[i].size));
            ids
        };
        let roots = by_size((0..d.clusters.len()).filter(|&i| d.clusters[i].parent.is_none()).collect());
        let parent: Vec<Option<usize>> = d.clusters.iter().map(|c| c.parent.as_deref().and_then(|p| at.get(p).copied())).collect();
        let mut root_rank = vec![0; d.clusters.len()];
        for (i, rank) in root_rank.iter_mut().enumerate() {
            let mut top = i;
            // A chain of parents is shorter than the list of clusters.
            for _ in 0..d.clusters.len() {
                let Some(p) = parent[top] else { break };
                top = p;
            }
            *rank = roots.iter().position(|&r| r == top).unwrap_or(0);
        }
        TreeNodes {
            children: d.clusters.iter().map(|c| by_size(c.children.iter().filter_map(|id| at.get(id.as_str()).copied()).collect())).collect(),
            name: d.clusters.iter().map(|c| c.name.clone()).collect(),
            size: d.clusters.iter().map(|c| c.size).collect(),
            total: roots.iter().map(|&r| d.clusters[r].size).sum(),
            roots,
            parent,
            root_rank,
        }
    }

    pub fn children(&self, i: usize) -> &[usize] {
        self.children.get(i).map_or(&[], Vec::as_slice)
    }

    /// `i` and every cluster beneath it.
    pub fn descendants(&self, i: usize) -> Vec<usize> {
        let mut out = vec![i];
        let mut at = 0;
        while at < out.len() {
            out.extend_from_slice(self.children(out[at]));
            at += 1;
        }
        out
    }

    pub fn root_rank(&self, i: usize) -> usize {
        self.root_rank.get(i).copied().unwrap_or(0)
    }

    /// `i`'s ancestors, its parent first.
    pub fn ancestors(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.parent.get(i).copied().flatten(), |&p| self.parent.get(p).copied().flatten()).take(self.parent.len())
    }
}

#[component]
pub fn ClusterTree(nodes: Arc<TreeNodes>, selected: RwSignal<Option<usize>>) -> impl IntoView {
    let expanded = RwSignal::new(HashSet::<usize>::new());
    let focused = RwSignal::new(nodes.roots.first().copied());
    let total = nodes.total.max(1) as f64;

    // A selection made elsewhere (the map, search) opens the path to it.
    {
        let nodes = nodes.clone();
        Effect::new(move |_| {
            if let Some(s) = selected.get() {
                expanded.update(|open| open.extend(nodes.ancestors(s)));
                focused.set(Some(s));
            }
        });
    }

    let visible = {
        let index = nodes.clone();
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
        let (visible, index) = (visible.clone(), nodes.clone());
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
                "ArrowLeft" => focused.set(index.ancestors(current).next().or(Some(current))),
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
                let has_children = !nodes.children(i).is_empty();
                let is_open = open.contains(&i);
                let size = nodes.size[i];
                let share = 100.0 * size as f64 / total;
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
                        <span class="swatch" style:background=colour(nodes.root_rank(i))></span>
                        <span class="name">{nodes.name[i].clone()}</span>
                        <span class="size">{format!(" {size} · {share:.1}%")}</span>
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
