//! Technology readiness levels (GB/T 22900, TRL 1–9), the maturity scale achievements are compared on.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::{compact, shown, ValidationError};

/// A technology readiness level from 1 to 9; shown and serialised as "TRL6", ordered by maturity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "TrlInput", into = "String")]
pub struct Trl(u8);

/// What deserialising accepts: a JSON number (6) or any string `Trl::parse` accepts ("TRL6", "6", "通过中试").
#[derive(Deserialize)]
#[serde(untagged)]
enum TrlInput {
    Level(i64),
    Text(String),
}

/// The listing-site stage words and the TRL each is taken to mean.
///
/// The stage scale (正在研发/已有样品/通过小试/通过中试/可以量产) is coarser than GB/T 22900, so each
/// word maps to the level its wording best matches:
/// - 正在研发 "under research" → 3: key functions analysed and shown in experiments, not yet a trial.
/// - 通过小试 "passed the lab-scale trial" → 4: key functions validated in the laboratory environment.
/// - 已有样品 "samples exist" → 5: a working sample implies validation beyond the bench, in a
///   relevant environment. (Sites list it before 通过小试; we rank it by what a sample shows instead.)
/// - 通过中试 "passed the pilot-scale trial" → 6: a system prototype demonstrated in a relevant environment.
/// - 可以量产 "ready for mass production" → 8: the actual system completed and proven in practice;
///   9 (proven in sustained operation) is more than a listing claims.
const STAGES: [(&str, u8); 5] = [
    ("正在研发", 3),
    ("通过小试", 4),
    ("已有样品", 5),
    ("通过中试", 6),
    ("可以量产", 8),
];

/// The GB/T 22900 wording for levels 1–9.
const LABELS_ZH: [&str; 9] = [
    "基本原理被发现/报道",
    "形成技术概念或开发方案",
    "关键功能分析和实验结论成立",
    "研究室环境中关键功能仿真结论成立",
    "相关环境中关键功能仿真结论成立",
    "相关环境中系统样机演示",
    "实际环境中系统样机试验结论成立",
    "实际系统完成并通过实际验证",
    "实际通过任务运行的成功考验",
];

impl Trl {
    /// The level as a `Trl`, rejecting anything outside 1–9.
    pub fn new(level: i64) -> Result<Self, ValidationError> {
        match u8::try_from(level) {
            Ok(l @ 1..=9) => Ok(Self(l)),
            _ => Err(ValidationError::TrlOutOfRange { level }),
        }
    }

    /// Parses "6", "TRL6", "TRL 6", "trl-6", "6级", full-width digits, or a stage word such as "通过中试".
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let compacted = compact(input);
        if compacted.is_empty() {
            return Err(ValidationError::Empty { what: "TRL" });
        }
        if let Some(trl) = Self::from_stage(&compacted) {
            return Ok(trl);
        }
        let upper = compacted.to_ascii_uppercase();
        let number = match upper.strip_prefix("TRL") {
            Some(rest) => rest.strip_prefix(['-', ':']).unwrap_or(rest),
            None => upper.as_str(),
        };
        let number = number.strip_suffix('级').unwrap_or(number);
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::UnknownTrl {
                input: shown(input),
            });
        }
        match number.parse::<i64>() {
            Ok(level) => Self::new(level),
            // More digits than an i64 holds: certainly out of range.
            Err(_) => Err(ValidationError::TrlOutOfRange { level: i64::MAX }),
        }
    }

    /// The level, 1–9.
    pub fn level(&self) -> u8 {
        self.0
    }

    /// The GB/T 22900 description of this level, e.g. "相关环境中系统样机演示" for TRL 6.
    pub fn label_zh(&self) -> &'static str {
        LABELS_ZH[usize::from(self.0 - 1)]
    }

    /// The TRL a listing-site stage word stands for (正在研发 3, 通过小试 4, 已有样品 5, 通过中试 6, 可以量产 8).
    pub fn from_stage(stage: &str) -> Option<Trl> {
        let stage = compact(stage);
        STAGES
            .iter()
            .find(|(word, _)| *word == stage)
            .map(|&(_, level)| Trl(level))
    }
}

impl fmt::Display for Trl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TRL{}", self.0)
    }
}

