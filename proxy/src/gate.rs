//! The publish gate: what a dashboard may hold, checked by the proxy itself
//! whatever the browser says it checked (paper 2.3, D).
//!
//! The submission's schema has no place for conversation text, conversation
//! ids or account ids: unknown fields are refused, accounts arrive only as
//! salted hashes, which are counted here and then dropped.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use kleio_core::analyst::{cluster_text, Analyst, AnalystVersions, AuditRequest};
use kleio_core::api::facet_id;
pub use kleio_core::api::Removed;
use kleio_core::facets::month_bucket;
use kleio_core::privacy::{self, HiddenReason, PrivacyParams};
pub use kleio_core::publish::{Dashboard, PublishedCluster, Submission, SubmittedCluster};
use kleio_core::publish::{LevelReport, PrivacyReport};

use crate::prompts::Task;

const MAX_TITLE: usize = 120;
const MAX_NAME: usize = 200;
const MAX_SUMMARY: usize = 1_000;
const MAX_ID: usize = 40;
const MAX_CLUSTERS: usize = 20_000;
/// The facets a map may be clustered on, as the dashboard names them.
const CLUSTER_FACETS: [&str; 5] = [facet_id::REQUEST, facet_id::TASK, facet_id::LANGUAGE, facet_id::CONCERN, facet_id::CUSTOM];
/// The breakdowns a dashboard may hold: each has a closed vocabulary of
/// values (`allowed_value`), so no breakdown can carry free text.
const BREAKDOWN_FACETS: [&str; 4] = [facet_id::LANGUAGE, facet_id::CONCERN, facet_id::TURNS, facet_id::MONTH];
const MAX_BREAKDOWN_VALUES: usize = 64;
/// Levels a report may describe (a hierarchy has a handful).
const MAX_LEVELS: usize = 32;
/// Models a report may name, and the longest name: a model's name is a
/// short identifier, so nothing longer or with other characters rides along.
const MAX_MODELS: usize = 4;
const MAX_MODEL_NAME: usize = 80;
/// Breakdown values seen fewer times than this in a cluster are pooled.
pub const OTHER: &str = "other";

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GateError {
    #[error("the submission is not a valid dashboard: {0}")]
    Invalid(String),
    #[error("the title cannot be published: {0}")]
    Title(String),
}

/// The outcome: what may be stored, and what was removed.
pub struct Gated {
    pub title: String,
    pub facet: String,
    pub privacy: PrivacyParams,
    pub clusters: Vec<PublishedCluster>,
    pub removed: Vec<Removed>,
    /// The report, but for the audit prompt's version, which only the backend knows.
    pub report: PrivacyReport,
}

/// The analyst's models and prompt versions are a closed vocabulary too:
/// a few identifiers of model-name characters, and versions of the tasks
/// this proxy knows.
fn validate_versions(v: &AnalystVersions) -> Result<(), GateError> {
    let model_name = |m: &String| !m.is_empty() && m.len() <= MAX_MODEL_NAME && m.chars().all(|c| c.is_ascii_alphanumeric() || "._:/@-".contains(c));
    if v.models.len() > MAX_MODELS || !v.models.iter().all(model_name) {
        return Err(GateError::Invalid(format!("the analyst's models are at most {MAX_MODELS} names of 1 to {MAX_MODEL_NAME} letters, digits or . _ : / @ -")));
    }
    if let Some(task) = v.prompt_versions.keys().find(|t| !Task::ALL.iter().any(|known| known.name() == t.as_str())) {
        return Err(GateError::Invalid(format!("the prompt versions name a task {:?} that Kleio does not have", task.chars().take(40).collect::<String>())));
    }
    Ok(())
}

