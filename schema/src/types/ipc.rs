//! International Patent Classification symbols, the technical-field codes on patents and in collection rules.

use serde::{Deserialize, Serialize};

use super::{check_chars, compact, malformed, shown, ValidationError};

const WHAT: &str = "IPC symbol";

/// An IPC symbol at any depth in one spelling, for patent fields and collection rules: "H", "H01", "H01M" or "A61K 31/495".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IpcSymbol(String);

impl IpcSymbol {
    /// Parses "A61K31/495", "A61K 31/495", "a61k 31/495", full-width or spaced forms; leading zeros of
    /// the main group are dropped ("A61K 031/495") and a subgroup "/0" is padded to "/00".
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let compacted = compact(input).to_ascii_uppercase();
        if compacted.is_empty() {
            return Err(ValidationError::Empty { what: WHAT });
        }
        check_chars(WHAT, input, &compacted, |c| {
            c.is_ascii_digit() || c.is_ascii_uppercase() || c == '/'
        })?;
        // ASCII from here on.
        let s = compacted.as_bytes();
        let section = char::from(s[0]);
        if !section.is_ascii_uppercase() {
            return Err(malformed(
                WHAT,
                input,
                "must start with a section letter A–H",
            ));
        }
        if !('A'..='H').contains(&section) {
            return Err(ValidationError::UnknownIpcSection {
                input: shown(input),
                found: section,
            });
        }
        if s.len() == 1 {
            return Ok(Self(compacted));
        }
        let class_ok = s.len() >= 3 && s[1].is_ascii_digit() && s[2].is_ascii_digit();
        if !class_ok {
            return Err(malformed(
                WHAT,
                input,
                "the section letter must be followed by a two-digit class, e.g. H01",
            ));
        }
        if s.len() == 3 {
            return Ok(Self(compacted));
        }
        if !s[3].is_ascii_uppercase() {
            return Err(malformed(
                WHAT,
                input,
                "the class must be followed by a subclass letter, e.g. H01M",
            ));
        }
        let subclass = &compacted[..4];
        if s.len() == 4 {
            return Ok(Self(compacted));
        }
        let group = &compacted[4..];
        let Some((main, sub)) = group.split_once('/') else {
            return Err(malformed(
                WHAT,
                input,
                format!("a group needs a main group and a subgroup, e.g. {subclass} 4/00"),
            ));
        };
        if main.is_empty() || !main.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed(WHAT, input, "the main group must be digits"));
        }
        let main = main.trim_start_matches('0');
        if main.is_empty() || main.len() > 3 {
            return Err(malformed(
                WHAT,
                input,
                "the main group must be a number from 1 to 999",
            ));
        }
        if sub.is_empty() || !sub.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed(
                WHAT,
                input,
                "the subgroup after '/' must be digits",
            ));
        }
        let sub = match sub {
            "0" => "00",
            one if one.len() == 1 => {
                let reason = format!("/{one} is ambiguous (/0{one} or /{one}0?)");
                return Err(malformed(
                    WHAT,
                    input,
                    format!("subgroups have at least two digits; {reason}"),
                ));
            }
            sub => sub,
        };
        Ok(Self(format!("{subclass} {main}/{sub}")))
    }

    /// The normalised form, e.g. "A61K 31/495".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The four-character subclass ("A61K"), or `None` for a bare section or class.
    pub fn subclass(&self) -> Option<&str> {
        self.0.get(..4)
    }

    /// Whether `prefix` (any spelling, spaces ignored) begins this symbol: "H01M 4/525" has prefixes
    /// "H01M", "H01M4" and "H01M 4/5", but not "H01M 45"; a prefix that ends in the main group must
    /// end at its last digit, so "H01M4" is no prefix of "H01M 41/00". An empty prefix matches nothing.
    pub fn has_prefix(&self, prefix: &str) -> bool {
        let prefix = compact(prefix).to_ascii_uppercase();
        if prefix.is_empty() {
            return false;
        }
        let me: String = self.0.chars().filter(|c| *c != ' ').collect();
        let Some(after) = me.strip_prefix(prefix.as_str()) else {
            return false;
        };
        let ends_in_main_group = prefix.len() > 4 && !prefix.contains('/');
        !(ends_in_main_group && after.starts_with(|c: char| c.is_ascii_digit()))
    }
}

