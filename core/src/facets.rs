//! Facets computed without a model: turns, lengths, language (read by
//! [`crate::language`]), time bucket, metadata.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Conversation, Role};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComputedFacets {
    /// User messages: one exchange is one turn.
    pub turns: usize,
    pub user_chars: usize,
    pub assistant_chars: usize,
    /// ISO 639-1 code of the user turns, or `None` when neither they nor the
    /// other conversations of the run tell.
    pub language: Option<String>,
    /// `YYYY-MM` of `created_at`, when it parses.
    pub month: Option<String>,
    /// The row's metadata columns, passed through.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
}

/// A conversation's computed facets, its language read by
/// [`crate::language`] (alone or in the light of its corpus) and given here.
pub fn compute(c: &Conversation, language: Option<String>) -> ComputedFacets {
    let count = |role: Role| -> usize { c.messages.iter().filter(|m| m.role == role).map(|m| m.content.chars().count()).sum() };
    ComputedFacets {
        turns: c.messages.iter().filter(|m| m.role == Role::User).count(),
        user_chars: count(Role::User),
        assistant_chars: count(Role::Assistant),
        language,
        month: c.created_at.as_deref().and_then(month_bucket),
        meta: c.meta.clone(),
    }
}

/// `YYYY-MM` from an ISO 8601 date-time or Unix seconds (or milliseconds).
pub fn month_bucket(s: &str) -> Option<String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        if !secs.is_finite() || secs < 0.0 {
            return None;
        }
        // Values this large are milliseconds: seconds would be past the year 5000.
        let secs = if secs > 1e11 { secs / 1000.0 } else { secs };
        let (y, m, _) = civil_from_days((secs / 86_400.0).floor() as i64);
        return Some(format!("{y:04}-{m:02}"));
    }
    let b = s.as_bytes();
    if b.len() >= 7 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[5..7].iter().all(u8::is_ascii_digit) {
        let month: u32 = s[5..7].parse().ok()?;
        if (1..=12).contains(&month) {
            return Some(s[..7].to_string());
        }
    }
    None
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_from_iso_and_unix() {
        assert_eq!(month_bucket("2023-04-09T12:00:00Z").as_deref(), Some("2023-04"));
        assert_eq!(month_bucket("1700000000").as_deref(), Some("2023-11"));
        assert_eq!(month_bucket("1700000000000").as_deref(), Some("2023-11"));
        assert_eq!(month_bucket("0").as_deref(), Some("1970-01"));
        assert_eq!(month_bucket("2023-13-01"), None);
        assert_eq!(month_bucket("yesterday"), None);
    }
}
