//! API keys for external portals: created and revoked by admins, shown once, stored hashed,
//! scoped (`READ_PUBLIC` reads the public catalog; `READ_WRITE_ORG` reads and writes the own
//! organisation's records), each with its own requests-per-minute limit and last-used time.
//! Also organisation invitations, the other thing an organisation admin hands out.

use super::policy::{self, Action};
use super::{token, Viewer};
use crate::error::{AppError, AppResult};
use crate::paging::{keyset_page, Order};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use transferhub_schema::entity::{api_token, invitation, organisation};
use transferhub_schema::enums::Role;

/// What an API key may do.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyScope {
    /// Read the public catalog only (role PORTAL).
    ReadPublic,
    /// Read and write the own organisation's records (role MEMBER).
    ReadWriteOrg,
}

impl ApiKeyScope {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadPublic => "READ_PUBLIC",
            Self::ReadWriteOrg => "READ_WRITE_ORG",
        }
    }

    /// The role a key of this scope acts with.
    pub fn role(self) -> Role {
        match self {
            Self::ReadPublic => Role::Portal,
            Self::ReadWriteOrg => Role::Member,
        }
    }

    /// Reads the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "READ_PUBLIC" => Some(Self::ReadPublic),
            "READ_WRITE_ORG" => Some(Self::ReadWriteOrg),
            _ => None,
        }
    }
}

/// A key to create.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// Organisation key the API key acts for.
    pub organisation: String,
    /// Name shown in lists (e.g. the portal's name).
    pub name: String,
    /// What it may do.
    pub scope: ApiKeyScope,
    /// Its own requests-per-minute limit.
    pub rate_limit_per_minute: Option<i32>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Largest per-key rate limit accepted.
pub const MAX_RATE_PER_MINUTE: i32 = 1_000_000;

async fn org_by_key(
    db: &DatabaseConnection,
    key: &str,
    field: &str,
) -> AppResult<organisation::Model> {
    organisation::Entity::find()
        .filter(organisation::Column::Key.eq(key.trim()))
        .one(db)
        .await?
        .ok_or_else(|| AppError::bad_input(field, format!("no organisation with key {key:?}")))
}

/// Creates a key; returns the row and the secret (shown once, never stored).
pub async fn create(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    input: NewApiKey,
) -> AppResult<(api_token::Model, String)> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::bad_input(
            "input.name",
            "名称不能为空，最多 100 字 / name must be 1–100 characters",
        ));
    }
    if let Some(r) = input.rate_limit_per_minute {
        if !(1..=MAX_RATE_PER_MINUTE).contains(&r) {
            return Err(AppError::bad_input(
                "input.rateLimitPerMinute",
                format!("must be between 1 and {MAX_RATE_PER_MINUTE}"),
            ));
        }
    }
    if input.expires_at.is_some_and(|t| t <= Utc::now()) {
        return Err(AppError::bad_input(
            "input.expiresAt",
            "must be in the future",
        ));
    }
    let org = org_by_key(db, &input.organisation, "input.organisation").await?;
    policy::require(viewer, Action::ManageApiKeys, org.id)?;
    let plain = token::generate();
    let txn = crate::db::begin_write(db).await?;
    let row = api_token::ActiveModel {
        name: Set(name.to_string()),
        token_hash: Set(token::hash(&plain)),
        prefix: Set(token::prefix_of(&plain)),
        organisation_id: Set(org.id),
        user_id: Set(viewer.and_then(|v| v.user_id)),
        role: Set(input.scope.role()),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        expires_at: Set(input.expires_at),
        scope: Set(Some(input.scope.as_str().to_string())),
        rate_limit_per_minute: Set(input.rate_limit_per_minute),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    crate::audit::record(
        &txn,
        viewer,
        "api_key.create",
        "api_key",
        Some(row.id),
        Some(org.id),
        serde_json::json!({ "name": row.name, "scope": row.scope, "prefix": row.prefix }),
    )
    .await?;
    txn.commit().await?;
    Ok((row, plain))
}

/// Revokes a key; it stops working on its next request.
pub async fn revoke(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    id: i64,
) -> AppResult<api_token::Model> {
    let row = api_token::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("API key {id}")))?;
    policy::require(viewer, Action::ManageApiKeys, row.organisation_id)?;
    if row.revoked_at.is_some() {
        return Err(AppError::Conflict(
            "该密钥已吊销 / the API key is already revoked".into(),
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let org_id = row.organisation_id;
    let mut active: api_token::ActiveModel = row.into();
    active.revoked_at = Set(Some(Utc::now()));
    let row = active.update(&txn).await?;
    crate::audit::record(
        &txn,
        viewer,
        "api_key.revoke",
        "api_key",
        Some(row.id),
        Some(org_id),
        serde_json::json!({ "name": row.name, "prefix": row.prefix }),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// One page of an organisation's keys (and CLI tokens), newest first.
pub async fn list(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    org_key: &str,
    after: Option<i64>,
    first: usize,
) -> AppResult<(Vec<api_token::Model>, bool)> {
    let org = org_by_key(db, org_key, "organisation").await?;
    policy::require(viewer, Action::ManageApiKeys, org.id)?;
    keyset_page(
        db,
        api_token::Entity::find().filter(api_token::Column::OrganisationId.eq(org.id)),
        api_token::Column::Id,
        Order::NewestFirst,
        after,
        first,
    )
    .await
}

/// Invites an e-mail address into an organisation; the first login with it joins.
pub async fn invite(
    db: &DatabaseConnection,
    viewer: Option<&Viewer>,
    org_key: &str,
    email: &str,
    role: Role,
) -> AppResult<invitation::Model> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.contains('@'));
    if !valid {
        return Err(AppError::bad_input(
            "input.email",
            "不是有效的电子邮件地址 / not an e-mail address",
        ));
    }
    if !matches!(role, Role::OrgAdmin | Role::Member | Role::Organiser) {
        return Err(AppError::bad_input(
            "input.role",
            "invitations grant ORG_ADMIN, MEMBER or ORGANISER",
        ));
    }
    let org = org_by_key(db, org_key, "input.organisation").await?;
    policy::require(viewer, Action::ManageMembers, org.id)?;
    let open = invitation::Entity::find()
        .filter(invitation::Column::Email.eq(email.as_str()))
        .filter(invitation::Column::OrganisationId.eq(org.id))
        .filter(invitation::Column::AcceptedAt.is_null())
        .one(db)
        .await?;
    if open.is_some() {
        return Err(AppError::Conflict(format!(
            "{email} already has an open invitation"
        )));
    }
    let txn = crate::db::begin_write(db).await?;
    let row = invitation::ActiveModel {
        organisation_id: Set(org.id),
        email: Set(email.clone()),
        role: Set(role),
        invited_by: Set(viewer.map_or_else(|| "cli".into(), Viewer::actor)),
        created_at: Set(Utc::now()),
        accepted_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    crate::audit::record(
        &txn,
        viewer,
        "member.invite",
        "invitation",
        Some(row.id),
        Some(org.id),
        serde_json::json!({ "email": email, "role": role }),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_map_to_roles_and_round_trip() {
        for s in [ApiKeyScope::ReadPublic, ApiKeyScope::ReadWriteOrg] {
            assert_eq!(ApiKeyScope::parse(s.as_str()), Some(s));
        }
        assert_eq!(ApiKeyScope::ReadPublic.role(), Role::Portal);
        assert_eq!(ApiKeyScope::ReadWriteOrg.role(), Role::Member);
        assert_eq!(ApiKeyScope::parse("ADMIN"), None);
    }
}
