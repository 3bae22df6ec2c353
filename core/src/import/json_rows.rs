//! JSON rows: detecting each row's shape and reading it.

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{dedupe_ids, ImportError, ImportOptions, SkippedRow, MAX_ROW_BYTES};
use crate::model::{Conversation, Message, Role};

type Rows = (Vec<Conversation>, Vec<SkippedRow>);

pub(super) fn from_lines(text: &str, options: &ImportOptions) -> Rows {
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.len() > MAX_ROW_BYTES {
            skipped.push(too_large(line_no, line.len()));
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(value) => match row(&value, line_no, options) {
                Ok(c) => rows.push(c),
                Err(reason) => skipped.push(SkippedRow { line: line_no, reason }),
            },
            Err(e) => skipped.push(SkippedRow { line: line_no, reason: format!("invalid JSON: {e}") }),
        }
    }
    dedupe_ids(&mut rows);
    (rows, skipped)
}

pub(super) fn from_array(text: &str, options: &ImportOptions) -> Result<Rows, ImportError> {
    // Each element is first only located (borrowed raw text), so an element
    // over the row limit is skipped before anything of it is built, and the
    // whole array is never held as parsed values at once.
    let elements: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| ImportError::NotADataset(format!("the JSON array does not parse: {e}")))?;
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    for (i, element) in elements.iter().enumerate() {
        let raw = element.get();
        if raw.len() > MAX_ROW_BYTES {
            skipped.push(too_large(i + 1, raw.len()));
            continue;
        }
        let parsed = serde_json::from_str::<Value>(raw).map_err(|e| e.to_string()).and_then(|value| row(&value, i + 1, options));
        match parsed {
            Ok(c) => rows.push(c),
            Err(reason) => skipped.push(SkippedRow { line: i + 1, reason }),
        }
    }
    dedupe_ids(&mut rows);
    Ok((rows, skipped))
}

fn too_large(line: usize, len: usize) -> SkippedRow {
    SkippedRow { line, reason: format!("row is {len} bytes, over the {MAX_ROW_BYTES}-byte limit") }
}

/// Reads one row of any supported shape.
fn row(value: &Value, line: usize, options: &ImportOptions) -> Result<Conversation, String> {
    let obj = value.as_object().ok_or_else(|| format!("expected an object, found {}", kind(value)))?;
    let messages = if let Some(m) = obj.get("messages") {
        role_content_messages(m, "messages")?
    } else if let Some(m) = obj.get("conversation") {
        role_content_messages(m, "conversation")?
    } else if let Some(m) = obj.get("conversations") {
        sharegpt_messages(m)?
    } else if let Some(t) = obj.get("chosen") {
        let t = t.as_str().ok_or("`chosen` must be a string transcript")?;
        hh_transcript(t)?
    } else if let Some((_, t)) = ["text", "prompt", "content", "question", "utterance", "instruction"].iter().find_map(|k| obj.get(*k).map(|v| (k, v))) {
        let t = t.as_str().ok_or("the text field must be a string")?;
        vec![Message { role: Role::User, content: t.to_string() }]
    } else {
        return Err("no conversation found: expected `messages`, `conversation`, `conversations`, `chosen` or `text`".into());
    };
    if !messages.iter().any(|m| m.role == Role::User && !m.content.trim().is_empty()) {
        return Err("the conversation has no non-empty user message".into());
    }
    let id = ["id", "conversation_id", "conversation_hash", "question_id", "uid"]
        .iter()
        .find_map(|k| obj.get(*k).and_then(scalar))
        .unwrap_or_else(|| format!("row-{line}"));
    let account = match &options.account_field {
        Some(field) => obj.get(field).and_then(scalar),
        None => ["account_id", "user_id", "hashed_ip", "user", "account"].iter().find_map(|k| obj.get(*k).and_then(scalar)),
    };
    let created_at = ["created_at", "timestamp", "time", "date", "tstamp"].iter().find_map(|k| obj.get(*k).and_then(scalar));
    let mut labels = BTreeMap::new();
    if let Some(Value::Object(l)) = obj.get("labels") {
        for (k, v) in l {
            if let Some(s) = scalar(v) {
                labels.insert(k.clone(), s);
            }
        }
    }
    Ok(Conversation { id, account, created_at, messages, labels, meta: meta(obj) })
}

