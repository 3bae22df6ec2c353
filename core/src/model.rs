//! The data model every stage shares: a conversation as imported.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Who wrote a message. System prompts are kept apart from the user's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
    System,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

/// One conversation, whatever format it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// The id from the file, or `row-N` (N is the 1-based row number) when it had none.
    pub id: String,
    /// The account (user) the conversation belongs to, when the file says.
    pub account: Option<String>,
    /// The creation time as written in the file (ISO 8601 or Unix seconds).
    pub created_at: Option<String>,
    pub messages: Vec<Message>,
    /// Known labels (for example `level1`, `level2`), kept for evaluation only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Scalar metadata columns of the row, passed through as facets.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
}

impl Conversation {
    pub fn user_turns(&self) -> impl Iterator<Item = &str> {
        self.messages.iter().filter(|m| m.role == Role::User).map(|m| m.content.as_str())
    }

    /// The conversation as one transcript, the way an analyst reads it.
    pub fn transcript(&self) -> String {
        let mut out = String::new();
        for m in &self.messages {
            let who = match m.role {
                Role::User => "User",
                Role::Assistant => "Assistant",
                Role::System => "System",
            };
            out.push_str(who);
            out.push_str(": ");
            out.push_str(&m.content);
            out.push_str("\n\n");
        }
        out
    }
}
