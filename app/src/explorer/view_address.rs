//! What the explorer shows, kept in the address's fragment
//! (`#h=task&s=L1-3&o=by:language&v=2,-480,-360&q=recipes`): the hierarchy
//! (where it is not the analysis's own), the selected cluster, the overlay,
//! the zoom and the search. A copied link (on the owner's
//! machine, where the run is kept) reopens the same view, and each new
//! selection is a step the back button returns through. Zooming, the
//! overlay and the search replace the current step instead of adding one.

use std::sync::Arc;
use std::time::Duration;

use kleio_core::analysis::Analysis;
use kleio_core::cluster_index::ClusterIndex;
use kleio_core::colouring::Overlay;
use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::pan_zoom::View;

/// How long the view must rest before the address follows it: browsers
/// refuse a page that rewrites its address hundreds of times in seconds.
const SETTLE: Duration = Duration::from_millis(300);

#[derive(Clone, Copy)]
pub struct ViewState {
    pub selected: RwSignal<Option<usize>>,
    pub overlay: RwSignal<Overlay>,
    pub view: RwSignal<View>,
    pub query: RwSignal<String>,
}

/// What a fragment says, each part at its default when it is missing or
/// does not parse.
struct Parsed {
    selected: Option<usize>,
    overlay: Overlay,
    view: View,
    query: String,
}

fn parse(fragment: &str, index: &ClusterIndex) -> Parsed {
    let mut parsed = Parsed { selected: None, overlay: Overlay::TopCluster, view: View::FITTED, query: String::new() };
    for (key, value) in fields(fragment) {
        match key {
            "s" => parsed.selected = index.get(&value),
            "o" => parsed.overlay = Overlay::from_key(&value).unwrap_or(Overlay::TopCluster),
            "v" => {
                let n: Vec<f64> = value.split(',').filter_map(|x| x.parse().ok()).filter(|x: &f64| x.is_finite()).collect();
                if let [scale, dx, dy] = n[..] {
                    parsed.view = View { scale: scale.clamp(1.0, 200.0), dx, dy };
                }
            }
            "q" => parsed.query = value,
            _ => {}
        }
    }
    parsed
}

impl ViewState {
    fn set(&self, p: Parsed) {
        self.selected.set(p.selected);
        self.overlay.set(p.overlay);
        self.view.set(p.view);
        self.query.set(p.query);
    }
}

/// The hierarchy the address names, as an index into `facets` (the
/// analysis's own, 0, when it names none or one the analysis lacks).
pub fn hierarchy_in(facets: &[String]) -> usize {
    let named = fields(&fragment()).find(|(key, _)| *key == "h").map(|(_, value)| value);
    named.and_then(|h| facets.iter().position(|f| *f == h)).unwrap_or(0)
}

/// Keeps `chosen` following the hierarchy the address names as the back and
/// forward buttons move through it.
pub fn follow_hierarchy(facets: Vec<String>, chosen: RwSignal<usize>) {
    let handle = window_event_listener(ev::popstate, move |_| {
        let named = hierarchy_in(&facets);
        if chosen.get_untracked() != named {
            chosen.set(named);
        }
    });
    on_cleanup(move || handle.remove());
}

/// A new step in the address for showing `facets[i]`'s hierarchy, with
/// nothing selected in it yet.
pub fn step_to_hierarchy(facets: &[String], i: usize) {
    let address = match i {
        0 => "#".to_string(),
        _ => format!("#h={}", encode(&facets[i])),
    };
    if let Ok(history) = window().history() {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&address));
    }
}

/// Sets `state` from the address, then keeps the address following it, and
/// it following the back and forward buttons. `hierarchy` is kept in it
/// too, where it is not the analysis's own.
pub fn keep_in_address(analysis: Arc<Analysis>, hierarchy: Option<String>, index: Arc<ClusterIndex>, state: ViewState) {
    let first = parse(&fragment(), &index);
    let stepped = StoredValue::new(first.selected);
    state.set(first);
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let selected = state.selected.get();
        let mut parts = Vec::new();
        if let Some(h) = &hierarchy {
            parts.push(format!("h={}", encode(h)));
        }
        if let Some(i) = selected {
            parts.push(format!("s={}", encode(&analysis.clusters[i].id)));
        }
        let overlay = state.overlay.get();
        if overlay != Overlay::TopCluster {
            parts.push(format!("o={}", encode(&overlay.key())));
        }
        let v = state.view.get();
        if v != View::FITTED {
            parts.push(format!("v={:.3},{:.1},{:.1}", v.scale, v.dx, v.dy));
        }
        let q = state.query.get();
        if !q.is_empty() {
            parts.push(format!("q={}", encode(&q)));
        }
        let address = format!("#{}", parts.join("&"));
        let Ok(history) = window().history() else { return };
        // Any change cancels a replacement still waiting, which would
        // otherwise overwrite a newer address.
        generation.update_value(|g| *g += 1);
        if selected != stepped.get_value() {
            stepped.set_value(selected);
            let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&address));
            return;
        }
        let mine = generation.get_value();
        set_timeout(
            move || {
                // The explorer may have closed meanwhile (a new run): then its values are gone.
                if generation.try_get_value() == Some(mine) && fragment() != address {
                    let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&address));
                }
            },
            SETTLE,
        );
    });
    let handle = window_event_listener(ev::popstate, move |_| {
        // The step the browser went back to is already in the address: it
        // must not be written again as a new one.
        let parsed = parse(&fragment(), &index);
        stepped.set_value(parsed.selected);
        state.set(parsed);
    });
    on_cleanup(move || handle.remove());
}

fn fragment() -> String {
    window().location().hash().unwrap_or_default()
}

/// The fragment's `key=value` pairs, values decoded.
fn fields(fragment: &str) -> impl Iterator<Item = (&str, String)> {
    fragment.trim_start_matches('#').split('&').filter_map(|p| p.split_once('=')).map(|(key, value)| (key, decode(value)))
}

fn decode(s: &str) -> String {
    js_sys::decode_uri_component(s).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

fn encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}