/// Scalar top-level fields and the scalars of a `meta` object, as strings.
fn meta(obj: &Map<String, Value>) -> BTreeMap<String, String> {
    const STRUCTURAL: &[&str] =
        &["messages", "conversation", "conversations", "chosen", "rejected", "labels", "meta", "pii_spans", "id", "text", "prompt", "content"];
    let mut out = BTreeMap::new();
    for (k, v) in obj {
        if STRUCTURAL.contains(&k.as_str()) {
            continue;
        }
        if let Some(s) = scalar(v) {
            out.insert(k.clone(), s);
        }
    }
    if let Some(Value::Object(m)) = obj.get("meta") {
        for (k, v) in m {
            if let Some(s) = scalar(v) {
                out.entry(k.clone()).or_insert(s);
            }
        }
    }
    out
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_role(s: &str) -> Option<Role> {
    match s.to_ascii_lowercase().as_str() {
        "user" | "human" | "prompter" => Some(Role::User),
        "assistant" | "gpt" | "bot" | "model" | "chatgpt" | "claude" => Some(Role::Assistant),
        "system" => Some(Role::System),
        _ => None,
    }
}

fn role_content_messages(v: &Value, field: &str) -> Result<Vec<Message>, String> {
    let items = v.as_array().ok_or_else(|| format!("`{field}` must be an array, found {}", kind(v)))?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let role = item.get("role").and_then(Value::as_str).ok_or_else(|| format!("`{field}[{i}]` has no string `role`"))?;
        let role = parse_role(role).ok_or_else(|| format!("`{field}[{i}]` has unknown role {role:?}"))?;
        let content = message_text(item.get("content")).ok_or_else(|| format!("`{field}[{i}].content` must be text"))?;
        out.push(Message { role, content });
    }
    Ok(out)
}

/// OpenAI content is a string, or a list of parts of which the text parts count.
fn message_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Array(parts) => Some(parts.iter().filter_map(|p| p.get("text").and_then(Value::as_str)).collect::<Vec<_>>().join("\n")),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

fn sharegpt_messages(v: &Value) -> Result<Vec<Message>, String> {
    let items = v.as_array().ok_or_else(|| format!("`conversations` must be an array, found {}", kind(v)))?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let from = item.get("from").or_else(|| item.get("role")).and_then(Value::as_str).ok_or_else(|| format!("`conversations[{i}]` has no string `from`"))?;
        let role = parse_role(from).ok_or_else(|| format!("`conversations[{i}]` has unknown speaker {from:?}"))?;
        let content =
            item.get("value").or_else(|| item.get("content")).and_then(Value::as_str).ok_or_else(|| format!("`conversations[{i}].value` must be a string"))?;
        out.push(Message { role, content: content.to_string() });
    }
    Ok(out)
}

/// HH-RLHF transcripts: turns marked by "\n\nHuman:" and "\n\nAssistant:".
pub(crate) fn hh_transcript(t: &str) -> Result<Vec<Message>, String> {
    let mut out: Vec<Message> = Vec::new();
    let mut rest = t;
    let marker = |s: &str| -> Option<(usize, Role, usize)> {
        let h = s.find("Human:").map(|i| (i, Role::User, "Human:".len()));
        let a = s.find("Assistant:").map(|i| (i, Role::Assistant, "Assistant:".len()));
        match (h, a) {
            (Some(h), Some(a)) => Some(if h.0 < a.0 { h } else { a }),
            (h, a) => h.or(a),
        }
    };
    let Some((start, mut role, len)) = marker(rest) else {
        return Err("`chosen` has no \"Human:\" or \"Assistant:\" turn markers".into());
    };
    rest = &rest[start + len..];
    loop {
        // A marker only counts at the start of a line, so "Human:" inside a turn stays text.
        let next = find_turn_marker(rest);
        let (body, next_rest) = match next {
            Some((i, r, l)) => (&rest[..i], Some((r, &rest[i + l..]))),
            None => (rest, None),
        };
        let content = body.trim();
        if !content.is_empty() {
            out.push(Message { role, content: content.to_string() });
        }
        match next_rest {
            Some((r, tail)) => {
                role = r;
                rest = tail;
            }
            None => break,
        }
    }
    Ok(out)
}

fn find_turn_marker(s: &str) -> Option<(usize, Role, usize)> {
    let mut best: Option<(usize, Role, usize)> = None;
    for (pat, role) in [("\nHuman:", Role::User), ("\nAssistant:", Role::Assistant)] {
        if let Some(i) = s.find(pat) {
            if best.is_none_or(|b| i < b.0) {
                best = Some((i, role, pat.len()));
            }
        }
    }
    best
}
