use super::*;
use crate::model::Role;

fn ok(text: &str) -> Imported {
    import(text.as_bytes(), &ImportOptions::default()).expect("imports")
}

#[test]
fn normalized_jsonl_with_a_bad_row() {
    let text = concat!(
        r#"{"id": "a", "account_id": "u1", "created_at": "2024-01-02", "messages": [{"role": "user", "content": "hi there"}, {"role": "assistant", "content": "hello"}], "labels": {"level1": "greet"}, "meta": {"x": 1}}"#,
        "\n",
        "\n",
        r#"{"id": "b", "messages": "oops"}"#,
        "\n",
        r#"{"id": "c", "messages": [{"role": "user", "content": "second"}]"#,
        "\n",
    );
    let got = ok(text);
    assert_eq!(got.report.format, FileFormat::JsonLines);
    assert_eq!(got.report.rows_read, 3);
    assert_eq!(got.conversations.len(), 1);
    let c = &got.conversations[0];
    assert_eq!(c.account.as_deref(), Some("u1"));
    assert_eq!(c.labels["level1"], "greet");
    assert_eq!(c.meta["x"], "1");
    assert_eq!(got.report.skipped[0].line, 3);
    assert!(got.report.skipped[0].reason.contains("must be an array"), "{:?}", got.report.skipped);
    assert_eq!(got.report.skipped[1].line, 4);
    assert!(got.report.skipped[1].reason.starts_with("invalid JSON"));
}

#[test]
fn json_array_sharegpt_wildchat_hh_and_text_rows() {
    let text = r#"[
        {"id": "s1", "conversations": [{"from": "human", "value": "write a haiku"}, {"from": "gpt", "value": "ok"}]},
        {"conversation_hash": "w1", "hashed_ip": "ip9", "timestamp": 1700000000, "language": "English",
         "conversation": [{"role": "user", "content": "fix my code"}, {"role": "assistant", "content": "sure"}]},
        {"chosen": "\n\nHuman: how do I bake bread?\n\nAssistant: Mix flour.\n\nHuman: thanks"},
        {"text": "a plain prompt"},
        42
    ]"#;
    let got = ok(text);
    assert_eq!(got.report.format, FileFormat::JsonArray);
    assert_eq!(got.conversations.len(), 4);
    assert_eq!(got.conversations[0].messages[1].role, Role::Assistant);
    assert_eq!(got.conversations[1].id, "w1");
    assert_eq!(got.conversations[1].account.as_deref(), Some("ip9"));
    assert_eq!(got.conversations[1].meta["language"], "English");
    let hh = &got.conversations[2];
    assert_eq!(hh.messages.len(), 3);
    assert_eq!(hh.messages[0].content, "how do I bake bread?");
    assert_eq!(hh.messages[2].role, Role::User);
    assert_eq!(got.report.skipped, vec![SkippedRow { line: 5, reason: "expected an object, found a number".into() }]);
}

#[test]
fn csv_with_chosen_and_guessed_columns() {
    let text = "id,user_id,prompt,topic\n1,u1,\"How do I, say, sort a list?\",code\n2,u2,,empty\n3,u3,Plan a trip,travel\n";
    let got = ok(text);
    assert_eq!(got.report.format, FileFormat::Csv);
    assert_eq!(got.conversations.len(), 2);
    assert_eq!(got.conversations[0].messages[0].content, "How do I, say, sort a list?");
    assert_eq!(got.conversations[0].meta["topic"], "code");
    assert_eq!(got.report.skipped[0].line, 3);
    let chosen = import(text.as_bytes(), &ImportOptions { text_field: Some("topic".into()), ..Default::default() }).unwrap();
    assert_eq!(chosen.conversations.len(), 3);
    assert_eq!(
        import(text.as_bytes(), &ImportOptions { text_field: Some("nope".into()), ..Default::default() }).unwrap_err(),
        ImportError::NoSuchColumn("nope".into(), "id, user_id, prompt, topic".into())
    );
}

#[test]
fn files_that_are_not_datasets() {
    let opts = ImportOptions::default();
    assert_eq!(import(b"", &opts).unwrap_err(), ImportError::Empty);
    assert_eq!(import(b"  \n\n ", &opts).unwrap_err(), ImportError::Empty);
    assert!(matches!(import(b"\x00\x01\x02binary\xff", &opts), Err(ImportError::NotADataset(_))));
    assert!(matches!(import(b"\xff\xfe\xfdnot utf8", &opts), Err(ImportError::NotADataset(_))));
    assert!(matches!(import(b"[{\"messages\": [", &opts), Err(ImportError::NotADataset(_))));
    assert!(matches!(import(b"just some prose\nwith lines\n", &opts), Err(ImportError::NotADataset(_))));
    // Truncated JSON Lines: the complete rows import, the cut one is reported.
    let truncated = "{\"text\": \"one\"}\n{\"text\": \"tw";
    let got = import(truncated.as_bytes(), &opts).unwrap();
    assert_eq!((got.conversations.len(), got.report.rows_skipped()), (1, 1));
    // Wrong types everywhere: no usable row.
    let wrong = "{\"messages\": 5}\n{\"messages\": [{\"role\": 1, \"content\": \"x\"}]}\n";
    assert!(matches!(import(wrong.as_bytes(), &opts), Err(ImportError::NoUsableRows(_))));
}

