//! What leaves the owner's machine when a dashboard is published: the
//! schema the proxy's gate accepts, and how it is built from an analysis.
//!
//! The schema has no place for conversation text, conversation ids or
//! account ids (unknown fields are refused). Accounts travel only as salted
//! SHA-256 hashes so the proxy can count distinct accounts without learning
//! who they are; the salt never leaves the browser.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::analysis::Analysis;
use crate::analyst::{AnalystVersions, FacetAnswer};
use crate::api::facet_id;
use crate::cluster_index::ClusterIndex;
use crate::privacy::{account_key, HiddenReason, PrivacyParams};

/// What a browser sends to publish.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    pub title: String,
    /// The facet the map was clustered on (`request`, `task`, …).
    pub facet: String,
    /// The minimums the publisher used; the proxy applies the stricter of these and its own.
    #[serde(default)]
    pub min_accounts: usize,
    #[serde(default)]
    pub min_conversations: usize,
    pub clusters: Vec<SubmittedCluster>,
    /// How the analysis was made, for the privacy report.
    #[serde(default)]
    pub analyst: AnalystKind,
    #[serde(default)]
    pub embedder: EmbedderKind,
    /// The models and prompt versions the analyst named the clusters with,
    /// as the owner's browser recorded them from the proxy it ran through.
    #[serde(default)]
    pub analyst_versions: AnalystVersions,
    /// Every level of the analysis in numbers, with what the owner's own
    /// gate withheld (those clusters are not in `clusters`), for the report.
    #[serde(default)]
    pub levels: Vec<LevelTotals>,
}

/// Who named the clusters, in a closed vocabulary: nothing free-form rides
/// along with the aggregates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalystKind {
    #[default]
    Unknown,
    /// The offline analyst, in the owner's browser or the CLI.
    Offline,
    /// An LLM through a proxy.
    Llm,
}

/// The sentence-embedding model of the analysis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmbedderKind {
    #[default]
    Unknown,
    #[serde(rename = "all-MiniLM-L6-v2")]
    MiniLm,
    #[serde(rename = "all-mpnet-base-v2")]
    MpNet,
}

/// One level of an analysis in numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelTotals {
    pub level: usize,
    pub clusters: usize,
    /// Conversations in the level's clusters.
    pub conversations: usize,
    /// What the owner's gate withheld at this level.
    pub withheld: Withheld,
}

/// Clusters withheld, their conversations, and the clusters failing each
/// gate (a cluster can fail several, so the reasons may add up to more).
/// Counts only: nothing here says which cluster.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Withheld {
    pub clusters: usize,
    pub conversations: usize,
    pub too_few_accounts: usize,
    pub too_few_conversations: usize,
    pub audit_failed: usize,
    pub parent_hidden: usize,
}

impl Withheld {
    /// Counts a withheld cluster of `size` conversations hidden for `reasons`.
    pub fn add(&mut self, size: usize, reasons: &[HiddenReason]) {
        self.clusters += 1;
        self.conversations += size;
        for r in reasons {
            match r {
                HiddenReason::TooFewAccounts { .. } => self.too_few_accounts += 1,
                HiddenReason::TooFewConversations { .. } => self.too_few_conversations += 1,
                HiddenReason::AuditFailed { .. } => self.audit_failed += 1,
                HiddenReason::ParentHidden => self.parent_hidden += 1,
            }
        }
    }
}

