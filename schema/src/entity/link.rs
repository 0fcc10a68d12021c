//! The link directory (CNIPA services, peer-province portals, local services) with the latest
//! reachability status kept beside each entry.

use sea_orm::entity::prelude::*;

/// One directory entry. `url_template` may hold placeholders (`{publication_number}` …) that
/// are filled per patent; `status` is the latest check (`UNCHECKED`, `UP`, `BROKEN`, `REFUSED`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub key: String,
    /// `CNIPA`, `PEER_PORTAL` or `LOCAL_SERVICE`.
    pub category: String,
    pub name_zh: String,
    pub name_en: String,
    pub description_zh: Option<String>,
    pub description_en: Option<String>,
    /// GB/T 2260 code of the portal's region, if it serves one.
    pub region_code: Option<String>,
    pub url_template: String,
    pub sort_order: i64,
    pub enabled: bool,
    /// `config`, `demo` or `admin`: config sync never overwrites an admin's edit.
    pub origin: String,
    pub status: String,
    pub last_checked_at: Option<DateTimeUtc>,
    pub last_ok_at: Option<DateTimeUtc>,
    pub last_http_status: Option<i64>,
    pub last_error: Option<String>,
    pub consecutive_failures: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// No relation is followed from links.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
