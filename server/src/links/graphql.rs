//! GraphQL of link-outs: `links(category)`, `patentLinks(number)`, the `links` field of
//! `Patent` (via [`links_for_patent`]), `upsertLink` and `checkLinks` (platform admins).

use super::checker::{self, CheckOutcome};
use super::patent::PatentRef;
use super::service::{self, LinkCategory, LinkStatus, RawLink};
use super::template::UrlTemplate;
use super::LinkServices;
use crate::auth::graphql::viewer;
use crate::auth::policy::{self, Action};
use crate::relay::{self, IdCursor};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use transferhub_schema::entity::{link, patent};
use transferhub_schema::types::{PatentApplicationNumber, PublicationNumber};

/// A directory entry with its latest check.
pub struct Link(pub link::Model);

#[Object]
impl Link {
    /// Stable key, e.g. `cnipa-epub`.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Position in the directory (lower first), so an editor can keep it when saving.
    async fn sort_order(&self) -> i64 {
        self.0.sort_order
    }
    /// Category.
    async fn category(&self) -> LinkCategory {
        LinkCategory::parse(&self.0.category).unwrap_or(LinkCategory::LocalService)
    }
    /// Chinese name.
    async fn name_zh(&self) -> &str {
        &self.0.name_zh
    }
    /// English name.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// Chinese description.
    async fn description_zh(&self) -> Option<&str> {
        self.0.description_zh.as_deref()
    }
    /// English description.
    async fn description_en(&self) -> Option<&str> {
        self.0.description_en.as_deref()
    }
    /// GB/T 2260 region served (null: national).
    async fn region_code(&self) -> Option<&str> {
        self.0.region_code.as_deref()
    }
    /// The URL or template as stored.
    async fn url_template(&self) -> &str {
        &self.0.url_template
    }
    /// The address to open, for entries without per-patent placeholders.
    async fn url(&self) -> Option<String> {
        UrlTemplate::parse(&self.0.url_template)
            .ok()
            .filter(|t| !t.is_per_patent())
            .map(|t| t.as_str().to_string())
    }
    /// True when the template needs a patent's numbers (see `patentLinks`).
    async fn per_patent(&self) -> bool {
        UrlTemplate::parse(&self.0.url_template).is_ok_and(|t| t.is_per_patent())
    }
    /// Shown and checked.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// `config`, `demo` or `admin`.
    async fn origin(&self) -> &str {
        &self.0.origin
    }
    /// Latest check status.
    async fn status(&self) -> LinkStatus {
        LinkStatus::parse(&self.0.status)
    }
    /// True when the last check failed or the address was refused: show it, flagged.
    async fn broken(&self) -> bool {
        matches!(
            LinkStatus::parse(&self.0.status),
            LinkStatus::Broken | LinkStatus::Refused
        )
    }
    /// When last checked.
    async fn last_checked_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_checked_at
    }
    /// When last found up.
    async fn last_ok_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_ok_at
    }
    /// HTTP status of the last check.
    async fn last_http_status(&self) -> Option<i64> {
        self.0.last_http_status
    }
    /// Why the last check failed.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// Failed checks in a row.
    async fn consecutive_failures(&self) -> i64 {
        self.0.consecutive_failures
    }
    /// Check history, newest first.
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
    ) -> Result<Vec<LinkCheck>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::page_size(Some(first))?;
        Ok(service::history(db, self.0.id, n as u64)
            .await?
            .into_iter()
            .map(|c| LinkCheck {
                checked_at: c.checked_at,
                outcome: CheckOutcome::parse(&c.outcome),
                http_status: c.http_status,
                error: c.error,
                duration_ms: c.duration_ms,
                url: c.url,
            })
            .collect())
    }
}

/// One recorded check.
#[derive(SimpleObject)]
pub struct LinkCheck {
    /// When.
    pub checked_at: DateTime<Utc>,
    /// What was found.
    pub outcome: CheckOutcome,
    /// HTTP status, when the site answered.
    pub http_status: Option<i64>,
    /// Why it failed.
    pub error: Option<String>,
    /// Duration in milliseconds.
    pub duration_ms: i64,
    /// Address requested (a per-patent template is checked at its site's root).
    pub url: String,
}

/// A link for one patent.
#[derive(SimpleObject, Clone)]
pub struct PatentLink {
    /// Directory key.
    pub key: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The address to open.
    pub url: String,
    /// True for the page of this very patent; false for a landing page (search, status, fees …).
    pub per_patent: bool,
    /// Latest check status of the site.
    pub status: LinkStatus,
    /// True when the site failed its last check (shown, flagged).
    pub broken: bool,
}