/// On every dashboard: the minimums the gate applied and whose they were,
/// what was withheld at each level and why, and how the analysis was made.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct PrivacyReport {
    /// The proxy's own minimums; `Dashboard::privacy` is the stricter of
    /// these and the publisher's, one by one.
    pub proxy_minimums: PrivacyParams,
    pub publisher_min_accounts: usize,
    pub publisher_min_conversations: usize,
    /// Top level first.
    pub levels: Vec<LevelReport>,
    pub analyst: AnalystKind,
    /// As the publisher's browser recorded them (see `Submission`).
    #[serde(default)]
    pub analyst_versions: AnalystVersions,
    pub embedder: EmbedderKind,
    /// The proxy's analyst that audited every name and summary at
    /// publication, in the proxy's words, and its audit prompt's version.
    pub auditor: String,
    pub audit_prompt_version: Option<u32>,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct LevelReport {
    pub level: usize,
    /// The analysis's clusters and conversations at this level (as the
    /// owner's browser counted them; the proxy's own count where it sent none).
    pub clusters: usize,
    pub conversations: usize,
    pub published_clusters: usize,
    pub published_conversations: usize,
    pub withheld_by_owner: Withheld,
    pub withheld_by_proxy: Withheld,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SubmittedCluster {
    pub id: String,
    pub level: usize,
    pub parent: Option<String>,
    pub name: String,
    pub summary: String,
    /// Conversations in (or under) the cluster.
    pub size: usize,
    /// One salted SHA-256 (64 hex digits) per distinct account in the cluster.
    pub account_hashes: Vec<String>,
    pub position: [f32; 2],
    /// Counts of categorical facet values (language, concern, …) in the cluster.
    #[serde(default)]
    pub breakdowns: BTreeMap<String, BTreeMap<String, usize>>,
    /// Distinct accounts behind each of those values, so that a value held
    /// by too few people is pooled like a rare one. A value missing here
    /// counts as held by no account.
    #[serde(default)]
    pub breakdown_accounts: BTreeMap<String, BTreeMap<String, usize>>,
}

/// What is stored and shown: aggregates that passed every gate.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Dashboard {
    pub id: String,
    pub title: String,
    pub facet: String,
    pub created_at: i64,
    pub privacy: PrivacyParams,
    pub clusters: Vec<PublishedCluster>,
    /// Absent from dashboards published before the report existed.
    #[serde(default)]
    pub report: PrivacyReport,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct PublishedCluster {
    pub id: String,
    pub level: usize,
    pub parent: Option<String>,
    pub children: Vec<String>,
    pub name: String,
    pub summary: String,
    pub size: usize,
    pub accounts: usize,
    pub position: [f32; 2],
    pub breakdowns: BTreeMap<String, BTreeMap<String, usize>>,
}

/// Facet answers that become breakdowns when they are categories or scales.
const BREAKDOWN_FACETS: [&str; 1] = [facet_id::CONCERN];

/// Turns as a dashboard shows them: one to five exactly, and "6+" for
/// longer conversations, so that a rare long one is no value of its own.
pub fn turns_bucket(turns: usize) -> String {
    if turns > 5 {
        "6+".to_string()
    } else {
        turns.to_string()
    }
}

/// Builds the submission for the clusters that passed the owner's gates.
/// `accounts` maps conversation ids to account ids (conversations missing
/// from it count as their own account); `salt` should be fresh random bytes
/// per publication.
pub fn submission(analysis: &Analysis, title: &str, accounts: &HashMap<String, String>, salt: &[u8]) -> Submission {
    let hash = |account: &str| {
        let mut h = Sha256::new();
        h.update(salt);
        h.update(account.as_bytes());
        format!("{:x}", h.finalize())
    };
    let shareable: BTreeSet<&str> = analysis.clusters.iter().filter(|c| c.shareable).map(|c| c.id.as_str()).collect();
    let index = ClusterIndex::new(analysis);
    let clusters = analysis
        .clusters
        .iter()
        .filter(|c| shareable.contains(c.id.as_str()))
        .map(|c| {
            let who = index.get(&c.id).map(|i| index.members(i)).unwrap_or(&[]);
            let account_hashes: BTreeSet<String> = who
                .iter()
                .map(|&i| {
                    let conv = &analysis.conversations[i];
                    hash(&account_key(accounts.get(&conv.id).map(String::as_str), &conv.id))
                })
                .collect();
            let mut breakdowns: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
            let mut holders: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
            for &i in who {
                let conv = &analysis.conversations[i];
                let account = account_key(accounts.get(&conv.id).map(String::as_str), &conv.id);
                let language = conv.facets.language.as_ref().map(|lang| (facet_id::LANGUAGE, lang.clone()));
                let month = conv.facets.month.as_ref().map(|m| (facet_id::MONTH, m.clone()));
                let turns = Some((facet_id::TURNS, turns_bucket(conv.facets.turns)));
                let scales = BREAKDOWN_FACETS.iter().filter_map(|&facet| match conv.answers.get(facet) {
                    Some(FacetAnswer::Scale(v)) => Some((facet, v.to_string())),
                    _ => None,
                });
                for (facet, value) in language.into_iter().chain(month).chain(turns).chain(scales) {
                    *breakdowns.entry(facet.into()).or_default().entry(value.clone()).or_default() += 1;
                    holders.entry(facet.into()).or_default().entry(value).or_default().insert(account.clone());
                }
            }
            let breakdown_accounts =
                holders.into_iter().map(|(facet, values)| (facet, values.into_iter().map(|(value, who)| (value, who.len())).collect())).collect();
            SubmittedCluster {
                id: c.id.clone(),
                level: c.level,
                parent: c.parent.clone().filter(|p| shareable.contains(p.as_str())),
                name: c.name.clone(),
                summary: c.summary.clone(),
                size: c.size,
                account_hashes: account_hashes.into_iter().collect(),
                position: c.position,
                breakdowns,
                breakdown_accounts,
            }
        })
        .collect();
    Submission {
        title: title.to_string(),
        facet: analysis.params.cluster_facet().map(|f| f.id.clone()).unwrap_or_default(),
        min_accounts: analysis.params.privacy.min_accounts,
        min_conversations: analysis.params.privacy.min_conversations,
        clusters,
        analyst: analyst_kind(&analysis.analyst),
        analyst_versions: analysis.analyst_versions.clone(),
        embedder: embedder_kind(&analysis.embedder),
        levels: level_totals(analysis),
    }
}

/// The analysis's analyst in the report's vocabulary, from its description.
fn analyst_kind(description: &str) -> AnalystKind {
    if description.starts_with("offline") {
        AnalystKind::Offline
    } else if description.is_empty() {
        AnalystKind::Unknown
    } else {
        AnalystKind::Llm
    }
}

fn embedder_kind(description: &str) -> EmbedderKind {
    if description.contains("MiniLM-L6") {
        EmbedderKind::MiniLm
    } else if description.contains("mpnet-base") {
        EmbedderKind::MpNet
    } else {
        EmbedderKind::Unknown
    }
}

/// Each level's clusters and conversations, and what the owner's gate withheld there.
fn level_totals(analysis: &Analysis) -> Vec<LevelTotals> {
    let mut levels: BTreeMap<usize, LevelTotals> = BTreeMap::new();
    for c in &analysis.clusters {
        let level = levels.entry(c.level).or_insert(LevelTotals { level: c.level, ..LevelTotals::default() });
        level.clusters += 1;
        level.conversations += c.size;
        if !c.shareable {
            level.withheld.add(c.size, &c.hidden_reasons);
        }
    }
    levels.into_values().rev().collect()
}

/// What a dashboard of an analysis would hold at one minimum of accounts,
/// the analysis's other minimums and audit unchanged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KeptAt {
    pub min_accounts: usize,
    /// Clusters that pass, with every cluster above them.
    pub clusters: usize,
    /// Conversations in the base clusters that pass, and their share of all.
    pub conversations: usize,
    pub share: f64,
}

