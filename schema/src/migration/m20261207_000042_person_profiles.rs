//! People (issue 19): a profile per person — title (职称), fields as IPC and GB/T 4754 codes,
//! expertise keywords, languages, a short bio and what of it is public — and CLI tokens that act
//! for one person (`transferhub token create --person EMAIL` without `--org`: a person not yet in
//! an organisation; tokens of a person *in* an organisation stay in `api_tokens` with `user_id`).

use super::cols::*;
use sea_orm_migration::prelude::*;

/// Creates `person_profiles` and `person_tokens`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000042_person_profiles"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(id("person_profiles"))
                .col(pk("id"))
                .col(bigint("user_id").unique_key().to_owned())
                .col(text_null("title"))
                // JSON arrays of strings.
                .col(text("ipc_codes"))
                .col(text("industry_codes"))
                .col(text("keywords"))
                .col(text("languages"))
                .col(text_null("bio"))
                // HIDDEN, BASIC (name, organisation, title) or PUBLIC (everything but the e-mail).
                .col(
                    ColumnDef::new(id("visibility"))
                        .string_len(64)
                        .not_null()
                        .default("BASIC")
                        .to_owned(),
                )
                .col(
                    ColumnDef::new(id("show_email"))
                        .boolean()
                        .not_null()
                        .default(false)
                        .to_owned(),
                )
                .col(ts("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from(id("person_profiles"), id("user_id"))
                        .to(id("users"), id("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(id("person_tokens"))
                .col(pk("id"))
                .col(text("name"))
                .col(string("token_hash").unique_key().to_owned())
                .col(string("prefix"))
                .col(bigint("user_id"))
                .col(ts("created_at"))
                .col(ts_null("last_used_at"))
                .col(ts_null("revoked_at"))
                .col(ts_null("expires_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from(id("person_tokens"), id("user_id"))
                        .to(id("users"), id("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Members of an organisation are listed and counted (last org admin) by organisation.
        m.create_index(
            Index::create()
                .name("ix_memberships_organisation")
                .table(id("memberships"))
                .col(id("organisation_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_memberships_organisation")
                .table(id("memberships"))
                .to_owned(),
        )
        .await?;
        for t in ["person_tokens", "person_profiles"] {
            m.drop_table(Table::drop().table(id(t)).to_owned()).await?;
        }
        Ok(())
    }
}
