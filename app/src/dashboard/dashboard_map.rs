//! A published dashboard's map: each cluster of the lowest published level
//! as a disc at its mean position, its area proportional to its size and
//! its colour its top-level cluster's. No conversation is on it.

use std::collections::HashMap;
use std::sync::Arc;

use kleio_core::publish::Dashboard;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::palette::colour;
use crate::viewport::Fit;

#[component]
pub fn DashboardMap(dashboard: Arc<Dashboard>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        if let Some(el) = canvas.get() {
            draw(&el, &dashboard);
        }
    });
    view! { <canvas node_ref=canvas width="960" height="720" aria-label="Cluster map"></canvas> }
}

/// The index of each cluster's top-level ancestor among the top-level clusters.
pub fn top_index(d: &Dashboard) -> HashMap<&str, usize> {
    let parent: HashMap<&str, Option<&str>> = d.clusters.iter().map(|c| (c.id.as_str(), c.parent.as_deref())).collect();
    let tops: HashMap<&str, usize> = d.clusters.iter().filter(|c| c.parent.is_none()).enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    d.clusters
        .iter()
        .map(|c| {
            let mut id = c.id.as_str();
            while let Some(Some(p)) = parent.get(id) {
                id = p;
            }
            (c.id.as_str(), tops.get(id).copied().unwrap_or(0))
        })
        .collect()
}

fn draw(el: &web_sys::HtmlCanvasElement, d: &Dashboard) {
    let Ok(Some(ctx)) = el.get_context("2d") else { return };
    let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() else { return };
    let (w, h) = (el.width() as f64, el.height() as f64);
    ctx.clear_rect(0.0, 0.0, w, h);
    let Some(lowest) = d.clusters.iter().map(|c| c.level).min() else { return };
    let discs: Vec<_> = d.clusters.iter().filter(|c| c.level == lowest).collect();
    let Some(fit) = Fit::new(discs.iter().map(|c| c.position), w, h, 40.0) else { return };
    let largest = discs.iter().map(|c| c.size).max().unwrap_or(1).max(1) as f64;
    let tops = top_index(d);
    ctx.set_global_alpha(0.75);
    for c in discs {
        let (x, y) = fit.to_canvas(c.position);
        ctx.set_fill_style_str(colour(tops.get(c.id.as_str()).copied().unwrap_or(0)));
        ctx.begin_path();
        let _ = ctx.arc(x, y, 4.0 + 26.0 * (c.size as f64 / largest).sqrt(), 0.0, std::f64::consts::TAU);
        ctx.fill();
    }
    ctx.set_global_alpha(1.0);
}
