//! GB/T 4754-2017 industry codes (国民经济行业分类), the field classification of achievements and needs.

use serde::{Deserialize, Serialize};

use super::{check_chars, compact, malformed, shown, ValidationError};

const WHAT: &str = "industry code";

/// GB/T 4754-2017 sections with their Chinese names and the divisions (first, last) each spans.
const SECTIONS: [(char, &str, u8, u8); 20] = [
    ('A', "农、林、牧、渔业", 1, 5),
    ('B', "采矿业", 6, 12),
    ('C', "制造业", 13, 43),
    ('D', "电力、热力、燃气及水生产和供应业", 44, 46),
    ('E', "建筑业", 47, 50),
    ('F', "批发和零售业", 51, 52),
    ('G', "交通运输、仓储和邮政业", 53, 60),
    ('H', "住宿和餐饮业", 61, 62),
    ('I', "信息传输、软件和信息技术服务业", 63, 65),
    ('J', "金融业", 66, 69),
    ('K', "房地产业", 70, 70),
    ('L', "租赁和商务服务业", 71, 72),
    ('M', "科学研究和技术服务业", 73, 75),
    ('N', "水利、环境和公共设施管理业", 76, 79),
    ('O', "居民服务、修理和其他服务业", 80, 82),
    ('P', "教育", 83, 83),
    ('Q', "卫生和社会工作", 84, 85),
    ('R', "文化、体育和娱乐业", 86, 90),
    ('S', "公共管理、社会保障和社会组织", 91, 97),
    ('T', "国际组织", 98, 98),
];

/// A GB/T 4754-2017 code in one spelling, so records and filters compare by prefix: "C", "C38", "C384" or "C3841".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IndustryCode(String);

/// How specific an industry code is: 门类 section, 大类 division, 中类 group, 小类 class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IndustryLevel {
    /// 门类: a letter A–T.
    Section,
    /// 大类: two digits.
    Division,
    /// 中类: three digits.
    Group,
    /// 小类: four digits.
    Class,
}

impl IndustryCode {
    /// Parses a section letter ("C"), 2–4 digits ("38", "3841") or both ("C3841"); the section is derived from the division.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let compacted = compact(input).to_ascii_uppercase();
        check_chars(WHAT, input, &compacted, |c| {
            c.is_ascii_digit() || c.is_ascii_uppercase()
        })?;
        // ASCII from here on.
        let (given, digits) = match compacted.chars().next() {
            None => return Err(ValidationError::Empty { what: WHAT }),
            Some(letter) if letter.is_ascii_uppercase() => (Some(letter), &compacted[1..]),
            Some(_) => (None, compacted.as_str()),
        };
        if let Some(found) = given {
            if Self::section_name_zh(found).is_none() {
                return Err(ValidationError::UnknownIndustrySection { found });
            }
        }
        if digits.is_empty() {
            return match given {
                Some(section) => Ok(Self(section.to_string())),
                None => Err(ValidationError::Empty { what: WHAT }),
            };
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed(
                WHAT,
                input,
                "expected a section letter, digits, or a section letter followed by digits",
            ));
        }
        if !(2..=4).contains(&digits.len()) {
            return Err(malformed(
                WHAT,
                input,
                format!(
                    "expected 2 (division), 3 (group) or 4 (class) digits, found {}",
                    digits.len()
                ),
            ));
        }
        let division = &digits[..2];
        let number = division.bytes().fold(0u8, |acc, b| acc * 10 + (b - b'0'));
        let Some(expected) = section_of_division(number) else {
            return Err(ValidationError::UnknownIndustryDivision {
                code: shown(input),
                division: division.to_owned(),
            });
        };
        if let Some(given) = given {
            if given != expected {
                return Err(ValidationError::IndustrySectionMismatch {
                    code: shown(input),
                    given,
                    expected,
                    division: division.to_owned(),
                });
            }
        }
        Ok(Self(format!("{expected}{digits}")))
    }

    /// The normalised form, e.g. "C3841".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code's digits without the section letter ("3841"), empty for a bare section.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    /// The section letter A–T.
    pub fn section(&self) -> char {
        char::from(self.0.as_bytes()[0])
    }

    /// The Chinese name of a section letter (upper or lower case), e.g. 'C' → "制造业".
    pub fn section_name_zh(section: char) -> Option<&'static str> {
        let section = section.to_ascii_uppercase();
        SECTIONS
            .iter()
            .find(|(letter, ..)| *letter == section)
            .map(|(_, name, ..)| *name)
    }

    /// How specific the code is, from the number of digits.
    pub fn level(&self) -> IndustryLevel {
        match self.digits().len() {
            0 => IndustryLevel::Section,
            2 => IndustryLevel::Division,
            3 => IndustryLevel::Group,
            _ => IndustryLevel::Class,
        }
    }

    /// Whether this code is `prefix` or falls under it: C3841 is within C384, C38 and C.
    pub fn is_within(&self, prefix: &IndustryCode) -> bool {
        self.0.starts_with(&prefix.0)
    }
}

