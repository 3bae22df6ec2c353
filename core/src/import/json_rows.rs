//! JSON rows: detecting each row's shape and reading it.

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{ImportError, ImportOptions, SkippedRow, MAX_ROW_BYTES};
use crate::model::{Conversation, Message, Role};

/// A text field's usual names, tried in order when none is chosen.
pub(super) const TEXT_FIELDS: &[&str] = &["text", "prompt", "content", "question", "utterance", "instruction"];
const MESSAGE_FIELDS: &[&str] = &["messages", "conversation", "conversations"];
pub(super) const ACCOUNT_FIELDS: &[&str] = &["account_id", "user_id", "hashed_ip", "user", "account"];
pub(super) const TIME_FIELDS: &[&str] = &["created_at", "timestamp", "time", "date", "tstamp"];

/// One line of JSON Lines: its text, or why it cannot be read.
pub(super) type Line = Result<String, String>;

/// Reads JSON Lines rows: each `(line number, line)` the caller found.
pub(super) fn line_row(line_no: usize, line: Line, options: &ImportOptions) -> Result<Conversation, SkippedRow> {
    let skip = |reason: String| SkippedRow { line: line_no, reason };
    let line = line.map_err(skip)?;
    if line.len() > MAX_ROW_BYTES {
        return Err(too_large(line_no, line.len()));
    }
    let value = serde_json::from_str::<Value>(&line).map_err(|e| skip(format!("invalid JSON: {e}")))?;
    row(&value, line_no, options).map_err(skip)
}

/// A JSON array's elements, each first only located (borrowed raw text), so
/// an element over the row limit is skipped before anything of it is built,
/// and the whole array is never held as parsed values at once.
pub(super) fn array_elements(text: &str) -> Result<Vec<&RawValue>, ImportError> {
    serde_json::from_str(text).map_err(|e| ImportError::NotADataset(format!("the JSON array does not parse: {e}")))
}

pub(super) fn element_row(number: usize, element: &RawValue, options: &ImportOptions) -> Result<Conversation, SkippedRow> {
    let raw = element.get();
    if raw.len() > MAX_ROW_BYTES {
        return Err(too_large(number, raw.len()));
    }
    serde_json::from_str::<Value>(raw)
        .map_err(|e| e.to_string())
        .and_then(|value| row(&value, number, options))
        .map_err(|reason| SkippedRow { line: number, reason })
}

fn too_large(line: usize, len: usize) -> SkippedRow {
    SkippedRow { line, reason: format!("row is {len} bytes, over the {MAX_ROW_BYTES}-byte limit") }
}

/// Reads one row of any supported shape: a JSON object, or a Parquet row read as one.
pub(super) fn row(value: &Value, line: usize, options: &ImportOptions) -> Result<Conversation, String> {
    let obj = value.as_object().ok_or_else(|| format!("expected an object, found {}", kind(value)))?;
    let chosen = |field: &Option<String>| -> Result<Option<(String, &Value)>, String> {
        match field {
            Some(f) => obj.get(f).map(|v| Some((f.clone(), v))).ok_or_else(|| format!("the row has no field {f:?}")),
            None => Ok(None),
        }
    };
    let messages = if let Some((field, m)) = chosen(&options.messages_field)? {
        any_messages(m, &field)?
    } else if let Some((field, t)) = chosen(&options.text_field)? {
        single_text(t, &field)?
    } else if let Some((field, m)) = MESSAGE_FIELDS.iter().find_map(|k| obj.get(*k).map(|v| (*k, v))) {
        any_messages(m, field)?
    } else if let Some(t) = obj.get("chosen") {
        let t = t.as_str().ok_or("`chosen` must be a string transcript")?;
        hh_transcript(t)?
    } else if let Some((field, t)) = TEXT_FIELDS.iter().find_map(|k| obj.get(*k).map(|v| (*k, v))) {
        single_text(t, field)?
    } else {
        return Err("no conversation found: expected `messages`, `conversation`, `conversations`, `chosen` or `text`".into());
    };
    if !messages.iter().any(|m| m.role == Role::User && !m.content.trim().is_empty()) {
        return Err("the conversation has no non-empty user message".into());
    }
    let named = |field: &Option<String>, usual: &[&str]| match field {
        Some(f) => obj.get(f).and_then(scalar),
        None => usual.iter().find_map(|k| obj.get(*k).and_then(scalar)),
    };
    let id = ["id", "conversation_id", "conversation_hash", "question_id", "uid"]
        .iter()
        .find_map(|k| obj.get(*k).and_then(scalar))
        .unwrap_or_else(|| format!("row-{line}"));
    let account = named(&options.account_field, ACCOUNT_FIELDS);
    let created_at = named(&options.time_field, TIME_FIELDS);
    let mut labels = BTreeMap::new();
    if let Some(Value::Object(l)) = obj.get("labels") {
        for (k, v) in l {
            if let Some(s) = scalar(v) {
                labels.insert(k.clone(), s);
            }
        }
    }
    let mut meta = meta(obj, options);
    if let Some(Value::Array(turns)) = obj.get("openai_moderation") {
        moderation_columns(turns, &mut meta);
    }
    Ok(Conversation { id, account, created_at, messages, labels, meta })
}

