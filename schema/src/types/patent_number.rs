//! Chinese patent application numbers (专利申请号), both the 2003 format and the older one, check digit verified.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::{check_chars, compact, malformed, ValidationError};

const WHAT: &str = "patent application number";

/// Check-digit weights over the body digits, left to right (the old format uses the first eight).
const WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];

/// A verified Chinese patent application number in one spelling, so a patent matches across sources: "201710601862.3" or old "95115608.X".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PatentApplicationNumber(String);

/// The kind of patent an application number is for, read from its type digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PatentKind {
    /// 发明, type digit 1.
    Invention,
    /// 实用新型, type digit 2.
    UtilityModel,
    /// 外观设计, type digit 3.
    Design,
    /// PCT invention application entering the Chinese national phase, type digit 8.
    PctInvention,
    /// PCT utility model application entering the Chinese national phase, type digit 9.
    PctUtilityModel,
}

impl PatentKind {
    /// The stable code used in the store and the API, e.g. "UTILITY_MODEL".
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invention => "INVENTION",
            Self::UtilityModel => "UTILITY_MODEL",
            Self::Design => "DESIGN",
            Self::PctInvention => "PCT_INVENTION",
            Self::PctUtilityModel => "PCT_UTILITY_MODEL",
        }
    }

    /// The Chinese name shown to users, e.g. "实用新型".
    pub fn label_zh(&self) -> &'static str {
        match self {
            Self::Invention => "发明",
            Self::UtilityModel => "实用新型",
            Self::Design => "外观设计",
            Self::PctInvention => "PCT发明",
            Self::PctUtilityModel => "PCT实用新型",
        }
    }

    /// The kind for a type digit of an application number ('1', '2', '3', '8' or '9').
    pub fn from_type_digit(digit: char) -> Option<Self> {
        match digit {
            '1' => Some(Self::Invention),
            '2' => Some(Self::UtilityModel),
            '3' => Some(Self::Design),
            '8' => Some(Self::PctInvention),
            '9' => Some(Self::PctUtilityModel),
            _ => None,
        }
    }
}

impl fmt::Display for PatentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl PatentApplicationNumber {
    /// Parses an application number as written in catalogs: "CN"/"ZL" prefix, spaces,
    /// full-width digits and dots, with or without the dot; the check digit is required and verified.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let compacted = compact(input).to_ascii_uppercase();
        if compacted.is_empty() {
            return Err(ValidationError::Empty { what: WHAT });
        }
        let rest = compacted
            .strip_prefix("CN")
            .or_else(|| compacted.strip_prefix("ZL"))
            .unwrap_or(&compacted);
        check_chars(WHAT, input, rest, |c| {
            c.is_ascii_digit() || c == '.' || c == 'X'
        })?;
        // From here on `rest` is ASCII, so byte offsets are character offsets.
        if rest.matches('.').count() > 1 {
            return Err(malformed(WHAT, input, "more than one dot"));
        }
        let (body, check) = match rest.split_once('.') {
            Some((body, after)) => match after.len() {
                0 => (body, None),
                1 => (body, after.chars().next()),
                _ => {
                    return Err(malformed(
                        WHAT,
                        input,
                        "only one check digit may follow the dot",
                    ))
                }
            },
            None if rest.len() == 13 || rest.len() == 9 => {
                let (body, last) = rest.split_at(rest.len() - 1);
                (body, last.chars().next())
            }
            None => (rest, None),
        };
        if body.contains('X') {
            return Err(malformed(
                WHAT,
                input,
                "X may only stand as the check digit",
            ));
        }
        if body.len() != 12 && body.len() != 8 {
            return Err(malformed(
                WHAT,
                input,
                format!(
                    "expected 12 digits and a check digit (since 2003) or 8 digits and a check \
                     digit (before 2003), found {} digits before the check digit",
                    body.len()
                ),
            ));
        }
        check_year(body)?;
        let type_digit = type_digit(body);
        if PatentKind::from_type_digit(type_digit).is_none() {
            return Err(ValidationError::UnknownPatentType {
                number: body.to_owned(),
                found: type_digit,
            });
        }
        let expected = Self::check_digit(body)
            .ok_or_else(|| malformed(WHAT, input, "the body must be 12 or 8 digits"))?;
        match check {
            None => Err(ValidationError::MissingCheckDigit {
                number: body.to_owned(),
                expected,
            }),
            Some(found) if found != expected => Err(ValidationError::WrongCheckDigit {
                number: body.to_owned(),
                expected,
                found,
            }),
            Some(_) => Ok(Self(format!("{body}.{expected}"))),
        }
    }

    /// The normalised form: body digits, a dot and the check digit, e.g. "201710601862.3".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits before the dot, e.g. "201710601862", as used in some search systems.
    pub fn body(&self) -> &str {
        self.0
            .split_once('.')
            .map_or(self.0.as_str(), |(body, _)| body)
    }

    /// Whether this is a pre-2003-10-01 eight-digit number.
    pub fn is_old_format(&self) -> bool {
        self.body().len() == 8
    }

    /// The kind of patent applied for, read from the type digit.
    pub fn kind(&self) -> PatentKind {
        match PatentKind::from_type_digit(type_digit(self.body())) {
            Some(kind) => kind,
            None => unreachable!("parse admits only type digits 1, 2, 3, 8 and 9"),
        }
    }

    /// The filing year: four digits in the new format; "85"–"99" → 19xx and "00"–"03" → 20xx in the old.
    pub fn filing_year(&self) -> u16 {
        let body = self.body();
        if body.len() == 12 {
            digits_value(&body[..4])
        } else {
            full_year(digits_value(&body[..2]))
        }
    }

    /// Computes the check digit for 12 (new format) or 8 (old format) body digits; 'X' stands for 10.
    pub fn check_digit(digits: &str) -> Option<char> {
        if (digits.len() != 12 && digits.len() != 8) || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let sum: u32 = digits
            .bytes()
            .zip(WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        match sum % 11 {
            10 => Some('X'),
            r => char::from_digit(r, 10),
        }
    }
}

