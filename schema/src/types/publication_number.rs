//! Chinese patent publication numbers (公开/公告号), the key for CNIPA's per-patent pages.

use serde::{Deserialize, Serialize};

use super::{check_chars, compact, malformed, ValidationError};

const WHAT: &str = "publication number";

/// Kind codes CNIPA uses: A, B, U, S since 2007 (application, granted invention, utility model, design); C, Y, D before.
const KIND_CODES: [char; 7] = ['A', 'B', 'C', 'D', 'S', 'U', 'Y'];

/// A Chinese publication number in one spelling, the key of CNIPA's per-patent page: "CN" + serial + kind code, e.g. "CN105338215A".
///
/// The serial has 9 digits since 2007 and 7 or 8 digits in older numbers (e.g. "CN1234567A");
/// it is kept as written, not zero-padded. The kind code may carry one digit ("CN105338215B8"
/// for a corrected grant). The "CN" prefix is required: without it the country is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PublicationNumber(String);

impl PublicationNumber {
    /// Parses "CN105338215A", "CN 105338215 A", "cn105338215a" or full-width forms; normalises to upper case without spaces.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let compacted = compact(input).to_ascii_uppercase();
        if compacted.is_empty() {
            return Err(ValidationError::Empty { what: WHAT });
        }
        let Some(rest) = compacted.strip_prefix("CN") else {
            return Err(malformed(
                WHAT,
                input,
                "must start with the country code CN",
            ));
        };
        check_chars(WHAT, input, rest, |c| {
            c.is_ascii_digit() || c.is_ascii_uppercase()
        })?;
        // `rest` is ASCII from here on.
        let serial_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if !(7..=9).contains(&serial_len) {
            return Err(malformed(
                WHAT,
                input,
                format!("expected 9 digits (7 or 8 in older numbers) after CN, found {serial_len}"),
            ));
        }
        let mut suffix = rest[serial_len..].chars();
        let kind = match suffix.next() {
            Some(kind) if KIND_CODES.contains(&kind) => kind,
            Some(found) => {
                return Err(ValidationError::UnknownKindCode {
                    input: super::shown(input),
                    found,
                })
            }
            None => {
                return Err(malformed(
                    WHAT,
                    input,
                    "the kind code (A, B, C, D, S, U or Y) is missing after the digits",
                ))
            }
        };
        match (suffix.next(), suffix.next()) {
            (None, _) => {}
            (Some(d), None) if d.is_ascii_digit() => {}
            _ => {
                return Err(malformed(
                    WHAT,
                    input,
                    format!("the kind code {kind} may be followed by one digit only"),
                ))
            }
        }
        Ok(Self(compacted))
    }

    /// The normalised form, e.g. "CN105338215A".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The kind code letter (A published application, B granted invention, U utility model, S design; C, Y, D older).
    pub fn kind_code(&self) -> char {
        char::from(self.0.as_bytes()[2 + self.serial_len()])
    }

    /// The serial digits between "CN" and the kind code (9 digits, or 7–8 in older numbers).
    pub fn serial(&self) -> &str {
        &self.0[2..2 + self.serial_len()]
    }

    /// The number of serial digits.
    fn serial_len(&self) -> usize {
        self.0
            .bytes()
            .skip(2)
            .take_while(u8::is_ascii_digit)
            .count()
    }
}

