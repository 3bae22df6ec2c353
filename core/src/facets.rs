//! Facets computed without a model: turns, lengths, language, time bucket, metadata.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Conversation, Role};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComputedFacets {
    /// User messages: one exchange is one turn.
    pub turns: usize,
    pub user_chars: usize,
    pub assistant_chars: usize,
    /// ISO 639-1 code of the user turns,
    /// or `None` when the text is too short or too mixed to tell.
    pub language: Option<String>,
    /// `YYYY-MM` of `created_at`, when it parses.
    pub month: Option<String>,
    /// The row's metadata columns, passed through.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub meta: BTreeMap<String, String>,
}

pub fn compute(c: &Conversation) -> ComputedFacets {
    let count = |role: Role| -> usize { c.messages.iter().filter(|m| m.role == role).map(|m| m.content.chars().count()).sum() };
    let user_text: String = c.user_turns().collect::<Vec<_>>().join("\n");
    ComputedFacets {
        turns: c.messages.iter().filter(|m| m.role == Role::User).count(),
        user_chars: count(Role::User),
        assistant_chars: count(Role::Assistant),
        language: detect_language(&user_text),
        month: c.created_at.as_deref().and_then(month_bucket),
        meta: c.meta.clone(),
    }
}

/// Language of a text. Texts of one or two words are reported only when the detector
/// is confident; otherwise `None` rather than a guess.
pub fn detect_language(text: &str) -> Option<String> {
    // The first few thousand characters are plenty and keep long pastes cheap.
    let sample: String = text.chars().take(2000).collect();
    let info = whatlang::detect(&sample)?;
    let words = sample.split_whitespace().count();
    if !info.is_reliable() && (words < 3 || info.confidence() < 0.1) {
        return None;
    }
    Some(iso639_1(info.lang()).to_string())
}

fn iso639_1(lang: whatlang::Lang) -> &'static str {
    use whatlang::Lang::*;
    match lang {
        Eng => "en",
        Fra => "fr",
        Deu => "de",
        Spa => "es",
        Por => "pt",
        Ita => "it",
        Nld => "nl",
        Rus => "ru",
        Ukr => "uk",
        Pol => "pl",
        Ces => "cs",
        Slk => "sk",
        Jpn => "ja",
        Kor => "ko",
        Cmn => "zh",
        Ara => "ar",
        Heb => "he",
        Hin => "hi",
        Ben => "bn",
        Tur => "tr",
        Vie => "vi",
        Tha => "th",
        Ind => "id",
        Swe => "sv",
        Dan => "da",
        Nob => "no",
        Fin => "fi",
        Hun => "hu",
        Ron => "ro",
        Ell => "el",
        Bul => "bg",
        Hrv => "hr",
        Srp => "sr",
        Slv => "sl",
        Lit => "lt",
        Lav => "lv",
        Est => "et",
        Pes => "fa",
        Urd => "ur",
        Tam => "ta",
        Tel => "te",
        Mar => "mr",
        Cat => "ca",
        Epo => "eo",
        Afr => "af",
        Lat => "la",
        Tgl => "tl",
        Mal => "ml",
        Kan => "kn",
        Guj => "gu",
        Pan => "pa",
        Aze => "az",
        Bel => "be",
        Mkd => "mk",
        Kat => "ka",
        Hye => "hy",
        Yid => "yi",
        Amh => "am",
        Jav => "jv",
        Zul => "zu",
        Sna => "sn",
        Aka => "ak",
        Uzb => "uz",
        Khm => "km",
        Mya => "my",
        Sin => "si",
        Nep => "ne",
        Ori => "or",
        Tuk => "tk",
        Cym => "cy",
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

    #[test]
    fn languages() {
        assert_eq!(detect_language("How do I bake bread at home with a sourdough starter?").as_deref(), Some("en"));
        assert_eq!(detect_language("Comment puis-je faire du pain à la maison avec du levain ?").as_deref(), Some("fr"));
        assert_eq!(detect_language("日本語で短い詩を書いてください。季節は春です。").as_deref(), Some("ja"));
        assert_eq!(detect_language(""), None);
    }
}
