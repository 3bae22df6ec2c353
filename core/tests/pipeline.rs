//! The whole pipeline with the offline analyst and the hashing embedder:
//! invariants on real and generated data, and byte-identical reruns.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};

use futures::executor::block_on;
use kleio_core::analysis::Analysis;
use kleio_core::analyst::answer_meaning;
use kleio_core::compute::CpuCompute;
use kleio_core::embedder::{EmbedError, Embedder, HashingEmbedder};
use kleio_core::import::{import, ImportOptions};
use kleio_core::offline::OfflineAnalyst;
use kleio_core::params::RunParams;
use kleio_core::pipeline::run;
use kleio_core::progress::Silent;
use proptest::prelude::*;

fn analyse(text: &str, params: RunParams) -> Analysis {
    // Tests repeat texts on purpose: every row counts.
    let imported = import(text.as_bytes(), &ImportOptions { keep_duplicates: true, ..ImportOptions::default() }).unwrap();
    let analyst = OfflineAnalyst::new(params.seed);
    block_on(run(imported, params, &analyst, &HashingEmbedder { dim: 256 }, &CpuCompute, &mut Silent)).unwrap()
}

/// The invariants every analysis keeps.
fn check_invariants(a: &Analysis) {
    let ids: HashSet<&str> = a.clusters.iter().map(|c| c.id.as_str()).collect();
    let by_id: BTreeMap<&str, &kleio_core::analysis::ClusterResult> = a.clusters.iter().map(|c| (c.id.as_str(), c)).collect();
    // Each clustered conversation is in exactly one base cluster, which exists.
    let mut base_sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &a.conversations {
        let cl = c.cluster.as_deref().expect("every conversation here has a request");
        assert!(cl.starts_with("L0-") && ids.contains(cl));
        *base_sizes.entry(cl).or_default() += 1;
        assert!(c.position.is_some());
    }
    for c in a.clusters.iter().filter(|c| c.level == 0) {
        assert_eq!(base_sizes.get(c.id.as_str()).copied().unwrap_or(0), c.size, "base size of {}", c.id);
        assert!(c.size > 0);
    }
    let top = a.levels - 1;
    for c in &a.clusters {
        // Every cluster below the top has exactly one parent, one level up, that lists it.
        if c.level < top {
            let p = by_id[c.parent.as_deref().expect("a parent below the top")];
            assert_eq!(p.level, c.level + 1);
            assert_eq!(p.children.iter().filter(|k| **k == c.id).count(), 1);
        } else {
            assert!(c.parent.is_none());
        }
        // Sizes add up, and no parent is empty.
        if c.level > 0 {
            assert!(!c.children.is_empty(), "{} is empty", c.id);
            let sum: usize = c.children.iter().map(|k| by_id[k.as_str()].size).sum();
            assert_eq!(sum, c.size, "size of {}", c.id);
        }
        // Shareable means this cluster and all above pass.
        if c.shareable {
            assert!(c.hidden_reasons.is_empty());
            assert!(c.accounts >= a.params.privacy.min_accounts);
            assert!(c.size >= a.params.privacy.min_conversations);
            assert!(c.audit_score >= a.params.privacy.min_audit_score);
            if let Some(p) = &c.parent {
                assert!(by_id[p.as_str()].shareable);
            }
        }
    }
    let total: usize = a.clusters.iter().filter(|c| c.level == top).map(|c| c.size).sum();
    assert_eq!(total, a.conversations.len());
    // Hidden clusters never reach the published form.
    let published = kleio_core::publish::submission(a, "invariants", &Default::default(), b"salt");
    let hidden: HashSet<&str> = a.clusters.iter().filter(|c| !c.shareable).map(|c| c.id.as_str()).collect();
    assert!(published.clusters.iter().all(|p| !hidden.contains(p.id.as_str())));
    let json = serde_json::to_string(&published).unwrap();
    for c in a.clusters.iter().filter(|c| !c.shareable) {
        assert!(!json.contains(&format!("\"{}\"", c.id)));
    }
    for conv in &a.conversations {
        assert!(!json.contains(&format!("\"{}\"", conv.id)), "a conversation id leaked into the published form");
    }
}

