//! Parsing newtypes for the identifiers and codes of the domain, with one shared error type.
//!
//! Every type here is built only through `parse`, which accepts the spellings found in real
//! catalogs (prefixes, spaces, full-width characters, lower case) and keeps one normalised
//! form. `Display`, `FromStr` and serde all use that normalised form, and deserialising
//! validates, so a value of one of these types is always well formed.

use std::fmt;

/// Implements `Display`, `FromStr`, `AsRef<str>`, `TryFrom<String>` and `From<T> for String`
/// for a newtype over `String` that has `parse` and `as_str`.
macro_rules! string_newtype {
    ($ty:ty) => {
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::types::ValidationError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::types::ValidationError;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.0
            }
        }
    };
}

mod industry_code;
mod ipc;
mod patent_number;
mod publication_number;
mod region_code;
mod trl;

pub use industry_code::{IndustryCode, IndustryLevel};
pub use ipc::IpcSymbol;
pub use patent_number::{PatentApplicationNumber, PatentKind};
pub use publication_number::PublicationNumber;
pub use region_code::RegionCode;
pub use trl::Trl;

/// Why an identifier or code was rejected; one error type so callers can report any field alike.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// The input held nothing but whitespace.
    #[error("{what} is empty")]
    Empty {
        /// What was being parsed, e.g. "patent application number".
        what: &'static str,
    },
    /// The input holds a character that this kind of code never contains.
    #[error("unexpected character {found:?} in {what} {input:?}")]
    InvalidCharacter {
        /// What was being parsed.
        what: &'static str,
        /// The input as given (shortened when very long).
        input: String,
        /// The first offending character.
        found: char,
    },
    /// The input has the right characters but the wrong shape (length, order, separators).
    #[error("{what} {input:?} is malformed: {reason}")]
    Malformed {
        /// What was being parsed.
        what: &'static str,
        /// The input as given (shortened when very long).
        input: String,
        /// What is wrong with it, in words.
        reason: String,
    },
    /// A patent application number whose check digit does not match its digits.
    #[error("check digit is {found} but {number} needs {expected}")]
    WrongCheckDigit {
        /// The body digits of the number, without the check digit.
        number: String,
        /// The check digit the body digits require.
        expected: char,
        /// The check digit that was given.
        found: char,
    },
    /// A patent application number given without its check digit.
    #[error("missing check digit; it should be {number}.{expected}")]
    MissingCheckDigit {
        /// The body digits of the number.
        number: String,
        /// The check digit the body digits require.
        expected: char,
    },
    /// A patent application number whose type digit is not 1, 2, 3, 8 or 9.
    #[error(
        "patent application number {number} has type digit {found}; expected 1 (invention), \
         2 (utility model), 3 (design), 8 (PCT invention) or 9 (PCT utility model)"
    )]
    UnknownPatentType {
        /// The body digits of the number.
        number: String,
        /// The type digit that was given.
        found: char,
    },
    /// A patent application number whose year digits cannot be a filing year of its format.
    #[error("patent application number {number} has filing year {year}, outside {allowed}")]
    FilingYearOutOfRange {
        /// The body digits of the number.
        number: String,
        /// The year digits as written (4 in the new format, 2 in the old).
        year: String,
        /// The years the format admits, in words.
        allowed: &'static str,
    },
    /// A publication number whose kind code is not one CNIPA uses.
    #[error(
        "publication number {input:?} has kind code {found:?}; Chinese kind codes are \
         A, B, C, D, S, U and Y"
    )]
    UnknownKindCode {
        /// The input as given (shortened when very long).
        input: String,
        /// The kind code letter that was given.
        found: char,
    },
    /// A technology readiness level outside 1–9.
    #[error("TRL must be between 1 and 9, got {level}")]
    TrlOutOfRange {
        /// The level that was given.
        level: i64,
    },
    /// A maturity text that is neither a TRL nor a known stage word.
    #[error(
        "{input:?} is neither a TRL from 1 to 9 nor a known maturity stage \
         (正在研发, 通过小试, 已有样品, 通过中试, 可以量产)"
    )]
    UnknownTrl {
        /// The input as given (shortened when very long).
        input: String,
    },
    /// A GB/T 4754-2017 section letter outside A–T.
    #[error("GB/T 4754-2017 has no section {found:?}; sections run from A to T")]
    UnknownIndustrySection {
        /// The letter that was given.
        found: char,
    },
    /// A GB/T 4754-2017 code whose first two digits are not a division.
    #[error(
        "GB/T 4754-2017 has no division {division} (in {code:?}); divisions run from 01 to 98"
    )]
    UnknownIndustryDivision {
        /// The code as given (shortened when very long).
        code: String,
        /// The two division digits.
        division: String,
    },
    /// A GB/T 4754-2017 code whose section letter disagrees with its division.
    #[error(
        "industry code {code:?} names section {given} but division {division} belongs to \
         section {expected}"
    )]
    IndustrySectionMismatch {
        /// The code as given (shortened when very long).
        code: String,
        /// The section letter that was given.
        given: char,
        /// The section the division belongs to.
        expected: char,
        /// The two division digits.
        division: String,
    },
    /// An IPC symbol whose section letter is outside A–H.
    #[error("IPC symbol {input:?} starts with section {found:?}; IPC sections run from A to H")]
    UnknownIpcSection {
        /// The input as given (shortened when very long).
        input: String,
        /// The section letter that was given.
        found: char,
    },
    /// A GB/T 2260 code whose first two digits are not a province-level division.
    #[error("GB/T 2260 has no province-level division {prefix} (in region code {code})")]
    UnknownProvince {
        /// The six-digit code.
        code: String,
        /// Its first two digits.
        prefix: String,
    },
}