/// Checks the shape of a submission before anything is audited.
fn validate(s: &Submission) -> Result<(), GateError> {
    let bad = |why: String| Err(GateError::Invalid(why));
    if s.title.trim().is_empty() || s.title.chars().count() > MAX_TITLE {
        return bad(format!("the title must have 1 to {MAX_TITLE} characters"));
    }
    if !CLUSTER_FACETS.contains(&s.facet.as_str()) {
        return bad(format!("the facet must be one of {}", CLUSTER_FACETS.join(", ")));
    }
    if s.clusters.is_empty() || s.clusters.len() > MAX_CLUSTERS {
        return bad(format!("a dashboard has 1 to {MAX_CLUSTERS} clusters"));
    }
    if s.levels.len() > MAX_LEVELS || s.levels.iter().map(|l| l.level).collect::<BTreeSet<_>>().len() != s.levels.len() {
        return bad(format!("the levels' totals name at most {MAX_LEVELS} levels, each once"));
    }
    for l in &s.levels {
        let w = &l.withheld;
        let reasons = [w.too_few_accounts, w.too_few_conversations, w.audit_failed, w.parent_hidden];
        if w.clusters > l.clusters || w.conversations > l.conversations || reasons.iter().any(|&n| n > w.clusters) {
            return bad(format!("level {}: more withheld than there is, or more clusters failing a gate than were withheld", l.level));
        }
    }
    validate_versions(&s.analyst_versions)?;
    let levels: HashMap<&str, usize> = s.clusters.iter().map(|c| (c.id.as_str(), c.level)).collect();
    if levels.len() != s.clusters.len() {
        return bad("cluster ids repeat".into());
    }
    // The tree: only the top level has no parent, and every other cluster's
    // parent is one level up (so the levels follow one another), so no
    // cluster can be detached from a hidden parent.
    let top = s.clusters.iter().map(|c| c.level).max().unwrap_or(0);
    for c in &s.clusters {
        if c.id.is_empty() || c.id.len() > MAX_ID || !c.id.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_') {
            return bad(format!("cluster id {:?} is not 1 to {MAX_ID} letters, digits, - or _", c.id));
        }
        if c.name.trim().is_empty() || c.name.chars().count() > MAX_NAME || c.summary.chars().count() > MAX_SUMMARY {
            return bad(format!("cluster {}: a name has 1 to {MAX_NAME} characters and a summary at most {MAX_SUMMARY}", c.id));
        }
        if let Some(h) = c.account_hashes.iter().find(|h| h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit())) {
            return bad(format!(
                "cluster {}: accounts must be salted SHA-256 hashes (64 hex digits), and {:?} is not one",
                c.id,
                h.chars().take(16).collect::<String>()
            ));
        }
        if !c.position.iter().all(|x| x.is_finite()) {
            return bad(format!("cluster {}: the position is not finite", c.id));
        }
        match &c.parent {
            // Checked: a level of usize::MAX has no level above it.
            Some(p) if c.level.checked_add(1).is_none_or(|up| levels.get(p.as_str()) != Some(&up)) => {
                return bad(format!("cluster {}: its parent {p:?} is not a cluster one level up", c.id))
            }
            None if c.level != top => return bad(format!("cluster {} at level {} has no parent, but only the top level ({top}) may have none", c.id, c.level)),
            _ => {}
        }
        for (facet, values) in &c.breakdown_accounts {
            let counted = |value: &str| c.breakdowns.get(facet).and_then(|v| v.get(value)).copied();
            if let Some((value, _)) = values.iter().find(|(value, &n)| counted(value).is_none_or(|conversations| n > conversations)) {
                return bad(format!("cluster {}: {facet} = {value:?} has more accounts than conversations, or no count", c.id));
            }
        }
        for (facet, values) in &c.breakdowns {
            if !BREAKDOWN_FACETS.contains(&facet.as_str()) || values.len() > MAX_BREAKDOWN_VALUES {
                return bad(format!(
                    "cluster {}: a breakdown is one of {} with at most {MAX_BREAKDOWN_VALUES} values, and {facet:?} with {} values is not",
                    c.id,
                    BREAKDOWN_FACETS.join(", "),
                    values.len()
                ));
            }
        }
    }
    Ok(())
}

/// The stricter of the publisher's minimums and the proxy's.
fn strictest(s: &Submission, own: &PrivacyParams) -> PrivacyParams {
    PrivacyParams {
        min_accounts: own.min_accounts.max(s.min_accounts),
        min_conversations: own.min_conversations.max(s.min_conversations),
        min_audit_score: own.min_audit_score,
    }
}