string_newtype!(PublicationNumber);

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<PublicationNumber, ValidationError> {
        PublicationNumber::parse(s)
    }

    #[test]
    fn domain_example_parses() {
        let n = parse("CN105338215A").unwrap();
        assert_eq!(n.as_str(), "CN105338215A");
        assert_eq!(n.kind_code(), 'A');
        assert_eq!(n.serial(), "105338215");
    }

    #[test]
    fn spellings_normalise() {
        for s in [
            "CN 105338215 A",
            "cn105338215a",
            "Cn105338215A",
            " CN105338215A ",
            "ＣＮ１０５３３８２１５Ａ",
            "CN\u{3000}105338215\u{3000}A",
            "CN 105 338 215 A",
        ] {
            assert_eq!(
                parse(s).map(|n| n.to_string()),
                Ok("CN105338215A".to_owned()),
                "{s}"
            );
        }
    }

    #[test]
    fn every_kind_code_is_accepted() {
        for kind in KIND_CODES {
            let n = parse(&format!("CN105338215{kind}")).unwrap();
            assert_eq!(n.kind_code(), kind);
            assert_eq!(n.serial(), "105338215");
        }
    }

    #[test]
    fn kind_code_may_carry_one_digit() {
        let n = parse("CN105338215B8").unwrap();
        assert_eq!(n.as_str(), "CN105338215B8");
        assert_eq!(n.kind_code(), 'B');
        assert_eq!(n.serial(), "105338215");
        assert_eq!(parse("cn 1234567 c9").unwrap().as_str(), "CN1234567C9");
    }

    #[test]
    fn older_seven_and_eight_digit_serials_are_kept_as_written() {
        let n = parse("CN1234567A").unwrap();
        assert_eq!(n.as_str(), "CN1234567A");
        assert_eq!(n.serial(), "1234567");
        assert_eq!(n.kind_code(), 'A');
        let n = parse("CN2345678Y").unwrap();
        assert_eq!(n.kind_code(), 'Y');
        let n = parse("CN30012345D").unwrap();
        assert_eq!(n.serial(), "30012345");
        assert_eq!(n.kind_code(), 'D');
    }

    #[test]
    fn serial_length_outside_7_to_9_is_rejected() {
        for s in ["CN123456A", "CN1053382150A", "CNA", "CN"] {
            assert!(
                matches!(parse(s), Err(ValidationError::Malformed { .. })),
                "{s}"
            );
        }
    }

    #[test]
    fn unknown_kind_code_is_rejected() {
        assert_eq!(
            parse("CN105338215E"),
            Err(ValidationError::UnknownKindCode {
                input: "CN105338215E".into(),
                found: 'E',
            })
        );
        assert!(matches!(
            parse("cn105338215x"),
            Err(ValidationError::UnknownKindCode { found: 'X', .. })
        ));
    }

    #[test]
    fn missing_kind_code_is_rejected() {
        let err = parse("CN105338215").unwrap_err();
        assert!(err.to_string().contains("kind code"), "{err}");
    }

    #[test]
    fn trailing_characters_are_rejected() {
        for s in [
            "CN105338215A12",
            "CN105338215AB",
            "CN105338215A.",
            "CN105338215A1B",
        ] {
            assert!(parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn missing_or_foreign_country_code_is_rejected() {
        for s in ["105338215A", "US105338215A", "ZL105338215A"] {
            let err = parse(s).unwrap_err();
            assert!(
                err.to_string()
                    .contains("must start with the country code CN"),
                "{s}: {err}"
            );
        }
    }

    #[test]
    fn stray_characters_are_rejected() {
        assert!(matches!(
            parse("CN-105338215A"),
            Err(ValidationError::InvalidCharacter { found: '-', .. })
        ));
        assert!(matches!(
            parse("CN105338215号"),
            Err(ValidationError::InvalidCharacter { found: '号', .. })
        ));
    }

    #[test]
    fn empty_input_is_rejected() {
        assert_eq!(parse(" "), Err(ValidationError::Empty { what: WHAT }));
    }

    #[test]
    fn from_str_display_and_serde_use_the_normalised_form() {
        let n: PublicationNumber = "cn 105338215 a".parse().unwrap();
        assert_eq!(n.to_string(), "CN105338215A");
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"CN105338215A\"");
        assert_eq!(
            serde_json::from_str::<PublicationNumber>("\"CN 105338215 A\"").unwrap(),
            n
        );
        assert!(serde_json::from_str::<PublicationNumber>("\"CN105338215E\"").is_err());
        assert_eq!(String::from(n), "CN105338215A");
    }
}
