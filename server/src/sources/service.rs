//! Sources as stored: create or update (from config or `upsertSource`), look up, list runs and
//! rejected records. Settings are validated here so a bad source never reaches the harvester.

use crate::catalog::service::find_org_by_key;
use crate::error::{AppError, AppResult};
use crate::paging::{keyset_page, Order};
use crate::sources::config::SourceConfig;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use transferhub_schema::entity::{harvest_run, rejected_record, source};

/// Source kinds the hub can harvest.
pub const KINDS: [&str; 5] = ["oai_pmh", "tabular", "json_api", "peer_hub", "jsonl"];

/// Kind-specific settings stored as JSON on the source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Endpoint for network sources.
    pub url: String,
    /// File for tabular and JSONL sources.
    pub path: String,
    /// Mapping file (tabular column map, JSON API field map).
    pub mapping: String,
    /// OAI-PMH metadata prefix.
    pub metadata_prefix: String,
    /// OAI-PMH set.
    pub set: String,
}

/// A validated source definition.
#[derive(Debug, Clone)]
pub struct SourceSpec {
    /// Key.
    pub key: String,
    /// Kind.
    pub kind: String,
    /// Organisation key.
    pub org: String,
    /// Settings.
    pub settings: Settings,
    /// Interval in seconds.
    pub interval_secs: i64,
    /// Review before publishing.
    pub requires_review: bool,
    /// Harvest on schedule.
    pub enabled: bool,
}

/// Parses `6h`, `30m`, `45s`, `1d` (or plain seconds) into seconds.
pub fn parse_interval(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return Some(6 * 3600);
    }
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num.parse().ok()?;
    let mult = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return None,
    };
    (n > 0).then_some(n * mult)
}

impl SourceSpec {
    /// Validates a `[[sources]]` entry.
    pub fn from_config(c: &SourceConfig) -> AppResult<Self> {
        let spec = SourceSpec {
            key: c.key.trim().to_string(),
            kind: c.kind.trim().to_string(),
            org: c.org.trim().to_string(),
            settings: Settings {
                url: c.url.clone(),
                path: c.path.clone(),
                mapping: c.mapping.clone(),
                metadata_prefix: if c.metadata_prefix.is_empty() && c.kind == "oai_pmh" {
                    "oai_dc".into()
                } else {
                    c.metadata_prefix.clone()
                },
                set: c.set.clone(),
            },
            interval_secs: parse_interval(&c.interval).ok_or_else(|| {
                AppError::bad_input(
                    "interval",
                    format!("{:?} is not like 6h, 30m or 1d", c.interval),
                )
            })?,
            requires_review: c.requires_review,
            enabled: true,
        };
        spec.validate()?;
        Ok(spec)
    }

    /// Checks key, kind and the settings the kind needs.
    pub fn validate(&self) -> AppResult<()> {
        let key_ok = !self.key.is_empty()
            && self.key.len() <= 64
            && self
                .key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !key_ok {
            return Err(AppError::bad_input(
                "key",
                "use 1–64 lowercase letters, digits, - or _",
            ));
        }
        if !KINDS.contains(&self.kind.as_str()) {
            return Err(AppError::bad_input(
                "kind",
                format!("must be one of {}", KINDS.join(", ")),
            ));
        }
        let needs_url = matches!(self.kind.as_str(), "oai_pmh" | "json_api" | "peer_hub");
        if needs_url {
            let ok = reqwest::Url::parse(&self.settings.url)
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if !ok {
                return Err(AppError::bad_input(
                    "url",
                    "an http(s) URL is required for this kind",
                ));
            }
        } else if self.settings.path.trim().is_empty() {
            return Err(AppError::bad_input(
                "path",
                "a file path is required for this kind",
            ));
        }
        if self.kind == "json_api" && self.settings.mapping.trim().is_empty() {
            return Err(AppError::bad_input(
                "mapping",
                "a JSON API source needs a mapping file",
            ));
        }
        Ok(())
    }
}