string_newtype!(PatentApplicationNumber);

/// The type digit: fifth in the new format, third in the old. `body` is 12 or 8 ASCII digits.
fn type_digit(body: &str) -> char {
    let index = if body.len() == 12 { 4 } else { 2 };
    char::from(body.as_bytes()[index])
}

/// The value of a short run of ASCII digits.
fn digits_value(digits: &str) -> u16 {
    digits
        .bytes()
        .fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'))
}

/// The four-digit year for a two-digit old-format year (85–99 → 19xx, otherwise 20xx).
fn full_year(two_digits: u16) -> u16 {
    if two_digits >= 85 {
        1900 + two_digits
    } else {
        2000 + two_digits
    }
}

/// Rejects years the format cannot hold: 2003–2099 for 12 digits; 1985–2003 for 8 digits.
fn check_year(body: &str) -> Result<(), ValidationError> {
    let (year_digits, allowed, ok) = if body.len() == 12 {
        let year = digits_value(&body[..4]);
        (&body[..4], "2003–2099", (2003..=2099).contains(&year))
    } else {
        let yy = digits_value(&body[..2]);
        (
            &body[..2],
            "85–99 and 00–03 (1985 to 2003)",
            yy >= 85 || yy <= 3,
        )
    };
    if ok {
        Ok(())
    } else {
        Err(ValidationError::FilingYearOutOfRange {
            number: body.to_owned(),
            year: year_digits.to_owned(),
            allowed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<PatentApplicationNumber, ValidationError> {
        PatentApplicationNumber::parse(s)
    }

    #[test]
    fn check_digit_worked_examples_from_domain() {
        assert_eq!(
            PatentApplicationNumber::check_digit("201710601862"),
            Some('3')
        );
        assert_eq!(
            PatentApplicationNumber::check_digit("201510703489"),
            Some('3')
        );
        assert_eq!(
            PatentApplicationNumber::check_digit("201110296564"),
            Some('0')
        );
        assert_eq!(
            PatentApplicationNumber::check_digit("202110123456"),
            Some('7')
        );
        assert_eq!(PatentApplicationNumber::check_digit("95115608"), Some('X'));
    }

    #[test]
    fn check_digit_rejects_wrong_lengths_and_non_digits() {
        assert_eq!(PatentApplicationNumber::check_digit(""), None);
        assert_eq!(PatentApplicationNumber::check_digit("2017106018"), None);
        assert_eq!(PatentApplicationNumber::check_digit("2017106018623"), None);
        assert_eq!(PatentApplicationNumber::check_digit("20171060186X"), None);
        assert_eq!(
            PatentApplicationNumber::check_digit("２０１７１０６０"),
            None
        );
    }

    #[test]
    fn check_digit_has_no_eleven_minus_r_step() {
        // Σ = 2·1 = 2 → r = 2; an "11 − r" scheme would give 9.
        assert_eq!(
            PatentApplicationNumber::check_digit("100000000000"),
            Some('2')
        );
        assert_eq!(
            PatentApplicationNumber::check_digit("000000000000"),
            Some('0')
        );
    }

    #[test]
    fn worked_examples_parse() {
        for s in [
            "201710601862.3",
            "201510703489.3",
            "201110296564.0",
            "202110123456.7",
            "95115608.X",
        ] {
            assert_eq!(parse(s).map(|n| n.to_string()), Ok(s.to_owned()), "{s}");
        }
    }

    #[test]
    fn prefixes_spaces_and_full_width_all_normalise() {
        for s in [
            "ZL 2017 1 0601862.3",
            "CN201710601862.3",
            "２０１７１０６０１８６２．３",
            "CN 201710601862.3",
            "cn201710601862.3",
            "zl201710601862.3",
            "Zl 201710601862.3",
            "ZL201710601862.3",
            "ＺＬ２０１７１０６０１８６２．３",
            "201710601862。3",
            "201710601862｡3",
            " 2017 1060 1862 . 3 ",
            "2017\u{3000}10601862.3",
            "2017106018623",
            "CN2017106018623",
        ] {
            assert_eq!(
                parse(s).map(|n| n.to_string()),
                Ok("201710601862.3".to_owned()),
                "{s}"
            );
        }
    }

    #[test]
    fn x_check_digit_in_either_case() {
        for s in [
            "95115608.X",
            "95115608.x",
            "95115608X",
            "95115608x",
            "ZL95115608.X",
            "９５１１５６０８．ｘ",
        ] {
            assert_eq!(
                parse(s).map(|n| n.to_string()),
                Ok("95115608.X".to_owned()),
                "{s}"
            );
        }
    }

    #[test]
    fn wrong_check_digit_names_the_expected_digit() {
        let err = parse("201710601862.5").unwrap_err();
        assert_eq!(
            err,
            ValidationError::WrongCheckDigit {
                number: "201710601862".into(),
                expected: '3',
                found: '5',
            }
        );
        assert_eq!(err.expected_check_digit(), Some('3'));
        assert_eq!(err.to_string(), "check digit is 5 but 201710601862 needs 3");
    }

    #[test]
    fn wrong_check_digit_x_where_a_digit_is_due_and_vice_versa() {
        assert_eq!(
            parse("201710601862.X").unwrap_err().expected_check_digit(),
            Some('3')
        );
        let err = parse("95115608.0").unwrap_err();
        assert_eq!(
            err,
            ValidationError::WrongCheckDigit {
                number: "95115608".into(),
                expected: 'X',
                found: '0',
            }
        );
    }

    #[test]
    fn missing_check_digit_is_an_error_that_names_it() {
        for s in [
            "201710601862",
            "CN201710601862",
            "201710601862.",
            "ZL 2017 1 0601862",
        ] {
            let err = parse(s).unwrap_err();
            assert_eq!(
                err,
                ValidationError::MissingCheckDigit {
                    number: "201710601862".into(),
                    expected: '3',
                },
                "{s}"
            );
            assert_eq!(
                err.to_string(),
                "missing check digit; it should be 201710601862.3"
            );
        }
        let old = parse("95115608").unwrap_err();
        assert_eq!(old.expected_check_digit(), Some('X'));
        assert_eq!(
            old.to_string(),
            "missing check digit; it should be 95115608.X"
        );
    }

    #[test]
    fn kinds_from_type_digit_new_format() {
        let cases = [
            ("201710601862", PatentKind::Invention),
            ("201720601862", PatentKind::UtilityModel),
            ("201730601862", PatentKind::Design),
            ("201780601862", PatentKind::PctInvention),
            ("201790601862", PatentKind::PctUtilityModel),
        ];
        for (body, kind) in cases {
            let check = PatentApplicationNumber::check_digit(body).unwrap();
            let n = parse(&format!("{body}.{check}")).unwrap();
            assert_eq!(n.kind(), kind, "{body}");
            assert_eq!(n.filing_year(), 2017);
            assert!(!n.is_old_format());
        }
    }

    #[test]
    fn kinds_from_type_digit_old_format() {
        let cases = [
            ("95115608", PatentKind::Invention),
            ("95215608", PatentKind::UtilityModel),
            ("95315608", PatentKind::Design),
            ("95815608", PatentKind::PctInvention),
            ("95915608", PatentKind::PctUtilityModel),
        ];
        for (body, kind) in cases {
            let check = PatentApplicationNumber::check_digit(body).unwrap();
            let n = parse(&format!("{body}.{check}")).unwrap();
            assert_eq!(n.kind(), kind, "{body}");
            assert!(n.is_old_format());
        }
    }

    #[test]
    fn unknown_type_digit_is_rejected() {
        for digit in ['0', '4', '5', '6', '7'] {
            let body = format!("2017{digit}0601862");
            let check = PatentApplicationNumber::check_digit(&body).unwrap();
            assert_eq!(
                parse(&format!("{body}.{check}")),
                Err(ValidationError::UnknownPatentType {
                    number: body.clone(),
                    found: digit,
                })
            );
        }
        let body = "95415608";
        let check = PatentApplicationNumber::check_digit(body).unwrap();
        assert!(matches!(
            parse(&format!("{body}.{check}")),
            Err(ValidationError::UnknownPatentType { found: '4', .. })
        ));
    }

    #[test]
    fn filing_years() {
        assert_eq!(parse("201710601862.3").unwrap().filing_year(), 2017);
        assert_eq!(parse("95115608.X").unwrap().filing_year(), 1995);
        for (yy, year) in [("85", 1985), ("99", 1999), ("00", 2000), ("03", 2003)] {
            let body = format!("{yy}115608");
            let check = PatentApplicationNumber::check_digit(&body).unwrap();
            assert_eq!(
                parse(&format!("{body}.{check}")).unwrap().filing_year(),
                year
            );
        }
        for (yyyy, year) in [("2003", 2003), ("2099", 2099)] {
            let body = format!("{yyyy}10601862");
            let check = PatentApplicationNumber::check_digit(&body).unwrap();
            assert_eq!(
                parse(&format!("{body}.{check}")).unwrap().filing_year(),
                year
            );
        }
    }

    #[test]
    fn years_outside_the_format_are_rejected() {
        for yyyy in ["2002", "1999", "2100", "0000"] {
            let body = format!("{yyyy}10601862");
            let check = PatentApplicationNumber::check_digit(&body).unwrap();
            assert_eq!(
                parse(&format!("{body}.{check}")),
                Err(ValidationError::FilingYearOutOfRange {
                    number: body.clone(),
                    year: yyyy.into(),
                    allowed: "2003–2099",
                }),
                "{yyyy}"
            );
        }
        for yy in ["04", "50", "84"] {
            let body = format!("{yy}115608");
            let check = PatentApplicationNumber::check_digit(&body).unwrap();
            assert!(
                matches!(
                    parse(&format!("{body}.{check}")),
                    Err(ValidationError::FilingYearOutOfRange { .. })
                ),
                "{yy}"
            );
        }
    }

    #[test]
    fn year_and_type_are_checked_before_the_check_digit() {
        // A bogus number gets no suggested check digit.
        assert!(matches!(
            parse("201750601862"),
            Err(ValidationError::UnknownPatentType { .. })
        ));
        assert!(matches!(
            parse("199910601862.0"),
            Err(ValidationError::FilingYearOutOfRange { .. })
        ));
    }

    #[test]
    fn wrong_lengths_are_rejected() {
        for s in [
            "2017106018.3",
            "20171060186.3",
            "2017106018621.3",
            "9511560.X",
            "123",
            "1234567890",
        ] {
            assert!(
                matches!(parse(s), Err(ValidationError::Malformed { .. })),
                "{s}: {:?}",
                parse(s)
            );
        }
        let err = parse("20171060186.3").unwrap_err();
        assert!(err.to_string().contains("found 11 digits"), "{err}");
    }

    #[test]
    fn stray_characters_are_rejected() {
        assert!(matches!(
            parse("2017-10601862.3"),
            Err(ValidationError::InvalidCharacter { found: '-', .. })
        ));
        assert!(matches!(
            parse("US201710601862.3"),
            Err(ValidationError::InvalidCharacter { found: 'U', .. })
        ));
        assert!(matches!(
            parse("专利201710601862.3"),
            Err(ValidationError::InvalidCharacter { found: '专', .. })
        ));
        assert!(matches!(
            parse("201710601862.34"),
            Err(ValidationError::Malformed { .. })
        ));
        assert!(parse("2017106.01862.3")
            .unwrap_err()
            .to_string()
            .contains("more than one dot"));
        assert!(matches!(
            parse("20171060186X.3"),
            Err(ValidationError::Malformed { .. })
        ));
        assert!(matches!(
            parse("CNZL201710601862.3"),
            Err(ValidationError::InvalidCharacter { .. })
        ));
    }

    #[test]
    fn empty_input_is_rejected() {
        for s in ["", "   ", "\u{3000}"] {
            assert_eq!(parse(s), Err(ValidationError::Empty { what: WHAT }));
        }
        // A bare prefix is not a number.
        assert!(matches!(
            parse("CN"),
            Err(ValidationError::Malformed { .. })
        ));
    }

    #[test]
    fn body_accessor() {
        assert_eq!(parse("201710601862.3").unwrap().body(), "201710601862");
        assert_eq!(parse("95115608.X").unwrap().body(), "95115608");
    }

    #[test]
    fn patent_kind_codes_labels_and_serde() {
        let all = [
            (PatentKind::Invention, "INVENTION", "发明", '1'),
            (PatentKind::UtilityModel, "UTILITY_MODEL", "实用新型", '2'),
            (PatentKind::Design, "DESIGN", "外观设计", '3'),
            (PatentKind::PctInvention, "PCT_INVENTION", "PCT发明", '8'),
            (
                PatentKind::PctUtilityModel,
                "PCT_UTILITY_MODEL",
                "PCT实用新型",
                '9',
            ),
        ];
        for (kind, code, label, digit) in all {
            assert_eq!(kind.code(), code);
            assert_eq!(kind.label_zh(), label);
            assert_eq!(kind.to_string(), code);
            assert_eq!(PatentKind::from_type_digit(digit), Some(kind));
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{code}\""));
            assert_eq!(
                serde_json::from_str::<PatentKind>(&format!("\"{code}\"")).unwrap(),
                kind
            );
        }
        assert_eq!(PatentKind::from_type_digit('4'), None);
    }

    #[test]
    fn from_str_display_and_serde_use_the_normalised_form() {
        let n: PatentApplicationNumber = "ZL 2017 1 0601862.3".parse().unwrap();
        assert_eq!(n.as_str(), "201710601862.3");
        assert_eq!(format!("{n}"), "201710601862.3");
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"201710601862.3\"");
        let back: PatentApplicationNumber = serde_json::from_str("\"CN201710601862.3\"").unwrap();
        assert_eq!(back, n);
        assert_eq!(String::from(n.clone()), "201710601862.3");
        assert_eq!(
            PatentApplicationNumber::try_from("201710601862.3".to_owned()),
            Ok(n)
        );
    }

    #[test]
    fn deserialising_validates() {
        let err = serde_json::from_str::<PatentApplicationNumber>("\"201710601862.5\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs 3"), "{err}");
        assert!(serde_json::from_str::<PatentApplicationNumber>("201710601862").is_err());
    }

    #[test]
    fn equal_numbers_hash_alike() {
        use std::collections::HashSet;
        let set: HashSet<_> = ["CN201710601862.3", "ZL201710601862.3", "2017106018623"]
            .into_iter()
            .map(|s| parse(s).unwrap())
            .collect();
        assert_eq!(set.len(), 1);
    }
}
