//! The gestures both maps share (the owner's explorer and a published
//! dashboard): wheel and pinch zoom around the pointer, drag and one-finger
//! pan, and a press that did not move, which is a click or a tap.

use leptos::html::Canvas;
use leptos::prelude::*;

/// Zoom and pan on top of the fitted layout.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub scale: f64,
    pub dx: f64,
    pub dy: f64,
}

impl View {
    pub const FITTED: View = View { scale: 1.0, dx: 0.0, dy: 0.0 };

    pub fn apply(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (x * self.scale + self.dx, y * self.scale + self.dy)
    }

    /// Zooms by `factor` (within 1× and 200×), keeping the canvas point `at` where it is.
    pub fn zoom_at(&mut self, (px, py): (f64, f64), factor: f64) {
        let scale = (self.scale * factor).clamp(1.0, 200.0);
        let f = scale / self.scale;
        self.dx = px - (px - self.dx) * f;
        self.dy = py - (py - self.dy) * f;
        self.scale = scale;
    }

    /// The zoom level labelled at this scale: 0 at first, one more for every doubling.
    pub fn depth(&self) -> usize {
        self.scale.log2().floor().max(0.0) as usize
    }
}

/// A pointer must move this far (canvas pixels) before a press becomes a drag.
const DRAG_SLOP: f64 = 3.0;

/// One canvas's gestures; `view` is the zoom and pan they drive. Positions
/// are canvas pixels.
#[derive(Clone, Copy)]
pub struct PanZoom {
    pub view: RwSignal<View>,
    canvas: NodeRef<Canvas>,
    size: (f64, f64),
    /// Where a press began or the last drag step ended, and whether it moved.
    drag: StoredValue<Option<(f64, f64, bool)>>,
    /// Two fingers: their distance and midpoint.
    pinch: StoredValue<Option<(f64, (f64, f64))>>,
}

impl PanZoom {
    /// For `canvas`, whose drawing buffer is `size` pixels (CSS may scale it).
    pub fn new(canvas: NodeRef<Canvas>, size: (f64, f64)) -> PanZoom {
        PanZoom::with_view(canvas, size, RwSignal::new(View::FITTED))
    }

    /// Driving a `view` the caller keeps (the explorer keeps it in the address).
    pub fn with_view(canvas: NodeRef<Canvas>, size: (f64, f64), view: RwSignal<View>) -> PanZoom {
        PanZoom { view, canvas, size, drag: StoredValue::new(None), pinch: StoredValue::new(None) }
    }

    /// A page position in canvas pixels.
    fn canvas_point(&self, client_x: i32, client_y: i32) -> Option<(f64, f64)> {
        let rect = self.canvas.get_untracked()?.get_bounding_client_rect();
        Some(((client_x as f64 - rect.left()) * self.size.0 / rect.width(), (client_y as f64 - rect.top()) * self.size.1 / rect.height()))
    }

    fn mouse_at(&self, e: &web_sys::MouseEvent) -> Option<(f64, f64)> {
        self.canvas_point(e.client_x(), e.client_y())
    }

    fn fingers(&self, e: &web_sys::TouchEvent) -> Vec<(f64, f64)> {
        let list = e.touches();
        (0..list.length()).filter_map(|i| list.get(i)).filter_map(|t| self.canvas_point(t.client_x(), t.client_y())).collect()
    }

    pub fn wheel(&self, e: &web_sys::WheelEvent) {
        e.prevent_default();
        let Some(at) = self.mouse_at(e) else { return };
        let factor = (-e.delta_y() * 0.002).exp().clamp(0.5, 2.0);
        self.view.update(|v| v.zoom_at(at, factor));
    }

    pub fn mouse_down(&self, e: &web_sys::MouseEvent) {
        if let Some((x, y)) = self.mouse_at(e) {
            self.drag.set_value(Some((x, y, false)));
        }
    }

    /// Pans while a press moves; otherwise returns where the pointer hovers.
    pub fn mouse_move(&self, e: &web_sys::MouseEvent) -> Option<(f64, f64)> {
        let at = self.mouse_at(e)?;
        if self.pan_to(at) {
            return None;
        }
        Some(at)
    }

    /// Ends a press; returns where it was when it did not move (a click).
    pub fn mouse_up(&self, e: &web_sys::MouseEvent) -> Option<(f64, f64)> {
        let was_drag = self.drag.get_value().is_some_and(|(_, _, moved)| moved);
        self.drag.set_value(None);
        if was_drag {
            return None;
        }
        self.mouse_at(e)
    }

    pub fn leave(&self) {
        self.drag.set_value(None);
        self.pinch.set_value(None);
    }

    /// Touch: one finger pans, two pinch-zoom around their midpoint and pan with it.
    pub fn touch_start(&self, e: &web_sys::TouchEvent) {
        let at = self.fingers(e);
        e.prevent_default();
        self.pinch.set_value(pinch_of(&at));
        self.drag.set_value(if at.len() == 1 { Some((at[0].0, at[0].1, false)) } else { None });
    }

    pub fn touch_move(&self, e: &web_sys::TouchEvent) {
        e.prevent_default();
        let at = self.fingers(e);
        match (self.pinch.get_value(), pinch_of(&at)) {
            (Some((d0, m0)), Some((d1, m1))) => {
                self.view.update(|v| {
                    v.dx += m1.0 - m0.0;
                    v.dy += m1.1 - m0.1;
                    v.zoom_at(m1, d1 / d0);
                });
                self.pinch.set_value(Some((d1, m1)));
            }
            _ => {
                if let [one] = at.as_slice() {
                    self.pan_to(*one);
                }
            }
        }
    }

    /// Ends a touch; returns where it was when a finger lifted without moving (a tap).
    pub fn touch_end(&self, e: &web_sys::TouchEvent) -> Option<(f64, f64)> {
        let at = self.fingers(e);
        let tap = match self.drag.get_value() {
            Some((x, y, false)) if at.is_empty() => Some((x, y)),
            _ => None,
        };
        self.pinch.set_value(pinch_of(&at));
        // The finger left after a pinch pans from where it is, not from where it began.
        self.drag.set_value(if at.len() == 1 { Some((at[0].0, at[0].1, true)) } else { None });
        tap
    }

    /// Moves the view with a press that has moved past the slop; whether it did.
    fn pan_to(&self, (x, y): (f64, f64)) -> bool {
        let Some((x0, y0, moved)) = self.drag.get_value() else { return false };
        if !moved && (x - x0).abs() + (y - y0).abs() <= DRAG_SLOP {
            return false;
        }
        self.view.update(|v| {
            v.dx += x - x0;
            v.dy += y - y0;
        });
        self.drag.set_value(Some((x, y, true)));
        true
    }
}

/// Two fingers on the map: their distance and midpoint, in canvas pixels.
fn pinch_of(touches: &[(f64, f64)]) -> Option<(f64, (f64, f64))> {
    let [(x0, y0), (x1, y1), ..] = touches else { return None };
    Some((((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt().max(1.0), ((x0 + x1) / 2.0, (y0 + y1) / 2.0)))
}
