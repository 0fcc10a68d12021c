//! Server-side browser sessions: the cookie holds a random secret, the database its SHA-256
//! hash with the user, acting organisation, role, CSRF token and expiry. A login always opens
//! a fresh session (rotation); logout and expiry delete the row.

use super::{token, Viewer};
use crate::error::{AppError, AppResult};
use base64::Engine;
use chrono::{Duration, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use transferhub_schema::entity::{organisation, session, user};
use transferhub_schema::enums::Role;

/// Name of the HttpOnly cookie carrying the session secret.
pub const SESSION_COOKIE: &str = "thub_session";
/// Name of the script-readable cookie carrying the CSRF token (double submit).
pub const CSRF_COOKIE: &str = "thub_csrf";
/// Prefix of session secrets, distinct from bearer tokens so one is never taken for the other.
const SESSION_PREFIX: &str = "thubs_";

/// What a request's session cookie resolved to.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// The stored session.
    pub session: session::Model,
    /// Its user.
    pub user: user::Model,
}

fn random_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Opens a new session; returns the cookie secret (never stored) and the row.
pub async fn open<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    acting: Option<(i64, Role)>,
    provider: &str,
    ttl_secs: u64,
    remote_addr: Option<String>,
) -> AppResult<(String, session::Model)> {
    let secret = random_secret(SESSION_PREFIX);
    let now = Utc::now();
    let ttl = Duration::seconds(i64::try_from(ttl_secs).unwrap_or(i64::MAX / 1000).max(1));
    let row = session::ActiveModel {
        token_hash: Set(token::hash(&secret)),
        user_id: Set(user_id),
        organisation_id: Set(acting.map(|a| a.0)),
        role: Set(acting.map(|a| a.1)),
        csrf_token: Set(random_secret("")),
        provider: Set(provider.to_string()),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        last_seen_at: Set(now),
        remote_addr: Set(remote_addr),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((secret, row))
}

/// Deletes the session the secret belongs to (logout, rotation); unknown secrets are ignored.
pub async fn close<C: ConnectionTrait>(db: &C, secret: &str) -> AppResult<Option<session::Model>> {
    let Some(row) = session::Entity::find()
        .filter(session::Column::TokenHash.eq(token::hash(secret)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    session::Entity::delete_by_id(row.id).exec(db).await?;
    Ok(Some(row))
}

/// Resolves a session secret to the session, its user and — when the user acts for an
/// organisation — a viewer. Unknown, expired and idle sessions (unused for longer than
/// `idle_secs`, to the minute) are refused; expired and idle rows are deleted.
pub async fn resolve(
    db: &DatabaseConnection,
    secret: &str,
    idle_secs: u64,
) -> AppResult<(SessionInfo, Option<Viewer>)> {
    let refused = |why: &str| AppError::Unauthenticated(format!("会话无效 / {why}; log in again"));
    if !secret.starts_with(SESSION_PREFIX) || secret.len() > 200 {
        return Err(refused("invalid session"));
    }
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(token::hash(secret)))
        .find_also_related(user::Entity)
        .one(db)
        .await?;
    let (row, user) = match found {
        Some((s, Some(u))) => (s, u),
        _ => return Err(refused("invalid or closed session")),
    };
    let now = Utc::now();
    if row.expires_at <= now {
        session::Entity::delete_by_id(row.id).exec(db).await?;
        return Err(refused("session expired"));
    }
    let idle = i64::try_from(idle_secs).unwrap_or(i64::MAX);
    if idle > 0 && now.signed_duration_since(row.last_seen_at).num_seconds() > idle {
        session::Entity::delete_by_id(row.id).exec(db).await?;
        return Err(refused("session idle for too long"));
    }
    // Touch last-seen at most once a minute, so browsing does not turn reads into writes.
    if now.signed_duration_since(row.last_seen_at).num_seconds() > 60 {
        let mut active: session::ActiveModel = row.clone().into();
        active.last_seen_at = Set(now);
        if let Err(e) = active.update(db).await {
            tracing::warn!(error = %e, session.id = row.id, "cannot record session use");
        }
    }
    let viewer = match (row.organisation_id, row.role) {
        (Some(org_id), Some(role)) => organisation::Entity::find_by_id(org_id)
            .one(db)
            .await?
            // A deactivated organisation's members no longer act for it.
            .filter(|org| org.deactivated_at.is_none() || role == Role::PlatformAdmin)
            .map(|org| Viewer {
                token_id: 0,
                token_name: user.display_name.clone(),
                organisation_id: org.id,
                organisation_key: org.key,
                role,
                user_id: Some(user.id),
                session_id: Some(row.id),
            }),
        _ => None,
    };
    Ok((SessionInfo { session: row, user }, viewer))
}

/// Switches a session to act for an organisation with a role (a person who just created an
/// organisation acts as its org admin from the next request on, without logging in again).
pub async fn act_for<C: ConnectionTrait>(
    db: &C,
    session_id: i64,
    organisation_id: i64,
    role: Role,
) -> AppResult<()> {
    session::ActiveModel {
        id: sea_orm::Unchanged(session_id),
        organisation_id: Set(Some(organisation_id)),
        role: Set(Some(role)),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// Closes every session of a user (logout everywhere); returns how many were open.
pub async fn close_all<C: ConnectionTrait>(db: &C, user_id: i64) -> AppResult<u64> {
    let done = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// Deletes every expired session and login state; run on each login so the tables stay small.
pub async fn sweep<C: ConnectionTrait>(db: &C) -> AppResult<()> {
    let now = Utc::now();
    session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    transferhub_schema::entity::login_state::Entity::delete_many()
        .filter(transferhub_schema::entity::login_state::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_secrets_are_random_and_never_look_like_bearer_tokens() {
        let a = random_secret(SESSION_PREFIX);
        let b = random_secret(SESSION_PREFIX);
        assert_ne!(a, b);
        assert!(a.starts_with(SESSION_PREFIX));
        assert!(!a.starts_with(token::TOKEN_PREFIX));
    }
}