#[test]
fn a_fifty_megabyte_line_is_skipped_not_fatal() {
    let mut text = String::from("{\"text\": \"fine\"}\n{\"text\": \"");
    text.push_str(&"x".repeat(50 * 1024 * 1024));
    text.push_str("\"}\n{\"text\": \"also fine\"}\n");
    let got = import(text.as_bytes(), &ImportOptions::default()).unwrap();
    assert_eq!(got.conversations.len(), 2);
    assert_eq!(got.report.skipped.len(), 1);
    assert_eq!(got.report.skipped[0].line, 2);
    assert!(got.report.skipped[0].reason.contains("limit"));
}

#[test]
fn a_json_array_element_over_the_row_limit_is_skipped_before_it_is_parsed() {
    let mut text = String::from("[{\"text\": \"fine\"}, {\"text\": \"");
    text.push_str(&"x".repeat(MAX_ROW_BYTES));
    text.push_str("\"}, {\"text\": \"also fine\"}, 7]");
    let got = import(text.as_bytes(), &ImportOptions::default()).unwrap();
    assert_eq!(got.conversations.len(), 2);
    let reasons: Vec<(usize, &str)> = got.report.skipped.iter().map(|s| (s.line, s.reason.as_str())).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].0 == 2 && reasons[0].1.contains("limit"), "{reasons:?}");
    assert_eq!(reasons[1].0, 4);
}

#[test]
fn duplicate_ids_are_made_unique() {
    let got = ok("{\"id\": \"x\", \"text\": \"a\"}\n{\"id\": \"x\", \"text\": \"b\"}\n");
    assert_ne!(got.conversations[0].id, got.conversations[1].id);
}

/// Every dataset in ../shared/data imports whole.
#[test]
fn every_shared_dataset_imports() {
    let root = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("../../shared/data");
    let Ok(dirs) = std::fs::read_dir(&root) else {
        panic!("the shared datasets are missing at {}", root.display());
    };
    let mut seen = 0;
    for dir in dirs.flatten() {
        let norm = dir.path().join("normalized");
        for file in std::fs::read_dir(&norm).into_iter().flatten().flatten() {
            let bytes = std::fs::read(file.path()).unwrap();
            let got = import(&bytes, &ImportOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", file.path().display()));
            let lines = bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count();
            assert_eq!(got.report.rows_read, lines, "{}", file.path().display());
            assert!(got.report.skipped.is_empty(), "{}: {:?}", file.path().display(), &got.report.skipped[..got.report.skipped.len().min(3)]);
            assert!(got.report.accounts_known);
            seen += 1;
        }
    }
    assert!(seen >= 6, "only {seen} dataset files found");
}

/// The option sets the importers' fuzz target tries each input with
/// (fuzz/fuzz_targets/import.rs), so a crash it found is tested as found.
fn fuzzers_options() -> [ImportOptions; 3] {
    [
        ImportOptions::default(),
        ImportOptions { text_field: Some("text".into()), account_field: Some("user".into()), near_duplicates: true, ..ImportOptions::default() },
        ImportOptions { sample: Some(Sample { size: 3, seed: 1 }), keep_duplicates: true, ..ImportOptions::default() },
    ]
}

/// Found by the fuzzer: a dictionary-encoded data page with no dictionary
/// page before it in its column chunk, on which the parquet crate's decoder
/// panics ("Decoder for dict should have been set"). It is a clear error.
#[test]
fn a_dictionary_encoded_page_without_its_dictionary_is_an_error() {
    let bytes = include_bytes!("../../tests/fixtures/parquet_dictionary_page_missing.parquet");
    for options in fuzzers_options() {
        let err = import(bytes, &options).map(|got| got.conversations.len()).expect_err("the file is damaged");
        assert!(err.to_string().contains("no dictionary page comes before it"), "{err}");
    }
}

/// Found by the fuzzer: a data page whose definition levels go above the
/// column's maximum, which the parquet crate's record reader asserts on.
/// Every option set the fuzzer tries gives an error, never a panic.
#[test]
fn parquet_levels_above_the_columns_maximum_are_an_error() {
    let bytes = include_bytes!("../../tests/fixtures/parquet_level_above_max.parquet");
    for options in fuzzers_options() {
        if let Ok(got) = import(bytes, &options) {
            assert!(!got.conversations.is_empty());
        }
    }
}

/// Found by the fuzzer: an integer column's delta-encoded page whose header
/// declares no values while its levels hold some; the parquet crate's
/// decoder takes its first value anyway and runs past its buffer. The page
/// is decoded here instead: its row group is reported damaged, and the rows
/// read before it and those of the other row groups are kept.
#[test]
fn a_delta_encoded_integer_page_that_declares_no_values_is_no_panic() {
    let bytes = include_bytes!("../../tests/fixtures/parquet_delta_integers_without_a_count.parquet");
    let got = import(bytes, &ImportOptions::default()).expect("the rows outside the damaged page are read");
    assert!(!got.conversations.is_empty());
    let damaged = got.report.damaged.as_deref().unwrap_or_default();
    // The page says no values and its levels say some are present: the message names the column.
    assert!(
        damaged.starts_with("row group 1 of 3") && damaged.contains(r#"a page of column "turn" is damaged: its levels say 16 values are present"#),
        "{damaged}"
    );
    // With every option set the fuzzer tries: rows or an error, never a panic.
    for options in fuzzers_options() {
        if let Ok(got) = import(bytes, &options) {
            assert!(!got.conversations.is_empty());
        }
    }
}
