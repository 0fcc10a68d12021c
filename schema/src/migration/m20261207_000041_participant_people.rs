//! People at events (issue 19): several people of one organisation register for one event
//! separately, each with their own availability, offers, seeks and meeting caps. A registration
//! names its person (`user_id`; none = the organisation as a whole, as before) and may cap its
//! meetings overall (`max_meetings`) and per session (`max_meetings_per_session`).
//!
//! The unique index on (event, organisation) gives way to two: one registration per person and
//! event (`ux_event_participants_person`, over event, organisation and user), and at most one
//! organisation-level registration per organisation and event (`ux_event_participants_org_level`,
//! a partial index where `user_id IS NULL`: both SQLite and PostgreSQL treat NULLs as distinct in
//! a unique index, so the first index alone would let an organisation register twice).

use super::cols::*;
use sea_orm_migration::prelude::*;

/// Adds the person and the caps to `event_participants` and replaces its uniqueness.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000041_participant_people"
    }
}

const COLUMN_NAMES: [&str; 3] = ["user_id", "max_meetings", "max_meetings_per_session"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One ALTER per column: SQLite adds one column per statement.
        for name in COLUMN_NAMES {
            m.alter_table(
                Table::alter()
                    .table(id("event_participants"))
                    .add_column(bigint_null(name))
                    .to_owned(),
            )
            .await?;
        }
        m.drop_index(
            Index::drop()
                .name("ux_event_participants_org")
                .table(id("event_participants"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_event_participants_person")
                .table(id("event_participants"))
                .col(id("event_id"))
                .col(id("organisation_id"))
                .col(id("user_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        // Same statement on both backends (partial indexes: SQLite ≥ 3.8, PostgreSQL).
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_event_participants_org_level \
                 ON event_participants (event_id, organisation_id) WHERE user_id IS NULL",
            )
            .await?;
        // A person's registrations across events (their agenda, "am I registered").
        m.create_index(
            Index::create()
                .name("ix_event_participants_user")
                .table(id("event_participants"))
                .col(id("user_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "ix_event_participants_user",
            "ux_event_participants_org_level",
            "ux_event_participants_person",
        ] {
            m.drop_index(
                Index::drop()
                    .name(name)
                    .table(id("event_participants"))
                    .to_owned(),
            )
            .await?;
        }
        // Only the organisation-level registrations survive going back (one per organisation).
        m.get_connection()
            .execute_unprepared("DELETE FROM event_participants WHERE user_id IS NOT NULL")
            .await?;
        for name in COLUMN_NAMES.iter().rev() {
            m.alter_table(
                Table::alter()
                    .table(id("event_participants"))
                    .drop_column(id(name))
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("ux_event_participants_org")
                .table(id("event_participants"))
                .col(id("event_id"))
                .col(id("organisation_id"))
                .unique()
                .to_owned(),
        )
        .await
    }
}
