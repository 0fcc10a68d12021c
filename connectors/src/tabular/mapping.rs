//! Mapping files: how an institution's own column names map to record fields, and defaults for
//! what its sheet leaves out. They override the built-in Chinese/English header names.
//!
//! ```toml
//! sheet = "成果清单"              # optional: the worksheet of an XLSX file
//! [columns]
//! "成果名" = "title"             # a NormalisedRecord field name or alias
//! "备注" = "ignore"              # do not read this column
//! [defaults]
//! type = "PATENT"                # used when a row leaves the field empty
//! institutions = ["内蒙古大学"]
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::vocabulary::{self, normalise_header, Field};
use crate::{ConnectorError, NormalisedRecord};

/// A validated mapping file: column overrides, per-field defaults and an optional sheet name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    columns: Vec<(String, Option<Field>)>,
    defaults: Vec<(Field, String)>,
    sheet: Option<String>,
}

/// The file as written, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    sheet: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    defaults: BTreeMap<String, toml::Value>,
}

/// Targets that mean "skip this column".
const IGNORE: [&str; 4] = ["ignore", "skip", "-", ""];

impl Mapping {
    /// Reads and validates a mapping file; a missing file is `Io`, a bad one `Config`.
    pub fn load(path: &Path) -> Result<Self, ConnectorError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConnectorError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_toml_str(&text)
            .map_err(|e| ConnectorError::Config(format!("mapping file {}: {e}", path.display())))
    }

    /// Parses and validates mapping TOML: every target must be a known field and every default
    /// must be a value that field accepts.
    pub fn from_toml_str(text: &str) -> Result<Self, ConnectorError> {
        let file: MappingFile = toml::from_str(text)
            .map_err(|e| ConnectorError::Config(format!("mapping is not valid TOML: {e}")))?;
        let mut mapping = Mapping {
            sheet: file.sheet.filter(|s| !s.trim().is_empty()),
            ..Mapping::default()
        };
        for (column, target) in file.columns {
            mapping = mapping.with_column(&column, &target)?;
        }
        for (name, value) in file.defaults {
            let text = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Array(items) => items
                    .into_iter()
                    .map(|v| match v {
                        toml::Value::String(s) => s,
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("、"),
                other => {
                    return Err(ConnectorError::Config(format!(
                        "default {name} = {other} is not a string, number or list"
                    )))
                }
            };
            mapping = mapping.with_default(&name, &text)?;
        }
        Ok(mapping)
    }

    /// Adds a column override (`target` a field name or alias, or "ignore").
    pub fn with_column(mut self, column: &str, target: &str) -> Result<Self, ConnectorError> {
        let field = if IGNORE.contains(&target.trim().to_lowercase().as_str()) {
            None
        } else {
            Some(
                Field::from_name(target)
                    .or_else(|| Field::from_header(target))
                    .ok_or_else(|| unknown_field("column", column, target))?,
            )
        };
        self.columns.push((column.trim().to_owned(), field));
        Ok(self)
    }

    /// Adds a default for `field`, checked now so a bad default fails before any row is read.
    pub fn with_default(mut self, field: &str, value: &str) -> Result<Self, ConnectorError> {
        let target =
            Field::from_name(field).ok_or_else(|| unknown_field("default", field, field))?;
        let mut probe = NormalisedRecord::default();
        vocabulary::apply(&mut probe, target, value).map_err(|e| {
            ConnectorError::Config(format!("default {field} = {value:?} is not usable: {e}"))
        })?;
        self.defaults.push((target, value.to_owned()));
        Ok(self)
    }

    /// The worksheet to read, when the mapping names one.
    pub fn sheet(&self) -> Option<&str> {
        self.sheet.as_deref()
    }

    /// The override for a header: `Some(Some(field))` mapped, `Some(None)` ignored, `None`
    /// not mentioned (the built-in names apply).
    pub fn column(&self, header: &str) -> Option<Option<Field>> {
        let trimmed = header.trim().trim_start_matches('\u{FEFF}');
        self.columns
            .iter()
            .find(|(c, _)| c == trimmed)
            .or_else(|| {
                let key = normalise_header(trimmed);
                self.columns
                    .iter()
                    .find(|(c, _)| normalise_header(c) == key)
            })
            .map(|(_, f)| *f)
    }

    /// Defaults in file order, applied to each row where the field is still empty.
    pub fn defaults(&self) -> &[(Field, String)] {
        &self.defaults
    }
}

/// The `Config` error for a target that names no field, listing the names that exist.
fn unknown_field(what: &str, key: &str, target: &str) -> ConnectorError {
    let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
    ConnectorError::Config(format!(
        "{what} {key:?} maps to {target:?}, which is not a record field; use one of {} \
         (or \"ignore\" for a column)",
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_columns_defaults_and_sheet() {
        let m = Mapping::from_toml_str(
            r#"
            sheet = "成果"
            [columns]
            "成果名" = "title"
            "单位名称" = "完成单位"
            "备注" = "ignore"
            [defaults]
            type = "PATENT"
            institutions = ["内蒙古大学", "内蒙古农业大学"]
            asking_price_yuan = 500000
            "#,
        )
        .unwrap();
        assert_eq!(m.sheet(), Some("成果"));
        assert_eq!(m.column("成果名"), Some(Some(Field::Title)));
        assert_eq!(m.column(" 成果名 "), Some(Some(Field::Title)));
        assert_eq!(m.column("单位名称"), Some(Some(Field::Institutions)));
        assert_eq!(m.column("备注"), Some(None));
        assert_eq!(m.column("成果名称"), None);
        assert_eq!(
            m.defaults(),
            &[
                (Field::AskingPriceYuan, "500000".to_owned()),
                (Field::Institutions, "内蒙古大学、内蒙古农业大学".to_owned()),
                (Field::AchievementType, "PATENT".to_owned()),
            ]
        );
    }

    #[test]
    fn rejects_unknown_targets_bad_defaults_and_bad_toml() {
        let err = Mapping::from_toml_str("[columns]\n\"x\" = \"titel\"").unwrap_err();
        assert!(
            matches!(&err, ConnectorError::Config(m) if m.contains("\"titel\"") && m.contains("title")),
            "{err}"
        );
        let err = Mapping::from_toml_str("[defaults]\ntype = \"论文\"").unwrap_err();
        assert!(
            matches!(&err, ConnectorError::Config(m) if m.contains("论文")),
            "{err}"
        );
        let err = Mapping::from_toml_str("[defaults]\ntrl = 12").unwrap_err();
        assert!(
            matches!(&err, ConnectorError::Config(m) if m.contains("trl")),
            "{err}"
        );
        assert!(matches!(
            Mapping::from_toml_str("[colums]\n"),
            Err(ConnectorError::Config(_))
        ));
        assert!(matches!(
            Mapping::from_toml_str("columns = "),
            Err(ConnectorError::Config(_))
        ));
    }

    #[test]
    fn load_reports_a_missing_file_as_io() {
        assert!(matches!(
            Mapping::load(Path::new("/nonexistent/mapping.toml")),
            Err(ConnectorError::Io { .. })
        ));
    }
}
