//! A registration for an event, with what it offers and seeks: an organisation's (no person)
//! or one person's of that organisation, each with their own availability and meeting caps.

use sea_orm::entity::prelude::*;

/// One registration. `offers`/`seeks` are JSON arrays of achievement/need ids, `availability`
/// a JSON array of session ids.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_participants")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_id: i64,
    pub organisation_id: i64,
    /// The person registered (a user of the organisation); `None` = the organisation as a whole.
    pub user_id: Option<i64>,
    /// Most meetings this participant takes over the whole event.
    pub max_meetings: Option<i64>,
    /// Most meetings this participant takes in any one session (besides the session's own cap).
    pub max_meetings_per_session: Option<i64>,
    pub contact_name: Option<String>,
    pub offers: String,
    pub seeks: String,
    pub availability: String,
    /// Receives visitors at a fixed booth (when the event has fixed booths).
    pub host: bool,
    /// Booth (table) number, 1-based, for hosts.
    pub booth: Option<i64>,
    pub checked_in_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

/// Relations followed by queries.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
