//! The importers must never panic, whatever the bytes, and must keep their
//! report consistent; nor may the offline scrubber and auditor, on the raw
//! text and on every message the importers read.
#![no_main]

use kleio_core::import::{import, ImportOptions, Sample};
use kleio_core::offline::audit::audit;
use kleio_core::offline::scrub::scrub;
use libfuzzer_sys::fuzz_target;

fn scrub_and_audit(text: &str) {
    let clean = scrub(text);
    assert!((1..=5).contains(&audit(text).score));
    assert!((1..=5).contains(&audit(&clean).score));
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        scrub_and_audit(text);
    }
    for options in [
        ImportOptions::default(),
        ImportOptions { text_field: Some("text".into()), account_field: Some("user".into()), near_duplicates: true, ..ImportOptions::default() },
        ImportOptions { sample: Some(Sample { size: 3, seed: 1 }), keep_duplicates: true, ..ImportOptions::default() },
    ] {
        if let Ok(got) = import(data, &options) {
            assert!(!got.conversations.is_empty());
            assert_eq!(got.report.rows_read, got.conversations.len() + got.report.skipped.len() + got.report.duplicates_dropped);
            assert!(got.report.near_duplicates_dropped <= got.report.duplicates_dropped);
            for c in &got.conversations {
                assert!(!c.messages.is_empty());
                for m in &c.messages {
                    scrub_and_audit(&m.content);
                }
            }
        }
    }
});
