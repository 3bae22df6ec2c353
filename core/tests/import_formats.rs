//! Public datasets as they are published: Parquet with every codec,
//! compressed JSON Lines, and the WildChat and LMSYS-Chat-1M layouts. The
//! fixtures in tests/data are written by tests/data/make_import_fixtures.py
//! (pyarrow, pinned in tests/data/requirements.txt): the same conversations
//! in every file, so every file must import to exactly the same rows.

use std::path::PathBuf;

use kleio_core::import::{
    import, parquet_footer_len, FileFormat, GroupReader, ImportError, ImportOptions, Imported, ParquetLayout, Preview, RowGroupsRead, Sample, COPIES_COLUMN,
    PARQUET_TAIL_BYTES,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn imported(name: &str, options: &ImportOptions) -> Imported {
    import(&fixture(name), options).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const WILDCHAT: [&str; 9] = [
    "wildchat.none.parquet",
    "wildchat.v2-plain.parquet",
    "wildchat.delta.parquet",
    "wildchat.snappy.parquet",
    "wildchat.gzip.parquet",
    "wildchat.zstd.parquet",
    "wildchat.lz4.parquet",
    "wildchat.jsonl.gz",
    "wildchat.jsonl.zst",
];
const LMSYS: [&str; 4] = ["lmsys.snappy.parquet", "lmsys.zstd.parquet", "lmsys.jsonl.gz", "lmsys.jsonl.zst"];

#[test]
fn every_codec_and_compression_gives_the_conversations_of_the_plain_json_lines() {
    for (plain, others) in [("wildchat.jsonl", &WILDCHAT[..]), ("lmsys.jsonl", &LMSYS[..])] {
        for keep_duplicates in [false, true] {
            let options = ImportOptions { keep_duplicates, ..ImportOptions::default() };
            let expected = imported(plain, &options);
            assert_eq!(expected.report.format, FileFormat::JsonLines);
            for name in others {
                let got = imported(name, &options);
                assert_eq!(got.conversations, expected.conversations, "{name}");
                assert_eq!(got.report.skipped, expected.report.skipped, "{name}");
                assert_eq!((got.report.rows_read, got.report.duplicates_dropped), (expected.report.rows_read, expected.report.duplicates_dropped), "{name}");
                assert_eq!(got.report.damaged, None, "{name}");
                let format = if name.ends_with(".parquet") { FileFormat::Parquet } else { FileFormat::JsonLines };
                assert_eq!(got.report.format, format, "{name}");
                assert_eq!(got.report.compression.is_some(), !name.ends_with(".parquet"), "{name}");
            }
        }
    }
}

#[test]
fn every_physical_type_and_encoding_imports_whole() {
    // A column of each physical type, a third of each null, in version 1
    // pages of plain values and in version 2 pages of dictionary, delta and
    // byte-stream-split values: the pages are checked, values and all, and
    // none may be taken for damage.
    let options = ImportOptions { keep_duplicates: true, ..ImportOptions::default() };
    let plain = imported("types.v1-int96.parquet", &options);
    let packed = imported("types.v2-split-delta.parquet", &options);
    for got in [&plain, &packed] {
        assert_eq!(got.report.damaged, None);
        assert_eq!(got.report.rows_read, 120);
        assert_eq!(got.conversations.len() + got.report.skipped.len(), 120);
    }
    // Nanosecond timestamps (pandas' and pyarrow's default) read as times, as INT96 ones do.
    let first = &packed.conversations[0];
    assert_eq!(first.created_at.as_deref(), Some("2023-01-01T00:00:00Z"));
    assert_eq!(first.meta["time"], "2023-01-01T00:00:00Z");
    assert_eq!(plain.conversations, packed.conversations);
    let preview = Preview::of(&fixture("types.v2-split-delta.parquet"), 120).unwrap();
    assert_eq!(preview, Preview::of(&fixture("types.v1-int96.parquet"), 120).unwrap());
}

#[test]
fn wildchat_rows_keep_their_account_time_and_columns() {
    let got = imported("wildchat.zstd.parquet", &ImportOptions { keep_duplicates: true, ..ImportOptions::default() });
    assert_eq!((got.report.rows_read, got.conversations.len()), (41, 40));
    assert_eq!(got.report.skipped.len(), 1);
    assert_eq!(got.report.skipped[0].line, 41);
    assert!(got.report.skipped[0].reason.contains("no non-empty user message"), "{:?}", got.report.skipped);
    let first = &got.conversations[0];
    assert_eq!(first.id, "wc00000");
    assert_eq!(first.account.as_deref(), Some("ip-0000"));
    assert_eq!(first.created_at.as_deref(), Some("2023-04-09T11:50:18Z"));
    assert_eq!(first.messages.len(), 2);
    assert_eq!(first.messages[0].content, "How do I reverse a linked list in Python?");
    for column in ["model", "language", "toxic", "redacted", "turn", "country", "moderation_flagged", "moderation_self_harm", "moderation_violence_graphic"] {
        assert!(first.meta.contains_key(column), "no {column} in {:?}", first.meta);
    }
    assert_eq!(first.meta["model"], "gpt-3.5-turbo-0613");
    // Row 4 was flagged for its category (the fifth, "violence") on its first turn.
    let flagged = &got.conversations[4];
    assert_eq!((flagged.meta["moderation_flagged"].as_str(), flagged.meta["moderation_violence"].as_str()), ("true", "true"));
    assert_eq!((flagged.meta["toxic"].as_str(), flagged.meta["moderation_hate"].as_str()), ("true", "false"));
    assert_eq!(got.conversations[6].meta["language"], "Russian");
    assert!(got.report.accounts_known);
}

#[test]
fn lmsys_rows_keep_their_id_and_moderation() {
    let got = imported("lmsys.snappy.parquet", &ImportOptions::default());
    let first = &got.conversations[0];
    assert_eq!(first.id, "ly00000");
    assert_eq!(first.account, None, "LMSYS-Chat-1M names no account");
    assert_eq!(first.meta["redacted"], "true");
    assert_eq!(got.conversations[4].meta["moderation_flagged"], "true");
}

#[test]
fn near_copies_are_collapsed_on_request_and_their_copies_still_add_up() {
    // Ten requests, each sent three times with a different name in it (a
    // filled-in template) and once more exactly: exact collapsing keeps the
    // three apart, near collapsing does not.
    let topics = [
        "bake sourdough bread",
        "fix a python import error",
        "plan a week in Lisbon",
        "write a cover letter",
        "learn the guitar chords",
        "train for a marathon",
        "repair a bicycle chain",
        "grow tomatoes on a balcony",
        "prepare for a job interview",
        "explain black holes",
    ];
    let mut rows = Vec::new();
    for (t, topic) in topics.iter().enumerate() {
        for (v, name) in ["Ana", "Ben", "Chloe", "Chloe"].iter().enumerate() {
            let text = format!("Hello, could you please help me {topic} this weekend? I have tried a few things already and I would like clear steps that I can follow, thanks. {name}");
            rows.push(serde_json::json!({ "id": format!("r{t}-{v}"), "messages": [{ "role": "user", "content": text }] }).to_string());
        }
    }
    let total = rows.len();
    let bytes = rows.join("\n");
    let exact = import(bytes.as_bytes(), &ImportOptions::default()).unwrap();
    let near = import(bytes.as_bytes(), &ImportOptions { near_duplicates: true, ..ImportOptions::default() }).unwrap();
    assert_eq!((exact.report.duplicates_dropped, near.report.near_duplicates_dropped), (10, 20), "{:?}", near.report);
    assert_eq!(near.report.duplicates_dropped, exact.report.duplicates_dropped + near.report.near_duplicates_dropped);
    assert_eq!(near.conversations.len(), topics.len(), "one per request");
    let copies: usize = near.conversations.iter().map(|c| c.meta.get(COPIES_COLUMN).map_or(1, |n| n.parse::<usize>().unwrap())).sum();
    assert_eq!(copies, total, "every row is counted once, in its group's copies");
    assert!(near.conversations.iter().all(|c| c.meta[COPIES_COLUMN] == "4"));
    // Kept duplicates stay kept, near ones too.
    let kept = import(bytes.as_bytes(), &ImportOptions { keep_duplicates: true, near_duplicates: true, ..ImportOptions::default() }).unwrap();
    assert_eq!(kept.conversations.len(), total);
}

#[test]
fn copies_of_a_request_are_collapsed_and_counted() {
    let all = imported("wildchat.snappy.parquet", &ImportOptions { keep_duplicates: true, ..ImportOptions::default() });
    let collapsed = imported("wildchat.snappy.parquet", &ImportOptions::default());
    assert!(collapsed.report.duplicates_dropped > 0);
    assert_eq!(collapsed.conversations.len() + collapsed.report.duplicates_dropped, all.conversations.len());
    let copies: usize = collapsed.conversations.iter().map(|c| c.meta[COPIES_COLUMN].parse::<usize>().unwrap()).sum();
    assert_eq!(copies, all.conversations.len());
    assert!(all.conversations.iter().all(|c| !c.meta.contains_key(COPIES_COLUMN)));
}

#[test]
fn a_sample_is_reproducible_and_the_same_from_parquet_and_json_lines() {
    let options = ImportOptions { sample: Some(Sample { size: 12, seed: 5 }), keep_duplicates: true, ..ImportOptions::default() };
    let from_parquet = imported("wildchat.gzip.parquet", &options);
    let from_lines = imported("wildchat.jsonl.gz", &options);
    assert_eq!(from_parquet.conversations, from_lines.conversations);
    assert_eq!(from_parquet.report.rows_read, 12);
    assert_eq!(from_parquet.report.sampled.map(|s| (s.rows_in_file, s.seed)), Some((41, 5)));
    assert_eq!(imported("wildchat.gzip.parquet", &options).conversations, from_parquet.conversations);
    let other = ImportOptions { sample: Some(Sample { size: 12, seed: 6 }), ..options.clone() };
    assert_ne!(imported("wildchat.gzip.parquet", &other).conversations, from_parquet.conversations);
}

/// Imports a Parquet file as the app does, by byte ranges: its tail, the
/// footer, then each row group it needs, and nothing else. Returns the
/// import and the row groups' bytes read.
fn imported_by_ranges(bytes: &[u8], options: &ImportOptions) -> (Result<Imported, ImportError>, usize) {
    let len = bytes.len() as u64;
    let tail = &bytes[bytes.len() - PARQUET_TAIL_BYTES..];
    let footer_len = parquet_footer_len(tail).expect("a footer");
    let layout = ParquetLayout::new(len, &bytes[bytes.len() - footer_len..]).expect("a layout");
    let mut read = 0;
    let mut reader = GroupReader::new(&layout, options);
    for g in layout.groups_to_read(options.sample) {
        let range = layout.group_bytes(g).expect("a group");
        read += (range.end - range.start) as usize;
        reader.read(g, bytes[range.start as usize..range.end as usize].to_vec());
    }
    (reader.finish(), read)
}

#[test]
fn a_parquet_file_read_by_ranges_imports_as_the_whole_file_does() {
    for name in ["wildchat.snappy.parquet", "lmsys.zstd.parquet"] {
        let bytes = fixture(name);
        for options in [ImportOptions::default(), ImportOptions { sample: Some(Sample { size: 12, seed: 5 }), ..ImportOptions::default() }] {
            let whole = import(&bytes, &options).expect("imports");
            let (ranged, _) = imported_by_ranges(&bytes, &options);
            let ranged = ranged.expect("imports by ranges");
            assert_eq!(ranged.conversations, whole.conversations, "{name}");
            assert_eq!(ranged.report, whole.report, "{name}");
        }
    }
    let bytes = fixture("wildchat.snappy.parquet");
    let layout = ParquetLayout::new(bytes.len() as u64, &bytes).expect("a layout");
    let first = layout.group_bytes(0).expect("a first group");
    let preview = Preview::of_parquet(&layout, bytes[first.start as usize..first.end as usize].to_vec(), 3).expect("a preview");
    assert_eq!(preview, Preview::of(&bytes, 3).expect("a preview"));
}

#[test]
fn a_small_sample_of_a_large_parquet_file_reads_only_some_row_groups_and_says_so() {
    // The fixtures' row groups hold 16 rows: a sample of 2 needs one of three.
    let bytes = fixture("wildchat.zstd.parquet");
    let options = ImportOptions { sample: Some(Sample { size: 2, seed: 3 }), keep_duplicates: true, ..ImportOptions::default() };
    let (got, read) = imported_by_ranges(&bytes, &options);
    let got = got.expect("imports");
    assert_eq!(got.report.rows_read, 2);
    let sampled = got.report.sampled.expect("a sample");
    assert_eq!((sampled.rows_in_file, sampled.row_groups), (41, Some(RowGroupsRead { read: 1, in_file: 3 })));
    let layout = ParquetLayout::new(bytes.len() as u64, &bytes).expect("a layout");
    let group_bytes = |g| layout.group_bytes(g).map_or(0, |r| (r.end - r.start) as usize);
    assert!(read < (0..3).map(group_bytes).sum::<usize>() / 2, "{read} bytes of row groups read");
    assert_eq!(import(&bytes, &options).expect("imports").conversations, got.conversations);
    let all_groups = ImportOptions { sample: Some(Sample { size: 12, seed: 3 }), ..options };
    assert_eq!(imported_by_ranges(&bytes, &all_groups).0.expect("imports").report.sampled.and_then(|s| s.row_groups), None);
}

#[test]
fn chosen_columns_are_read_and_a_wrong_choice_is_named() {
    let options = ImportOptions {
        messages_field: Some("conversation".into()),
        time_field: Some("timestamp".into()),
        account_field: Some("model".into()),
        ..ImportOptions::default()
    };
    let got = imported("lmsys.zstd.parquet", &options);
    assert_eq!(got.conversations[0].account.as_deref(), Some("gpt-3.5-turbo-0613"));
    let wrong = import(&fixture("lmsys.zstd.parquet"), &ImportOptions { messages_field: Some("model".into()), ..ImportOptions::default() });
    match wrong {
        Err(ImportError::NoUsableRows(why)) => assert!(why.contains("`model` must be an array"), "{why}"),
        other => panic!("{other:?}"),
    }
    let missing = import(&fixture("wildchat.jsonl"), &ImportOptions { text_field: Some("prompt".into()), ..ImportOptions::default() });
    assert!(matches!(missing, Err(ImportError::NoUsableRows(why)) if why.contains("no field \"prompt\"")));
}

#[test]
fn a_cut_off_parquet_file_says_so() {
    let bytes = fixture("wildchat.snappy.parquet");
    for cut in [bytes.len() / 2, bytes.len() - 3, 6] {
        match import(&bytes[..cut], &ImportOptions::default()) {
            Err(ImportError::Parquet(why)) => assert!(why.contains("cut off") || why.contains("shorter"), "{why}"),
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
}

#[test]
fn a_damaged_row_group_is_named_and_the_others_are_kept() {
    let mut bytes = fixture("wildchat.none.parquet");
    // Overwrite the middle of the data with junk: one row group (16 rows)
    // no longer decodes; the footer, at the end, is intact.
    let middle = bytes.len() / 3;
    for b in &mut bytes[middle..middle + 2000] {
        *b = 0xa5;
    }
    let got = import(&bytes, &ImportOptions { keep_duplicates: true, ..ImportOptions::default() }).unwrap();
    let damaged = got.report.damaged.expect("the damage is reported");
    assert!(damaged.contains("row group"), "{damaged}");
    assert!(!got.conversations.is_empty() && got.conversations.len() < 40, "{} conversations", got.conversations.len());
}

#[test]
fn a_text_value_running_past_its_page_is_damage_not_a_panic() {
    let got = imported("cut-text-value.parquet", &ImportOptions { text_field: Some("text".into()), ..ImportOptions::default() });
    let damaged = got.report.damaged.expect("the damage is reported");
    assert!(damaged.contains("row group 1") && damaged.contains("column \"text\" is damaged"), "{damaged}");
    let texts: Vec<_> = got.conversations.iter().map(|c| c.messages[0].content.as_str()).collect();
    assert_eq!(texts, ["third request", "fourth request"], "the second row group is kept");
}

#[test]
fn a_cut_off_or_damaged_compressed_stream_keeps_the_rows_before_it() {
    let plain = imported("wildchat.jsonl", &ImportOptions { keep_duplicates: true, ..ImportOptions::default() });
    let bytes = fixture("wildchat.jsonl.gz");
    let got = import(&bytes[..bytes.len() * 2 / 3], &ImportOptions { keep_duplicates: true, ..ImportOptions::default() }).unwrap();
    let damaged = got.report.damaged.clone().expect("the cut is reported");
    assert!(damaged.contains("gzip stream is damaged or cut off"), "{damaged}");
    assert!(!got.conversations.is_empty() && got.conversations.len() < plain.conversations.len());
    assert_eq!(got.conversations[..], plain.conversations[..got.conversations.len()], "the rows before the cut are intact");
    // zstd decodes by blocks (up to 128 KiB): a small file cut short has no
    // whole block left, which is said as plainly.
    let bytes = fixture("wildchat.jsonl.zst");
    match import(&bytes[..bytes.len() * 2 / 3], &ImportOptions::default()) {
        Err(ImportError::NotADataset(why)) => assert!(why.contains("zstd stream is damaged or cut off"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn other_archives_are_named_not_misread() {
    for (bytes, word) in [(&b"PK\x03\x04rest"[..], "zip"), (b"BZh91AY&SY", "bzip2"), (b"\xfd7zXZ\x00\x00", "xz")] {
        match import(bytes, &ImportOptions::default()) {
            Err(ImportError::NotADataset(why)) => assert!(why.contains(word), "{why}"),
            other => panic!("{word}: {other:?}"),
        }
    }
}

#[test]
fn the_first_rows_preview_as_the_same_table_from_every_container() {
    let parquet = Preview::of(&fixture("wildchat.snappy.parquet"), 3).unwrap();
    assert_eq!(parquet.rows.len(), 3);
    // Columns in name order (JSON objects here are sorted maps).
    assert_eq!(&parquet.columns[..3], ["conversation", "conversation_hash", "country"]);
    let conversation = parquet.columns.iter().position(|c| c == "conversation").unwrap();
    assert_eq!(parquet.rows[0][conversation], "[2 items]");
    assert_eq!(parquet.rows[0][1], "wc00000");
    for name in ["wildchat.jsonl", "wildchat.jsonl.gz", "wildchat.jsonl.zst"] {
        assert_eq!(Preview::of(&fixture(name), 3).unwrap(), parquet, "{name}");
    }
    let csv = Preview::of(b"id;prompt;user\n1;Sort a list;u1\n2;Plan a trip;u2\n", 5).unwrap();
    assert_eq!(csv.columns, ["id", "prompt", "user"]);
    assert_eq!(csv.rows[1], ["2", "Plan a trip", "u2"]);
    let array = Preview::of(br#"[{"text": "a"}, {"text": "b", "n": 2}, {"text": "#, 5).unwrap();
    assert_eq!((array.columns.len(), array.rows.len()), (2, 2), "an array cut short previews its whole elements");
}