impl FromStr for Trl {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Trl {
    type Error = ValidationError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl TryFrom<TrlInput> for Trl {
    type Error = ValidationError;

    fn try_from(input: TrlInput) -> Result<Self, Self::Error> {
        match input {
            TrlInput::Level(level) => Self::new(level),
            TrlInput::Text(text) => Self::parse(&text),
        }
    }
}

impl From<Trl> for String {
    fn from(trl: Trl) -> String {
        trl.to_string()
    }
}

impl From<Trl> for u8 {
    fn from(trl: Trl) -> u8 {
        trl.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_accepts_1_to_9_only() {
        for level in 1..=9 {
            assert_eq!(Trl::new(level).unwrap().level(), level as u8);
        }
        for level in [0, 10, -1, 256, 257, i64::MIN, i64::MAX] {
            assert_eq!(
                Trl::new(level),
                Err(ValidationError::TrlOutOfRange { level })
            );
        }
    }

    #[test]
    fn out_of_range_message() {
        assert_eq!(
            Trl::new(10).unwrap_err().to_string(),
            "TRL must be between 1 and 9, got 10"
        );
    }

    #[test]
    fn parse_accepts_number_spellings() {
        for s in [
            "6",
            " 6 ",
            "TRL6",
            "TRL 6",
            "trl6",
            "Trl 6",
            "TRL-6",
            "TRL:6",
            "TRL：6",
            "6级",
            "TRL6级",
            "６",
            "ＴＲＬ６",
            "ＴＲＬ　６",
            "06",
        ] {
            assert_eq!(Trl::parse(s).map(|t| t.level()), Ok(6), "{s}");
        }
    }

    #[test]
    fn parse_rejects_out_of_range_numbers() {
        for (s, level) in [("0", 0), ("10", 10), ("TRL 10", 10), ("TRL0", 0)] {
            assert_eq!(
                Trl::parse(s),
                Err(ValidationError::TrlOutOfRange { level }),
                "{s}"
            );
        }
        assert!(matches!(
            Trl::parse("99999999999999999999999"),
            Err(ValidationError::TrlOutOfRange { .. })
        ));
    }

    #[test]
    fn parse_rejects_other_text() {
        for s in ["TRL", "high", "-6", "6.5", "TRL six", "成熟", "TRL-", "级"] {
            assert!(
                matches!(Trl::parse(s), Err(ValidationError::UnknownTrl { .. })),
                "{s}: {:?}",
                Trl::parse(s)
            );
        }
        assert_eq!(Trl::parse(""), Err(ValidationError::Empty { what: "TRL" }));
        let msg = Trl::parse("成熟").unwrap_err().to_string();
        assert!(msg.contains("通过中试"), "{msg}");
    }

    #[test]
    fn stage_mapping() {
        assert_eq!(Trl::from_stage("正在研发"), Some(Trl(3)));
        assert_eq!(Trl::from_stage("通过小试"), Some(Trl(4)));
        assert_eq!(Trl::from_stage("已有样品"), Some(Trl(5)));
        assert_eq!(Trl::from_stage("通过中试"), Some(Trl(6)));
        assert_eq!(Trl::from_stage("可以量产"), Some(Trl(8)));
        assert_eq!(Trl::from_stage(" 可以 量产 "), Some(Trl(8)));
        assert_eq!(Trl::from_stage("量产"), None);
        assert_eq!(Trl::from_stage("6"), None);
        assert_eq!(Trl::from_stage(""), None);
    }

    #[test]
    fn parse_accepts_stage_words() {
        assert_eq!(Trl::parse("通过中试").unwrap().level(), 6);
        assert_eq!(Trl::parse(" 正在研发 ").unwrap().level(), 3);
        assert_eq!("已有样品".parse::<Trl>().unwrap().level(), 5);
    }

    #[test]
    fn labels_follow_gb_t_22900() {
        assert_eq!(Trl(1).label_zh(), "基本原理被发现/报道");
        assert_eq!(Trl(2).label_zh(), "形成技术概念或开发方案");
        assert_eq!(Trl(3).label_zh(), "关键功能分析和实验结论成立");
        assert_eq!(Trl(4).label_zh(), "研究室环境中关键功能仿真结论成立");
        assert_eq!(Trl(5).label_zh(), "相关环境中关键功能仿真结论成立");
        assert_eq!(Trl(6).label_zh(), "相关环境中系统样机演示");
        assert_eq!(Trl(7).label_zh(), "实际环境中系统样机试验结论成立");
        assert_eq!(Trl(8).label_zh(), "实际系统完成并通过实际验证");
        assert_eq!(Trl(9).label_zh(), "实际通过任务运行的成功考验");
    }

    #[test]
    fn ordered_by_maturity() {
        assert!(Trl(3) < Trl(6));
        assert_eq!(Trl::parse("TRL 9").unwrap().max(Trl(2)), Trl(9));
    }

    #[test]
    fn display_from_str_and_conversions() {
        let t = Trl::new(6).unwrap();
        assert_eq!(t.to_string(), "TRL6");
        assert_eq!(t.to_string().parse::<Trl>(), Ok(t));
        assert_eq!(String::from(t), "TRL6");
        assert_eq!(u8::from(t), 6);
        assert_eq!(Trl::try_from("TRL 6".to_owned()), Ok(t));
    }

    #[test]
    fn serde_writes_the_string_and_reads_strings_or_numbers() {
        let t = Trl::new(6).unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"TRL6\"");
        assert_eq!(serde_json::from_str::<Trl>("\"TRL6\"").unwrap(), t);
        assert_eq!(serde_json::from_str::<Trl>("\"6\"").unwrap(), t);
        assert_eq!(serde_json::from_str::<Trl>("6").unwrap(), t);
        assert_eq!(serde_json::from_str::<Trl>("\"通过中试\"").unwrap(), t);
        let err = serde_json::from_str::<Trl>("10").unwrap_err().to_string();
        assert!(err.contains("between 1 and 9"), "{err}");
        assert!(serde_json::from_str::<Trl>("\"TRL 0\"").is_err());
        assert!(serde_json::from_str::<Trl>("true").is_err());
    }
}
