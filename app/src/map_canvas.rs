//! Every conversation as a point, coloured by its top-level cluster.

use std::collections::HashMap;
use std::sync::Arc;

use kleio_core::analysis::Analysis;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::palette::colour;
use crate::viewport::Fit;

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
    let Some(fit) = Fit::new(points.iter().map(|(p, _)| *p), w, h, 20.0) else { return };
    let tops = top_of(analysis);
    for (p, cluster) in &points {
        ctx.set_fill_style_str(colour(tops.get(cluster).copied().unwrap_or(0)));
        let (x, y) = fit.to_canvas(*p);
        ctx.fill_rect(x - 1.5, y - 1.5, 3.0, 3.0);
    }
}