string_newtype!(IpcSymbol);

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<IpcSymbol, ValidationError> {
        IpcSymbol::parse(s)
    }

    fn ipc(s: &str) -> IpcSymbol {
        parse(s).unwrap()
    }

    #[test]
    fn group_spellings_normalise() {
        for s in [
            "A61K31/495",
            "A61K 31/495",
            "a61k 31/495",
            "A61K  31 / 495",
            " A 61 K 31/495 ",
            "Ａ６１Ｋ３１／４９５",
            "Ａ６１Ｋ　３１／４９５",
            "A61K031/495",
            "A61K0031/495",
        ] {
            assert_eq!(
                parse(s).map(|i| i.to_string()),
                Ok("A61K 31/495".to_owned()),
                "{s}"
            );
        }
    }

    #[test]
    fn section_class_and_subclass_alone() {
        assert_eq!(ipc("H").as_str(), "H");
        assert_eq!(ipc("h").as_str(), "H");
        assert_eq!(ipc("H01").as_str(), "H01");
        assert_eq!(ipc("H01M").as_str(), "H01M");
        assert_eq!(ipc("h01m").as_str(), "H01M");
        assert_eq!(ipc("H 01 M").as_str(), "H01M");
    }

    #[test]
    fn every_section_a_to_h_is_accepted() {
        for section in 'A'..='H' {
            assert_eq!(ipc(&section.to_string()).as_str(), section.to_string());
        }
    }

    #[test]
    fn sections_beyond_h_are_rejected() {
        for s in ["I", "Z01M", "y02e 10/50"] {
            assert!(
                matches!(parse(s), Err(ValidationError::UnknownIpcSection { .. })),
                "{s}"
            );
        }
        assert_eq!(
            parse("Y02E"),
            Err(ValidationError::UnknownIpcSection {
                input: "Y02E".into(),
                found: 'Y',
            })
        );
    }

    #[test]
    fn main_group_of_one_to_three_digits() {
        assert_eq!(ipc("H01M4/525").as_str(), "H01M 4/525");
        assert_eq!(ipc("G06F17/30").as_str(), "G06F 17/30");
        assert_eq!(ipc("C07D401/12").as_str(), "C07D 401/12");
        assert!(matches!(
            parse("C07D4011/12"),
            Err(ValidationError::Malformed { .. })
        ));
        assert!(matches!(
            parse("H01M0/00"),
            Err(ValidationError::Malformed { .. })
        ));
        assert!(matches!(
            parse("H01M/00"),
            Err(ValidationError::Malformed { .. })
        ));
    }

    #[test]
    fn subgroups_of_two_or_more_digits_and_slash_zero_padding() {
        assert_eq!(ipc("H01M 4/00").as_str(), "H01M 4/00");
        assert_eq!(ipc("H01M 4/0").as_str(), "H01M 4/00");
        assert_eq!(ipc("H01M 4/02").as_str(), "H01M 4/02");
        assert_eq!(ipc("H01M 4/131").as_str(), "H01M 4/131");
        assert_eq!(ipc("H01M 4/1315").as_str(), "H01M 4/1315");
        assert_eq!(ipc("A61K 31/495").as_str(), "A61K 31/495");
    }

    #[test]
    fn single_nonzero_subgroup_digit_is_ambiguous() {
        let err = parse("H01M 4/5").unwrap_err();
        assert!(err.to_string().contains("ambiguous"), "{err}");
    }

    #[test]
    fn malformed_symbols_are_rejected() {
        for s in [
            "H0",
            "H0M",
            "HX1M",
            "H01M4",
            "H01M 4/",
            "H01M 4//00",
            "H01M 4/00/1",
            "H01MA4/00",
            "H01M 4/0A",
            "1H01M",
            "/",
            "H01M4/525(2006.01)",
        ] {
            let r = parse(s);
            assert!(
                matches!(
                    r,
                    Err(ValidationError::Malformed { .. }
                        | ValidationError::InvalidCharacter { .. })
                ),
                "{s}: {r:?}"
            );
        }
        assert!(parse("H01M4")
            .unwrap_err()
            .to_string()
            .contains("H01M 4/00"));
    }

    #[test]
    fn stray_characters_and_empty_input_are_rejected() {
        assert!(matches!(
            parse("H01M-4/525"),
            Err(ValidationError::InvalidCharacter { found: '-', .. })
        ));
        assert!(matches!(
            parse("H01M 4/525号"),
            Err(ValidationError::InvalidCharacter { found: '号', .. })
        ));
        assert_eq!(parse(""), Err(ValidationError::Empty { what: WHAT }));
        assert_eq!(
            parse(" \u{3000} "),
            Err(ValidationError::Empty { what: WHAT })
        );
    }

    #[test]
    fn subclass_accessor() {
        assert_eq!(ipc("A61K 31/495").subclass(), Some("A61K"));
        assert_eq!(ipc("H01M").subclass(), Some("H01M"));
        assert_eq!(ipc("H01").subclass(), None);
        assert_eq!(ipc("H").subclass(), None);
    }

    #[test]
    fn has_prefix_ignores_spaces_and_case() {
        let s = ipc("H01M 4/525");
        for p in [
            "H",
            "H01",
            "H01M",
            "h01m",
            "H01M4",
            "H01M 4",
            "H01M 4/",
            "H01M4/5",
            "H01M 4/525",
            "Ｈ０１Ｍ",
        ] {
            assert!(s.has_prefix(p), "{p}");
        }
        for p in ["H01M45", "H01M 4/526", "H02", "A", "H01M 4/5250", ""] {
            assert!(!s.has_prefix(p), "{p}");
        }
    }

    #[test]
    fn has_prefix_respects_main_group_boundaries() {
        let s = ipc("H01M 41/00");
        assert!(!s.has_prefix("H01M4"));
        assert!(!s.has_prefix("H01M 4"));
        assert!(s.has_prefix("H01M41"));
        assert!(s.has_prefix("H01M 41/"));
        assert!(!ipc("H01M").has_prefix("H01M 4"));
    }

    #[test]
    fn from_str_display_and_serde_use_the_normalised_form() {
        let i: IpcSymbol = "a61k31/495".parse().unwrap();
        assert_eq!(i.to_string(), "A61K 31/495");
        assert_eq!(serde_json::to_string(&i).unwrap(), "\"A61K 31/495\"");
        assert_eq!(
            serde_json::from_str::<IpcSymbol>("\"A61K31/495\"").unwrap(),
            i
        );
        assert!(serde_json::from_str::<IpcSymbol>("\"Z61K31/495\"").is_err());
        assert_eq!(String::from(i), "A61K 31/495");
    }
}