/// What each of `minimums` would keep, for a publisher choosing one. The
/// proxy applies the stricter of its minimums and the publisher's, so what
/// it publishes is never more.
pub fn kept_at(analysis: &Analysis, minimums: &[usize]) -> Vec<KeptAt> {
    let at: HashMap<&str, usize> = analysis.clusters.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    let parents: Vec<Option<usize>> = analysis.clusters.iter().map(|c| c.parent.as_deref().and_then(|p| at.get(p).copied())).collect();
    let base = analysis.clusters.iter().map(|c| c.level).min().unwrap_or(0);
    let total: usize = analysis.clusters.iter().filter(|c| c.level == base).map(|c| c.size).sum();
    minimums
        .iter()
        .map(|&min_accounts| {
            let privacy = PrivacyParams { min_accounts, ..analysis.params.privacy.clone() };
            let mut reasons: Vec<Vec<HiddenReason>> =
                analysis.clusters.iter().map(|c| crate::privacy::check(c.accounts, c.size, c.audit_score, &c.audit_reason, &privacy)).collect();
            let shareable = crate::privacy::hide_beneath_hidden(&parents, &mut reasons);
            let kept = analysis.clusters.iter().zip(&shareable).filter(|(_, &ok)| ok);
            let conversations = kept.clone().filter(|(c, _)| c.level == base).map(|(c, _)| c.size).sum();
            KeptAt { min_accounts, clusters: kept.count(), conversations, share: conversations as f64 / total.max(1) as f64 }
        })
        .collect()
}