/// The lower of the configured analyst's score and the offline rules'
/// (which never miss an email or a card number an LLM might overlook).
async fn audit(analyst: &impl Analyst, text: &str) -> (u8, String) {
    let rules = kleio_core::offline::audit::audit(text);
    match analyst.audit(&AuditRequest { content: text.to_string() }).await {
        Ok(v) if v.score < rules.score => (v.score, v.reason),
        Ok(_) => (rules.score, rules.reason),
        // An auditor that cannot answer passes nothing.
        Err(e) => (1, format!("the audit could not be run: {e}")),
    }
}

/// Whether `value` belongs to the closed vocabulary of the breakdown `facet`:
/// language codes, concern levels, turn counts, months.
fn allowed_value(facet: &str, value: &str) -> bool {
    match facet {
        facet_id::LANGUAGE => (2..=3).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_lowercase()),
        facet_id::CONCERN => matches!(value, "1" | "2" | "3" | "4" | "5"),
        facet_id::TURNS => (1..=6).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit() || b == b'+' || b == b'-'),
        facet_id::MONTH => month_bucket(value).as_deref() == Some(value),
        _ => false,
    }
}

type Breakdowns = BTreeMap<String, BTreeMap<String, usize>>;

/// Pools into "other" the breakdown values seen in fewer conversations or
/// held by fewer accounts than the minimums, and values outside their
/// breakdown's vocabulary.
fn pool_breakdowns(c: &SubmittedCluster, privacy: &PrivacyParams) -> Breakdowns {
    let holders = |facet: &str, value: &str| c.breakdown_accounts.get(facet).and_then(|v| v.get(value)).copied().unwrap_or(0);
    c.breakdowns
        .iter()
        .map(|(facet, values)| {
            let mut out: BTreeMap<String, usize> = BTreeMap::new();
            for (value, &n) in values {
                let common = n >= privacy.min_conversations && holders(facet, value) >= privacy.min_accounts;
                let key = if common && allowed_value(facet, value) { value.clone() } else { OTHER.to_string() };
                *out.entry(key).or_default() += n;
            }
            (facet.clone(), out)
        })
        .collect()
}

/// Runs every gate: shape, the minimums at every level, the audit of every
/// name and summary, and the rule that a hidden cluster hides all beneath it.
pub async fn gate(s: &Submission, own: &PrivacyParams, analyst: &impl Analyst) -> Result<Gated, GateError> {
    validate(s)?;
    let privacy = strictest(s, own);
    let (title_score, title_reason) = audit(analyst, &s.title).await;
    if title_score < privacy.min_audit_score {
        return Err(GateError::Title(format!("the privacy audit scored it {title_score}: {title_reason}")));
    }
    let audits = futures::future::join_all(s.clusters.iter().map(|c| async move { audit(analyst, &cluster_text(&c.name, &c.summary)).await })).await;
    // Distinct salted hashes: the only account information the proxy ever
    // sees. Hex digits in either case are the same hash, so count them once.
    let accounts: Vec<usize> = s.clusters.iter().map(|c| c.account_hashes.iter().map(|h| h.to_ascii_lowercase()).collect::<BTreeSet<_>>().len()).collect();
    let mut reasons: Vec<Vec<HiddenReason>> =
        s.clusters.iter().zip(&accounts).zip(audits).map(|((c, &n), (score, reason))| privacy::check(n, c.size, score, &reason, &privacy)).collect();
    let position: HashMap<&str, usize> = s.clusters.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    let parents: Vec<Option<usize>> = s.clusters.iter().map(|c| c.parent.as_deref().and_then(|p| position.get(p).copied())).collect();
    let shareable = privacy::hide_beneath_hidden(&parents, &mut reasons);
    let kept: Vec<(&SubmittedCluster, usize)> = s.clusters.iter().zip(&accounts).zip(&shareable).filter(|(_, &ok)| ok).map(|((c, &n), _)| (c, n)).collect();
    // The published ids are the proxy's own (c1, c2, … in submission order):
    // an id the publisher chose could spell anything.
    let published_id: HashMap<&str, String> = kept.iter().enumerate().map(|(i, (c, _))| (c.id.as_str(), format!("c{}", i + 1))).collect();
    let id_of = |submitted: &str| published_id.get(submitted).cloned();
    let clusters = kept
        .iter()
        .map(|&(c, accounts)| PublishedCluster {
            id: published_id[c.id.as_str()].clone(),
            level: c.level,
            parent: c.parent.as_deref().and_then(id_of),
            children: kept.iter().filter(|(k, _)| k.parent.as_deref() == Some(&c.id)).filter_map(|(k, _)| id_of(&k.id)).collect(),
            name: c.name.clone(),
            summary: c.summary.clone(),
            size: c.size,
            accounts,
            position: c.position,
            breakdowns: pool_breakdowns(c, &privacy),
        })
        .collect();
    let removed: Vec<Removed> =
        s.clusters.iter().zip(reasons).zip(&shareable).filter(|(_, &ok)| !ok).map(|((c, reasons), _)| Removed { id: c.id.clone(), reasons }).collect();
    let report = PrivacyReport {
        proxy_minimums: own.clone(),
        publisher_min_accounts: s.min_accounts,
        publisher_min_conversations: s.min_conversations,
        levels: level_reports(s, &shareable, &removed),
        analyst: s.analyst,
        analyst_versions: s.analyst_versions.clone(),
        embedder: s.embedder,
        auditor: analyst.describe(),
        audit_prompt_version: None,
    };
    Ok(Gated { title: s.title.clone(), facet: s.facet.clone(), privacy, clusters, removed, report })
}

