//! GB/T 2260 administrative division codes (行政区划代码), the region of achievements, needs and institutions.

use serde::{Deserialize, Serialize};

use super::{check_chars, compact, malformed, ValidationError};

const WHAT: &str = "region code";

/// The province-level divisions of GB/T 2260: two-digit prefix and Chinese name.
const PROVINCES: [(&str, &str); 34] = [
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("15", "内蒙古自治区"),
    ("21", "辽宁省"),
    ("22", "吉林省"),
    ("23", "黑龙江省"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("34", "安徽省"),
    ("35", "福建省"),
    ("36", "江西省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("44", "广东省"),
    ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"),
    ("51", "四川省"),
    ("52", "贵州省"),
    ("53", "云南省"),
    ("54", "西藏自治区"),
    ("61", "陕西省"),
    ("62", "甘肃省"),
    ("63", "青海省"),
    ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
    ("71", "台湾省"),
    ("81", "香港特别行政区"),
    ("82", "澳门特别行政区"),
];

/// A six-digit GB/T 2260 code locating a record for regional filters: province (digits 1–2), prefecture (3–4), county (5–6).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    /// Parses six digits (spaces and full-width digits allowed) whose first two name a province-level division.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let compacted = compact(input);
        if compacted.is_empty() {
            return Err(ValidationError::Empty { what: WHAT });
        }
        check_chars(WHAT, input, &compacted, |c| c.is_ascii_digit())?;
        if compacted.len() != 6 {
            return Err(malformed(
                WHAT,
                input,
                format!("expected 6 digits, found {}", compacted.len()),
            ));
        }
        let prefix = &compacted[..2];
        if province_name(prefix).is_none() {
            return Err(ValidationError::UnknownProvince {
                code: compacted.clone(),
                prefix: prefix.to_owned(),
            });
        }
        Ok(Self(compacted))
    }

    /// The normalised six digits, e.g. "150100".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The province-level division containing this code, e.g. "150100" → "150000".
    pub fn province(&self) -> RegionCode {
        RegionCode(format!("{}0000", &self.0[..2]))
    }

    /// The prefecture-level division containing this code, e.g. "150102" → "150100" (a province stays itself).
    pub fn prefecture(&self) -> RegionCode {
        RegionCode(format!("{}00", &self.0[..4]))
    }

    /// Whether this region is `other` or lies inside it (a province holds its prefectures and counties).
    pub fn is_within(&self, other: &RegionCode) -> bool {
        let significant = if other.0.ends_with("0000") {
            2
        } else if other.0.ends_with("00") {
            4
        } else {
            6
        };
        self.0[..significant] == other.0[..significant]
    }

    /// The Chinese name of the province-level division, e.g. "内蒙古自治区".
    pub fn province_name_zh(&self) -> Option<&'static str> {
        province_name(&self.0[..2])
    }

    /// Whether the code names a whole province-level division ("150000").
    pub fn is_province(&self) -> bool {
        self.0.ends_with("0000")
    }
}

string_newtype!(RegionCode);

/// The Chinese name for a two-digit province prefix.
fn province_name(prefix: &str) -> Option<&'static str> {
    PROVINCES
        .iter()
        .find(|(p, _)| *p == prefix)
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<RegionCode, ValidationError> {
        RegionCode::parse(s)
    }

    fn region(s: &str) -> RegionCode {
        parse(s).unwrap()
    }

    #[test]
    fn domain_examples() {
        let hohhot = region("150100");
        assert_eq!(hohhot.as_str(), "150100");
        assert_eq!(hohhot.province().as_str(), "150000");
        assert_eq!(hohhot.province_name_zh(), Some("内蒙古自治区"));
        assert_eq!(region("150000").province_name_zh(), Some("内蒙古自治区"));
    }

    #[test]
    fn spellings_normalise() {
        for s in [
            "150100",
            " 150100 ",
            "150 100",
            "１５０１００",
            "15\u{3000}01\u{3000}00",
        ] {
            assert_eq!(
                parse(s).map(|r| r.to_string()),
                Ok("150100".to_owned()),
                "{s}"
            );
        }
    }

    #[test]
    fn every_province_prefix_is_accepted_with_its_name() {
        for (prefix, name) in PROVINCES {
            let r = region(&format!("{prefix}0000"));
            assert_eq!(r.province_name_zh(), Some(name));
            assert!(r.is_province());
        }
        assert_eq!(region("110101").province_name_zh(), Some("北京市"));
        assert_eq!(region("820000").province_name_zh(), Some("澳门特别行政区"));
        assert_eq!(region("810000").province_name_zh(), Some("香港特别行政区"));
        assert_eq!(region("710000").province_name_zh(), Some("台湾省"));
    }

    #[test]
    fn other_prefixes_are_rejected() {
        for prefix in [
            "00", "10", "16", "20", "24", "30", "39", "40", "47", "49", "55", "60", "66", "70",
            "72", "80", "83", "90", "99",
        ] {
            let code = format!("{prefix}0000");
            assert_eq!(
                parse(&code),
                Err(ValidationError::UnknownProvince {
                    code: code.clone(),
                    prefix: prefix.into(),
                }),
                "{prefix}"
            );
        }
        assert_eq!(
            parse("990000").unwrap_err().to_string(),
            "GB/T 2260 has no province-level division 99 (in region code 990000)"
        );
    }

    #[test]
    fn non_six_digit_input_is_rejected() {
        for s in ["15010", "1501000", "15", "150100000000"] {
            assert!(
                matches!(parse(s), Err(ValidationError::Malformed { .. })),
                "{s}"
            );
        }
        assert!(matches!(
            parse("15010a"),
            Err(ValidationError::InvalidCharacter { found: 'a', .. })
        ));
        assert!(matches!(
            parse("呼和浩特市"),
            Err(ValidationError::InvalidCharacter { found: '呼', .. })
        ));
        assert!(matches!(
            parse("150-100"),
            Err(ValidationError::InvalidCharacter { found: '-', .. })
        ));
        assert_eq!(parse(""), Err(ValidationError::Empty { what: WHAT }));
    }

    #[test]
    fn province_and_prefecture() {
        let county = region("150102");
        assert_eq!(county.province(), region("150000"));
        assert_eq!(county.prefecture(), region("150100"));
        assert_eq!(region("150100").prefecture(), region("150100"));
        assert_eq!(region("150000").prefecture(), region("150000"));
        assert_eq!(region("150000").province(), region("150000"));
        assert!(!county.is_province());
    }

    #[test]
    fn is_within_follows_the_hierarchy() {
        let county = region("150102");
        assert!(county.is_within(&region("150102")));
        assert!(county.is_within(&region("150100")));
        assert!(county.is_within(&region("150000")));
        assert!(!county.is_within(&region("150200")));
        assert!(!county.is_within(&region("150103")));
        assert!(!county.is_within(&region("110000")));
        assert!(region("150100").is_within(&region("150000")));
        assert!(!region("150000").is_within(&region("150100")));
        assert!(!region("150100").is_within(&region("150102")));
    }

    #[test]
    fn from_str_display_and_serde_use_the_normalised_form() {
        let r: RegionCode = "１５０１００".parse().unwrap();
        assert_eq!(r.to_string(), "150100");
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"150100\"");
        assert_eq!(
            serde_json::from_str::<RegionCode>("\"150 100\"").unwrap(),
            r
        );
        assert!(serde_json::from_str::<RegionCode>("\"990000\"").is_err());
        assert!(serde_json::from_str::<RegionCode>("150100").is_err());
        assert_eq!(String::from(r), "150100");
    }
}
