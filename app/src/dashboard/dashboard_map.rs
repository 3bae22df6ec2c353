//! A published dashboard's map: each cluster of the lowest published level
//! as a disc at its members' mean position, its area proportional to its
//! size and its colour its top-level cluster's. No conversation is on it.
//! Wheel or pinch to zoom, drag to pan, hover for a name, click or tap to
//! select; the labels are the top level's at first and a level deeper for
//! every doubling of the zoom, and what is picked is a cluster of that level.

use std::collections::HashSet;
use std::sync::Arc;

use kleio_core::publish::Dashboard;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::cluster_tree::TreeNodes;
use crate::map_surface::{draw_labels, MapSurface};
use crate::palette::colour;
use crate::pan_zoom::{PanZoom, View};
use crate::viewport::Fit;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 720.0;

/// The map's data, worked out once per dashboard.
struct Discs {
    /// The lowest level's clusters: index, fitted canvas position, radius.
    discs: Vec<(usize, (f64, f64), f64)>,
    /// Every cluster's fitted canvas position (where its label goes).
    at: Vec<(f64, f64)>,
    top: usize,
    lowest: usize,
}

impl Discs {
    fn new(d: &Dashboard) -> Discs {
        let lowest = d.clusters.iter().map(|c| c.level).min().unwrap_or(0);
        let top = d.clusters.iter().map(|c| c.level).max().unwrap_or(0);
        let fit = Fit::new(d.clusters.iter().filter(|c| c.level == lowest).map(|c| c.position), WIDTH, HEIGHT, 40.0);
        let at: Vec<(f64, f64)> = d.clusters.iter().map(|c| fit.as_ref().map_or((WIDTH / 2.0, HEIGHT / 2.0), |f| f.to_canvas(c.position))).collect();
        let largest = d.clusters.iter().filter(|c| c.level == lowest).map(|c| c.size).max().unwrap_or(1).max(1) as f64;
        let discs =
            d.clusters.iter().enumerate().filter(|(_, c)| c.level == lowest).map(|(i, c)| (i, at[i], 4.0 + 26.0 * (c.size as f64 / largest).sqrt())).collect();
        Discs { discs, at, top, lowest }
    }

    /// The level labelled and picked at a zoom.
    fn level(&self, v: View) -> usize {
        self.top.saturating_sub(v.depth()).max(self.lowest)
    }

    /// The disc under a canvas point (the smallest, where discs overlap).
    fn disc_at(&self, v: View, (x, y): (f64, f64)) -> Option<usize> {
        self.discs
            .iter()
            .filter(|(_, p, r)| {
                let (px, py) = v.apply(*p);
                (px - x).powi(2) + (py - y).powi(2) <= (r * v.scale.sqrt()).powi(2)
            })
            .min_by(|a, b| a.2.total_cmp(&b.2))
            .map(|(i, _, _)| *i)
    }
}

/// `i` itself or its ancestor at `level`.
fn at_level(d: &Dashboard, nodes: &TreeNodes, i: usize, level: usize) -> usize {
    std::iter::once(i).chain(nodes.ancestors(i)).find(|&a| d.clusters[a].level >= level).unwrap_or(i)
}

#[component]
pub fn DashboardMap(dashboard: Arc<Dashboard>, nodes: Arc<TreeNodes>, selected: RwSignal<Option<usize>>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let gestures = PanZoom::new(canvas, (WIDTH, HEIGHT));
    let view = gestures.view;
    let discs = Arc::new(Discs::new(&dashboard));
    {
        let (dashboard, nodes, discs) = (dashboard.clone(), nodes.clone(), discs.clone());
        Effect::new(move |_| {
            let (v, chosen) = (view.get(), selected.get().map(|s| nodes.descendants(s).into_iter().collect::<HashSet<_>>()));
            if let Some(el) = canvas.get() {
                draw(&el, &dashboard, &nodes, &discs, v, chosen.as_ref());
            }
        });
    }
    let pick = {
        let (dashboard, nodes, discs) = (dashboard.clone(), nodes.clone(), discs.clone());
        move |at: (f64, f64)| {
            let v = view.get_untracked();
            discs.disc_at(v, at).map(|i| at_level(&dashboard, &nodes, i, discs.level(v)))
        }
    };
    let name_at = {
        let (dashboard, pick) = (dashboard.clone(), pick.clone());
        Callback::new(move |at| pick(at).map(|i| dashboard.clusters[i].name.clone()))
    };
    let select_at = Callback::new(move |at| selected.set(pick(at)));
    view! {
        <MapSurface canvas gestures size=(WIDTH, HEIGHT) name_at select_at>
            <ul class="map-labels" aria-label="Labels on the map">
                {move || {
                    let level = discs.level(view.get());
                    dashboard.clusters.iter().filter(|c| c.level == level).map(|c| view! { <li>{c.name.clone()}</li> }).collect_view()
                }}
            </ul>
        </MapSurface>
    }
}

fn draw(el: &web_sys::HtmlCanvasElement, d: &Dashboard, nodes: &TreeNodes, discs: &Discs, v: View, chosen: Option<&HashSet<usize>>) {
    let Ok(Some(ctx)) = el.get_context("2d") else { return };
    let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() else { return };
    ctx.clear_rect(0.0, 0.0, WIDTH, HEIGHT);
    for &(i, p, r) in &discs.discs {
        let (x, y) = v.apply(p);
        let lit = chosen.is_none_or(|c| c.contains(&i));
        ctx.set_global_alpha(if lit { 0.75 } else { 0.15 });
        ctx.set_fill_style_str(colour(nodes.root_rank(i)));
        ctx.begin_path();
        let _ = ctx.arc(x, y, r * v.scale.sqrt(), 0.0, std::f64::consts::TAU);
        ctx.fill();
    }
    ctx.set_global_alpha(1.0);
    // The labels of the level this zoom shows, each at its cluster's mean position.
    let level = discs.level(v);
    let labels = d.clusters.iter().enumerate().filter(|(_, c)| c.level == level).map(|(i, c)| (c.name.as_str(), v.apply(discs.at[i])));
    draw_labels(&ctx, (WIDTH, HEIGHT), labels);
}
