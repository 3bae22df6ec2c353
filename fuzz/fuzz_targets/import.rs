//! The importers must never panic, whatever the bytes, and must keep their report consistent.
#![no_main]

use kleio_core::import::{import, ImportOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for options in [
        ImportOptions::default(),
        ImportOptions { csv_text_column: Some("text".into()), account_field: Some("user".into()) },
    ] {
        if let Ok(got) = import(data, &options) {
            assert!(!got.conversations.is_empty());
            assert_eq!(got.report.rows_read, got.conversations.len() + got.report.skipped.len());
            for c in &got.conversations {
                assert!(!c.messages.is_empty());
            }
        }
    }
});
