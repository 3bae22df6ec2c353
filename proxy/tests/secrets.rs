//! The API key and the access token appear in no response and no log line,
//! even when the upstream echoes the key back in an error; nor does a
//! conversation appear in a log line.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use kleio_proxy::config::Config;
use serde_json::{json, Value};

const KEY: &str = "sk-ant-api03-LEAKCHECK-7f3a9c";
const TOKEN: &str = "kleio-access-LEAKCHECK-51d2";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Every log line of this thread, from now until the guard drops.
    fn install() -> (Captured, tracing::subscriber::DefaultGuard) {
        let logs = Captured::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_ansi(false).with_writer(move || writer.clone()).finish();
        (logs, tracing::subscriber::set_default(subscriber))
    }

    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// The proxy on `vars`, retrying a failed upstream call once, at once.
fn fast_retries(vars: &[(&str, &str)]) -> Config {
    let vars: HashMap<&str, &str> = vars.iter().copied().collect();
    let mut config = Config::from_env(|k| vars.get(k).map(|v| v.to_string())).unwrap();
    config.retry.base_delay = Duration::from_millis(1);
    config.retry.max_retries = 1;
    config
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_key_is_in_no_response_and_no_log_line() {
    let (logs, _guard) = Captured::install();

    let mock = MockServer::start(|seen, _| {
        let (system, user) = anthropic_prompt(&seen.body);
        let key = seen.headers.iter().find(|(k, _)| k == "x-api-key").map(|(_, v)| v.clone()).unwrap_or_default();
        if user.contains("ECHO-KEY") {
            Scripted::status(401, &format!(r#"{{"type":"error","error":{{"type":"authentication_error","message":"invalid x-api-key {key}"}}}}"#))
        } else if user.contains("ECHO-500") {
            Scripted::status(500, &format!("upstream trace: key={key}"))
        } else {
            Scripted::ok(anthropic_message(&model_answer(&system, &user)))
        }
    })
    .await;
    let url = mock.url();
    let config = fast_retries(&[("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", url.as_str()), ("KLEIO_ACCESS_TOKEN", TOKEN)]);
    tracing::info!("config: {config:?}");
    let dist = Dist::new();
    let app = router(&dist, &config);
    let auth = format!("Bearer {TOKEN}");
    let h = [("authorization", auth.as_str()), ("x-kleio-run", "leak-check")];

    let children = json!([brief("Plant tomatoes", 0.1), brief("Bake bread", 3.0)]);
    let hashes: Vec<String> = (0..12).map(|i| format!("{i:064x}")).collect();
    let calls: Vec<(&str, &str, Option<Value>)> = vec![
        ("GET", "/api/v1/health", None),
        ("GET", "/api/v1/backend", None),
        ("POST", "/api/v1/screen", Some(json!({ "conversation": conversation("tomatoes"), "question": "Gardening?" }))),
        ("POST", "/api/v1/extract", Some(json!({ "conversation": conversation("tomatoes"), "facet": request_facet() }))),
        ("POST", "/api/v1/extract", Some(json!({ "conversation": conversation("ECHO-KEY"), "facet": request_facet() }))),
        (
            "POST",
            "/api/v1/extract/batch",
            Some(
                json!({ "items": [{ "conversation": conversation("ECHO-500"), "facet": request_facet() }, { "conversation": conversation("ECHO-KEY"), "facet": request_facet() }] }),
            ),
        ),
        ("POST", "/api/v1/extract/jobs", Some(json!({ "items": [{ "conversation": conversation("ECHO-KEY"), "facet": request_facet() }] }))),
        ("POST", "/api/v1/name-cluster", Some(json!({ "facet": request_facet(), "members": ["a"], "contrast": [] }))),
        ("POST", "/api/v1/propose-parents", Some(json!({ "facet": request_facet(), "children": children, "outside": [], "wanted": 2 }))),
        ("POST", "/api/v1/dedupe", Some(json!({ "facet": request_facet(), "proposals": children, "wanted": 2 }))),
        ("POST", "/api/v1/assign", Some(json!({ "facet": request_facet(), "child": brief("Plant", 0.1), "parents": children }))),
        ("POST", "/api/v1/rename", Some(json!({ "facet": request_facet(), "children": children }))),
        ("POST", "/api/v1/audit", Some(json!({ "content": "Plan gardens" }))),
        (
            "POST",
            "/api/v1/dashboards",
            Some(
                json!({ "title": "Gardens", "facet": "request", "clusters": [{ "id": "a", "level": 0, "parent": null, "name": "Plan gardens", "summary": "Garden plans.", "size": 12, "account_hashes": hashes, "position": [0, 0] }] }),
            ),
        ),
        ("GET", "/api/v1/nope", None),
        ("GET", "/", None),
    ];
    let mut seen_redaction = false;
    for (method, path, body) in calls {
        for headers in [&h[..], &[][..]] {
            let r = call(&app, method, path, headers, body.clone()).await;
            let head = format!("{:?}", r.headers);
            assert!(!r.body.contains(KEY) && !head.contains(KEY), "{method} {path} leaked the key: {}", r.body);
            assert!(!r.body.contains(TOKEN) && !head.contains(TOKEN), "{method} {path} leaked the token: {}", r.body);
            seen_redaction |= r.body.contains("[redacted]");
        }
    }
    assert!(seen_redaction, "the echoed key was replaced, not merely absent");
    assert!(mock.requests().iter().any(|r| r.headers.iter().any(|(k, v)| k == "x-api-key" && v == KEY)), "the key did go upstream");
    let logs = logs.text();
    assert!(logs.contains("upstream call failed"), "the logs were captured");
    assert!(!logs.contains(KEY), "a log line holds the key");
    assert!(!logs.contains(TOKEN), "a log line holds the access token");
}

/// Neither an unreadable answer that quotes the conversation nor an
/// upstream error that echoes it reaches a log line; the log keeps the kind
/// of failure and lengths.
#[tokio::test(flavor = "current_thread")]
async fn no_log_line_quotes_a_conversation() {
    // No digits: the concern answer below must hold no number.
    const PRIVATE: &str = "PRIVATE-PHRASE-NINETY";
    let (logs, _guard) = Captured::install();

    let mock = MockServer::start(|seen, _| {
        let (_, user) = anthropic_prompt(&seen.body);
        if user.contains("ECHO-500") {
            Scripted::status(500, &format!("upstream trace: the request was {user}"))
        } else {
            // A concern answer that holds no number, quoting the user instead.
            Scripted::ok(anthropic_message(&format!("The user wrote {PRIVATE} and that is all</answer>")))
        }
    })
    .await;
    let url = mock.url();
    let config = fast_retries(&[("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", url.as_str())]);
    let dist = Dist::new();
    let app = router(&dist, &config);
    let unreadable = json!({ "conversation": conversation(&format!("My secret is {PRIVATE}")), "facet": concern_facet() });
    let r = call(&app, "POST", "/api/v1/extract", &[], Some(unreadable)).await;
    assert_eq!(r.status.as_u16(), 502, "{}", r.body);
    let echoed = json!({ "conversation": conversation(&format!("ECHO-500 {PRIVATE}")), "facet": request_facet() });
    assert_eq!(call(&app, "POST", "/api/v1/extract", &[], Some(echoed)).await.status.as_u16(), 502);
    let logs = logs.text();
    assert!(logs.contains("could not be read") && logs.contains("upstream call failed"), "the failures were logged: {logs}");
    assert!(!logs.contains(PRIVATE), "a log line quotes the conversation: {logs}");
}
