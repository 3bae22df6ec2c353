//! `kleio eval` on small fixtures with known answers.

use std::path::{Path, PathBuf};
use std::process::Command;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kleio-eval-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn weights() -> PathBuf {
    std::env::var_os("KLEIO_WEIGHTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("../weights"))
}

fn eval(args: &[&str], file: &Path, out: &Path) -> (String, String, bool) {
    let run =
        Command::new(env!("CARGO_BIN_EXE_kleio")).arg("eval").args(args).arg(file).arg("--out").arg(out).env("KLEIO_WEIGHTS", weights()).output().unwrap();
    (String::from_utf8_lossy(&run.stdout).into_owned(), String::from_utf8_lossy(&run.stderr).into_owned(), run.status.success())
}

fn summary_value(stdout: &str, key: &str) -> f64 {
    let line = stdout.lines().last().unwrap_or_default();
    let field = line.split_whitespace().find_map(|f| f.strip_prefix(&format!("{key}="))).unwrap_or_else(|| panic!("no {key} in {line:?}"));
    field.parse().unwrap()
}

/// Three topics with disjoint words, each with two sub-labels; `shuffle`
/// gives the rows labels that have nothing to do with their text.
fn labelled_rows(shuffle: bool) -> String {
    let topics = [
        ("garden", ["garden_plant", "garden_water"], "garden soil seeds plant water tomato"),
        ("music", ["music_play", "music_volume"], "music song playlist volume loud album"),
        ("travel", ["travel_train", "travel_ticket"], "travel train ticket station journey platform"),
    ];
    let mut rows = Vec::new();
    for i in 0..60 {
        let (name, subs, words) = topics[i % 3];
        let w: Vec<&str> = words.split(' ').collect();
        let text = format!("{} {} {} {}", w[i % 6], w[(i + 1) % 6], w[(i + 3) % 6], w[(i / 3 + 2) % 6]);
        let (label, sub) = if shuffle {
            let t = topics[(i * 7 / 3 + i / 2) % 3];
            (t.0, t.1[i % 2])
        } else {
            (name, subs[i % 2])
        };
        rows.push(
            serde_json::json!({
                "id": format!("r{i}"), "account_id": format!("a{i}"),
                "messages": [{ "role": "user", "content": text }],
                "labels": { "level1": label, "level2": sub },
            })
            .to_string(),
        );
    }
    rows.join("\n")
}

/// MiniLM on the CPU: the assign step compares clusters with category
/// descriptions by meaning, which a bag of hashed words cannot do.
const SMALL: [&str; 14] =
    ["--model", "minilm", "--backend", "cpu", "--k", "3", "--levels", "2", "--top", "2", "--min-accounts", "1", "--min-conversations", "1"];

#[test]
fn reconstruction_is_perfect_on_separable_topics_and_near_chance_when_labels_are_shuffled() {
    let dir = temp("reconstruct");
    let file = dir.join("topics.jsonl");
    std::fs::write(&file, labelled_rows(false)).unwrap();
    let mut args = vec!["reconstruct"];
    args.extend(SMALL);
    let (stdout, stderr, ok) = eval(&args, &file, &dir.join("out"));
    assert!(ok, "{stderr}");
    assert_eq!(summary_value(&stdout, "accuracy"), 1.0, "{stdout}");
    let report = std::fs::read_to_string(dir.join("out/report.md")).unwrap();
    assert!(report.contains("| accuracy | **1.000** |"), "{report}");
    // Each topic's name, from its own words, is closest to its own cluster.
    assert!(report.contains("## How names find their clusters"), "{report}");
    assert_eq!(summary_value(&stdout, "names_first_l0"), 1.0, "{stdout}");
    for chart in ["confusion.png", "distribution.png"] {
        let png = std::fs::read(dir.join("out").join(chart)).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{chart} is a PNG");
    }

    let shuffled = dir.join("shuffled.jsonl");
    std::fs::write(&shuffled, labelled_rows(true)).unwrap();
    let (stdout, stderr, ok) = eval(&args, &shuffled, &dir.join("out-shuffled"));
    assert!(ok, "{stderr}");
    let acc = summary_value(&stdout, "accuracy");
    assert!(acc < 0.6, "labels unrelated to the text cannot be reconstructed: {stdout}");
    assert!(summary_value(&stdout, "nmi_base") < 0.2, "{stdout}");
}

#[test]
fn unlabelled_rows_are_a_clear_error() {
    let dir = temp("unlabelled");
    let file = dir.join("plain.jsonl");
    std::fs::write(&file, r#"{"messages":[{"role":"user","content":"hello there"}]}"#).unwrap();
    let (_, stderr, ok) = eval(&["reconstruct", "--model", "hashing"], &file, &dir.join("out"));
    assert!(!ok);
    assert!(stderr.contains("labels.level1"), "{stderr}");
}

#[test]
fn planted_values_reach_the_raw_text_but_never_the_published_dashboard() {
    let dir = temp("privacy");
    let fixture = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("tests/fixtures/privacy.jsonl");
    let (stdout, stderr, ok) = eval(&["privacy", "--model", "hashing", "--audit-items", "60"], &fixture, &dir.join("out"));
    assert!(ok, "{stderr}");
    let rows = summary_value(&stdout, "rows");
    assert!(rows > 40.0, "{stdout}");
    assert_eq!(summary_value(&stdout, "raw"), rows, "every planted value is in its raw conversation: {stdout}");
    assert_eq!(summary_value(&stdout, "published_leaks"), 0.0, "{stdout}");
    let report = std::fs::read_to_string(dir.join("out/report.md")).unwrap();
    assert!(report.contains("published dashboard") && report.contains("The auditor"), "{report}");
}

#[test]
fn the_largest_dashboard_of_the_planted_set_holds_none_of_its_values() {
    // Minimums of one account and one conversation: nothing is withheld for
    // its counts, so only the audit stands between a planted value and the dashboard.
    let dir = temp("privacy-largest");
    let fixture = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("tests/fixtures/privacy.jsonl");
    let args = ["privacy", "--model", "hashing", "--audit-items", "5", "--min-accounts", "1", "--min-conversations", "1"];
    let (stdout, stderr, ok) = eval(&args, &fixture, &dir.join("out"));
    assert!(ok, "{stderr}");
    assert!(summary_value(&stdout, "published_clusters") > 10.0, "the largest dashboard keeps most clusters: {stdout}");
    assert_eq!(summary_value(&stdout, "raw"), summary_value(&stdout, "rows"), "{stdout}");
    assert_eq!(summary_value(&stdout, "published_leaks"), 0.0, "{stdout}");
}