fn hwu64_slice(rows: usize) -> String {
    let path =
        std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("../../shared/data/hwu64/normalized/all-00000.jsonl");
    std::fs::read_to_string(path).unwrap().lines().take(rows).collect::<Vec<_>>().join("\n")
}

#[test]
fn hwu64_slice_end_to_end_and_byte_identical_reruns() {
    let text = hwu64_slice(800);
    let params = RunParams { seed: 11, ..Default::default() };
    let a = analyse(&text, params.clone());
    check_invariants(&a);
    assert!(a.levels >= 2, "levels {}", a.levels);
    assert!(a.clusters.iter().any(|c| c.shareable), "nothing passed the gates");
    let b = analyse(&text, params);
    assert_eq!(serde_json::to_vec(&a).unwrap(), serde_json::to_vec(&b).unwrap());
    let c = analyse(&text, RunParams { seed: 12, ..Default::default() });
    assert_ne!(serde_json::to_vec(&a).unwrap(), serde_json::to_vec(&c).unwrap());
}

#[test]
fn names_carry_no_planted_private_details() {
    // Every request mentions a private detail; none may reach a name or summary.
    let mut rows = Vec::new();
    let topics = ["reset my password", "book a flight", "bake sourdough bread", "fix a python bug"];
    for i in 0..120 {
        let t = topics[i % 4];
        let text = format!("Hi, I am Zorbulon Quaxley, email zq{i}@mailhost.example, phone +1 415 555 {:04}. Please help me {t} today.", 1000 + i);
        rows.push(
            serde_json::json!({"id": format!("r{i}"), "account_id": format!("u{}", i % 40), "messages": [{"role": "user", "content": text}]}).to_string(),
        );
    }
    let a = analyse(&rows.join("\n"), RunParams { seed: 3, ..Default::default() });
    check_invariants(&a);
    for c in &a.clusters {
        let s = format!("{} {}", c.name, c.summary).to_lowercase();
        for leak in ["zorbulon", "quaxley", "mailhost", "@", "555"] {
            assert!(!s.contains(leak), "{leak} in {s}");
        }
    }
    for conv in &a.conversations {
        let req = conv.answers["request"].as_text();
        assert!(!req.contains("Zorbulon") && !req.contains("mailhost"), "{req}");
    }
}

/// Keeps every text it is asked to embed, and embeds it by hashing.
struct Recording {
    texts: RefCell<Vec<String>>,
    hashing: HashingEmbedder,
}

impl Embedder for Recording {
    fn dim(&self) -> usize {
        self.hashing.dim
    }
    fn describe(&self) -> String {
        self.hashing.describe()
    }
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.texts.borrow_mut().extend(texts.iter().cloned());
        self.hashing.embed(texts).await
    }
}

#[test]
fn what_was_removed_is_shown_but_not_embedded() {
    // Half the requests name someone; the scrubbed answers show "[NAME]", and
    // the model must not read the placeholder as a word they share.
    let topics = ["reset my password", "book a flight", "bake sourdough bread"];
    let rows: Vec<String> = (0..90)
        .map(|i| {
            let who = if i % 2 == 0 { "Tell Zorbwick Quaxley how to " } else { "How do I " };
            serde_json::json!({"id": format!("r{i}"), "messages": [{"role": "user", "content": format!("{who}{}?", topics[i % 3])}]}).to_string()
        })
        .collect();
    let imported = import(rows.join("\n").as_bytes(), &ImportOptions { keep_duplicates: true, ..ImportOptions::default() }).unwrap();
    let params = RunParams { seed: 1, ..Default::default() };
    let analyst = OfflineAnalyst::new(params.seed);
    let embedder = Recording { texts: RefCell::new(Vec::new()), hashing: HashingEmbedder { dim: 64 } };
    let a = block_on(run(imported, params, &analyst, &embedder, &CpuCompute, &mut Silent)).unwrap();
    let shown: Vec<String> = a.conversations.iter().map(|c| c.answers["request"].as_text()).collect();
    assert_eq!(shown.iter().filter(|t| t.contains("[NAME]")).count(), 45, "{shown:?}");
    let embedded = embedder.texts.borrow();
    assert!(embedded.len() >= shown.len());
    assert!(embedded.iter().all(|t| !t.contains("[NAME]")), "{embedded:?}");
    for answer in &shown {
        assert!(embedded.contains(&answer_meaning(answer)), "{answer} was not embedded");
    }
}

