//! Helpers shared by the proxy's integration tests: a throwaway app folder,
//! requests through `oneshot`, and a scriptable model server on loopback.
#![allow(dead_code)] // Each test file uses its own subset.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use kleio_proxy::{app, AppState, Config, Db};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

/// A built-app folder with an index.html, removed on drop.
pub struct Dist(PathBuf);

impl Dist {
    pub fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!("kleio-proxy-it-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("index.html"), "<html><script type=\"module\">import init from '/app.js'; init();</script></html>").unwrap();
        Dist(path)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Dist {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn router(dist: &Dist, config: &Config) -> Router {
    app(AppState::new(dist.path(), config, Db::in_memory()).unwrap())
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    /// The body as text (lossily), and as it came.
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub async fn call(app: &Router, method: &str, path: &str, headers: &[(&str, &str)], body: Option<Value>) -> Reply {
    let mut req = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = match body {
        Some(b) => req.header("content-type", "application/json").body(Body::from(b.to_string())).unwrap(),
        None => req.body(Body::empty()).unwrap(),
    };
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes }
}

pub fn conversation(text: &str) -> Value {
    json!({ "messages": [ { "role": "user", "content": text }, { "role": "assistant", "content": "Sure, here is how." } ] })
}

pub fn request_facet() -> Value {
    json!({ "id": "request", "question": "What is the user's overall request for the assistant?", "kind": { "kind": "open_text" } })
}

pub fn concern_facet() -> Value {
    json!({ "id": "concern", "question": "How concerning is this conversation, from 1 to 5?", "kind": { "kind": "scale", "min": 1, "max": 5 } })
}

/// A brief with an embedding, which the offline analyst needs.
pub fn brief(name: &str, x: f32) -> Value {
    let norm = (x * x + 1.0).sqrt();
    json!({ "name": name, "summary": format!("{name}, as a summary."), "size": 20, "embedding": [x / norm, 1.0 / norm] })
}

/// One request the mock server received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// What the mock does with a request: status, extra headers, body, and
/// whether to cut the body short (announce more bytes than are sent).
pub struct Scripted {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub truncate: bool,
    pub delay_ms: u64,
}

impl Scripted {
    pub fn ok(body: Value) -> Self {
        Scripted { status: 200, headers: Vec::new(), body: body.to_string(), truncate: false, delay_ms: 0 }
    }
    pub fn status(status: u16, body: &str) -> Self {
        Scripted { status, headers: Vec::new(), body: body.to_string(), truncate: false, delay_ms: 0 }
    }
}

type Handler = dyn Fn(&Seen, usize) -> Scripted + Send + Sync;

/// A model server on loopback, speaking raw HTTP/1.1 so tests can break the
/// protocol (cut a body short, hang) in ways a framework would not allow.
pub struct MockServer {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl MockServer {
    /// `handler` gets each request and the number of earlier requests with
    /// the same body (so "fail once, then succeed" is easy to script).
    pub async fn start(handler: impl Fn(&Seen, usize) -> Scripted + Send + Sync + 'static) -> MockServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let log = seen.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else { return };
                let handler = handler.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    let Some(req) = read_request(&mut socket).await else { return };
                    let repeats = {
                        let mut log = log.lock().unwrap();
                        let n = log.iter().filter(|s| s.path == req.path && s.body == req.body).count();
                        log.push(req.clone());
                        n
                    };
                    let reply = handler(&req, repeats);
                    if reply.delay_ms > 0 {
                        tokio::time::sleep(std::time::Duration::from_millis(reply.delay_ms)).await;
                    }
                    let announced = if reply.truncate { reply.body.len() + 500 } else { reply.body.len() };
                    let mut head =
                        format!("HTTP/1.1 {} Mock\r\ncontent-type: application/json\r\ncontent-length: {announced}\r\nconnection: close\r\n", reply.status);
                    for (k, v) in &reply.headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = socket.write_all(head.as_bytes()).await;
                    let _ = socket.write_all(reply.body.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        MockServer { addr, seen }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.lines();
    let mut first = lines.next()?.split_whitespace();
    let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: Vec<(String, String)> = lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string())).collect();
    let length: usize = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
    Some(Seen { method, path, headers, body })
}

/// The answer a well-behaved model would give to each of Kleio's prompts,
/// told apart by the system prompt's first words.
pub fn model_answer(system: &str, user: &str) -> String {
    if system.contains("sort groups") {
        // Every group under the second category shown, unless the groups ask to be left out.
        let groups = user.matches("<group id=").count();
        let lines: Vec<String> = (1..=groups).filter(|g| !(user.contains("LEFT-OUT") && g % 2 == 0)).map(|g| format!("g{g}: 2")).collect();
        return format!("Sorting.</scratchpad><answer>\n{}\n</answer>", lines.join("\n"));
    }
    one_answer(system, user).to_string()
}

fn one_answer(system: &str, user: &str) -> &'static str {
    if system.contains("privacy auditor") {
        if user.contains('@') {
            "It names an email address.</reasoning><score>1</score>"
        } else {
            "General topic.</reasoning><score>5</score>"
        }
    } else if system.contains("decide whether a conversation") {
        "yes</answer>"
    } else if system.contains("answer one question") {
        if user.contains("whole number from 1 to 5") {
            "2</answer>"
        } else {
            "Get help planning a vegetable garden.</answer>"
        }
    } else if system.contains("name groups") {
        "People asked for help with gardening.</summary><name>Plan home vegetable gardens</name>"
    } else if system.contains("broader categories") || system.contains("merge lists") {
        "Grouping by theme.</scratchpad><answer><category><name>Grow food at home</name><summary>Gardening and growing.</summary></category><category><name>Cook meals</name><summary>Cooking.</summary></category></answer>"
    } else if system.contains("place a group") {
        "The second fits.</scratchpad><answer>2</answer>"
    } else if system.contains("final name") {
        "Requests about growing food.</summary><name>Grow food at home</name>"
    } else {
        "unrecognised prompt"
    }
}

/// The Anthropic Messages JSON for an answer.
pub fn anthropic_message(text: &str) -> Value {
    json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
        "content": [ { "type": "text", "text": text } ],
        "stop_reason": "end_turn",
        "usage": { "input_tokens": 1000, "output_tokens": 100, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0 }
    })
}

/// The system prompt and user turn of an Anthropic request body.
pub fn anthropic_prompt(body: &str) -> (String, String) {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    (v["system"][0]["text"].as_str().unwrap_or("").to_string(), v["messages"][0]["content"].as_str().unwrap_or("").to_string())
}