/// Links for a patent number after normalisation.
#[derive(SimpleObject)]
pub struct PatentLinks {
    /// Normalised application number, when given or known to the hub.
    pub application_number: Option<String>,
    /// Normalised publication number, when given or known to the hub.
    pub publication_number: Option<String>,
    /// Patent kind from the application number (INVENTION, UTILITY_MODEL …).
    pub kind: Option<String>,
    /// Its Chinese name (发明, 实用新型 …).
    pub kind_label_zh: Option<String>,
    /// Per-patent pages first, then CNIPA's landing pages.
    pub links: Vec<PatentLink>,
    /// Why the per-patent publication page is missing (no publication number known), if so.
    pub note: Option<String>,
}

fn render(p: &PatentRef, entries: &[(link::Model, UrlTemplate)]) -> Vec<PatentLink> {
    let mut out: Vec<PatentLink> = entries
        .iter()
        .filter_map(|(l, t)| {
            let url = p.link(t)?;
            let status = LinkStatus::parse(&l.status);
            Some(PatentLink {
                key: l.key.clone(),
                name_zh: l.name_zh.clone(),
                name_en: l.name_en.clone(),
                url,
                per_patent: t.is_per_patent(),
                status,
                broken: matches!(status, LinkStatus::Broken | LinkStatus::Refused),
            })
        })
        .collect();
    out.sort_by_key(|l| !l.per_patent);
    out
}

/// The CNIPA links of a stored patent (the `links` field of `Patent`).
pub async fn links_for_patent(ctx: &Context<'_>, p: &patent::Model) -> Result<Vec<PatentLink>> {
    let db = ctx.data::<DatabaseConnection>()?;
    let services = ctx.data::<LinkServices>()?;
    services.ensure_synced(db).await?;
    let entries = services.cnipa.get(db).await?;
    let r = PatentRef {
        application_number: PatentApplicationNumber::parse(&p.application_number).ok(),
        publication_number: p
            .publication_number
            .as_deref()
            .and_then(|n| PublicationNumber::parse(n).ok()),
    };
    Ok(render(&r, &entries))
}

/// Filters for the directory.
#[derive(InputObject, Default)]
pub struct LinkFilter {
    /// Only this category.
    pub category: Option<LinkCategory>,
    /// Only entries flagged broken.
    pub broken_only: Option<bool>,
}

/// Totals of a links connection.
#[derive(SimpleObject)]
pub struct LinkCount {
    /// Entries matching.
    pub total_count: u64,
    /// Of those, flagged broken.
    pub broken_count: u64,
}

/// Link queries.
#[derive(Default)]
pub struct LinksQuery;

#[Object]
impl LinksQuery {
    /// The link directory in display order; broken entries are flagged, not hidden. Disabled
    /// entries are listed for platform admins only.
    async fn links(
        &self,
        ctx: &Context<'_>,
        category: Option<LinkCategory>,
        filter: Option<LinkFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<IdCursor, Link, LinkCount>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let services = ctx.data::<LinkServices>()?;
        services.ensure_synced(db).await?;
        let first = relay::page_size(first)?;
        let after = relay::parse_after(after.as_deref())?;
        let filter = filter.unwrap_or_default();
        let admin = policy::require(viewer(ctx), Action::ManageLinks, 0).is_ok();
        let mut rows = service::list(db, category.or(filter.category), admin).await?;
        if filter.broken_only == Some(true) {
            rows.retain(|l| {
                matches!(
                    LinkStatus::parse(&l.status),
                    LinkStatus::Broken | LinkStatus::Refused
                )
            });
        }
        let total = rows.len() as u64;
        let broken = rows
            .iter()
            .filter(|l| {
                matches!(
                    LinkStatus::parse(&l.status),
                    LinkStatus::Broken | LinkStatus::Refused
                )
            })
            .count() as u64;
        let start = after.map_or(0, |a| {
            usize::try_from(a).unwrap_or(usize::MAX).saturating_add(1)
        });
        let page: Vec<_> = rows.into_iter().enumerate().skip(start).collect();
        let more = page.len() > first;
        let mut conn = Connection::with_additional_fields(
            start > 0,
            more,
            LinkCount {
                total_count: total,
                broken_count: broken,
            },
        );
        conn.edges.extend(
            page.into_iter()
                .take(first)
                .map(|(i, l)| Edge::new(IdCursor(i as i64), Link(l))),
        );
        Ok(conn)
    }