#[test]
fn screener_keeps_only_matching_conversations() {
    let rows: Vec<String> = (0..60)
        .map(|i| {
            let text = if i % 2 == 0 { "help me debug my python code please" } else { "write a poem about the sea" };
            serde_json::json!({"id": i.to_string(), "account_id": format!("u{i}"), "messages": [{"role": "user", "content": text}]}).to_string()
        })
        .collect();
    let params = RunParams { screener: Some("Does the conversation involve programming code?".into()), ..Default::default() };
    let a = analyse(&rows.join("\n"), params);
    assert_eq!(a.screened_out, 30);
    assert_eq!(a.conversations.len(), 30);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]
    #[test]
    fn invariants_hold_on_generated_datasets(
        rows in prop::collection::vec((0usize..12, 0usize..30, 1usize..4), 1..160),
        seed in 0u64..1000,
        levels in 1usize..5,
        top in 1usize..8,
        min_accounts in 1usize..6,
    ) {
        const WORDS: [&str; 12] = ["alarm", "weather", "music", "recipe", "flight", "python", "poem", "email", "taxes", "garden", "movie", "football"];
        let lines: Vec<String> = rows.iter().enumerate().map(|(i, (w, acct, reps))| {
            let text = std::iter::repeat_n(WORDS[*w], *reps).collect::<Vec<_>>().join(" ") + " " + WORDS[(w + i) % 12];
            serde_json::json!({"id": format!("c{i}"), "account_id": format!("a{acct}"), "messages": [{"role": "user", "content": text}]}).to_string()
        }).collect();
        let mut params = RunParams { seed, ..Default::default() };
        params.hierarchy.levels = levels;
        params.hierarchy.top = top;
        params.privacy.min_accounts = min_accounts;
        let a = analyse(&lines.join("\n"), params);
        check_invariants(&a);
    }
}

#[test]
fn a_dashboard_submission_holds_aggregates_of_shareable_clusters_only() {
    let text = hwu64_slice(600);
    let a = analyse(&text, RunParams { seed: 3, ..Default::default() });
    let accounts: std::collections::HashMap<String, String> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_string(), v["account_id"].as_str().unwrap().to_string())
        })
        .collect();
    let sub = kleio_core::publish::submission(&a, "HWU64 slice", &accounts, b"salt-1");
    let shareable: Vec<&str> = a.clusters.iter().filter(|c| c.shareable).map(|c| c.id.as_str()).collect();
    assert_eq!(sub.clusters.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), shareable);
    assert!(!sub.clusters.is_empty());
    let json = serde_json::to_string(&sub).unwrap();
    for (id, account) in accounts.iter().take(100) {
        assert!(!json.contains(&format!("\"{id}\"")) && !json.contains(&format!("\"{account}\"")), "{id} or {account} left the machine");
    }
    for c in &sub.clusters {
        let original = a.clusters.iter().find(|x| x.id == c.id).unwrap();
        assert_eq!(c.account_hashes.len(), original.accounts, "{}: one salted hash per distinct account", c.id);
        assert!(c.account_hashes.iter().all(|h| h.len() == 64));
        assert!(c.breakdowns.get("language").map_or(0, |l| l.values().sum::<usize>()) <= c.size);
        // Every conversation has turns, bucketed from one to "6+".
        assert_eq!(c.breakdowns["turns"].values().sum::<usize>(), c.size, "{}", c.id);
        assert!(c.breakdowns["turns"].keys().all(|t| ["1", "2", "3", "4", "5", "6+"].contains(&t.as_str())));
        // Every value has its distinct accounts, no more than its conversations and the cluster's accounts.
        for (facet, values) in &c.breakdowns {
            for (value, &n) in values {
                let holders = c.breakdown_accounts[facet][value];
                assert!(holders >= 1 && holders <= n && holders <= original.accounts, "{}: {facet} = {value}", c.id);
            }
        }
    }
    // The publisher's preview: a stricter minimum keeps less, and the
    // analysis's own minimum keeps exactly the clusters it marked shareable.
    let own = a.params.privacy.min_accounts;
    let kept = kleio_core::publish::kept_at(&a, &[own, 10, 25, 1_000_000]);
    assert_eq!(kept[0].clusters, shareable.len());
    assert!(kept.windows(2).all(|w| w[1].clusters <= w[0].clusters && w[1].conversations <= w[0].conversations), "{kept:?}");
    assert!(kept[0].share > 0.0 && kept[0].share <= 1.0);
    assert_eq!((kept[3].clusters, kept[3].conversations), (0, 0));
    // The submission reports every level in numbers, with what the owner's gate kept back.
    let levels: Vec<usize> = sub.levels.iter().map(|l| l.level).collect();
    assert_eq!(levels, (0..a.levels).rev().collect::<Vec<_>>());
    for l in &sub.levels {
        let at_level = a.clusters.iter().filter(|c| c.level == l.level);
        assert_eq!(l.clusters, at_level.clone().count());
        assert_eq!(l.withheld.clusters, at_level.filter(|c| !c.shareable).count());
    }
    assert_eq!(sub.analyst, kleio_core::publish::AnalystKind::Offline);
    // Another salt, other hashes: the proxy cannot link publications.
    let other = kleio_core::publish::submission(&a, "HWU64 slice", &accounts, b"salt-2");
    assert!(other.clusters[0].account_hashes.iter().all(|h| !sub.clusters[0].account_hashes.contains(h)));
}

