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
    TooFewAccounts {
        accounts: usize,
        minimum: usize,
    },
    TooFewConversations {
        conversations: usize,
        minimum: usize,
    },
    AuditFailed {
        score: u8,
        minimum: u8,
        detail: String,
    },
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

/// The account a conversation counts for in the account minimum: its own
/// account where the data names one; otherwise the conversation stands for
/// its own account, so a file without accounts is never merged into one.
pub fn account_key(account: Option<&str>, conversation_id: &str) -> String {
    match account {
        Some(a) => a.to_string(),
        None => format!("conversation:{conversation_id}"),
    }
}

/// The rule that a hidden cluster hides everything beneath it. `parents[i]`
/// is the index of cluster `i`'s parent and `reasons[i]` the gates it fails
/// itself ([`check`]); every cluster under one that fails a gate gets
/// [`HiddenReason::ParentHidden`] too. Returns whether each cluster may be
/// shared: it and all its ancestors pass. A parent index out of range ends
/// the walk up, and a loop of parents cannot make it run forever.
pub fn hide_beneath_hidden(parents: &[Option<usize>], reasons: &mut [Vec<HiddenReason>]) -> Vec<bool> {
    let fails_own: Vec<bool> = reasons.iter().map(|r| r.iter().any(|r| *r != HiddenReason::ParentHidden)).collect();
    let mut shareable = vec![false; reasons.len()];
    for i in 0..reasons.len() {
        let mut ancestor_hidden = false;
        let mut parent = parents.get(i).copied().flatten();
        // A chain of ancestors has fewer links than there are clusters.
        for _ in 0..parents.len() {
            let Some(p) = parent.filter(|&p| p < fails_own.len()) else { break };
            ancestor_hidden |= fails_own[p];
            parent = parents.get(p).copied().flatten();
        }
        if ancestor_hidden && !reasons[i].contains(&HiddenReason::ParentHidden) {
            reasons[i].push(HiddenReason::ParentHidden);
        }
        shareable[i] = !fails_own[i] && !ancestor_hidden;
    }
    shareable
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hidden_cluster_hides_its_descendants_but_not_its_parent() {
        // 0 ← 1 ← 2 (0 the top), 3 alone; 1 fails its own gate.
        let parents = [None, Some(0), Some(1), None];
        let few = HiddenReason::TooFewAccounts { accounts: 1, minimum: 5 };
        let mut reasons = vec![vec![], vec![few.clone()], vec![], vec![]];
        let shareable = hide_beneath_hidden(&parents, &mut reasons);
        assert_eq!(shareable, [true, false, false, true]);
        assert_eq!(reasons[1], [few]);
        assert_eq!(reasons[2], [HiddenReason::ParentHidden]);
    }

    #[test]
    fn a_loop_of_parents_ends_and_shares_nothing_it_should_not() {
        let parents = [Some(1), Some(0), Some(7)];
        let mut reasons = vec![vec![HiddenReason::ParentHidden], vec![HiddenReason::TooFewConversations { conversations: 1, minimum: 10 }], vec![]];
        let shareable = hide_beneath_hidden(&parents, &mut reasons);
        assert_eq!(shareable, [false, false, true]);
        assert_eq!(reasons[0], [HiddenReason::ParentHidden], "no reason twice");
    }

    #[test]
    fn a_conversation_without_an_account_is_its_own() {
        assert_eq!(account_key(Some("u1"), "c1"), "u1");
        assert_ne!(account_key(None, "c1"), account_key(None, "c2"));
    }
}