    /// CNIPA links for a patent number in any common spelling (application number, old or new
    /// format, with CN/ZL prefix; or publication number). A number that cannot be normalised
    /// is BAD_INPUT on `number`. The per-patent publication page needs the publication number:
    /// given one, or the one the hub holds for the application.
    async fn patent_links(&self, ctx: &Context<'_>, number: String) -> Result<PatentLinks> {
        let db = ctx.data::<DatabaseConnection>()?;
        let services = ctx.data::<LinkServices>()?;
        let mut p = PatentRef::parse("number", &number)?;
        // Complete the pair from the store when the hub knows the patent.
        let known = match (&p.application_number, &p.publication_number) {
            (Some(a), None) => service::patent_by_application(db, a.as_str()).await?,
            (None, Some(pn)) => service::patent_by_publication(db, pn.as_str()).await?,
            _ => None,
        };
        if let Some(k) = known {
            if p.application_number.is_none() {
                p.application_number = PatentApplicationNumber::parse(&k.application_number).ok();
            }
            if p.publication_number.is_none() {
                p.publication_number = k
                    .publication_number
                    .as_deref()
                    .and_then(|n| PublicationNumber::parse(n).ok());
            }
        }
        services.ensure_synced(db).await?;
        let entries = services.cnipa.get(db).await?;
        let links = render(&p, &entries);
        let note = p.publication_number.is_none().then(|| {
            "未找到公布/公告号,无法生成该专利的公布公告页链接;可在专利检索及分析系统中按申请号检索 \
             (no publication number known: the per-patent page cannot be built; search by application number)"
                .to_string()
        });
        Ok(PatentLinks {
            application_number: p.application_number.as_ref().map(|a| a.to_string()),
            publication_number: p.publication_number.as_ref().map(|a| a.to_string()),
            kind: p.kind().map(|k| k.code().to_string()),
            kind_label_zh: p.kind().map(|k| k.label_zh().to_string()),
            links,
            note,
        })
    }
}

/// Fields of a directory entry; `key` picks the entry to create or replace.
#[derive(InputObject)]
pub struct UpsertLinkInput {
    /// Stable key (lower-case letters, digits, - and _).
    pub key: String,
    /// Category.
    pub category: LinkCategory,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    #[graphql(default)]
    pub name_en: String,
    /// Chinese description.
    pub description_zh: Option<String>,
    /// English description.
    pub description_en: Option<String>,
    /// GB/T 2260 region served.
    pub region_code: Option<String>,
    /// http(s) URL; may hold `{publication_number}`, `{application_number}`, `{application_body}`.
    pub url_template: String,
    /// Position in lists (ascending).
    #[graphql(default = 100)]
    pub sort_order: i64,
    /// Shown and checked.
    #[graphql(default = true)]
    pub enabled: bool,
}

/// The changed entry.
#[derive(SimpleObject)]
pub struct LinkPayload {
    /// The entry after the change.
    pub link: Link,
}

/// Link mutations (platform admins).
#[derive(Default)]
pub struct LinksMutation;

#[Object]
impl LinksMutation {
    /// Creates or replaces a directory entry; it becomes admin-owned (config sync leaves it).
    async fn upsert_link(&self, ctx: &Context<'_>, input: UpsertLinkInput) -> Result<LinkPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let services = ctx.data::<LinkServices>()?;
        policy::require(viewer(ctx), Action::ManageLinks, 0)?;
        services.ensure_synced(db).await?;
        let draft = RawLink {
            key: &input.key,
            category: input.category.as_str(),
            name_zh: &input.name_zh,
            name_en: &input.name_en,
            description_zh: input.description_zh.as_deref(),
            description_en: input.description_en.as_deref(),
            region_code: input.region_code.as_deref(),
            url: &input.url_template,
            sort_order: input.sort_order,
            enabled: input.enabled,
        }
        .validate("input.")?;
        let saved = service::upsert(db, viewer(ctx), draft).await?;
        services.cnipa.invalidate();
        Ok(LinkPayload { link: Link(saved) })
    }

    /// Checks directory entries now (one by key, or all enabled ones) and returns them.
    async fn check_links(&self, ctx: &Context<'_>, key: Option<String>) -> Result<Vec<Link>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let services = ctx.data::<LinkServices>()?;
        policy::require(viewer(ctx), Action::ManageLinks, 0)?;
        services.ensure_synced(db).await?;
        let outbound = services.outbound()?;
        let checked = match &key {
            Some(k) => {
                let l = service::get_by_key(db, k).await?;
                vec![checker::check_link(db, outbound, &services.check, &l).await?]
            }
            None => checker::check_all(db, outbound, &services.check, false).await?,
        };
        service::audit_check(db, viewer(ctx), key.as_deref().map(str::trim), &checked).await?;
        services.cnipa.invalidate();
        Ok(checked.into_iter().map(Link).collect())
    }
}
