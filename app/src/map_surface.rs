//! The interactive surface both maps draw on (the owner's explorer and a
//! published dashboard): the canvas with its pan, zoom and pick gestures, the
//! hover tooltip and the reset button. What is drawn, and what a point picks,
//! belongs to the map that uses it.

use leptos::html::Canvas;
use leptos::prelude::*;
use web_sys::CanvasRenderingContext2d;

use crate::pan_zoom::{PanZoom, View};

#[component]
pub fn MapSurface(
    canvas: NodeRef<Canvas>,
    gestures: PanZoom,
    /// The canvas's size in canvas pixels, which places the tooltip.
    size: (f64, f64),
    /// The name shown on hover at a canvas point, if something is there.
    name_at: Callback<(f64, f64), Option<String>>,
    /// Called with the canvas point of a click or tap.
    select_at: Callback<(f64, f64)>,
    /// What else the map shows over its canvas (a list of its labels, say).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let (width, height) = size;
    let hover = RwSignal::new(None::<(f64, f64, String)>);
    let on_move = move |e: web_sys::MouseEvent| {
        let Some(at) = gestures.mouse_move(&e) else { return };
        hover.set(name_at.run(at).map(|name| (at.0, at.1, name)));
    };
    view! {
        <div class="map">
            <canvas
                node_ref=canvas
                width=width
                height=height
                aria-label="Cluster map"
                role="img"
                on:wheel=move |e| gestures.wheel(&e)
                on:mousedown=move |e| gestures.mouse_down(&e)
                on:mousemove=on_move
                on:mouseup=move |e| if let Some(at) = gestures.mouse_up(&e) { select_at.run(at) }
                on:mouseleave=move |_| { gestures.leave(); hover.set(None); }
                on:touchstart=move |e| gestures.touch_start(&e)
                on:touchmove=move |e| gestures.touch_move(&e)
                on:touchend=move |e| if let Some(at) = gestures.touch_end(&e) { select_at.run(at) }
                on:touchcancel=move |_| gestures.leave()
            ></canvas>
            {move || hover.get().map(|(x, y, name)| view! {
                <div class="tooltip" role="tooltip" style:left=format!("{:.1}%", 100.0 * x / width) style:top=format!("{:.1}%", 100.0 * y / height)>{name}</div>
            })}
            <button class="reset" on:click=move |_| gestures.view.set(View::FITTED)>"Reset zoom"</button>
            {children.map(|c| c())}
        </div>
    }
}

/// Cluster names at canvas points, on a white halo so they read over any
/// colour; those whose point is outside the canvas are skipped.
pub fn draw_labels<'a>(ctx: &CanvasRenderingContext2d, (width, height): (f64, f64), labels: impl IntoIterator<Item = (&'a str, (f64, f64))>) {
    ctx.set_font("13px system-ui, sans-serif");
    ctx.set_text_align("center");
    ctx.set_line_width(3.0);
    for (name, (x, y)) in labels {
        if !(0.0..width).contains(&x) || !(0.0..height).contains(&y) {
            continue;
        }
        // A label near an edge is moved in, so it is not cut off.
        let half = ctx.measure_text(name).map_or(0.0, |m| m.width() / 2.0) + 2.0;
        let x = x.min(width - half).max(half);
        ctx.set_stroke_style_str("rgba(255,255,255,0.9)");
        let _ = ctx.stroke_text(name, x, y);
        ctx.set_fill_style_str("#1d2330");
        let _ = ctx.fill_text(name, x, y);
    }
}
