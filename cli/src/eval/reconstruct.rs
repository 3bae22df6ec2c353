//! `kleio eval reconstruct`: supervised reconstruction accuracy (paper
//! C.2.2, Figure 4, Table 5) and unsupervised agreement (Figure 11).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{bail, Context};
use kleio_core::analysis::{Analysis, ConversationResult};
use kleio_core::analyst::answer_meaning;
use kleio_core::api::facet_id;
use kleio_core::embedder::{Embedder, Remembering};
use kleio_core::eval::metrics::{accuracy, adjusted_rand, class_scores, macro_f1, nmi, weighted_f1, Labels};
use kleio_core::eval::naming::{name_retrieval, NameRetrieval};
use kleio_core::eval::reconstruct::{assign_base_clusters, assign_each_conversation, top_level_coherence, top_level_of, KnownCategory};
use kleio_core::hierarchy::placing_vector;
use kleio_core::offline::{AssignWeights, OfflineAnalyst};

use super::{charts, command_line, table};
use crate::engines::AnyAnalyst;
use crate::run_flags::{analyse, runtime, DatasetArgs};

/// FILE holds rows with `labels.level1` and `labels.level2` (for example
/// ../shared/data/hwu64); `--out` gets report.md, the charts and analysis.json.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DatasetArgs,
    /// Also assign the base clusters with the offline analyst under each pair
    /// of assign weights on a grid (soft-maximum temperature × weight of the
    /// children already placed), printing one `sweep` line per pair: what
    /// docs/eval/cross_validate.py chooses the weights from.
    #[arg(long)]
    pub sweep: bool,
    /// The offline analyst's soft-maximum temperature for the whole run (its
    /// hierarchy and the assignment to the known categories).
    #[arg(long, default_value_t = AssignWeights::default().part_temperature)]
    pub part_temperature: f32,
    /// The offline analyst's weight of the children already placed, for the
    /// whole run (0 turns the batch assign's later rounds off).
    #[arg(long, default_value_t = AssignWeights::default().placed_weight)]
    pub placed_weight: f32,
    /// Keep the embedded texts' vectors in this file and take them from it on
    /// the next run with the same model, so runs of one set under other
    /// seeds or weights embed its texts once.
    #[arg(long, value_name = "FILE")]
    pub vectors: Option<std::path::PathBuf>,
}

/// The grid `--sweep` measures.
const SWEEP_TEMPERATURES: [f32; 5] = [0.02, 0.03, 0.05, 0.08, 0.12];
const SWEEP_PLACED_WEIGHTS: [f32; 6] = [0.0, 0.75, 1.5, 2.5, 4.0, 6.0];

/// Each labelled conversation's true category and the one `predicted`
/// gives it (`names.len()` for none), in the analysis's order.
fn labelled_pairs(
    analysis: &Analysis,
    truth_l1: &HashMap<String, String>,
    names: &[String],
    predicted: impl Fn(&ConversationResult) -> Option<usize>,
) -> (Vec<usize>, Vec<usize>) {
    analysis
        .conversations
        .iter()
        .filter_map(|conv| {
            let label = truth_l1.get(&conv.id)?;
            let truth = names.iter().position(|n| n == label).expect("from the same rows");
            Some((truth, predicted(conv).unwrap_or(names.len())))
        })
        .unzip()
}

/// Each labelled conversation's true category and the one its base cluster
/// was assigned (`names.len()` when it has none), in the analysis's order.
fn reconstructed(analysis: &Analysis, assigned: &HashMap<String, usize>, truth_l1: &HashMap<String, String>, names: &[String]) -> (Vec<usize>, Vec<usize>) {
    labelled_pairs(analysis, truth_l1, names, |conv| conv.cluster.as_ref().and_then(|c| assigned.get(c)).copied())
}

/// The share of labelled conversations whose own category (`alone`, by
/// conversation id: `assign_each_conversation`) is their label; one without
/// an answer counts wrong.
fn accuracy_alone(analysis: &Analysis, alone: &HashMap<String, usize>, truth_l1: &HashMap<String, String>, names: &[String]) -> f64 {
    let (truth, predicted) = labelled_pairs(analysis, truth_l1, names, |conv| alone.get(&conv.id).copied());
    accuracy(&truth, &predicted)
}

