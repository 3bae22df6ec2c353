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
use crate::analyst::FacetAnswer;
use crate::api::facet_id;
use crate::cluster_index::ClusterIndex;
use crate::privacy::{account_key, PrivacyParams};

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
                let scales = BREAKDOWN_FACETS.iter().filter_map(|&facet| match conv.answers.get(facet) {
                    Some(FacetAnswer::Scale(v)) => Some((facet, v.to_string())),
                    _ => None,
                });
                for (facet, value) in language.into_iter().chain(scales) {
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
    }
}