/// Creates or updates a source by key; returns it.
pub async fn upsert<C: ConnectionTrait>(db: &C, spec: &SourceSpec) -> AppResult<source::Model> {
    spec.validate()?;
    let org = find_org_by_key(db, &spec.org).await?.ok_or_else(|| {
        AppError::bad_input(
            "organisation",
            format!("no organisation with key {:?}", spec.org),
        )
    })?;
    let settings = serde_json::to_string(&spec.settings).unwrap_or_else(|_| "{}".into());
    let now = Utc::now();
    match find(db, &spec.key).await? {
        Some(existing) => {
            let mut m: source::ActiveModel = existing.into();
            m.kind = Set(spec.kind.clone());
            m.organisation_id = Set(org.id);
            m.settings = Set(settings);
            m.interval_secs = Set(spec.interval_secs);
            m.requires_review = Set(spec.requires_review);
            m.enabled = Set(spec.enabled);
            m.updated_at = Set(now);
            Ok(m.update(db).await?)
        }
        None => Ok(source::ActiveModel {
            key: Set(spec.key.clone()),
            kind: Set(spec.kind.clone()),
            organisation_id: Set(org.id),
            settings: Set(settings),
            interval_secs: Set(spec.interval_secs),
            requires_review: Set(spec.requires_review),
            enabled: Set(spec.enabled),
            harvested_until: Set(None),
            last_run_at: Set(None),
            last_success_at: Set(None),
            lease_owner: Set(None),
            lease_expires_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?),
    }
}

/// Upserts every `[[sources]]` entry of the configuration.
pub async fn sync_config(db: &DatabaseConnection, sources: &[SourceConfig]) -> AppResult<usize> {
    for (i, c) in sources.iter().enumerate() {
        let spec = SourceSpec::from_config(c).map_err(|e| match e {
            AppError::BadInput { field, message, .. } => {
                AppError::bad_input(format!("sources[{i}].{field}"), message)
            }
            other => other,
        })?;
        upsert(db, &spec).await?;
    }
    Ok(sources.len())
}

/// A source by key.
pub async fn find<C: ConnectionTrait>(db: &C, key: &str) -> AppResult<Option<source::Model>> {
    Ok(source::Entity::find()
        .filter(source::Column::Key.eq(key))
        .one(db)
        .await?)
}

/// A source by key, or NOT_FOUND.
pub async fn get<C: ConnectionTrait>(db: &C, key: &str) -> AppResult<source::Model> {
    find(db, key)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("source {key:?}")))
}

/// All sources in key order.
pub async fn list(db: &DatabaseConnection) -> AppResult<Vec<source::Model>> {
    Ok(source::Entity::find()
        .order_by_asc(source::Column::Key)
        .all(db)
        .await?)
}

/// Runs of a source, newest first, after a keyset.
pub async fn runs(
    db: &DatabaseConnection,
    source_id: i64,
    after: Option<i64>,
    first: usize,
) -> AppResult<(Vec<harvest_run::Model>, bool)> {
    keyset_page(
        db,
        harvest_run::Entity::find().filter(harvest_run::Column::SourceId.eq(source_id)),
        harvest_run::Column::Id,
        Order::NewestFirst,
        after,
        first,
    )
    .await
}

/// Rejected records of a source, newest first; resolved ones only when asked.
pub async fn rejected(
    db: &DatabaseConnection,
    source_id: i64,
    include_resolved: bool,
    after: Option<i64>,
    first: usize,
) -> AppResult<(Vec<rejected_record::Model>, bool)> {
    let mut cond = Condition::all().add(rejected_record::Column::SourceId.eq(source_id));
    if !include_resolved {
        cond = cond.add(rejected_record::Column::ResolvedAt.is_null());
    }
    keyset_page(
        db,
        rejected_record::Entity::find().filter(cond),
        rejected_record::Column::Id,
        Order::NewestFirst,
        after,
        first,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse() {
        assert_eq!(parse_interval("6h"), Some(21600));
        assert_eq!(parse_interval("30m"), Some(1800));
        assert_eq!(parse_interval("1d"), Some(86400));
        assert_eq!(parse_interval("90"), Some(90));
        assert_eq!(parse_interval(""), Some(21600));
        assert_eq!(parse_interval("soon"), None);
        assert_eq!(parse_interval("0h"), None);
    }

    #[test]
    fn specs_are_validated_per_kind() {
        let mut c = SourceConfig {
            key: "imu-oai".into(),
            kind: "oai_pmh".into(),
            org: "imu".into(),
            url: "https://repo.example.edu.cn/oai".into(),
            interval: "6h".into(),
            ..Default::default()
        };
        let s = SourceSpec::from_config(&c).expect("valid");
        assert_eq!(s.settings.metadata_prefix, "oai_dc");
        c.url = "ftp://x".into();
        assert!(SourceSpec::from_config(&c).is_err());
        c.kind = "tabular".into();
        assert!(SourceSpec::from_config(&c).is_err(), "tabular needs a path");
        c.path = "/data/iat.csv".into();
        assert!(SourceSpec::from_config(&c).is_ok());
        c.key = "Bad Key".into();
        assert!(SourceSpec::from_config(&c).is_err());
        c.key = "ok".into();
        c.kind = "ftp".into();
        assert!(SourceSpec::from_config(&c).is_err());
    }
}
