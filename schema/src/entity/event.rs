//! Matchmaking events (对接活动) run by an organiser organisation.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// How meeting requests become meetings.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Enum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RequestMode {
    /// The invitee accepts or declines each request.
    #[sea_orm(string_value = "ACCEPT_DECLINE")]
    AcceptDecline,
    /// Requests are accepted on arrival.
    #[sea_orm(string_value = "AUTO_ACCEPT")]
    AutoAccept,
}

/// One event. `schedule_version` counts committed schedules (optimistic concurrency);
/// `scheduling_since` is the lease held while a schedule is computed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organiser_id: i64,
    pub title: String,
    pub description: String,
    pub location: Option<String>,
    pub meeting_minutes: i64,
    pub tables: i64,
    pub fixed_booths: bool,
    pub request_mode: RequestMode,
    pub request_expiry_hours: Option<i64>,
    pub registration_opens_at: Option<DateTimeUtc>,
    pub registration_closes_at: Option<DateTimeUtc>,
    /// JSON array of `OrganisationKind` values allowed to register; empty = all.
    pub participant_types: String,
    pub max_participants: Option<i64>,
    pub schedule_version: i64,
    pub scheduled_at: Option<DateTimeUtc>,
    pub scheduling_since: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations followed by queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
