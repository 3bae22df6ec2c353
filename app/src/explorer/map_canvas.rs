//! Every conversation as a point: wheel or pinch to zoom around the pointer, drag to
//! pan, hover for the cluster's name, click to select. Cluster labels follow
//! the zoom from the top level down to the base clusters.

use std::sync::Arc;

use kleio_core::analysis::Analysis;
use kleio_core::colouring::Colouring;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::explorer::paint::paint_rgb;
use crate::map_surface::{draw_labels, MapSurface};
use crate::pan_zoom::{PanZoom, View};
use crate::viewport::Fit;
use kleio_core::cluster_index::ClusterIndex;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 720.0;
/// How close (canvas pixels) the pointer must be to a point to pick it.
const PICK_RADIUS: f64 = 8.0;

/// The map's data, computed once per analysis.
struct Points {
    /// Fitted canvas position of each placed conversation, its conversation index, its base cluster.
    placed: Vec<((f64, f64), usize, usize)>,
    fit: Option<Fit>,
}

#[component]
pub fn MapCanvas(
    analysis: Arc<Analysis>,
    index: Arc<ClusterIndex>,
    selected: RwSignal<Option<usize>>,
    colouring: Memo<Colouring>,
    view: RwSignal<View>,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let gestures = PanZoom::with_view(canvas, (WIDTH, HEIGHT), view);
    let fit = Fit::new(analysis.conversations.iter().filter_map(|c| c.position), WIDTH, HEIGHT, 20.0);
    let placed = analysis
        .conversations
        .iter()
        .enumerate()
        .filter_map(|(k, c)| Some((fit.as_ref()?.to_canvas(c.position?), k, index.get(c.cluster.as_deref()?)?)))
        .collect();
    let points = Arc::new(Points { placed, fit });

    // Colours and selection change with the overlay and the selection, not
    // while panning and zooming: worked out once here, not in every frame.
    let styles = {
        let (analysis, index, points) = (analysis.clone(), index.clone(), points.clone());
        Memo::new(move |_| {
            let sel = selected.get();
            let chosen: Option<std::collections::HashSet<usize>> = sel.map(|s| index.descendants(s, &analysis).into_iter().collect());
            colouring.with(|c| {
                points
                    .placed
                    .iter()
                    .map(|&(_, k, base)| PointStyle {
                        rgb: c.paints.get(k).map_or([0, 0, 0], |&p| paint_rgb(p)),
                        selected: chosen.as_ref().is_some_and(|c| c.contains(&base)),
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    {
        let (analysis, points) = (analysis.clone(), points.clone());
        // One pixel buffer for the map's life, not one per frame.
        let mut pixels = Vec::new();
        Effect::new(move |_| {
            let (v, any_selected) = (view.get(), selected.get().is_some());
            if let Some(el) = canvas.get() {
                styles.with(|styles| draw(&el, &analysis, &points, styles, v, any_selected, &mut pixels));
            }
        });
    }

    let nearest = {
        let points = points.clone();
        move |at: (f64, f64)| -> Option<usize> {
            let v = view.get_untracked();
            points
                .placed
                .iter()
                .map(|(p, _, base)| {
                    let (x, y) = v.apply(*p);
                    ((x - at.0).powi(2) + (y - at.1).powi(2), *base)
                })
                .filter(|(d2, _)| *d2 <= PICK_RADIUS * PICK_RADIUS)
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, base)| base)
        }
    };
    let label_level = {
        let analysis = analysis.clone();
        move |scale: f64| label_level(&analysis, scale)
    };

    let name_at = {
        let (analysis, index, nearest, label_level) = (analysis.clone(), index.clone(), nearest.clone(), label_level.clone());
        Callback::new(move |at| {
            let level = label_level(view.get_untracked().scale);
            nearest(at).map(|base| analysis.clusters[index.at_level(base, level, &analysis)].name.clone())
        })
    };
    let select_at = Callback::new(move |at| {
        let level = label_level(view.get_untracked().scale);
        selected.set(nearest(at).map(|base| index.at_level(base, level, &analysis)));
    });

    view! { <MapSurface canvas gestures size=(WIDTH, HEIGHT) name_at select_at /> }
}

/// The cluster level labelled (and picked) at a zoom: the top level at first,
/// one level lower for every doubling.
fn label_level(a: &Analysis, scale: f64) -> usize {
    let top = a.levels.saturating_sub(1);
    top.saturating_sub(scale.log2().floor().max(0.0) as usize)
}

/// How one point is drawn, apart from where.
#[derive(Clone, Debug, PartialEq)]
struct PointStyle {
    rgb: [u8; 3],
    /// Under the selected cluster.
    selected: bool,
}

/// `styles` holds one entry per point of `points.placed`, in the same order.
fn draw(el: &web_sys::HtmlCanvasElement, a: &Analysis, points: &Points, styles: &[PointStyle], v: View, any_selected: bool, pixels: &mut Vec<u8>) {
    let Ok(Some(ctx)) = el.get_context("2d") else { return };
    let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() else { return };
    // Fewer points are drawn larger; zooming in enlarges them a little.
    let smallest = (6.5 - 1.2 * (points.placed.len().max(1) as f64).log10()).clamp(1.5, 5.0);
    let size = (smallest + v.scale.log2()).clamp(smallest, 8.0);
    // The points are drawn into pixels here and handed to the canvas in one
    // call: a canvas call per point costs a crossing into JavaScript each,
    // which made a 100,000-point frame take over 100 ms.
    let (w, h) = (WIDTH as usize, HEIGHT as usize);
    // Opaque white, the canvas's own background, so that blending a point
    // over a pixel needs no division (over transparent pixels it needed
    // three per pixel, most of a 100,000-point frame).
    pixels.clear();
    pixels.resize(w * h * 4, 255);
    let side = size.round().max(1.0) as i64;
    // Points outside the selection are drawn first and faded, so the selection sits on top.
    for pass in [false, true] {
        let alpha: u16 = if any_selected && !pass { 64 } else { 217 };
        for (&(p, _, _), style) in points.placed.iter().zip(styles) {
            if any_selected && style.selected != pass || !any_selected && pass {
                continue;
            }
            let (x, y) = v.apply(p);
            let (x0, y0) = ((x - size / 2.0).round() as i64, (y - size / 2.0).round() as i64);
            let (left, right) = (x0.clamp(0, w as i64) as usize, (x0 + side).clamp(0, w as i64) as usize);
            for py in y0.max(0)..(y0 + side).min(h as i64) {
                let row = py as usize * w;
                for pixel in pixels[(row + left) * 4..(row + right) * 4].chunks_exact_mut(4) {
                    blend(pixel, style.rgb, alpha);
                }
            }
        }
    }
    if let Ok(image) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(wasm_bindgen::Clamped(pixels.as_slice()), w as u32, h as u32) {
        let _ = ctx.put_image_data(&image, 0.0, 0.0);
    }
    let Some(fit) = &points.fit else { return };
    let level = label_level(a, v.scale);
    let labels = a.clusters.iter().filter(|c| c.level == level).map(|c| (c.name.as_str(), v.apply(fit.to_canvas(c.position))));
    draw_labels(&ctx, (WIDTH, HEIGHT), labels);
}

/// Paints `rgb` at `alpha` (out of 255) over one opaque RGBA pixel.
fn blend(pixel: &mut [u8], rgb: [u8; 3], alpha: u16) {
    for (below, &colour) in pixel.iter_mut().zip(&rgb) {
        // At most 255 × 255 + 127: fits in a u16.
        *below = ((u16::from(colour) * alpha + u16::from(*below) * (255 - alpha) + 127) / 255) as u8;
    }
}