#[test]
fn each_clustered_facet_gets_its_own_hierarchy_and_map() {
    use kleio_core::analyst::Facet;
    let text = hwu64_slice(500);
    let params = RunParams {
        seed: 4,
        facets: vec![Facet::request(), Facet::task(), Facet::language()],
        clustered: vec!["request".into(), "language".into()],
        ..Default::default()
    };
    let a = analyse(&text, params);
    assert_eq!(a.hierarchy_facets(), ["request", "language"]);
    assert_eq!(a.clustered_counts(), [("request".to_string(), 500), ("language".to_string(), 500)]);
    check_invariants(&a);
    let by_language = a.viewed_by("language").expect("a language hierarchy");
    check_invariants(&by_language);
    assert_eq!(by_language.params.cluster_facet().map(|f| f.id.as_str()), Some("language"));
    assert_eq!(by_language.hierarchy_facets(), ["language", "request"]);
    // Every answer is "English" here, so the language map is not the request map.
    assert_ne!(by_language.clusters, a.clusters);
    assert!(by_language.clusters.iter().filter(|c| c.level == 0).count() < a.clusters.iter().filter(|c| c.level == 0).count());
    // Viewing the first facet again gives back the analysis the run made.
    assert_eq!(by_language.viewed_by("request").as_ref(), Some(&a));
    assert_eq!(a.viewed_by("request").as_ref(), Some(&a));
    assert!(a.viewed_by("task").is_none(), "task was extracted, not clustered");
    // Only the hierarchy in view is published.
    let published = kleio_core::publish::submission(&by_language, "languages", &Default::default(), b"salt");
    assert_eq!(published.facet, "language");
}

#[test]
fn a_clustered_facet_must_be_an_extracted_open_text_one() {
    use kleio_core::analyst::Facet;
    for (clustered, why) in
        [(vec!["task"], "not among the facets extracted"), (vec!["concern"], "only open-text answers"), (vec!["request", "request"], "clustered twice")]
    {
        let params = RunParams { clustered: clustered.into_iter().map(String::from).collect(), ..Default::default() };
        assert_eq!(params.facets, vec![Facet::request(), Facet::language(), Facet::concern()]);
        let err = params.checked().unwrap_err().to_string();
        assert!(err.contains(why), "{err}");
    }
}