/// The best accuracy any assignment of these base clusters could reach:
/// each cluster given the true category most of its labelled members have
/// (its purity). What the assign loses is the gap to it; the rest is lost
/// by the clustering.
fn purity(analysis: &Analysis, truth_l1: &HashMap<String, String>) -> f64 {
    let mut counts: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
    let mut labelled = 0usize;
    for conv in &analysis.conversations {
        let Some(label) = truth_l1.get(&conv.id) else { continue };
        labelled += 1;
        if let Some(cluster) = conv.cluster.as_deref() {
            *counts.entry(cluster).or_default().entry(label).or_default() += 1;
        }
    }
    let majority: usize = counts.values().map(|by_label| by_label.values().copied().max().unwrap_or(0)).sum();
    majority as f64 / labelled.max(1) as f64
}

/// A known category as the analyst sees it: its name, described by the
/// names of its sub-labels (the dataset's own taxonomy, not any row's label).
fn known_categories(level2_by_level1: &BTreeMap<String, BTreeSet<String>>) -> Vec<KnownCategory> {
    let human = |s: &str| s.replace(['_', '-'], " ");
    level2_by_level1
        .iter()
        .map(|(l1, l2s)| {
            let parts: Vec<String> = l2s.iter().map(|l2| human(l2.strip_prefix(&format!("{l1}_")).unwrap_or(l2))).collect();
            let description = format!("Requests about {}: {}.", human(l1), parts.join(", "));
            KnownCategory { name: human(l1), description, parts: l2s.iter().map(|l2| human(l2)).collect() }
        })
        .collect()
}

/// Each clustered conversation's embedded answer (the clustered facet's,
/// embedded as the run embeds it: `analyst::answer_meaning`), by
/// conversation id.
async fn embedded_answers(analysis: &Analysis, embedder: &impl Embedder) -> anyhow::Result<HashMap<String, Vec<f32>>> {
    let facet = analysis.params.cluster_facet().map(|f| f.id.clone()).context("the analysis names no clustered (open-text) facet")?;
    let members: Vec<(&str, String)> =
        analysis.conversations.iter().filter(|c| c.cluster.is_some()).filter_map(|c| Some((c.id.as_str(), c.answers.get(&facet)?.as_text()))).collect();
    let mut out = HashMap::with_capacity(members.len());
    for chunk in members.chunks(256) {
        let texts: Vec<String> = chunk.iter().map(|(_, t)| answer_meaning(t)).collect();
        out.extend(chunk.iter().map(|(id, _)| id.to_string()).zip(embedder.embed(&texts).await?));
    }
    Ok(out)
}

/// Each base cluster as the mean of its members' embedded answers plus the
/// embedding of its name and summary, weighed as the hierarchy weighs them
/// (`hierarchy::placing_vector`): the members say what the cluster holds
/// far better than its name does.
async fn cluster_vectors(analysis: &Analysis, answers: &HashMap<String, Vec<f32>>, embedder: &impl Embedder) -> anyhow::Result<HashMap<String, Vec<f32>>> {
    let mut sums: HashMap<&str, Vec<f32>> = HashMap::new();
    for conv in &analysis.conversations {
        let (Some(cluster), Some(v)) = (conv.cluster.as_deref(), answers.get(&conv.id)) else { continue };
        let sum = sums.entry(cluster).or_insert_with(|| vec![0.0; v.len()]);
        sum.iter_mut().zip(v).for_each(|(s, x)| *s += x);
    }
    let base: Vec<&kleio_core::analysis::ClusterResult> = analysis.clusters.iter().filter(|c| c.level == 0).collect();
    let labels: Vec<String> = base.iter().map(|c| kleio_core::analyst::cluster_meaning(&c.name, &c.summary)).collect();
    let label_vectors = embedder.embed(&labels).await?;
    Ok(base
        .iter()
        .zip(label_vectors)
        .map(|(c, label)| {
            let mut centroid = sums.get(c.id.as_str()).cloned().unwrap_or_default();
            kleio_core::vector::normalize(&mut centroid);
            (c.id.clone(), placing_vector(&centroid, label))
        })
        .collect())
}

/// How every level's names find their clusters (`eval::naming`).
async fn names_found(analysis: &Analysis, answers: &HashMap<String, Vec<f32>>, embedder: &impl Embedder) -> anyhow::Result<Vec<NameRetrieval>> {
    let names: Vec<String> = analysis.clusters.iter().map(|c| c.name.clone()).collect();
    let vectors: HashMap<String, Vec<f32>> = analysis.clusters.iter().map(|c| c.id.clone()).zip(embedder.embed(&names).await?).collect();
    Ok(name_retrieval(analysis, answers, &vectors))
}

