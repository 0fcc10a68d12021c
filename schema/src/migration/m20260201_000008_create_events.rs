//! Matchmaking events (对接活动): events, their sessions, registered participants and the
//! meetings between them (requests, suggestions, the schedule and outcomes).

use super::cols::*;
use sea_orm_migration::prelude::*;

/// Creates the events tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20260201_000008_create_events"
    }
}

fn fk(from_table: &str, col: &str, to_table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(id(from_table), id(col))
        .to(id(to_table), id("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("events"))
                .col(pk("id"))
                .col(bigint("organiser_id"))
                .col(text("title"))
                .col(text("description"))
                .col(text_null("location"))
                .col(bigint("meeting_minutes"))
                .col(bigint("tables"))
                .col(ColumnDef::new(id("fixed_booths")).boolean().not_null())
                .col(string("request_mode"))
                .col(bigint_null("request_expiry_hours"))
                .col(ts_null("registration_opens_at"))
                .col(ts_null("registration_closes_at"))
                .col(text("participant_types"))
                .col(bigint_null("max_participants"))
                .col(bigint("schedule_version"))
                .col(ts_null("scheduled_at"))
                .col(ts_null("scheduling_since"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from(id("events"), id("organiser_id"))
                        .to(id("organisations"), id("id"))
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("event_sessions"))
                .col(pk("id"))
                .col(bigint("event_id"))
                .col(bigint("position"))
                .col(text_null("name"))
                .col(ts("starts_at"))
                .col(ts("ends_at"))
                .col(bigint_null("meeting_cap"))
                .col(text("breaks"))
                .foreign_key(&mut fk("event_sessions", "event_id", "events"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_event_sessions_event")
                .table(id("event_sessions"))
                .col(id("event_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("event_participants"))
                .col(pk("id"))
                .col(bigint("event_id"))
                .col(bigint("organisation_id"))
                .col(text_null("contact_name"))
                .col(text("offers"))
                .col(text("seeks"))
                .col(text("availability"))
                .col(ColumnDef::new(id("host")).boolean().not_null())
                .col(bigint_null("booth"))
                .col(ts_null("checked_in_at"))
                .col(ts("created_at"))
                .foreign_key(&mut fk("event_participants", "event_id", "events"))
                .foreign_key(
                    ForeignKey::create()
                        .from(id("event_participants"), id("organisation_id"))
                        .to(id("organisations"), id("id"))
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_event_participants_org")
                .table(id("event_participants"))
                .col(id("event_id"))
                .col(id("organisation_id"))
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("event_meetings"))
                .col(pk("id"))
                .col(bigint("event_id"))
                .col(bigint("requester_id"))
                .col(bigint("invitee_id"))
                .col(string("pair_key"))
                .col(text_null("message"))
                .col(bigint("priority"))
                .col(string("status"))
                .col(string("origin"))
                .col(ts_null("expires_at"))
                .col(bigint_null("slot_index"))
                .col(ts_null("starts_at"))
                .col(ts_null("ends_at"))
                .col(bigint_null("table_no"))
                .col(string_null("outcome"))
                .col(text_null("outcome_note"))
                .col(ts_null("outcome_at"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("event_meetings", "event_id", "events"))
                .foreign_key(&mut fk(
                    "event_meetings",
                    "requester_id",
                    "event_participants",
                ))
                .foreign_key(&mut fk(
                    "event_meetings",
                    "invitee_id",
                    "event_participants",
                ))
                .to_owned(),
        )
        .await?;
        // One meeting per pair and event, whoever asked: a second request is a duplicate.
        m.create_index(
            Index::create()
                .name("ux_event_meetings_pair")
                .table(id("event_meetings"))
                .col(id("event_id"))
                .col(id("pair_key"))
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "event_meetings",
            "event_participants",
            "event_sessions",
            "events",
        ] {
            m.drop_table(Table::drop().table(id(t)).to_owned()).await?;
        }
        Ok(())
    }
}
