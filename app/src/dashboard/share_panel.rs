//! How a published dashboard travels further: its link, a snippet that
//! embeds it in another page, and the dashboard as a static site for a
//! classroom or any host without a proxy.

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::api;

/// The embedded frame's height, in CSS pixels: the map and the panel beside it.
const EMBED_HEIGHT: u32 = 900;

#[component]
pub fn SharePanel(id: String, title: String) -> impl IntoView {
    let origin = window().location().origin().unwrap_or_default();
    let link = format!("{origin}{}", kleio_core::api::dashboard_page(&id));
    let snippet = format!(
        "<iframe src=\"{link}\" title=\"{} (a Kleio dashboard)\" width=\"100%\" height=\"{EMBED_HEIGHT}\" style=\"border:0\" loading=\"lazy\"></iframe>",
        attribute_escaped(&title)
    );
    let copied = RwSignal::new(None::<&'static str>);
    let copy = move |what: &'static str, text: String| {
        leptos::task::spawn_local(async move {
            let done = JsFuture::from(window().navigator().clipboard().write_text(&text)).await;
            copied.set(Some(if done.is_ok() { what } else { "nothing: the browser refused the clipboard; select the text instead" }));
        });
    };
    let (link_c, snippet_c) = (link.clone(), snippet.clone());
    view! {
        <section class="share" aria-label="Share">
            <h3>"Share"</h3>
            <label>"Link " <input readonly value=link.clone() aria-label="Dashboard link" /></label>
            <button on:click=move |_| copy("the link", link_c.clone())>"Copy link"</button>
            <label>"Embed in a page " <textarea readonly rows="3" aria-label="Embed snippet">{snippet.clone()}</textarea></label>
            <button on:click=move |_| copy("the snippet", snippet_c.clone())>"Copy snippet"</button>
            {move || copied.get().map(|what| view! { <p role="status">{format!("Copied {what}.")}</p> })}
            <p>
                <a href=api::dashboard_site(&id) download>"Download as a site"</a>
                ": a zip of this dashboard and the app's files. Unzipped, it opens from any static host (GitHub Pages too) \
                 or a local static server, with no proxy behind it."
            </p>
        </section>
    }
}

/// Text safe inside a double-quoted HTML attribute.
fn attribute_escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}
