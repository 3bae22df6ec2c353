//! Every conversation as a point, coloured by its top-level cluster.

use std::collections::HashMap;
use std::sync::Arc;

use kleio_core::analysis::Analysis;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::palette::colour;

#[component]
pub fn MapCanvas(analysis: Arc<Analysis>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        if let Some(el) = canvas.get() {
            draw(&el, &analysis);
        }
    });
    view! { <canvas node_ref=canvas width="960" height="720" aria-label="Cluster map"></canvas> }
}

/// The top-level cluster of every base cluster, followed up the parent links.
fn top_of(analysis: &Analysis) -> HashMap<&str, usize> {
    let parent: HashMap<&str, Option<&str>> = analysis.clusters.iter().map(|c| (c.id.as_str(), c.parent.as_deref())).collect();
    let top = analysis.levels.saturating_sub(1);
    let top_index: HashMap<&str, usize> = analysis.clusters.iter().filter(|c| c.level == top).enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    analysis.clusters.iter().filter(|c| c.level == 0).map(|c| {
        let mut id = c.id.as_str();
        while let Some(Some(p)) = parent.get(id) {
            id = p;
        }
        (c.id.as_str(), top_index.get(id).copied().unwrap_or(0))
    }).collect()
}

fn draw(el: &web_sys::HtmlCanvasElement, analysis: &Analysis) {
    let Ok(Some(ctx)) = el.get_context("2d") else { return };
    let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() else { return };
    let (w, h) = (el.width() as f64, el.height() as f64);
    ctx.clear_rect(0.0, 0.0, w, h);
    let points: Vec<([f32; 2], &str)> = analysis.conversations.iter()
        .filter_map(|c| Some((c.position?, c.cluster.as_deref()?)))
        .collect();
    if points.is_empty() {
        return;
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for (p, _) in &points {
        x0 = x0.min(p[0]);
        x1 = x1.max(p[0]);
        y0 = y0.min(p[1]);
        y1 = y1.max(p[1]);
    }
    let pad = 20.0;
    let sx = (w - 2.0 * pad) / ((x1 - x0).max(1e-6) as f64);
    let sy = (h - 2.0 * pad) / ((y1 - y0).max(1e-6) as f64);
    let tops = top_of(analysis);
    for (p, cluster) in &points {
        ctx.set_fill_style_str(colour(tops.get(cluster).copied().unwrap_or(0)));
        let x = pad + (p[0] - x0) as f64 * sx;
        let y = pad + (p[1] - y0) as f64 * sy;
        ctx.fill_rect(x - 1.5, y - 1.5, 3.0, 3.0);
    }
}
