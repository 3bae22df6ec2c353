//! The content security policy: the app's own files, and nothing else but
//! the dataset origins the operator allows the browser to fetch from.
//!
//! Trunk's loader is an inline module script, so the policy allows exactly
//! that script by its SHA-256 hash (computed from the built index.html at
//! start-up) instead of allowing inline scripts in general.

use base64::Engine;
use kleio_core::api::DatasetOrigin;
use sha2::{Digest, Sha256};

/// The `sha256-…` sources of every inline `<script>` in an HTML page.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let after = &rest[open..];
        let Some(tag_end) = after.find('>') else { break };
        let tag = &after[..tag_end];
        let body_start = tag_end + 1;
        let Some(close) = after[body_start..].find("</script>") else { break };
        let body = &after[body_start..body_start + close];
        if !tag.contains(" src=") && !body.trim().is_empty() {
            let digest = Sha256::digest(body.as_bytes());
            out.push(format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest)));
        }
        rest = &after[body_start + close..];
    }
    out
}

/// Which pages may show a page of the app in a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// The app itself: it holds a person's runs and delete tokens, so no
    /// page may frame it (clickjacking).
    Nowhere,
    /// A published dashboard's page: read-only and public, made to be embedded.
    Anywhere,
}

/// The policy: the app's own files, the inline loader by its hash, and
/// connections to the proxy and to the origins datasets may be fetched from
/// by link (the browser fetches them itself; the proxy never does).
pub fn policy(script_hashes: &[String], dataset_origins: &[DatasetOrigin], framing: Framing) -> String {
    let connect: String = dataset_origins.iter().map(|o| format!(" {}", o.source())).collect();
    let ancestors = match framing {
        Framing::Nowhere => "'none'",
        Framing::Anywhere => "*",
    };
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; connect-src 'self'{connect}; worker-src 'self' blob:; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}",
        script_hashes.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = r#"<script src="/a.js"></script><script type="module">import init from '/x.js';</script>"#;
        let hashes = inline_script_hashes(html);
        // SHA-256 of the inline script's body, computed apart (Python's hashlib).
        assert_eq!(hashes, ["'sha256-dDeiJ8+z0+Kuw0x0+TpDhzT1pOxaSCEpsCbdBR+E4Kk='"]);
        assert!(policy(&hashes, &[], Framing::Nowhere).contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-dDeiJ8+z0+Kuw0x0+TpDhzT1pOxaSCEpsCbdBR+E4Kk=';"));
        let origins = [DatasetOrigin::parse("https://*.hf.co").unwrap(), DatasetOrigin::parse("http://127.0.0.1:9000").unwrap()];
        assert!(policy(&hashes, &origins, Framing::Nowhere).contains("connect-src 'self' https://*.hf.co http://127.0.0.1:9000;"));
        assert!(policy(&hashes, &[], Framing::Nowhere).ends_with("frame-ancestors 'none'"));
        assert!(policy(&hashes, &[], Framing::Anywhere).ends_with("frame-ancestors *"));
    }
}
