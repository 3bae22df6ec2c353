//! `kleio analyze` end to end on a slice of HWU64, with the real MiniLM model.

use std::path::{Path, PathBuf};
use std::process::Command;

use kleio_core::analysis::Analysis;

fn shared(rel: &str) -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("../../shared/data").join(rel)
}

fn weights() -> PathBuf {
    std::env::var_os("KLEIO_WEIGHTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("../weights"))
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kleio-cli-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn analyze(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kleio")).arg("analyze").arg(input).arg("--out").arg(out).args(extra).env("KLEIO_WEIGHTS", weights()).output().unwrap()
}

#[test]
fn analyze_a_hwu64_slice() {
    let dir = temp("hwu64");
    let text = std::fs::read_to_string(shared("hwu64/normalized/all-00000.jsonl")).unwrap();
    // Every 7th row: a slice across all scenarios, not just the first few.
    let slice: Vec<&str> = text.lines().step_by(7).take(700).collect();
    let input = dir.join("slice.jsonl");
    std::fs::write(&input, slice.join("\n")).unwrap();
    let out = dir.join("out");
    let run = analyze(&input, &out, &["--seed", "5", "--backend", "cpu"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let a: Analysis = serde_json::from_slice(&std::fs::read(out.join("analysis.json")).unwrap()).unwrap();
    assert_eq!(a.conversations.len(), 700);
    assert!(a.embedder.contains("all-MiniLM-L6-v2"), "{}", a.embedder);
    assert!(a.levels >= 2);
    assert!(a.conversations.iter().all(|c| c.cluster.is_some() && c.position.is_some()));
    let top: Vec<_> = a.clusters.iter().filter(|c| c.level + 1 == a.levels).collect();
    assert!((2..=20).contains(&top.len()), "{} top clusters", top.len());
    assert!(a.clusters.iter().any(|c| c.shareable));
    // Clusters should be topical: most base clusters are dominated by one HWU64 scenario.
    let labels: std::collections::HashMap<String, String> = slice
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_string(), v["labels"]["level1"].as_str().unwrap().to_string())
        })
        .collect();
    let mut majority = 0;
    for c in a.clusters.iter().filter(|c| c.level == 0) {
        let mut counts = std::collections::HashMap::new();
        for conv in a.conversations.iter().filter(|x| x.cluster.as_deref() == Some(c.id.as_str())) {
            *counts.entry(labels[&conv.id].clone()).or_insert(0) += 1;
        }
        majority += counts.values().max().copied().unwrap_or(0);
    }
    let purity = majority as f64 / 700.0;
    assert!(purity > 0.6, "base-cluster purity {purity:.2}");
    // Same seed, same bytes.
    let out2 = dir.join("out2");
    assert!(analyze(&input, &out2, &["--seed", "5", "--backend", "cpu"]).status.success());
    assert_eq!(std::fs::read(out.join("analysis.json")).unwrap(), std::fs::read(out2.join("analysis.json")).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_file_is_one_clear_error() {
    let dir = temp("broken");
    let input = dir.join("junk.bin");
    std::fs::write(&input, [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    let run = analyze(&input, &dir.join("out"), &["--model", "hashing"]);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("not a dataset") && err.contains("junk.bin"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn missing_weights_name_the_file_and_the_fix() {
    let dir = temp("noweights");
    let input = dir.join("a.jsonl");
    std::fs::write(&input, "{\"text\": \"hello there\"}\n").unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_kleio")).args(["embed", "--model", "minilm"]).env("KLEIO_WEIGHTS", dir.join("nowhere")).output().unwrap();
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("minilm/model.safetensors") && err.contains("scripts/setup"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn embed_writes_one_vector_per_line_in_order() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kleio"))
        .args(["embed", "--model", "minilm", "--backend", "cpu"])
        .env("KLEIO_WEIGHTS", weights())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all("set an alarm\n\nwake me up at six\n".as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<Vec<f32>> = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "the empty line is a text too");
    assert!(lines.iter().all(|v| v.len() == 384));
    let cos = kleio_core::vector::cosine(&lines[0], &lines[2]);
    let far = kleio_core::vector::cosine(&lines[0], &lines[1]);
    assert!(cos > far, "alarm texts should be closer to each other than to the empty text");
}