string_newtype!(IndustryCode);

/// The section a two-digit division belongs to, or `None` for a number GB/T 4754-2017 does not use.
fn section_of_division(division: u8) -> Option<char> {
    SECTIONS
        .iter()
        .find(|(_, _, first, last)| (*first..=*last).contains(&division))
        .map(|(letter, ..)| *letter)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<IndustryCode, ValidationError> {
        IndustryCode::parse(s)
    }

    fn code(s: &str) -> IndustryCode {
        parse(s).unwrap()
    }

    #[test]
    fn section_letters() {
        for letter in 'A'..='T' {
            let c = code(&letter.to_string());
            assert_eq!(c.as_str(), letter.to_string());
            assert_eq!(c.section(), letter);
            assert_eq!(c.level(), IndustryLevel::Section);
            assert_eq!(c.digits(), "");
        }
        assert_eq!(code("c").as_str(), "C");
        assert_eq!(code(" Ｃ ").as_str(), "C");
    }

    #[test]
    fn sections_beyond_t_are_rejected() {
        for letter in ['U', 'Z', 'X'] {
            assert_eq!(
                parse(&letter.to_string()),
                Err(ValidationError::UnknownIndustrySection { found: letter })
            );
        }
        assert_eq!(
            parse("Z3841"),
            Err(ValidationError::UnknownIndustrySection { found: 'Z' })
        );
    }

    #[test]
    fn digits_alone_get_their_section() {
        assert_eq!(code("38").as_str(), "C38");
        assert_eq!(code("384").as_str(), "C384");
        assert_eq!(code("3841").as_str(), "C3841");
        assert_eq!(code("３８４１").as_str(), "C3841");
        assert_eq!(code(" 38 41 ").as_str(), "C3841");
    }

    #[test]
    fn letter_and_digits_normalise() {
        assert_eq!(code("C3841").as_str(), "C3841");
        assert_eq!(code("c3841").as_str(), "C3841");
        assert_eq!(code("C 38").as_str(), "C38");
        assert_eq!(code("Ｃ３８").as_str(), "C38");
    }

    #[test]
    fn levels() {
        assert_eq!(code("C").level(), IndustryLevel::Section);
        assert_eq!(code("38").level(), IndustryLevel::Division);
        assert_eq!(code("384").level(), IndustryLevel::Group);
        assert_eq!(code("3841").level(), IndustryLevel::Class);
        assert!(IndustryLevel::Section < IndustryLevel::Class);
    }

    #[test]
    fn every_division_boundary_maps_to_its_section() {
        let bounds = [
            ("01", 'A'),
            ("05", 'A'),
            ("06", 'B'),
            ("12", 'B'),
            ("13", 'C'),
            ("43", 'C'),
            ("44", 'D'),
            ("46", 'D'),
            ("47", 'E'),
            ("50", 'E'),
            ("51", 'F'),
            ("52", 'F'),
            ("53", 'G'),
            ("60", 'G'),
            ("61", 'H'),
            ("62", 'H'),
            ("63", 'I'),
            ("65", 'I'),
            ("66", 'J'),
            ("69", 'J'),
            ("70", 'K'),
            ("71", 'L'),
            ("72", 'L'),
            ("73", 'M'),
            ("75", 'M'),
            ("76", 'N'),
            ("79", 'N'),
            ("80", 'O'),
            ("82", 'O'),
            ("83", 'P'),
            ("84", 'Q'),
            ("85", 'Q'),
            ("86", 'R'),
            ("90", 'R'),
            ("91", 'S'),
            ("97", 'S'),
            ("98", 'T'),
        ];
        for (division, section) in bounds {
            let c = code(division);
            assert_eq!(c.section(), section, "{division}");
            assert_eq!(c.as_str(), format!("{section}{division}"));
        }
    }

    #[test]
    fn all_divisions_01_to_98_are_covered_once() {
        for n in 1u8..=98 {
            let count = SECTIONS
                .iter()
                .filter(|(_, _, first, last)| (*first..=*last).contains(&n))
                .count();
            assert_eq!(count, 1, "division {n}");
        }
    }

    #[test]
    fn unknown_divisions_are_rejected() {
        for (s, division) in [
            ("99", "99"),
            ("00", "00"),
            ("0011", "00"),
            ("991", "99"),
            ("T99", "99"),
        ] {
            assert_eq!(
                parse(s),
                Err(ValidationError::UnknownIndustryDivision {
                    code: s.into(),
                    division: division.into(),
                }),
                "{s}"
            );
        }
    }

    #[test]
    fn letter_that_disagrees_names_the_right_section() {
        let err = parse("A3841").unwrap_err();
        assert_eq!(
            err,
            ValidationError::IndustrySectionMismatch {
                code: "A3841".into(),
                given: 'A',
                expected: 'C',
                division: "38".into(),
            }
        );
        assert_eq!(
            err.to_string(),
            "industry code \"A3841\" names section A but division 38 belongs to section C"
        );
        assert!(matches!(
            parse("I13"),
            Err(ValidationError::IndustrySectionMismatch { expected: 'C', .. })
        ));
    }

    #[test]
    fn wrong_digit_counts_are_rejected() {
        for s in ["3", "C3", "38411", "C38411"] {
            assert!(
                matches!(parse(s), Err(ValidationError::Malformed { .. })),
                "{s}"
            );
        }
    }

    #[test]
    fn stray_characters_and_empty_input_are_rejected() {
        assert!(matches!(
            parse("C38.41"),
            Err(ValidationError::InvalidCharacter { found: '.', .. })
        ));
        assert!(matches!(
            parse("制造业"),
            Err(ValidationError::InvalidCharacter { found: '制', .. })
        ));
        assert!(matches!(
            parse("CC38"),
            Err(ValidationError::Malformed { .. })
        ));
        assert!(matches!(
            parse("38C"),
            Err(ValidationError::Malformed { .. })
        ));
        assert_eq!(parse(""), Err(ValidationError::Empty { what: WHAT }));
        assert_eq!(parse("  "), Err(ValidationError::Empty { what: WHAT }));
    }

    #[test]
    fn section_names() {
        assert_eq!(IndustryCode::section_name_zh('A'), Some("农、林、牧、渔业"));
        assert_eq!(IndustryCode::section_name_zh('C'), Some("制造业"));
        assert_eq!(IndustryCode::section_name_zh('c'), Some("制造业"));
        assert_eq!(
            IndustryCode::section_name_zh('I'),
            Some("信息传输、软件和信息技术服务业")
        );
        assert_eq!(
            IndustryCode::section_name_zh('M'),
            Some("科学研究和技术服务业")
        );
        assert_eq!(IndustryCode::section_name_zh('T'), Some("国际组织"));
        assert_eq!(IndustryCode::section_name_zh('U'), None);
        assert_eq!(IndustryCode::section_name_zh('1'), None);
    }

    #[test]
    fn is_within_follows_the_hierarchy() {
        let class = code("C3841");
        for prefix in ["C3841", "C384", "C38", "C", "3841", "38"] {
            assert!(class.is_within(&code(prefix)), "{prefix}");
        }
        for prefix in ["C3842", "C385", "C39", "D", "A"] {
            assert!(!class.is_within(&code(prefix)), "{prefix}");
        }
        assert!(!code("C38").is_within(&code("C3841")));
        assert!(!code("C").is_within(&code("C38")));
    }

    #[test]
    fn from_str_display_and_serde_use_the_normalised_form() {
        let c: IndustryCode = "3841".parse().unwrap();
        assert_eq!(c.to_string(), "C3841");
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"C3841\"");
        assert_eq!(serde_json::from_str::<IndustryCode>("\"3841\"").unwrap(), c);
        assert!(serde_json::from_str::<IndustryCode>("\"A3841\"").is_err());
        assert_eq!(String::from(c), "C3841");
        assert_eq!(
            serde_json::to_string(&IndustryLevel::Division).unwrap(),
            "\"DIVISION\""
        );
    }
}