impl ValidationError {
    /// The check digit a patent application number needs, so a form can offer the correction.
    pub fn expected_check_digit(&self) -> Option<char> {
        match self {
            Self::WrongCheckDigit { expected, .. } | Self::MissingCheckDigit { expected, .. } => {
                Some(*expected)
            }
            _ => None,
        }
    }
}

/// Longest input echoed back in an error, so a pasted page does not end up in a message.
const SHOWN_MAX_CHARS: usize = 40;

/// The input as echoed in an error message: trimmed, and shortened when very long.
pub(crate) fn shown(input: &str) -> String {
    let trimmed = input.trim();
    if trimmed.chars().count() <= SHOWN_MAX_CHARS {
        trimmed.to_owned()
    } else {
        let mut s: String = trimmed.chars().take(SHOWN_MAX_CHARS).collect();
        s.push('…');
        s
    }
}

/// Maps full-width ASCII forms (０-９, Ａ-Ｚ, ．, ／ …) to ASCII and ideographic dots to '.'.
pub(crate) fn fold_width(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '\u{3002}' | '\u{FF61}' => '.',
            _ => c,
        })
        .collect()
}

/// The input folded to ASCII width with all whitespace (and zero-width marks) removed.
pub(crate) fn compact(input: &str) -> String {
    fold_width(input)
        .chars()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}')
        })
        .collect()
}

/// The first character that `allowed` rejects, reported as an [`ValidationError::InvalidCharacter`].
pub(crate) fn check_chars(
    what: &'static str,
    input: &str,
    candidate: &str,
    allowed: impl Fn(char) -> bool,
) -> Result<(), ValidationError> {
    match candidate.chars().find(|c| !allowed(*c)) {
        Some(found) => Err(ValidationError::InvalidCharacter {
            what,
            input: shown(input),
            found,
        }),
        None => Ok(()),
    }
}

/// Shorthand for a [`ValidationError::Malformed`].
pub(crate) fn malformed(
    what: &'static str,
    input: &str,
    reason: impl fmt::Display,
) -> ValidationError {
    ValidationError::Malformed {
        what,
        input: shown(input),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_width_maps_full_width_digits_letters_and_dots() {
        assert_eq!(fold_width("２０１７．３"), "2017.3");
        assert_eq!(fold_width("ＣＮａ／"), "CNa/");
        assert_eq!(fold_width("1。2｡3"), "1.2.3");
        assert_eq!(fold_width("a\u{3000}b"), "a b");
        assert_eq!(fold_width("内蒙古"), "内蒙古");
    }

    #[test]
    fn compact_removes_all_whitespace_and_zero_width_marks() {
        assert_eq!(compact(" \u{FEFF}a\tb\u{3000}c\u{00A0}d\u{200B}\n"), "abcd");
    }

    #[test]
    fn shown_trims_and_shortens_long_input() {
        assert_eq!(shown("  abc "), "abc");
        let long = "9".repeat(100);
        let s = shown(&long);
        assert_eq!(s.chars().count(), SHOWN_MAX_CHARS + 1);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn expected_check_digit_only_for_check_digit_errors() {
        let wrong = ValidationError::WrongCheckDigit {
            number: "201710601862".into(),
            expected: '3',
            found: '5',
        };
        assert_eq!(wrong.expected_check_digit(), Some('3'));
        let missing = ValidationError::MissingCheckDigit {
            number: "95115608".into(),
            expected: 'X',
        };
        assert_eq!(missing.expected_check_digit(), Some('X'));
        assert_eq!(
            ValidationError::TrlOutOfRange { level: 0 }.expected_check_digit(),
            None
        );
    }

    #[test]
    fn check_digit_messages_name_the_expected_digit() {
        let wrong = ValidationError::WrongCheckDigit {
            number: "201710601862".into(),
            expected: '3',
            found: '5',
        };
        assert_eq!(
            wrong.to_string(),
            "check digit is 5 but 201710601862 needs 3"
        );
        let missing = ValidationError::MissingCheckDigit {
            number: "201710601862".into(),
            expected: '3',
        };
        assert_eq!(
            missing.to_string(),
            "missing check digit; it should be 201710601862.3"
        );
    }
}
