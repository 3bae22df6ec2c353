//! Saving something the app made as a file on the person's machine.

use wasm_bindgen::JsCast;

/// Offers `text` as a download named `name`.
pub fn save(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|e| format!("{e:?}"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let result = click_link(&url, name);
    let _ = web_sys::Url::revoke_object_url(&url);
    result
}

/// Offers a `data:` or `blob:` URL as a download.
pub fn click_link(href: &str, name: &str) -> Result<(), String> {
    let document = leptos::prelude::document();
    let a: web_sys::HtmlAnchorElement = document.create_element("a").map_err(|e| format!("{e:?}"))?.dyn_into().map_err(|_| "no anchor".to_string())?;
    a.set_href(href);
    a.set_download(name);
    a.click();
    Ok(())
}

/// The map's canvas as a PNG download.
pub fn save_map_png(name: &str) -> Result<(), String> {
    let canvas: web_sys::HtmlCanvasElement = leptos::prelude::document()
        .query_selector("canvas[aria-label='Cluster map']")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
        .ok_or("the map is not on the page")?;
    let url = canvas.to_data_url_with_type("image/png").map_err(|e| format!("{e:?}"))?;
    click_link(&url, name)
}

/// One row per conversation: its id, base cluster, top-level cluster and map position.
pub fn assignments_csv(a: &kleio_core::analysis::Analysis, index: &kleio_core::cluster_index::ClusterIndex) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::from("conversation_id,base_cluster,base_cluster_name,top_cluster_name,x,y\n");
    for c in &a.conversations {
        let base = c.cluster.as_deref().and_then(|id| index.get(id));
        let top = base.and_then(|b| index.ancestors(b, a).last());
        let name = |i: Option<usize>| i.map(|i| a.clusters[i].name.as_str()).unwrap_or("");
        let (x, y) = c.position.map(|p| (p[0].to_string(), p[1].to_string())).unwrap_or_default();
        out.push_str(&format!("{},{},{},{},{x},{y}\n", quote(&c.id), quote(c.cluster.as_deref().unwrap_or("")), quote(name(base)), quote(name(top))));
    }
    out
}