pub fn run(Args { data: args, sweep, part_temperature, placed_weight, vectors: vector_file }: Args) -> anyhow::Result<()> {
    if !(part_temperature > 0.0 && placed_weight >= 0.0) {
        bail!("--part-temperature must be above 0 and --placed-weight at least 0");
    }
    let imported = args.run.import_labelled(&args.file)?;
    let labelled: Vec<_> = imported.conversations.iter().filter(|c| c.labels.contains_key("level1")).collect();
    if labelled.is_empty() {
        bail!("{} has no rows with labels.level1; reconstruction needs labelled rows", args.file.display());
    }
    let truth_l1: HashMap<String, String> = labelled.iter().map(|c| (c.id.clone(), c.labels["level1"].clone())).collect();
    let truth_l2: HashMap<String, String> =
        labelled.iter().map(|c| (c.id.clone(), c.labels.get("level2").cloned().unwrap_or_else(|| c.labels["level1"].clone()))).collect();
    let language: HashMap<String, String> = labelled.iter().filter_map(|c| Some((c.id.clone(), c.meta.get(facet_id::LANGUAGE)?.clone()))).collect();
    let mut taxonomy: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in &labelled {
        taxonomy.entry(c.labels["level1"].clone()).or_default().insert(truth_l2[&c.id].clone());
    }
    let categories = known_categories(&taxonomy);
    let names: Vec<String> = taxonomy.keys().cloned().collect();
    let n_rows = imported.conversations.len();

    let (analysis, assigned, analyst_name, coherence, names_found, alone) = runtime()?.block_on(async {
        let (analyst, embedder) = args.run.engines("eval-reconstruct").await?;
        let analyst = match analyst {
            AnyAnalyst::Offline(offline) => AnyAnalyst::Offline(offline.with_assign(AssignWeights { part_temperature, placed_weight })),
            proxied => proxied,
        };
        let compute = embedder.compute();
        // The cluster vectors below embed the run's own summaries again.
        let described = embedder.describe();
        let known = match &vector_file {
            Some(path) => super::vector_file::read(path, &described)?,
            None => HashMap::new(),
        };
        let embedder = Remembering::knowing(embedder, known);
        let analysis = analyse(imported, args.run.params(), &analyst, &embedder, &compute).await?;
        eprintln!("assigning {} base clusters to {} known categories", analysis.clusters.iter().filter(|c| c.level == 0).count(), categories.len());
        let answers = embedded_answers(&analysis, &embedder).await?;
        let vectors = cluster_vectors(&analysis, &answers, &embedder).await?;
        let names_found = names_found(&analysis, &answers, &embedder).await?;
        let assigned = assign_base_clusters(&analysis, &categories, &vectors, &analyst, &embedder, args.run.seed).await?;
        let coherence = top_level_coherence(&analysis, &vectors);
        // One assign call per conversation: only for the offline analyst, whose calls cost nothing.
        let alone = match &analyst {
            AnyAnalyst::Offline(_) => Some(assign_each_conversation(&analysis, &categories, &answers, &analyst, &embedder).await?),
            _ => None,
        };
        if sweep {
            for part_temperature in SWEEP_TEMPERATURES {
                for placed_weight in SWEEP_PLACED_WEIGHTS {
                    let offline = OfflineAnalyst::new(args.run.seed).with_assign(AssignWeights { part_temperature, placed_weight });
                    let assigned = assign_base_clusters(&analysis, &categories, &vectors, &offline, &embedder, args.run.seed).await?;
                    let (truth, predicted) = reconstructed(&analysis, &assigned, &truth_l1, &names);
                    println!("sweep temperature={part_temperature} placed_weight={placed_weight} accuracy={:.4}", accuracy(&truth, &predicted));
                }
            }
        }
        if let Some(path) = &vector_file {
            super::vector_file::write(path, &described, &embedder.known())?;
        }
        anyhow::Ok((analysis, assigned, kleio_core::analyst::Analyst::describe(&analyst), coherence, names_found, alone))
    })?;

    // Supervised: every labelled conversation's category is its base cluster's.
    let (truth, predicted) = reconstructed(&analysis, &assigned, &truth_l1, &names);
    let unclustered = predicted.iter().filter(|&&p| p == names.len()).count();
    let langs: Vec<String> = analysis
        .conversations
        .iter()
        .filter(|conv| truth_l1.contains_key(&conv.id))
        .map(|conv| language.get(&conv.id).cloned().or_else(|| conv.facets.language.clone()).unwrap_or_else(|| "unknown".into()))
        .collect();
    let acc = accuracy(&truth, &predicted);
    let ceiling = purity(&analysis, &truth_l1);
    let alone = alone.map(|alone| accuracy_alone(&analysis, &alone, &truth_l1, &names));
    let scores = class_scores(&truth, &predicted, names.len());

    // Unsupervised agreement: base clusters against level 2, the free top level against level 1.
    let top = top_level_of(&analysis);
    let (mut l2_ids, mut base_ids, mut l1_ids, mut top_ids) = (Labels::default(), Labels::default(), Labels::default(), Labels::default());
    let (mut l2, mut base, mut l1, mut tops) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for conv in &analysis.conversations {
        let (Some(cluster), Some(t2)) = (&conv.cluster, truth_l2.get(&conv.id)) else { continue };
        l2.push(l2_ids.id(t2));
        base.push(base_ids.id(cluster));
        l1.push(l1_ids.id(&truth_l1[&conv.id]));
        tops.push(top_ids.id(&top[&conv.id]));
    }
    let (nmi_base, ari_base, nmi_top, ari_top) = (nmi(&l2, &base), adjusted_rand(&l2, &base), nmi(&l1, &tops), adjusted_rand(&l1, &tops));

    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    std::fs::write(args.out.join("analysis.json"), serde_json::to_vec(&analysis)?)?;

    // Figure 11: known categories against the unsupervised top level.
    let top_names: HashMap<&str, &str> = analysis.clusters.iter().map(|c| (c.id.as_str(), c.name.as_str())).collect();
    let mut matrix = vec![vec![0usize; top_ids.names.len()]; l1_ids.names.len()];
    for (&r, &c) in l1.iter().zip(&tops) {
        matrix[r][c] += 1;
    }
    let mut row_order: Vec<usize> = (0..l1_ids.names.len()).collect();
    row_order.sort_by(|&a, &b| l1_ids.names[a].cmp(&l1_ids.names[b]));
    let col_labels: Vec<String> = top_ids.names.iter().map(|id| format!("{} ({id})", top_names.get(id.as_str()).unwrap_or(&""))).collect();
    let heat = charts::heat_map(
        "Known categories (rows) against Kleio's unsupervised top level (columns)",
        &row_order.iter().map(|&r| l1_ids.names[r].clone()).collect::<Vec<_>>(),
        &col_labels,
        &row_order.iter().map(|&r| matrix[r].clone()).collect::<Vec<_>>(),
    );
    charts::write(&heat, &args.out, "confusion")?;
    // Figure 4: the true and the reconstructed distribution.
    let share = |xs: &[usize], c: usize| xs.iter().filter(|&&x| x == c).count() as f64 / xs.len().max(1) as f64;
    let true_share: Vec<f64> = (0..names.len()).map(|c| share(&truth, c)).collect();
    let found_share: Vec<f64> = (0..names.len()).map(|c| share(&predicted, c)).collect();
    charts::write(
        &charts::paired_bars("True and reconstructed distribution of the known categories", &names, &true_share, &found_share),
        &args.out,
        "distribution",
    )?;

    // Per language (Table 5).
    let mut by_lang: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for ((t, p), l) in truth.iter().zip(&predicted).zip(&langs) {
        let e = by_lang.entry(l.as_str()).or_default();
        e.0 += (t == p) as usize;
        e.1 += 1;
    }

    let mut report = format!(
        "# Reconstruction: {}\n\nMade by `{}` on {} rows ({} labelled), with analyst **{}** and embedder **{}**.\n\n",
        args.file.display(),
        command_line(),
        n_rows,
        truth.len(),
        analysis.analyst,
        analysis.embedder
    );
    report.push_str(&format!(
        "## Supervised reconstruction (paper C.2.2)\n\nBase clusters were built without labels ({} of them); each was then assigned by the analyst's assign task (\"{analyst_name}\") to one of the {} known level-1 categories, shown by name and by the names of their level-2 labels. A conversation counts as correct when its base cluster's category is its label.\n\n",
        assigned.len(),
        names.len()
    ));
    report.push_str(&table(
        &["measure", "value"],
        [
            vec!["accuracy".into(), format!("**{acc:.3}**")],
            vec!["macro F1".into(), format!("{:.3}", macro_f1(&scores))],
            vec!["weighted F1".into(), format!("{:.3}", weighted_f1(&scores))],
            vec!["conversations without a cluster (counted wrong)".into(), unclustered.to_string()],
            vec!["ceiling: every base cluster given its commonest true category".into(), format!("{ceiling:.3}")],
        ]
        .into_iter()
        .chain(alone.map(|alone| {
            vec!["without clusters: each conversation assigned alone, by its embedded answer (the embedding's own reach)".into(), format!("{alone:.3}")]
        })),
    ));
    report.push_str("\n![True and reconstructed distribution](distribution.png)\n\n### Per category\n\n");
    report.push_str(&table(
        &["category", "conversations", "true share", "reconstructed share", "precision", "recall", "F1"],
        names.iter().enumerate().map(|(c, name)| {
            let s = scores[c];
            vec![
                name.clone(),
                s.support.to_string(),
                format!("{:.1}%", true_share[c] * 100.0),
                format!("{:.1}%", found_share[c] * 100.0),
                format!("{:.3}", s.precision),
                format!("{:.3}", s.recall),
                format!("{:.3}", s.f1),
            ]
        }),
    ));
    report.push_str("\n### Per language (Table 5)\n\n");
    report.push_str(&table(
        &[facet_id::LANGUAGE, "conversations", "accuracy"],
        by_lang.iter().map(|(l, (ok, n))| vec![l.to_string(), n.to_string(), format!("{:.3}", *ok as f64 / *n as f64)]),
    ));
    report.push_str(&format!(
        "\n## Unsupervised agreement\n\n{}\n\n![Confusion matrix](confusion.png)\n",
        table(
            &["partition", "against", "NMI", "adjusted Rand"],
            [
                vec![
                    format!("{} base clusters", base_ids.names.len()),
                    format!("{} level-2 labels", l2_ids.names.len()),
                    format!("{nmi_base:.3}"),
                    format!("{ari_base:.3}")
                ],
                vec![
                    format!("{} top-level clusters", top_ids.names.len()),
                    format!("{} level-1 labels", l1_ids.names.len()),
                    format!("{nmi_top:.3}"),
                    format!("{ari_top:.3}")
                ],
            ]
        )
    ));
    report.push_str(&format!(
        "\n### How the top level holds together\n\nA base cluster is misplaced when its vector (the mean of its members' embedded answers with its embedded name) is closer to another top-level cluster than to the rest of its own (each the size-weighted sum of its base clusters' vectors): {} of {} base clusters ({:.1} %), holding {:.1} % of the conversations.\n",
        coherence.misplaced,
        coherence.clusters,
        coherence.misplaced_share() * 100.0,
        coherence.misplaced_conversation_share() * 100.0
    ));
    report.push_str(&format!(
        "\n## How names find their clusters\n\nEach name, embedded alone, against the centre of every cluster at its level (the mean of the embedded answers under it). A name that says what its cluster holds is closest to its own; one that only a few members' words support, or one word that fits anywhere, is not. No labels are used.\n\n{}",
        table(
            &["level", "clusters", "name closest to its own cluster", "own cluster among the five closest", "mean reciprocal rank"],
            names_found.iter().map(|r| {
                vec![
                    r.level.to_string(),
                    r.clusters.to_string(),
                    format!("{:.1} %", r.first_share() * 100.0),
                    format!("{:.1} %", r.in_five_share() * 100.0),
                    format!("{:.3}", r.mean_reciprocal_rank()),
                ]
            })
        )
    ));
    std::fs::write(args.out.join("report.md"), report)?;
    eprintln!("wrote {}", args.out.join("report.md").display());
    println!(
        "accuracy={acc:.3} ceiling={ceiling:.3} {}macro_f1={:.3} nmi_base={nmi_base:.3} ari_base={ari_base:.3} nmi_top={nmi_top:.3} misplaced_top={:.3} {}",
        alone.map(|alone| format!("alone={alone:.3} ")).unwrap_or_default(),
        macro_f1(&scores),
        coherence.misplaced_share(),
        names_found
            .iter()
            .map(|r| format!("names_first_l{}={:.3} names_mrr_l{}={:.3}", r.level, r.first_share(), r.level, r.mean_reciprocal_rank()))
            .collect::<Vec<_>>()
            .join(" ")
    );
    Ok(())
}
