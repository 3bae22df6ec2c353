//! A dashboard as a static site, for a classroom or any page without a proxy
//! behind it: a zip of the built app's files, an `index.html` whose links are
//! relative (so the folder works under a sub-path, as on GitHub Pages) and
//! which names the dashboard's file, and that file, as the proxy serves it.
//!
//! The app's files are the same for every dashboard, and compressing the
//! module takes seconds, so they are zipped once, on the first download, and
//! each download appends its own `index.html` and dashboard to a copy.

use std::io::{Cursor, Write};
use std::path::Path;
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kleio_core::api::{EXPORTED_DASHBOARD_FILE, EXPORTED_DASHBOARD_META};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::dashboards::{stored_dashboard, valid_id};
use crate::error::AppError;
use crate::AppState;

/// What a reader of the folder needs to know to open it.
const README: &str = "This folder is a Kleio dashboard that needs no server of its own: \
put it on any static host (GitHub Pages, Netlify, a university web space) and open its address, \
or run `python3 -m http.server` inside it and open http://localhost:8000/. \
Opening index.html straight from the disk does not work: browsers refuse to load \
WebAssembly from file:// pages.\n\n\
Everything in it passed the privacy gate of the Kleio proxy it was published on: \
aggregates of clusters (names, summaries, counts, pooled breakdowns) and no conversation. \
The privacy report at the foot of the page says what was withheld and why.\n";

/// The built app's files (every file at the top of `dist/` but `index.html`
/// and the gzip copies the proxy serves instead), zipped once.
pub struct AppFiles {
    archive: Vec<u8>,
    names: Vec<String>,
    index_html: String,
}

impl AppFiles {
    pub fn read(dist: &Path) -> Result<AppFiles, AppError> {
        let unreadable = |e: std::io::Error| AppError::Internal(format!("the built app in {} could not be read for a site ({e})", dist.display()));
        let index_html = std::fs::read_to_string(dist.join("index.html")).map_err(unreadable)?;
        let mut names = Vec::new();
        for entry in std::fs::read_dir(dist).map_err(unreadable)? {
            let entry = entry.map_err(unreadable)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().map_err(unreadable)?.is_file() && name != "index.html" && !name.ends_with(".gz") && !name.starts_with('.') {
                names.push(name);
            }
        }
        names.sort();
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        for name in &names {
            zip.start_file(name.as_str(), deflated()).map_err(zip_error)?;
            zip.write_all(&std::fs::read(dist.join(name)).map_err(unreadable)?).map_err(unreadable)?;
        }
        let archive = zip.finish().map_err(zip_error)?.into_inner();
        Ok(AppFiles { archive, names, index_html })
    }

    /// The site of one dashboard: the app's files, its `index.html` and the dashboard.
    pub fn with_dashboard(&self, dashboard_json: &str) -> Result<Vec<u8>, AppError> {
        let mut zip = ZipWriter::new_append(Cursor::new(self.archive.clone())).map_err(zip_error)?;
        for (name, text) in [("index.html", self.site_index()), (EXPORTED_DASHBOARD_FILE, dashboard_json.to_string()), ("README.txt", README.to_string())] {
            zip.start_file(name, deflated()).map_err(zip_error)?;
            zip.write_all(text.as_bytes()).map_err(|e| AppError::Internal(e.to_string()))?;
        }
        Ok(zip.finish().map_err(zip_error)?.into_inner())
    }

    /// The app's `index.html` with its links to the app's files made
    /// relative and the dashboard named in the `<meta>` the app looks for.
    fn site_index(&self) -> String {
        let mut html = self.index_html.clone();
        for name in &self.names {
            for quote in ['\'', '"'] {
                html = html.replace(&format!("{quote}/{name}{quote}"), &format!("{quote}./{name}{quote}"));
            }
        }
        let meta = format!("<meta name=\"{EXPORTED_DASHBOARD_META}\" content=\"{EXPORTED_DASHBOARD_FILE}\" />");
        match html.find("<head>") {
            Some(at) => html.insert_str(at + "<head>".len(), &format!("\n    {meta}")),
            None => html.insert_str(0, &meta),
        }
        html
    }
}

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

fn zip_error(e: zip::result::ZipError) -> AppError {
    AppError::Internal(format!("the site's zip could not be written: {e}"))
}

pub async fn download(State(state): State<AppState>, UrlPath(id): UrlPath<String>) -> Result<Response, AppError> {
    valid_id(&id)?;
    let dashboard = stored_dashboard(&state, &id)?;
    let app = state.app_files().await?;
    let zip = tokio::task::spawn_blocking(move || app.with_dashboard(&dashboard)).await.map_err(|e| AppError::Internal(e.to_string()))??;
    let attachment = format!("attachment; filename=\"kleio-dashboard-{id}.zip\"");
    Ok(([(header::CONTENT_TYPE, "application/zip".to_string()), (header::CONTENT_DISPOSITION, attachment)], zip).into_response())
}

/// Zips the app's files on the blocking pool: reading and compressing the
/// module takes seconds.
pub async fn zip_app_files(dist: &Path) -> Result<Arc<AppFiles>, AppError> {
    let dist = dist.to_path_buf();
    tokio::task::spawn_blocking(move || AppFiles::read(&dist).map(Arc::new)).await.map_err(|e| AppError::Internal(e.to_string()))?
}
