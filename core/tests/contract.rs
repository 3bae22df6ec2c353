//! The contract in `kleio_core::api` is the one place that names a route, a
//! header or a facet id: this test reads every crate's sources and fails on
//! any of those written as a string literal anywhere else. Test code (a
//! file's `#[cfg(test)]` module, `tests/` folders, `tests.rs` files) may
//! spell the wire format out, since that is what it checks.

use std::path::{Path, PathBuf};

use kleio_core::api::{facet_id, DELETE_TOKEN_HEADER, PREFIX, ROUTES, RUN_HEADER};

const CRATES: [&str; 6] = ["core", "embed", "gpu", "proxy", "cli", "app"];
/// The contract itself.
const CONTRACT: &str = "core/src/api.rs";
/// Word lists: these hold English words ("request", "task") that are no ids.
const WORD_LISTS: &str = "core/src/offline/words.rs";

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") && path.file_name().is_some_and(|n| n != "tests.rs") {
            out.push(path);
        }
    }
}

/// A literal no source but the contract may hold.
struct Forbidden {
    literal: String,
    what: String,
    /// Header names are case-insensitive on the wire; ids and paths are not
    /// (so "Request", a label for people, is no facet id).
    any_case: bool,
}

impl Forbidden {
    fn new(literal: String, what: String, any_case: bool) -> Self {
        let literal = if any_case { literal.to_ascii_lowercase() } else { literal };
        Forbidden { literal, what, any_case }
    }

    fn in_line(&self, line: &str) -> bool {
        if self.any_case {
            line.to_ascii_lowercase().contains(&self.literal)
        } else {
            line.contains(&self.literal)
        }
    }
}

fn forbidden() -> Vec<Forbidden> {
    let mut out =
        vec![Forbidden::new(format!("\"{PREFIX}"), "the API prefix".into(), false), Forbidden::new("\"/d/".into(), "the dashboard page".into(), false)];
    for (_, path) in ROUTES {
        let fixed = path.split("/{").next().unwrap_or(path);
        out.push(Forbidden::new(format!("\"{fixed}\""), format!("the route {path}"), false));
    }
    for header in [RUN_HEADER, DELETE_TOKEN_HEADER] {
        out.push(Forbidden::new(format!("\"{header}\""), format!("the header {header}"), true));
    }
    let ids = [facet_id::REQUEST, facet_id::TASK, facet_id::LANGUAGE, facet_id::CONCERN, facet_id::CUSTOM, facet_id::TURNS, facet_id::MONTH];
    for id in ids {
        out.push(Forbidden::new(format!("\"{id}\""), format!("the facet id {id}"), false));
    }
    out
}

#[test]
fn routes_headers_and_facet_ids_are_named_only_in_the_contract() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace");
    let mut files = Vec::new();
    for krate in CRATES {
        sources(&root.join(krate).join("src"), &mut files);
    }
    assert!(files.len() > 50, "found only {} source files under {}", files.len(), root.display());
    let forbidden = forbidden();
    let mut found = Vec::new();
    for file in &files {
        let name = file.strip_prefix(root).unwrap_or(file).to_string_lossy().replace('\\', "/");
        if name == CONTRACT || name == WORD_LISTS {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("#[cfg(test)]") {
                break;
            }
            if line.trim_start().starts_with("//") {
                continue;
            }
            for f in forbidden.iter().filter(|f| f.in_line(line)) {
                found.push(format!("{name}:{}: {} as {}", n + 1, f.what, f.literal));
            }
        }
    }
    assert!(found.is_empty(), "use kleio_core::api instead of these literals:\n{}", found.join("\n"));
}

#[test]
fn the_check_sees_a_literal_it_must_refuse() {
    let line = r#"let url = format!("/api/v1/{path}"); headers.get("X-Kleio-Run"); c.answers.get("concern"); label("Request")"#;
    let hits: Vec<String> = forbidden().into_iter().filter(|f| f.in_line(line)).map(|f| f.what).collect();
    assert_eq!(hits, ["the API prefix", "the header x-kleio-run", "the facet id concern"]);
}
