//! A 1:1 meeting between two participants: from request (or suggestion) to schedule to outcome.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a meeting stands.
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
pub enum MeetingStatus {
    /// Waiting for the invitee.
    #[sea_orm(string_value = "REQUESTED")]
    Requested,
    /// Both sides want it; the scheduler places it.
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    /// The invitee said no.
    #[sea_orm(string_value = "DECLINED")]
    Declined,
    /// Withdrawn by a side or the organiser.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
    /// Not answered in time.
    #[sea_orm(string_value = "EXPIRED")]
    Expired,
    /// Proposed by the matching of offers and needs; scheduled only when asked for.
    #[sea_orm(string_value = "SUGGESTED")]
    Suggested,
}

/// How a meeting came about.
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
pub enum MeetingOrigin {
    /// A participant asked.
    #[sea_orm(string_value = "REQUEST")]
    Request,
    /// The hub suggested it.
    #[sea_orm(string_value = "SUGGESTION")]
    Suggestion,
}

/// What came of a meeting (对接成效), for the statistics.
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
pub enum MeetingOutcome {
    /// 未到场
    #[sea_orm(string_value = "NO_SHOW")]
    NoShow,
    /// 已洽谈
    #[sea_orm(string_value = "MET")]
    Met,
    /// 待跟进
    #[sea_orm(string_value = "FOLLOW_UP")]
    FollowUp,
    /// 达成合作意向
    #[sea_orm(string_value = "INTENTION_TO_COOPERATE")]
    IntentionToCooperate,
    /// 已签约
    #[sea_orm(string_value = "CONTRACT_SIGNED")]
    ContractSigned,
}

/// One meeting. `pair_key` is `low-high` of the two participant ids, unique per event.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_meetings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_id: i64,
    pub requester_id: i64,
    pub invitee_id: i64,
    pub pair_key: String,
    pub message: Option<String>,
    pub priority: i64,
    pub status: MeetingStatus,
    pub origin: MeetingOrigin,
    pub expires_at: Option<DateTimeUtc>,
    /// Global slot index in the event's schedule.
    pub slot_index: Option<i64>,
    pub starts_at: Option<DateTimeUtc>,
    pub ends_at: Option<DateTimeUtc>,
    /// Table number, 1-based.
    pub table_no: Option<i64>,
    pub outcome: Option<MeetingOutcome>,
    pub outcome_note: Option<String>,
    pub outcome_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations followed by queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
