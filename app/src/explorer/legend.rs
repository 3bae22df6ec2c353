//! What the map's colours mean: a swatch per colour with how many
//! conversations wear it, or why the overlay shows nothing.

use kleio_core::colouring::Colouring;
use leptos::prelude::*;

use crate::explorer::paint::paint_css;

#[component]
pub fn Legend(colouring: Memo<Colouring>) -> impl IntoView {
    move || {
        colouring.with(|c| {
            let note = c.note.clone().map(|n| view! { <p class="stats">{n}</p> });
            let swatches = c
                .legend
                .iter()
                .map(|s| {
                    view! {
                        <li>
                            <span class="swatch" style:background=paint_css(s.paint)></span>
                            <span class="swatch-label">{s.label.clone()}</span>
                            <span class="swatch-count">{s.count.to_string()}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="legend" aria-label="Legend">
                    {note}
                    <ul>{swatches}</ul>
                </div>
            }
        })
    }
}