/// Messages as a list of `role` and `content` (OpenAI, WildChat, LMSYS) or
/// of `from` and `value` (ShareGPT).
fn any_messages(v: &Value, field: &str) -> Result<Vec<Message>, String> {
    let sharegpt = v.as_array().and_then(|items| items.first()).is_some_and(|first| first.get("from").is_some() || first.get("value").is_some());
    if sharegpt {
        sharegpt_messages(v, field)
    } else {
        role_content_messages(v, field)
    }
}

fn single_text(v: &Value, field: &str) -> Result<Vec<Message>, String> {
    let t = v.as_str().ok_or_else(|| format!("the text field `{field}` must be a string, found {}", kind(v)))?;
    Ok(vec![Message { role: Role::User, content: t.to_string() }])
}

/// OpenAI's moderation of each turn (WildChat, LMSYS-Chat-1M) as dataset
/// columns: `moderation_flagged`, and one `moderation_<category>` per
/// category, each true when any turn was flagged for it.
fn moderation_columns(turns: &[Value], meta: &mut BTreeMap<String, String>) {
    let mut flagged = false;
    let mut categories: BTreeMap<String, bool> = BTreeMap::new();
    for turn in turns {
        flagged |= turn.get("flagged").and_then(Value::as_bool).unwrap_or(false);
        if let Some(Value::Object(c)) = turn.get("categories") {
            for (name, v) in c {
                let column: String = name.chars().map(|ch| if ch.is_ascii_alphanumeric() { ch.to_ascii_lowercase() } else { '_' }).collect();
                *categories.entry(format!("moderation_{column}")).or_default() |= v.as_bool().unwrap_or(false);
            }
        }
    }
    meta.insert("moderation_flagged".into(), flagged.to_string());
    for (column, any) in categories {
        meta.insert(column, any.to_string());
    }
}

/// Scalar top-level fields and the scalars of a `meta` object, as strings:
/// the dataset's own columns, kept as facets.
fn meta(obj: &Map<String, Value>, options: &ImportOptions) -> BTreeMap<String, String> {
    const STRUCTURAL: &[&str] =
        &["messages", "conversation", "conversations", "chosen", "rejected", "labels", "meta", "pii_spans", "id", "text", "prompt", "content"];
    let chosen = [&options.text_field, &options.messages_field];
    let mut out = BTreeMap::new();
    for (k, v) in obj {
        if STRUCTURAL.contains(&k.as_str()) || chosen.iter().any(|c| c.as_deref() == Some(k.as_str())) {
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

fn sharegpt_messages(v: &Value, field: &str) -> Result<Vec<Message>, String> {
    let items = v.as_array().ok_or_else(|| format!("`{field}` must be an array, found {}", kind(v)))?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let from = item.get("from").or_else(|| item.get("role")).and_then(Value::as_str).ok_or_else(|| format!("`{field}[{i}]` has no string `from`"))?;
        let role = parse_role(from).ok_or_else(|| format!("`{field}[{i}]` has unknown speaker {from:?}"))?;
        let content =
            item.get("value").or_else(|| item.get("content")).and_then(Value::as_str).ok_or_else(|| format!("`{field}[{i}].value` must be a string"))?;
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
