//! `kleio eval privacy`: the share of rows whose planted private details
//! survive each stage (paper Figure 5), and the auditor's accuracy (D.1).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{bail, Context};
use kleio_core::analyst::{cluster_text, Analyst, AuditRequest};
use kleio_core::api::{self, Route};
use kleio_core::eval::leaks::{Planted, Searchable};
use kleio_core::model::Conversation;
use kleio_core::publish::{submission, Submission};
use rand::RngCore;

use super::{command_line, table};
use crate::engines::AnyAnalyst;
use crate::run_flags::{analyse, runtime, RunFlags};

/// Presidio's types that point at one person or one account. Others
/// (organisation, country, title, age, date) are quasi-identifiers, reported
/// apart: a country or a well-known company may rightly name a cluster.
const IDENTIFYING: [&str; 11] = [
    "PERSON",
    "ADDRESS",
    "STREET_ADDRESS",
    "CREDIT_CARD",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "DOMAIN_NAME",
    "US_SSN",
    "IBAN_CODE",
    "IP_ADDRESS",
    "US_DRIVER_LICENSE",
];

#[derive(clap::Args)]
pub struct Args {
    /// Rows with `pii_spans` ({type, value}), for example a set built by docs/eval/make_privacy_set.py.
    file: PathBuf,
    /// Folder for report.md and analysis.json.
    #[arg(long)]
    out: PathBuf,
    /// Items the auditor is tested on, at most (each is one audit call).
    #[arg(long, default_value_t = 400)]
    audit_items: usize,
    #[command(flatten)]
    run: RunFlags,
}

#[derive(serde::Deserialize)]
struct Span {
    #[serde(rename = "type")]
    kind: String,
    value: String,
}

#[derive(serde::Deserialize)]
struct Row {
    id: Option<String>,
    #[serde(default)]
    pii_spans: Vec<Span>,
}

/// Planted values by conversation id. Rows without an id are numbered as
/// the importer numbers them (`row-N`).
fn planted_values(file: &PathBuf) -> anyhow::Result<HashMap<String, Vec<Planted>>> {
    let reader = std::io::BufReader::new(std::fs::File::open(file).with_context(|| format!("reading {}", file.display()))?);
    let mut out = HashMap::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        let Ok(row) = serde_json::from_str::<Row>(&line) else { continue };
        let id = row.id.unwrap_or_else(|| format!("row-{}", i + 1));
        out.insert(id, row.pii_spans.iter().filter_map(|s| Planted::new(&s.kind, &s.value)).collect());
    }
    Ok(out)
}

/// Per stage: rows whose identifying values were found, and the same per type.
#[derive(Default)]
struct Stage {
    rows: usize,
    by_kind: BTreeMap<String, usize>,
}

fn count(stage: &mut Stage, values: &[Planted], texts: &[Searchable]) {
    let mut row_hit = false;
    let mut kinds = HashSet::new();
    for v in values {
        if texts.iter().any(|t| v.found_in(t)) {
            kinds.insert(v.kind.clone());
            row_hit |= IDENTIFYING.contains(&v.kind.as_str());
        }
    }
    stage.rows += row_hit as usize;
    for k in kinds {
        *stage.by_kind.entry(k).or_default() += 1;
    }
}

fn conversation_text(c: &Conversation) -> String {
    c.messages.iter().map(|m| m.content.as_str()).collect::<Vec<_>>().join("\n")
}

/// Every string a dashboard holds, keys included: whatever a reader of it
/// could see, so a planted value is looked for in all of it.
fn strings_in(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings_in(v, out)),
        serde_json::Value::Object(fields) => {
            for (key, v) in fields {
                out.push(key.clone());
                strings_in(v, out);
            }
        }
        _ => {}
    }
}

