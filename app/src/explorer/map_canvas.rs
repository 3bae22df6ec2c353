//! Every conversation as a point: wheel or pinch to zoom around the pointer, drag to
//! pan, hover for the cluster's name, click to select. Cluster labels follow
//! the zoom from the top level down to the base clusters.

use std::sync::Arc;

use kleio_core::analysis::Analysis;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::explorer::overlay::{languages_by_count, point_colour, Overlay};
use crate::viewport::Fit;
use kleio_core::cluster_index::ClusterIndex;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 720.0;
/// How close (canvas pixels) the pointer must be to a point to pick it.
const PICK_RADIUS: f64 = 8.0;

/// Zoom and pan on top of the fitted layout.
#[derive(Clone, Copy, Debug, PartialEq)]
struct View {
    scale: f64,
    dx: f64,
    dy: f64,
}

impl View {
    fn apply(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (x * self.scale + self.dx, y * self.scale + self.dy)
    }

    /// Zooms by `factor` (within 1× and 200×), keeping the canvas point `at` where it is.
    fn zoom_at(&mut self, (px, py): (f64, f64), factor: f64) {
        let scale = (self.scale * factor).clamp(1.0, 200.0);
        let f = scale / self.scale;
        self.dx = px - (px - self.dx) * f;
        self.dy = py - (py - self.dy) * f;
        self.scale = scale;
    }
}

