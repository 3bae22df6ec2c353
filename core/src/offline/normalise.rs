//! Text as the privacy rules read it. The scrubber's and the auditor's
//! patterns are written for plain characters; a text can spell the same
//! detail in others: a fullwidth `＠` or `．`, a zero-width space inside an
//! email address or a phone number, Arabic-Indic or Devanagari digits. Every
//! rule therefore reads the text after NFKC normalisation (which folds the
//! fullwidth and compatibility forms), with Unicode's format characters
//! (category Cf: zero-width spaces and joiners, soft hyphens, direction
//! marks) removed and the decimal digits of every script read as ASCII digits.

use std::borrow::Cow;

use unicode_normalization_alignments::UnicodeNormalization;

/// Unicode 14's format characters (general category Cf), as inclusive ranges;
/// produced with Python's `unicodedata` (`category(c) == "Cf"`).
const FORMAT_CHARACTERS: [(u32, u32); 21] = [
    (0xAD, 0xAD),
    (0x600, 0x605),
    (0x61C, 0x61C),
    (0x6DD, 0x6DD),
    (0x70F, 0x70F),
    (0x890, 0x891),
    (0x8E2, 0x8E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// The zero of every run of ten decimal digits (category Nd) outside ASCII,
/// in Unicode 14; produced with Python's `unicodedata` (`category(c) == "Nd"
/// and digit(c) == 0`). Each run holds the digits 0 to 9 in order.
const DIGIT_ZEROS: [u32; 65] = [
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946,
    0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0,
    0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE,
    0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

fn is_format(c: char) -> bool {
    let c = c as u32;
    FORMAT_CHARACTERS.iter().any(|&(first, last)| (first..=last).contains(&c))
}

/// The ASCII digit `c` stands for, if it is a decimal digit of another script.
fn ascii_digit(c: char) -> Option<char> {
    let code = c as u32;
    // The table is sorted: the run `c` may belong to starts at the last zero at or before it.
    let at = DIGIT_ZEROS.partition_point(|&zero| zero <= code).checked_sub(1)?;
    let value = code - DIGIT_ZEROS[at];
    (value < 10).then(|| char::from(b'0' + value as u8))
}

/// `text` as every privacy rule reads it. ASCII text is returned as it is.
pub fn for_rules(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.nfkc().map(|(c, _)| c).filter(|&c| !is_format(c)).map(|c| ascii_digit(c).unwrap_or(c)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obfuscated_details_read_as_plain_ones() {
        assert_eq!(for_rules("ann＠example．com"), "ann@example.com");
        assert_eq!(for_rules("ann\u{200B}.smith@exa\u{200D}mple.com"), "ann.smith@example.com");
        assert_eq!(for_rules("call ٠١٢٣ ४५६७ ８９"), "call 0123 4567 89");
        assert_eq!(for_rules("so\u{AD}cial"), "social");
        assert!(matches!(for_rules("plain ASCII"), Cow::Borrowed(_)));
        assert_eq!(for_rules("café, 東京, naïve"), "café, 東京, naïve");
    }

    #[test]
    fn every_listed_zero_starts_a_run_of_ten_digits() {
        for zero in DIGIT_ZEROS {
            for value in 0..10 {
                let c = char::from_u32(zero + value).unwrap();
                assert_eq!(ascii_digit(c), Some(char::from(b'0' + value as u8)), "U+{:04X}", zero + value);
            }
        }
        assert_eq!(ascii_digit('a'), None);
        assert_eq!(ascii_digit('\u{65F}'), None, "just before the Arabic-Indic zero");
    }
}
