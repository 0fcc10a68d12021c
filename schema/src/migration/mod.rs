//! The one migration set, run unchanged on SQLite and PostgreSQL. Files are named
//! `mYYYYMMDD_NNNNNN_verb_noun` and never edited once landed: changes come as new files.

use sea_orm_migration::prelude::*;

mod m20260101_000001_create_organisations;
mod m20260101_000002_create_catalog;
mod m20260101_000003_create_audit_log;
mod m20260101_000004_create_sources;
mod m20260101_000005_create_search_outbox;
mod m20260201_000006_create_identity;
mod m20260201_000007_create_matching;
mod m20260201_000008_create_events;
mod m20260201_000009_create_links_stats;
mod m20260301_000010_create_cluster;
mod m20261207_000020_create_uploaded_files;
mod m20261207_000040_add_organisation_verification;
mod m20261207_000041_participant_people;
mod m20261207_000042_person_profiles;
mod m20261207_000070_create_deals;

/// Lists the migrations in order; `Migrator::up(db, None)` brings any database to the latest.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000001_create_organisations::Migration),
            Box::new(m20260101_000002_create_catalog::Migration),
            Box::new(m20260101_000003_create_audit_log::Migration),
            Box::new(m20260101_000004_create_sources::Migration),
            Box::new(m20260101_000005_create_search_outbox::Migration),
            Box::new(m20260201_000006_create_identity::Migration),
            Box::new(m20260201_000007_create_matching::Migration),
            Box::new(m20260201_000008_create_events::Migration),
            Box::new(m20260201_000009_create_links_stats::Migration),
            Box::new(m20260301_000010_create_cluster::Migration),
            Box::new(m20261207_000020_create_uploaded_files::Migration),
            Box::new(m20261207_000040_add_organisation_verification::Migration),
            Box::new(m20261207_000041_participant_people::Migration),
            Box::new(m20261207_000042_person_profiles::Migration),
            Box::new(m20261207_000070_create_deals::Migration),
        ]
    }
}

/// Column helpers shared by the migrations, so every table spells keys and times the same way.
pub(crate) mod cols {
    use sea_orm_migration::prelude::*;

    /// An auto-increment 64-bit primary key.
    pub fn pk(name: &str) -> ColumnDef {
        ColumnDef::new(Alias::new(name))
            .big_integer()
            .not_null()
            .auto_increment()
            .primary_key()
            .to_owned()
    }

    /// A required timestamp with time zone.
    pub fn ts(name: &str) -> ColumnDef {
        ColumnDef::new(Alias::new(name))
            .timestamp_with_time_zone()
            .not_null()
            .to_owned()
    }

    /// An optional timestamp with time zone.
    pub fn ts_null(name: &str) -> ColumnDef {
        ColumnDef::new(Alias::new(name))
            .timestamp_with_time_zone()
            .null()
            .to_owned()
    }

    /// A required text column.
    pub fn text(name: &str) -> ColumnDef {
        ColumnDef::new(Alias::new(name))
            .text()
            .not_null()
            .to_owned()
    }

    /// An optional text column.
    pub fn text_null(name: &str) -> ColumnDef {
        ColumnDef::new(Alias::new(name)).text().null().to_owned()
    }

    /// A required bounded string (keys, codes, enum values) that can be indexed everywhere.
    pub fn string(name: &str) -> ColumnDef {
        ColumnDef::new(Alias::new(name))
            .string_len(64)
            .not_null()
            .to_owned()
    }

    /// An optional bounded string.
    pub fn string_null(name: &str) -> ColumnDef {
        ColumnDef::new(Alias::new(name))
            .string_len(64)
            .null()
            .to_owned()
    }

    /// A required 64-bit integer.
    pub fn bigint(name: &str) -> ColumnDef {
        ColumnDef::new(Alias::new(name))
            .big_integer()
            .not_null()
            .to_owned()
    }

    /// An optional 64-bit integer.
    pub fn bigint_null(name: &str) -> ColumnDef {
        ColumnDef::new(Alias::new(name))
            .big_integer()
            .null()
            .to_owned()
    }

    /// A table name or column as an identifier.
    pub fn id(name: &str) -> Alias {
        Alias::new(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnectionTrait, Database};

    #[tokio::test]
    async fn migrations_run_up_and_down_on_sqlite() {
        let db = Database::connect("sqlite::memory:").await.expect("sqlite");
        Migrator::up(&db, None).await.expect("up");
        let backend = db.get_database_backend();
        let rows = db
            .query_all(sea_orm::Statement::from_string(
                backend,
                "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name",
            ))
            .await
            .expect("tables");
        let names: Vec<String> = rows
            .iter()
            .filter_map(|r| r.try_get::<String>("", "name").ok())
            .collect();
        for t in [
            "achievements",
            "api_tokens",
            "audit_log",
            "needs",
            "organisations",
            "patents",
        ] {
            assert!(names.iter().any(|n| n == t), "missing table {t}: {names:?}");
        }
        Migrator::down(&db, None).await.expect("down");
        Migrator::up(&db, None).await.expect("up again");
    }
}
