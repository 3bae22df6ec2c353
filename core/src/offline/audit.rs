//! A rule-based privacy auditor on the paper's 1–5 scale (Table 6).

use super::normalise::for_rules;
use super::scrub::{self, Detail};
use crate::analyst::AuditVerdict;

/// Scores a text: 1 identifies an individual, 2 a specific organisation or
/// site, 3 narrows to a few thousand people, 4 needs much more context, 5 is
/// general. Rules cannot tell a public figure from a private person, so any
/// full name scores 1: the auditor errs towards hiding.
pub fn audit(text: &str) -> AuditVerdict {
    let text = &*for_rules(text);
    let findings = scrub::find(text);
    let describe = |d: Detail| match d {
        Detail::Email => "an email address",
        Detail::Url => "a web address or domain",
        Detail::IpAddress => "an IP address",
        Detail::Iban => "a bank account number (IBAN)",
        Detail::CardNumber => "a payment card number",
        Detail::SocialSecurity => "a social security number",
        Detail::Phone => "a phone number",
        Detail::StreetAddress => "a street address",
        Detail::Number => "a long number (an id, account or postcode)",
        Detail::Name => "a proper name",
    };
    if let Some(f) = findings.iter().find(|f| f.detail.identifies_individual() && f.detail != Detail::Name) {
        return AuditVerdict { score: 1, reason: format!("contains {}", describe(f.detail)) };
    }
    let names: Vec<&scrub::Finding> = findings.iter().filter(|f| f.detail == Detail::Name).collect();
    let adjacent = names.windows(2).any(|w| text[w[0].end..w[1].start].trim().is_empty());
    if adjacent {
        return AuditVerdict { score: 1, reason: "contains what looks like a person's full name".into() };
    }
    if findings.iter().any(|f| f.detail == Detail::Url) {
        return AuditVerdict { score: 2, reason: format!("contains {}", describe(Detail::Url)) };
    }
    if names.len() >= 2 {
        return AuditVerdict { score: 2, reason: "contains several proper names".into() };
    }
    if let Some(n) = names.first() {
        return AuditVerdict { score: 3, reason: format!("contains the proper name {:?}", &text[n.start..n.end]) };
    }
    if findings.iter().any(|f| f.detail == Detail::Number) {
        return AuditVerdict { score: 4, reason: format!("contains {}", describe(Detail::Number)) };
    }
    AuditVerdict { score: 5, reason: "general content, no identifying details found".into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_follow_the_scale() {
        assert_eq!(audit("Write to jane@example.com about the invoice").score, 1);
        assert_eq!(audit("Help John Smith resolve an argument with his girlfriend").score, 1);
        assert_eq!(audit("John smith").score, 1);
        assert_eq!(audit("Phone number & mary").score, 3);
        assert_eq!(audit("Build a marketing site for spindleboba.com").score, 2);
        assert_eq!(audit("Plan a trip around Springfield").score, 3);
        assert_eq!(audit("Explain the difference between lists and sets in Python").score, 5);
        assert_eq!(audit("Set alarms: [NAME] asked for help with [PHONE] reminders").score, 5);
    }

    #[test]
    fn obfuscated_identifiers_score_as_the_plain_ones() {
        let pairs = [
            ("Write to jane@example.com about the invoice", "Write to jane＠example．com about the invoice"),
            ("Write to jane@example.com about the invoice", "Write to jane\u{200B}@exam\u{200C}ple.com about the invoice"),
            ("Call me on 555-123-4567 tonight", "Call me on ٥٥٥-١٢٣-٤٥٦٧ tonight"),
            ("Call me on 555-123-4567 tonight", "Call me on ５５５-１２３-４５６７ tonight"),
            ("My card is 4111 1111 1111 1111", "My card is ४१११ ११११ ११११ ११११"),
        ];
        for (plain, obfuscated) in pairs {
            assert_eq!(audit(plain).score, 1, "{plain}");
            assert_eq!(audit(obfuscated), audit(plain), "{obfuscated}");
        }
    }
}