/// Each level's numbers, top first: the analysis's (the owner's count, or
/// the submission's own where it sent none), what each gate withheld, and
/// what was published.
fn level_reports(s: &Submission, shareable: &[bool], removed: &[Removed]) -> Vec<LevelReport> {
    let mut levels: BTreeMap<usize, LevelReport> = BTreeMap::new();
    let reasons: HashMap<&str, &[HiddenReason]> = removed.iter().map(|r| (r.id.as_str(), r.reasons.as_slice())).collect();
    for (c, &ok) in s.clusters.iter().zip(shareable) {
        let level = levels.entry(c.level).or_insert(LevelReport { level: c.level, ..LevelReport::default() });
        level.clusters += 1;
        level.conversations += c.size;
        if ok {
            level.published_clusters += 1;
            level.published_conversations += c.size;
        } else {
            level.withheld_by_proxy.add(c.size, reasons.get(c.id.as_str()).copied().unwrap_or_default());
        }
    }
    for totals in &s.levels {
        let level = levels.entry(totals.level).or_insert(LevelReport { level: totals.level, ..LevelReport::default() });
        level.withheld_by_owner = totals.withheld;
        // The owner's totals cover the clusters its gate kept back too.
        level.clusters = level.clusters.max(totals.clusters);
        level.conversations = level.conversations.max(totals.conversations);
    }
    levels.into_values().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kleio_core::offline::OfflineAnalyst;
    use kleio_core::publish::{AnalystKind, EmbedderKind, LevelTotals, Withheld};

    fn hashes(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{i:064x}")).collect()
    }

    fn cluster(id: &str, level: usize, parent: Option<&str>, name: &str, size: usize, accounts: usize) -> SubmittedCluster {
        SubmittedCluster {
            id: id.into(),
            level,
            parent: parent.map(Into::into),
            name: name.into(),
            summary: "People asked for help with everyday programming tasks.".into(),
            size,
            account_hashes: hashes(accounts),
            position: [0.0, 0.0],
            breakdowns: BTreeMap::new(),
            breakdown_accounts: BTreeMap::new(),
        }
    }

    fn submission(clusters: Vec<SubmittedCluster>) -> Submission {
        Submission {
            title: "Programming help".into(),
            facet: "request".into(),
            min_accounts: 0,
            min_conversations: 0,
            clusters,
            analyst: AnalystKind::Offline,
            analyst_versions: AnalystVersions::default(),
            embedder: EmbedderKind::MiniLm,
            levels: Vec::new(),
        }
    }

    /// Two clusters that pass, and one withheld for each of the gate's reasons.
    fn one_of_each_reason() -> Submission {
        submission(vec![
            cluster("top", 1, None, "Write and debug code", 100, 50),
            cluster("ok", 0, Some("top"), "Debug Python scripts", 40, 20),
            cluster("few-accounts", 0, Some("top"), "Format dates in Java", 30, 4),
            cluster("few-conversations", 0, Some("top"), "Parse CSV files", 9, 9),
            cluster("email", 0, Some("top"), "Contact jane.doe@example.com about code", 21, 21),
            cluster("top2", 1, None, "Plan trips for Maria Gonzalez", 50, 50),
            cluster("child2", 0, Some("top2"), "Book cheap flights", 50, 50),
        ])
    }

    #[tokio::test]
    async fn clusters_under_a_minimum_or_with_private_details_are_removed_with_their_children() {
        let s = one_of_each_reason();
        let g = gate(&s, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await.unwrap();
        let kept: Vec<&str> = g.clusters.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(kept, ["Write and debug code", "Debug Python scripts"]);
        assert_eq!((g.clusters[0].id.as_str(), g.clusters[1].id.as_str()), ("c1", "c2"), "the proxy's own ids");
        assert_eq!(g.clusters[0].children, ["c2"]);
        assert_eq!(g.clusters[1].parent.as_deref(), Some("c1"));
        let why = |id: &str| g.removed.iter().find(|r| r.id == id).unwrap().reasons.clone();
        assert!(matches!(why("few-accounts")[0], HiddenReason::TooFewAccounts { accounts: 4, minimum: 5 }));
        assert!(matches!(why("few-conversations")[0], HiddenReason::TooFewConversations { conversations: 9, .. }));
        assert!(matches!(why("email")[0], HiddenReason::AuditFailed { score: 1, .. }));
        assert!(matches!(why("top2")[0], HiddenReason::AuditFailed { .. }));
        assert_eq!(why("child2"), vec![HiddenReason::ParentHidden]);
        let json = serde_json::to_string(&g.clusters).unwrap();
        assert!(!json.contains("jane.doe") && !json.contains(&hashes(1)[0]));
    }

    #[tokio::test]
    async fn the_report_counts_what_each_gate_withheld_at_each_level_and_names_none_of_it() {
        let mut s = one_of_each_reason();
        // The owner's browser kept back one more base cluster of 3 conversations.
        let owner = Withheld { clusters: 1, conversations: 3, too_few_accounts: 1, too_few_conversations: 1, ..Withheld::default() };
        s.levels = vec![
            LevelTotals { level: 1, clusters: 2, conversations: 150, withheld: Withheld::default() },
            LevelTotals { level: 0, clusters: 7, conversations: 153, withheld: owner },
        ];
        s.min_accounts = 3;
        let g = gate(&s, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await.unwrap();
        let r = &g.report;
        assert_eq!((r.proxy_minimums.min_accounts, r.publisher_min_accounts, g.privacy.min_accounts), (5, 3, 5), "the proxy's minimum won");
        assert_eq!((r.analyst, r.embedder), (AnalystKind::Offline, EmbedderKind::MiniLm));
        assert!(r.auditor.starts_with("offline"), "{}", r.auditor);
        assert_eq!(r.levels.iter().map(|l| l.level).collect::<Vec<_>>(), [1, 0], "top level first");
        let top = &r.levels[0];
        assert_eq!((top.clusters, top.published_clusters, top.published_conversations), (2, 1, 100));
        assert_eq!(top.withheld_by_proxy, Withheld { clusters: 1, conversations: 50, audit_failed: 1, ..Withheld::default() });
        let base = &r.levels[1];
        assert_eq!((base.clusters, base.conversations, base.published_clusters, base.published_conversations), (7, 153, 1, 40));
        assert_eq!(base.withheld_by_owner, owner);
        assert_eq!(
            base.withheld_by_proxy,
            Withheld { clusters: 4, conversations: 110, too_few_accounts: 1, too_few_conversations: 1, audit_failed: 1, parent_hidden: 1 }
        );
        let json = serde_json::to_string(r).unwrap();
        for withheld in ["jane.doe", "Maria", "Format dates", "Parse CSV", "Book cheap", "few-accounts", "child2"] {
            assert!(!json.contains(withheld), "{withheld} in {json}");
        }
    }

    #[tokio::test]
    async fn the_analysts_models_and_prompt_versions_reach_the_report_as_identifiers_only() {
        let mut s = submission(vec![cluster("a", 0, None, "Debug Python scripts", 40, 20)]);
        s.analyst = AnalystKind::Llm;
        s.analyst_versions = AnalystVersions {
            models: vec!["claude-haiku-4-5".into(), "gpt-4.1@2025-04".into()],
            prompt_versions: BTreeMap::from([("name_cluster".into(), 3)]),
        };
        let g = gate(&s, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await.unwrap();
        assert_eq!(g.report.analyst_versions, s.analyst_versions);
        for models in [vec!["Chats of john@example.org".to_string()], vec!["m".repeat(81)], vec![String::new()], vec!["m".into(); 5]] {
            let mut bad = s.clone();
            bad.analyst_versions.models = models;
            assert!(matches!(gate(&bad, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await, Err(GateError::Invalid(_))));
        }
        let mut bad = s.clone();
        bad.analyst_versions.prompt_versions.insert("jane.doe@example.com".into(), 1);
        let Err(GateError::Invalid(why)) = gate(&bad, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await else { panic!("an unknown task was taken") };
        assert!(why.contains("does not have"), "{why}");
    }

    #[tokio::test]
    async fn totals_that_cannot_be_are_refused() {
        let mut s = submission(vec![cluster("a", 0, None, "Debug Python scripts", 40, 20)]);
        s.levels = vec![LevelTotals { level: 0, clusters: 1, conversations: 40, withheld: Withheld { clusters: 2, ..Withheld::default() } }];
        assert!(matches!(gate(&s, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await, Err(GateError::Invalid(_))));
        s.levels = vec![LevelTotals { level: 0, clusters: 1, conversations: 40, withheld: Withheld::default() }; 2];
        assert!(matches!(gate(&s, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await, Err(GateError::Invalid(_))));
    }

    #[tokio::test]
    async fn the_stricter_minimum_wins_and_malformed_submissions_are_refused() {
        let mut s = submission(vec![cluster("a", 0, None, "Debug Python scripts", 40, 20)]);
        s.min_accounts = 25;
        let g = gate(&s, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await.unwrap();
        assert!(g.clusters.is_empty() && g.privacy.min_accounts == 25);

        let mut raw = submission(vec![cluster("a", 0, None, "Debug", 40, 20)]);
        raw.clusters[0].account_hashes[0] = "alice@example.com".into();
        assert!(matches!(gate(&raw, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await, Err(GateError::Invalid(_))));
        let orphan = submission(vec![cluster("a", 0, Some("missing"), "Debug", 40, 20)]);
        assert!(matches!(gate(&orphan, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await, Err(GateError::Invalid(_))));
        let mut title = submission(vec![cluster("a", 0, None, "Debug", 40, 20)]);
        title.title = "Chats of john@example.org".into();
        assert!(matches!(gate(&title, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await, Err(GateError::Title(_))));
    }

    #[tokio::test]
    async fn one_hash_in_two_cases_is_one_account() {
        let mut s = submission(vec![cluster("a", 0, None, "Debug Python scripts", 40, 4)]);
        // Four hashes with letters in them, each also written in upper case:
        // four accounts, under the minimum of five, not eight.
        let lower: Vec<String> = hashes(4).iter().map(|h| h.replace('0', "a")).collect();
        s.clusters[0].account_hashes = lower.iter().cloned().chain(lower.iter().map(|h| h.to_uppercase())).collect();
        let g = gate(&s, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await.unwrap();
        assert!(g.clusters.is_empty(), "four accounts written in two cases are not eight");
        assert!(matches!(g.removed[0].reasons[0], HiddenReason::TooFewAccounts { accounts: 4, .. }), "{:?}", g.removed);
    }

    #[tokio::test]
    async fn a_child_cannot_be_detached_from_its_parent_or_put_out_of_order() {
        let detached =
            submission(vec![cluster("top", 1, None, "Plan trips for Maria Gonzalez", 50, 50), cluster("child", 0, None, "Book cheap flights", 50, 50)]);
        assert!(matches!(gate(&detached, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await, Err(GateError::Invalid(_))));
        let mut overflow = submission(vec![cluster("top", 1, None, "Write code", 50, 50), cluster("child", usize::MAX, Some("top"), "Debug code", 50, 50)]);
        assert!(matches!(gate(&overflow, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await, Err(GateError::Invalid(_))));
        overflow.clusters[1].level = 0;
        assert!(gate(&overflow, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await.is_ok());
        let gap = submission(vec![cluster("top", 2, None, "Write code", 50, 50), cluster("child", 0, None, "Debug code", 50, 50)]);
        assert!(matches!(gate(&gap, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await, Err(GateError::Invalid(_))));
    }

    #[test]
    fn conversation_text_has_no_place_in_the_schema() {
        let with_text = r#"{"title":"t","facet":"request","clusters":[],"conversations":[{"text":"hello"}]}"#;
        assert!(serde_json::from_str::<Submission>(with_text).unwrap_err().to_string().contains("unknown field"));
        let with_examples = r#"{"title":"t","facet":"request","clusters":[{"id":"a","level":0,"parent":null,"name":"n","summary":"s","size":1,"account_hashes":[],"position":[0,0],"examples":["hi"]}]}"#;
        assert!(serde_json::from_str::<Submission>(with_examples).is_err());
    }

    #[test]
    fn rare_values_values_of_few_accounts_and_values_outside_the_vocabulary_are_pooled() {
        let counts = |pairs: &[(&str, usize)]| pairs.iter().map(|(v, n)| (v.to_string(), *n)).collect::<BTreeMap<_, _>>();
        let mut c = cluster("a", 0, None, "Debug Python scripts", 200, 100);
        c.breakdowns = BTreeMap::from([
            ("language".to_string(), counts(&[("en", 30), ("is", 2), ("fo", 1), ("Jane Doe", 40), ("de", 60)])),
            ("concern".to_string(), counts(&[("1", 20), ("555-0100", 20)])),
            ("month".to_string(), counts(&[("2024-03", 12), ("2024-13", 12)])),
        ]);
        c.breakdown_accounts = BTreeMap::from([
            // Sixty German conversations, but from two people: too few to show.
            ("language".to_string(), counts(&[("en", 25), ("is", 2), ("fo", 1), ("Jane Doe", 30), ("de", 2)])),
            ("concern".to_string(), counts(&[("1", 20), ("555-0100", 20)])),
            ("month".to_string(), counts(&[("2024-03", 10), ("2024-13", 10)])),
        ]);
        let pooled = pool_breakdowns(&c, &PrivacyParams::default());
        assert_eq!(pooled["language"], counts(&[("en", 30), (OTHER, 103)]));
        assert_eq!(pooled["concern"], counts(&[("1", 20), (OTHER, 20)]));
        assert_eq!(pooled["month"], counts(&[("2024-03", 12), (OTHER, 12)]));
    }

    #[tokio::test]
    async fn more_accounts_than_conversations_for_a_value_is_refused() {
        let mut s = submission(vec![cluster("a", 0, None, "Debug Python scripts", 40, 20)]);
        s.clusters[0].breakdowns.insert("language".into(), BTreeMap::from([("en".to_string(), 10)]));
        s.clusters[0].breakdown_accounts.insert("language".into(), BTreeMap::from([("en".to_string(), 11)]));
        assert!(matches!(gate(&s, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await, Err(GateError::Invalid(_))));
    }

    #[tokio::test]
    async fn only_known_facets_and_breakdowns_are_published() {
        let mut free_facet = submission(vec![cluster("a", 0, None, "Debug Python scripts", 40, 20)]);
        free_facet.facet = "Jane Doe's chats".into();
        assert!(matches!(gate(&free_facet, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await, Err(GateError::Invalid(_))));
        let mut free_key = submission(vec![cluster("a", 0, None, "Debug Python scripts", 40, 20)]);
        free_key.clusters[0].breakdowns.insert("jane.doe@example.com".into(), BTreeMap::from([("x".to_string(), 40)]));
        assert!(matches!(gate(&free_key, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await, Err(GateError::Invalid(_))));
        let mut many = submission(vec![cluster("a", 0, None, "Debug Python scripts", 40, 20)]);
        many.clusters[0].breakdowns.insert("language".into(), (0..100).map(|i| (format!("l{i}"), 1)).collect());
        assert!(matches!(gate(&many, &PrivacyParams::default(), &OfflineAnalyst::new(0)).await, Err(GateError::Invalid(_))));
    }
}