/// The dashboard as it would be stored, through the proxy when one is
/// given, else through the same gate run here: its strings, the clusters
/// it kept and how many the gate removed.
async fn publish(
    analyst: &AnyAnalyst,
    proxy: Option<&str>,
    sub: &Submission,
    analysis: &kleio_core::analysis::Analysis,
) -> anyhow::Result<(Vec<String>, usize, usize)> {
    let board = match proxy {
        Some(url) => {
            let http = reqwest::Client::new();
            let base = url.trim_end_matches('/');
            let mut post = http.post(format!("{base}{}", api::Publish::url())).json(sub);
            if let Ok(t) = std::env::var("KLEIO_ACCESS_TOKEN") {
                post = post.bearer_auth(t);
            }
            let res = post.send().await?;
            if res.status() == reqwest::StatusCode::UNPROCESSABLE_ENTITY {
                return Ok((Vec::new(), 0, sub.clusters.len()));
            }
            let published: api::Published = res.error_for_status()?.json().await?;
            let board: kleio_proxy::Dashboard =
                http.get(format!("{base}{}", api::ReadDashboard::url_for(&published.id))).send().await?.error_for_status()?.json().await?;
            (board, published.removed.len())
        }
        None => {
            let g = kleio_proxy::gate::gate(sub, &analysis.params.privacy, analyst).await?;
            let removed = g.removed.len();
            let board = kleio_proxy::Dashboard {
                id: String::new(),
                title: g.title,
                facet: g.facet,
                created_at: 0,
                privacy: g.privacy,
                clusters: g.clusters,
                report: g.report,
            };
            (board, removed)
        }
    };
    let (board, removed) = board;
    let mut strings = Vec::new();
    strings_in(&serde_json::to_value(&board)?, &mut strings);
    Ok((strings, board.clusters.len(), removed))
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let planted = planted_values(&args.file)?;
    let imported = args.run.import_labelled(&args.file)?;
    let conversations: HashMap<String, Conversation> = imported.conversations.iter().map(|c| (c.id.clone(), c.clone())).collect();
    let with_values: Vec<&String> =
        conversations.keys().filter(|id| planted.get(*id).is_some_and(|v| v.iter().any(|p| IDENTIFYING.contains(&p.kind.as_str())))).collect();
    if with_values.is_empty() {
        bail!("{} has no rows with identifying pii_spans", args.file.display());
    }
    let accounts: HashMap<String, String> = imported.conversations.iter().filter_map(|c| Some((c.id.clone(), c.account.clone()?))).collect();

    let rt = runtime()?;
    let (analysis, published, kept, removed, audit_rows, analyst_name) = rt.block_on(async {
        let (analyst, embedder) = args.run.engines("eval-privacy").await?;
        let analysis = analyse(imported, args.run.params(), &analyst, &embedder, &embedder.compute()).await?;
        let mut salt = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let sub = submission(&analysis, "Privacy evaluation", &accounts, &salt);
        let (published, kept, removed) = publish(&analyst, args.run.proxy.as_deref(), &sub, &analysis).await?;
        // The auditor on raw conversations with and without identifying details.
        let mut ids: Vec<&String> = conversations.keys().collect();
        ids.sort();
        let step = (ids.len() / args.audit_items.max(1)).max(1);
        let mut audit_rows = Vec::new();
        for id in ids.into_iter().step_by(step).take(args.audit_items) {
            let private = with_values.contains(&id);
            let text: String = conversation_text(&conversations[id]).chars().take(2_000).collect();
            let verdict = analyst.audit(&AuditRequest { content: text }).await?;
            audit_rows.push((private, verdict.score < analysis.params.privacy.min_audit_score));
        }
        anyhow::Ok((analysis, published, kept, removed, audit_rows, analyst.describe()))
    })?;

    let answers: HashMap<&str, Vec<Searchable>> =
        analysis.conversations.iter().map(|c| (c.id.as_str(), c.answers.values().map(|a| Searchable::new(&a.as_text())).collect())).collect();
    let cluster_texts: Vec<Searchable> = analysis.clusters.iter().map(|c| Searchable::new(&cluster_text(&c.name, &c.summary))).collect();
    let published_texts: Vec<Searchable> = published.iter().map(|t| Searchable::new(t)).collect();
    let (mut raw, mut facets, mut clusters, mut public) = (Stage::default(), Stage::default(), Stage::default(), Stage::default());
    for id in &with_values {
        let values = &planted[*id];
        count(&mut raw, values, &[Searchable::new(&conversation_text(&conversations[*id]))]);
        count(&mut facets, values, answers.get(id.as_str()).map(Vec::as_slice).unwrap_or(&[]));
        count(&mut clusters, values, &cluster_texts);
        count(&mut public, values, &published_texts);
    }
    let n = with_values.len();
    let pct = |x: usize| format!("{:.1}%", 100.0 * x as f64 / n as f64);

    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    std::fs::write(args.out.join("analysis.json"), serde_json::to_vec(&analysis)?)?;
    let mut report = format!(
        "# Privacy: {}\n\nMade by `{}` with analyst **{}** and embedder **{}**. {} of {} conversations carry identifying planted values ({}).\n\n",
        args.file.display(),
        command_line(),
        analysis.analyst,
        analysis.embedder,
        n,
        conversations.len(),
        IDENTIFYING.join(", ")
    );
    report.push_str("## Where planted values survive (paper Figure 5)\n\nA row counts at a stage when any of its identifying values appears there, exactly or after normalising case, spacing and, for numbers, everything but the digits.\n\n");
    report.push_str(&table(
        &["stage", "rows with a planted value", "share"],
        [
            vec!["raw conversations".into(), raw.rows.to_string(), pct(raw.rows)],
            vec!["facet answers (summaries)".into(), facets.rows.to_string(), pct(facets.rows)],
            vec!["cluster names and summaries, all clusters".into(), clusters.rows.to_string(), pct(clusters.rows)],
            vec![
                format!("published dashboard, every string in it ({kept} clusters kept, {removed} removed by the gate)"),
                public.rows.to_string(),
                pct(public.rows),
            ],
        ],
    ));
    let kinds: Vec<String> = raw.by_kind.keys().cloned().collect();
    report.push_str("\n### By type (rows where a value of the type was found; quasi-identifiers included)\n\n");
    report.push_str(&table(
        &["type", "raw", "facet answers", "clusters", "published"],
        kinds.iter().map(|k| {
            let get = |s: &Stage| s.by_kind.get(k).copied().unwrap_or(0).to_string();
            vec![format!("{k}{}", if IDENTIFYING.contains(&k.as_str()) { "" } else { " (quasi)" }), get(&raw), get(&facets), get(&clusters), get(&public)]
        }),
    ));
    let group = |private: bool| {
        let items: Vec<&(bool, bool)> = audit_rows.iter().filter(|(p, _)| *p == private).collect();
        let right = items.iter().filter(|(p, flagged)| p == flagged).count();
        (right, items.len())
    };
    let ((tp, np), (tn, nn)) = (group(true), group(false));
    let rate = |a: usize, b: usize| if b == 0 { "n/a".to_string() } else { format!("{:.3}", a as f64 / b as f64) };
    report.push_str(&format!(
        "\n## The auditor (paper D.1)\n\n\"{analyst_name}\" scored {} conversations; a score below {} counts as flagged.\n\n{}",
        audit_rows.len(),
        analysis.params.privacy.min_audit_score,
        table(
            &["items", "count", "accuracy"],
            [
                vec!["with identifying details (should be flagged)".into(), np.to_string(), rate(tp, np)],
                vec!["without (should pass)".into(), nn.to_string(), rate(tn, nn)],
                vec!["all".into(), (np + nn).to_string(), rate(tp + tn, np + nn)],
            ]
        )
    ));
    std::fs::write(args.out.join("report.md"), report)?;
    eprintln!("wrote {}", args.out.join("report.md").display());
    println!(
        "published_leaks={} cluster_leaks={} facet_leaks={} raw={} rows={n} published_clusters={kept} clusters={}",
        public.rows,
        clusters.rows,
        facets.rows,
        raw.rows,
        analysis.clusters.len()
    );
    Ok(())
}
