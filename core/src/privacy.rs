//! The privacy gates (paper 2.3 and D): aggregation minimums at every level,
//! and the audit score, deciding what may be shown beyond the data's owner.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrivacyParams {
    /// A cluster is shown only with at least this many distinct accounts.
    pub min_accounts: usize,
    /// … and at least this many conversations.
    pub min_conversations: usize,
    /// … and an audit score (1–5) of at least this.
    pub min_audit_score: u8,
}

impl Default for PrivacyParams {
    fn default() -> Self {
        PrivacyParams { min_accounts: 5, min_conversations: 10, min_audit_score: 3 }
    }
}

/// Why a cluster is hidden.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum HiddenReason {
    TooFewAccounts { accounts: usize, minimum: usize },
    TooFewConversations { conversations: usize, minimum: usize },
    AuditFailed { score: u8, minimum: u8, detail: String },
    /// A cluster above it is hidden, and with it everything beneath.
    ParentHidden,
}

impl std::fmt::Display for HiddenReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HiddenReason::TooFewAccounts { accounts, minimum } => write!(f, "{accounts} distinct accounts, fewer than the minimum of {minimum}"),
            HiddenReason::TooFewConversations { conversations, minimum } => write!(f, "{conversations} conversations, fewer than the minimum of {minimum}"),
            HiddenReason::AuditFailed { score, minimum, detail } => write!(f, "privacy audit scored {score}, below {minimum}: {detail}"),
            HiddenReason::ParentHidden => write!(f, "a cluster above it is hidden"),
        }
    }
}

/// The cluster's own gates (not its ancestors'): every reason it fails.
pub fn check(accounts: usize, conversations: usize, audit_score: u8, audit_detail: &str, p: &PrivacyParams) -> Vec<HiddenReason> {
    let mut out = Vec::new();
    if accounts < p.min_accounts {
        out.push(HiddenReason::TooFewAccounts { accounts, minimum: p.min_accounts });
    }
    if conversations < p.min_conversations {
        out.push(HiddenReason::TooFewConversations { conversations, minimum: p.min_conversations });
    }
    if audit_score < p.min_audit_score {
        out.push(HiddenReason::AuditFailed { score: audit_score, minimum: p.min_audit_score, detail: audit_detail.to_string() });
    }
    out
}
