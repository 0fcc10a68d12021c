//! The link directory: entries seeded from `[[links]]` (and the demo), edited by platform
//! admins, listed by category with their latest check status, and rendered per patent.

use super::template::UrlTemplate;
use crate::audit;
use crate::auth::policy::{self, Action};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::links::config::LinkConfig;
use crate::validate;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use transferhub_schema::entity::{link, link_check, patent};
use transferhub_schema::types::RegionCode;

/// Which part of the directory an entry belongs to.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkCategory {
    /// 国家知识产权局 services (per-patent pages and landing pages).
    Cnipa,
    /// Peer-province IP and technology-transfer portals.
    PeerPortal,
    /// Local services of the deployment's city or region.
    LocalService,
}

impl LinkCategory {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cnipa => "CNIPA",
            Self::PeerPortal => "PEER_PORTAL",
            Self::LocalService => "LOCAL_SERVICE",
        }
    }

    /// Reads the stored spelling or the config spelling (`cnipa`, `peer_portal`, `local_service`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().replace('-', "_").as_str() {
            "CNIPA" => Some(Self::Cnipa),
            "PEER_PORTAL" => Some(Self::PeerPortal),
            "LOCAL_SERVICE" => Some(Self::LocalService),
            _ => None,
        }
    }
}

/// The latest reachability state of a link; BROKEN and REFUSED are flagged, never hidden.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStatus {
    /// Not checked yet.
    Unchecked,
    /// The site answered at the last check.
    Up,
    /// The last check failed (HTTP error, timeout, redirect loop, unreachable).
    Broken,
    /// The outbound guard refused the address (private or loopback).
    Refused,
}

impl LinkStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unchecked => "UNCHECKED",
            Self::Up => "UP",
            Self::Broken => "BROKEN",
            Self::Refused => "REFUSED",
        }
    }

    /// Reads the stored spelling (unknown values read as UNCHECKED).
    pub fn parse(s: &str) -> Self {
        match s {
            "UP" => Self::Up,
            "BROKEN" => Self::Broken,
            "REFUSED" => Self::Refused,
            _ => Self::Unchecked,
        }
    }
}

/// Where a directory entry came from; config sync never overwrites an admin's edit.
pub mod origin {
    /// From `[[links]]` (or the built-in defaults).
    pub const CONFIG: &str = "config";
    /// From `seed-demo`.
    pub const DEMO: &str = "demo";
    /// Created or edited with `upsertLink`.
    pub const ADMIN: &str = "admin";
}

/// A validated directory entry, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkDraft {
    /// Stable key.
    pub key: String,
    /// Category.
    pub category: LinkCategory,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Chinese description.
    pub description_zh: Option<String>,
    /// English description.
    pub description_en: Option<String>,
    /// GB/T 2260 region.
    pub region_code: Option<String>,
    /// Validated URL template.
    pub url_template: UrlTemplate,
    /// Position in lists.
    pub sort_order: i64,
    /// Shown and checked.
    pub enabled: bool,
}

/// Raw fields of an entry as given by config or an admin; `prefix` names fields in errors.
pub struct RawLink<'a> {
    /// Key.
    pub key: &'a str,
    /// Category spelling.
    pub category: &'a str,
    /// Chinese name.
    pub name_zh: &'a str,
    /// English name.
    pub name_en: &'a str,
    /// Chinese description.
    pub description_zh: Option<&'a str>,
    /// English description.
    pub description_en: Option<&'a str>,
    /// Region code.
    pub region_code: Option<&'a str>,
    /// URL template.
    pub url: &'a str,
    /// Sort order.
    pub sort_order: i64,
    /// Enabled.
    pub enabled: bool,
}