/// Two fingers on the map: their distance and midpoint, in canvas pixels.
fn pinch_of(touches: &[(f64, f64)]) -> Option<(f64, (f64, f64))> {
    let [(x0, y0), (x1, y1), ..] = touches else { return None };
    Some((((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt().max(1.0), ((x0 + x1) / 2.0, (y0 + y1) / 2.0)))
}

/// The map's data, computed once per analysis.
struct Points {
    /// Fitted canvas position of each placed conversation, its conversation index, its base cluster.
    placed: Vec<((f64, f64), usize, usize)>,
    languages: Vec<String>,
    fit: Option<Fit>,
}

#[component]
pub fn MapCanvas(analysis: Arc<Analysis>, index: Arc<ClusterIndex>, selected: RwSignal<Option<usize>>, overlay: Signal<Overlay>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let view = RwSignal::new(View { scale: 1.0, dx: 0.0, dy: 0.0 });
    let hover = RwSignal::new(None::<(f64, f64, String)>);
    let drag = StoredValue::new(None::<(f64, f64, bool)>);
    let pinch = StoredValue::new(None::<(f64, (f64, f64))>);
    let fit = Fit::new(analysis.conversations.iter().filter_map(|c| c.position), WIDTH, HEIGHT, 20.0);
    let placed = analysis
        .conversations
        .iter()
        .enumerate()
        .filter_map(|(k, c)| Some((fit.as_ref()?.to_canvas(c.position?), k, index.get(c.cluster.as_deref()?)?)))
        .collect();
    let points = Arc::new(Points { placed, languages: languages_by_count(&analysis), fit });

    // Colours and selection change with the overlay and the selection, not
    // while panning and zooming: worked out once here, not in every frame.
    let styles = {
        let (analysis, index, points) = (analysis.clone(), index.clone(), points.clone());
        Memo::new(move |_| {
            let (ov, sel) = (overlay.get(), selected.get());
            let chosen: Option<std::collections::HashSet<usize>> = sel.map(|s| index.descendants(s, &analysis).into_iter().collect());
            points
                .placed
                .iter()
                .map(|&(_, k, base)| PointStyle {
                    rgb: point_colour(ov, &analysis.conversations[k], index.root_rank(base), &points.languages),
                    selected: chosen.as_ref().is_some_and(|c| c.contains(&base)),
                })
                .collect::<Vec<_>>()
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

    // Page position in canvas pixels (the canvas is scaled by CSS).
    let client_to_canvas = move |cx: i32, cy: i32| -> Option<(f64, f64)> {
        let el = canvas.get_untracked()?;
        let rect = el.get_bounding_client_rect();
        Some(((cx as f64 - rect.left()) * WIDTH / rect.width(), (cy as f64 - rect.top()) * HEIGHT / rect.height()))
    };
    let to_canvas = move |e: &web_sys::MouseEvent| client_to_canvas(e.client_x(), e.client_y());
    let fingers = move |e: &web_sys::TouchEvent| -> Vec<(f64, f64)> {
        let list = e.touches();
        (0..list.length()).filter_map(|i| list.get(i)).filter_map(|t| client_to_canvas(t.client_x(), t.client_y())).collect()
    };
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

    let on_wheel = move |e: web_sys::WheelEvent| {
        e.prevent_default();
        let Some((px, py)) = to_canvas(&e) else { return };
        let factor = (-e.delta_y() * 0.002).exp().clamp(0.5, 2.0);
        view.update(|v| v.zoom_at((px, py), factor));
    };
    // Touch: one finger pans, two pinch-zoom around their midpoint and pan with it.
    let on_touch_start = move |e: web_sys::TouchEvent| {
        let at = fingers(&e);
        e.prevent_default();
        pinch.set_value(pinch_of(&at));
        drag.set_value(if at.len() == 1 { Some((at[0].0, at[0].1, false)) } else { None });
    };
    let on_touch_move = move |e: web_sys::TouchEvent| {
        e.prevent_default();
        let at = fingers(&e);
        match (pinch.get_value(), pinch_of(&at)) {
            (Some((d0, m0)), Some((d1, m1))) => {
                view.update(|v| {
                    v.dx += m1.0 - m0.0;
                    v.dy += m1.1 - m0.1;
                    v.zoom_at(m1, d1 / d0);
                });
                pinch.set_value(Some((d1, m1)));
            }
            _ => {
                if let (Some((x0, y0, moved)), [(x, y)]) = (drag.get_value(), at.as_slice()) {
                    if moved || (x - x0).abs() + (y - y0).abs() > 3.0 {
                        view.update(|v| {
                            v.dx += x - x0;
                            v.dy += y - y0;
                        });
                        drag.set_value(Some((*x, *y, true)));
                    }
                }
            }
        }
    };
    let select_at = {
        let (analysis, index, nearest, label_level) = (analysis.clone(), index.clone(), nearest.clone(), label_level.clone());
        move |at: (f64, f64)| {
            let level = label_level(view.get_untracked().scale);
            selected.set(nearest(at).map(|base| index.at_level(base, level, &analysis)));
        }
    };
    let select_on_tap = select_at.clone();
    let on_touch_end = move |e: web_sys::TouchEvent| {
        let at = fingers(&e);
        // A finger lifted without moving is a tap: it selects, as a click does.
        if let (Some((x, y, false)), true) = (drag.get_value(), at.is_empty()) {
            select_on_tap((x, y));
        }
        pinch.set_value(pinch_of(&at));
        // The finger left after a pinch pans from where it is, not from where it began.
        drag.set_value(if at.len() == 1 { Some((at[0].0, at[0].1, true)) } else { None });
    };
    let on_down = move |e: web_sys::MouseEvent| {
        if let Some((x, y)) = to_canvas(&e) {
            drag.set_value(Some((x, y, false)));
        }
    };
    let (analysis_m, index_m) = (analysis.clone(), index.clone());
    let nearest_m = nearest.clone();
    let label_level_m = label_level.clone();
    let on_move = move |e: web_sys::MouseEvent| {
        let Some((x, y)) = to_canvas(&e) else { return };
        if let Some((x0, y0, moved)) = drag.get_value() {
            if moved || (x - x0).abs() + (y - y0).abs() > 3.0 {
                view.update(|v| {
                    v.dx += x - x0;
                    v.dy += y - y0;
                });
                drag.set_value(Some((x, y, true)));
                return;
            }
        }
        let level = label_level_m(view.get_untracked().scale);
        hover.set(nearest_m((x, y)).map(|base| {
            let c = &analysis_m.clusters[index_m.at_level(base, level, &analysis_m)];
            (x, y, c.name.clone())
        }));
    };
    let on_up = move |e: web_sys::MouseEvent| {
        let was_drag = drag.get_value().is_some_and(|(_, _, moved)| moved);
        drag.set_value(None);
        if was_drag {
            return;
        }
        if let Some(at) = to_canvas(&e) {
            select_at(at);
        }
    };

    view! {
        <div class="map">
            <canvas
                node_ref=canvas
                width=WIDTH
                height=HEIGHT
                aria-label="Cluster map"
                role="img"
                on:wheel=on_wheel
                on:mousedown=on_down
                on:mousemove=on_move
                on:mouseup=on_up
                on:mouseleave=move |_| { drag.set_value(None); hover.set(None); }
                on:touchstart=on_touch_start
                on:touchmove=on_touch_move
                on:touchend=on_touch_end
                on:touchcancel=move |_| { drag.set_value(None); pinch.set_value(None); }
            ></canvas>
            {move || hover.get().map(|(x, y, name)| view! {
                <div class="tooltip" role="tooltip" style:left=format!("{:.1}%", 100.0 * x / WIDTH) style:top=format!("{:.1}%", 100.0 * y / HEIGHT)>{name}</div>
            })}
            <button class="reset" on:click=move |_| view.set(View { scale: 1.0, dx: 0.0, dy: 0.0 })>"Reset zoom"</button>
        </div>
    }
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
    ctx.set_font("13px system-ui, sans-serif");
    ctx.set_text_align("center");
    for c in a.clusters.iter().filter(|c| c.level == level) {
        let (x, y) = v.apply(fit.to_canvas(c.position));
        if !(0.0..WIDTH).contains(&x) || !(0.0..HEIGHT).contains(&y) {
            continue;
        }
        ctx.set_line_width(3.0);
        ctx.set_stroke_style_str("rgba(255,255,255,0.9)");
        let _ = ctx.stroke_text(&c.name, x, y);
        ctx.set_fill_style_str("#1d2330");
        let _ = ctx.fill_text(&c.name, x, y);
    }
}

/// Paints `rgb` at `alpha` (out of 255) over one opaque RGBA pixel.
fn blend(pixel: &mut [u8], rgb: [u8; 3], alpha: u16) {
    for (below, &colour) in pixel.iter_mut().zip(&rgb) {
        // At most 255 × 255 + 127: fits in a u16.
        *below = ((u16::from(colour) * alpha + u16::from(*below) * (255 - alpha) + 127) / 255) as u8;
    }
}