impl RawLink<'_> {
    /// Validates every field; errors name the field as `prefix` + GraphQL field name.
    pub fn validate(&self, prefix: &str) -> AppResult<LinkDraft> {
        let f = |name: &str| format!("{prefix}{name}");
        let key = validate::required_text(&f("key"), self.key, 64)?;
        if !key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return Err(AppError::bad_input(
                f("key"),
                "use lower-case letters, digits, - and _ only (e.g. cnipa-epub)",
            ));
        }
        let category = LinkCategory::parse(self.category).ok_or_else(|| {
            AppError::bad_input(
                f("category"),
                format!(
                    "unknown category {:?}; expected cnipa, peer_portal or local_service",
                    self.category
                ),
            )
        })?;
        let name_zh = validate::required_text(&f("nameZh"), self.name_zh, 100)?;
        let name_en =
            validate::optional_text(&f("nameEn"), Some(self.name_en), 200)?.unwrap_or_default();
        let description_zh =
            validate::optional_text(&f("descriptionZh"), self.description_zh, 500)?;
        let description_en =
            validate::optional_text(&f("descriptionEn"), self.description_en, 1000)?;
        let region_code = match self.region_code.map(str::trim) {
            None | Some("") => None,
            Some(r) => Some(
                RegionCode::parse(r)
                    .map_err(|e| validate::on_field(&f("regionCode"), e))?
                    .to_string(),
            ),
        };
        let url_template = UrlTemplate::parse(self.url)
            .map_err(|e| AppError::bad_input(f("urlTemplate"), e.to_string()))?;
        if !(0..=1_000_000).contains(&self.sort_order) {
            return Err(AppError::bad_input(
                f("sortOrder"),
                "must be between 0 and 1000000",
            ));
        }
        Ok(LinkDraft {
            key,
            category,
            name_zh,
            name_en,
            description_zh,
            description_en,
            region_code,
            url_template,
            sort_order: self.sort_order,
            enabled: self.enabled,
        })
    }
}

fn raw(c: &LinkConfig) -> RawLink<'_> {
    RawLink {
        key: &c.key,
        category: &c.category,
        name_zh: &c.name_zh,
        name_en: &c.name_en,
        description_zh: Some(&c.description_zh),
        description_en: Some(&c.description_en),
        region_code: Some(&c.region_code),
        url: &c.url,
        sort_order: c.sort_order,
        enabled: c.enabled,
    }
}

/// Checks one configured `[[links]]` entry with the rules an admin's edit follows; errors name
/// the field after `prefix` (`links[2].`).
pub(super) fn check_configured(l: &LinkConfig, prefix: &str) -> Result<(), String> {
    raw(l).validate(prefix).map(|_| ()).map_err(|e| e.message())
}

/// The directory entry with this key (surrounding spaces ignored); NOT_FOUND names the key as
/// given.
pub async fn get_by_key(db: &DatabaseConnection, key: &str) -> AppResult<link::Model> {
    link::Entity::find()
        .filter(link::Column::Key.eq(key.trim()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("link {key:?}")))
}

/// The patent the hub holds under this normalised application number, if any.
pub async fn patent_by_application(
    db: &DatabaseConnection,
    application_number: &str,
) -> AppResult<Option<patent::Model>> {
    Ok(patent::Entity::find()
        .filter(patent::Column::ApplicationNumber.eq(application_number))
        .one(db)
        .await?)
}

/// The patent the hub holds under this normalised publication number, if any.
pub async fn patent_by_publication(
    db: &DatabaseConnection,
    publication_number: &str,
) -> AppResult<Option<patent::Model>> {
    Ok(patent::Entity::find()
        .filter(patent::Column::PublicationNumber.eq(publication_number))
        .one(db)
        .await?)
}

/// Writes `draft` as entry of `origin`. An existing entry is only changed by config or demo
/// seeding when it came from the same place, so an admin's edit survives restarts.
pub async fn store<C: ConnectionTrait>(
    db: &C,
    draft: &LinkDraft,
    from: &str,
) -> AppResult<(link::Model, bool)> {
    let now = Utc::now();
    let existing = link::Entity::find()
        .filter(link::Column::Key.eq(&draft.key))
        .one(db)
        .await?;
    let mut m = match &existing {
        Some(e) if from != origin::ADMIN && e.origin != from => return Ok((e.clone(), false)),
        Some(e) => {
            let same = e.category == draft.category.as_str()
                && e.name_zh == draft.name_zh
                && e.name_en == draft.name_en
                && e.description_zh == draft.description_zh
                && e.description_en == draft.description_en
                && e.region_code == draft.region_code
                && e.url_template == draft.url_template.as_str()
                && e.sort_order == draft.sort_order
                && e.enabled == draft.enabled
                && e.origin == from;
            if same {
                return Ok((e.clone(), false));
            }
            let mut m: link::ActiveModel = e.clone().into();
            if e.url_template != draft.url_template.as_str() {
                // A new address has not been checked.
                m.status = Set(LinkStatus::Unchecked.as_str().into());
                m.consecutive_failures = Set(0);
                m.last_error = Set(None);
                m.last_http_status = Set(None);
            }
            m
        }
        None => link::ActiveModel {
            key: Set(draft.key.clone()),
            status: Set(LinkStatus::Unchecked.as_str().into()),
            consecutive_failures: Set(0),
            created_at: Set(now),
            ..Default::default()
        },
    };
    m.category = Set(draft.category.as_str().into());
    m.name_zh = Set(draft.name_zh.clone());
    m.name_en = Set(draft.name_en.clone());
    m.description_zh = Set(draft.description_zh.clone());
    m.description_en = Set(draft.description_en.clone());
    m.region_code = Set(draft.region_code.clone());
    m.url_template = Set(draft.url_template.as_str().into());
    m.sort_order = Set(draft.sort_order);
    m.enabled = Set(draft.enabled);
    m.origin = Set(from.into());
    m.updated_at = Set(now);
    let saved = if existing.is_some() {
        m.update(db).await?
    } else {
        m.insert(db).await?
    };
    Ok((saved, true))
}

/// Brings the store in line with `[[links]]` (insert new keys, update config-owned entries).
pub async fn sync_config(db: &DatabaseConnection, links: &[LinkConfig]) -> AppResult<()> {
    for (i, l) in links.iter().enumerate() {
        let d = raw(l).validate(&format!("links[{i}]."))?;
        store(db, &d, origin::CONFIG).await?;
    }
    Ok(())
}

/// Creates or changes an entry (platform admins), audited; the entry becomes admin-owned.
pub async fn upsert(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    draft: LinkDraft,
) -> AppResult<link::Model> {
    policy::require(viewer, Action::ManageLinks, 0)?;
    let tx = crate::db::begin_write(db).await?;
    let (saved, changed) = store(&tx, &draft, origin::ADMIN).await?;
    if changed {
        audit::record(
            &tx,
            viewer,
            "link.upsert",
            "link",
            Some(saved.id),
            None,
            serde_json::json!({ "key": saved.key, "url": saved.url_template }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(saved)
}

/// Entries in display order, optionally of one category; disabled ones only for admins.
pub async fn list(
    db: &DatabaseConnection,
    category: Option<LinkCategory>,
    include_disabled: bool,
) -> AppResult<Vec<link::Model>> {
    let mut q = link::Entity::find();
    if let Some(c) = category {
        q = q.filter(link::Column::Category.eq(c.as_str()));
    }
    if !include_disabled {
        q = q.filter(link::Column::Enabled.eq(true));
    }
    Ok(q.order_by_asc(link::Column::SortOrder)
        .order_by_asc(link::Column::Key)
        .all(db)
        .await?)
}

/// The latest `limit` checks of a link, newest first.
pub async fn history(
    db: &DatabaseConnection,
    link_id: i64,
    limit: u64,
) -> AppResult<Vec<link_check::Model>> {
    Ok(link_check::Entity::find()
        .filter(link_check::Column::LinkId.eq(link_id))
        .order_by_desc(link_check::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// CNIPA entries with their parsed templates, cached briefly: every patent of a page renders
/// them, and a query per patent would cost more than the page.
#[derive(Clone, Default)]
pub struct CnipaCache {
    inner: Arc<Mutex<Option<(Instant, Templates)>>>,
}

/// Entries with their parsed templates.
pub type Templates = Arc<Vec<(link::Model, UrlTemplate)>>;

const CACHE_TTL: Duration = Duration::from_secs(30);

impl CnipaCache {
    /// Enabled CNIPA entries, from the cache when fresh.
    pub async fn get(&self, db: &DatabaseConnection) -> AppResult<Templates> {
        if let Ok(g) = self.inner.lock() {
            if let Some((at, v)) = g.as_ref() {
                if at.elapsed() < CACHE_TTL {
                    return Ok(v.clone());
                }
            }
        }
        let rows = list(db, Some(LinkCategory::Cnipa), false).await?;
        let parsed: Vec<_> = rows
            .into_iter()
            .filter_map(|l| {
                // Stored templates were validated; one that no longer parses is skipped, not fatal.
                UrlTemplate::parse(&l.url_template).ok().map(|t| (l, t))
            })
            .collect();
        let v = Arc::new(parsed);
        if let Ok(mut g) = self.inner.lock() {
            *g = Some((Instant::now(), v.clone()));
        }
        Ok(v)
    }

    /// Forgets the cached entries (after an edit or a check in this process).
    pub fn invalidate(&self) {
        if let Ok(mut g) = self.inner.lock() {
            *g = None;
        }
    }
}

/// Records in the audit log that `viewer` ran link checks now (`key` names one entry, `None` all
/// enabled ones) and how many entries were checked.
pub async fn audit_check(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    key: Option<&str>,
    checked: &[link::Model],
) -> AppResult<()> {
    let entity_id = match (key, checked) {
        (Some(_), [one]) => Some(one.id),
        _ => None,
    };
    audit::record(
        db,
        viewer,
        "link.check",
        "link",
        entity_id,
        None,
        serde_json::json!({ "key": key, "checked": checked.len() }),
    )
    .await?;
    Ok(())
}
