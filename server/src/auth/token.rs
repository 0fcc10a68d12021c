//! Bearer tokens: generated once, printed once, stored as SHA-256 hashes.

use super::Viewer;
use crate::error::{AppError, AppResult};
use base64::Engine;
use chrono::Utc;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use transferhub_schema::entity::{api_token, organisation};
use transferhub_schema::enums::Role;

/// Every token starts with this, so leaked tokens are easy to find with secret scanners.
pub const TOKEN_PREFIX: &str = "thub_";

/// The hash stored for a token.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Makes a fresh random token (256 bits).
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Creates a token for an organisation and role; returns the plain token (shown once).
pub async fn create(
    db: &DatabaseConnection,
    org_key: &str,
    role: Role,
    name: &str,
) -> AppResult<String> {
    let org = organisation::Entity::find()
        .filter(organisation::Column::Key.eq(org_key))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::bad_input("org", format!("no organisation with key {org_key:?}"))
        })?;
    let plain = generate();
    api_token::ActiveModel {
        name: Set(name.to_string()),
        token_hash: Set(hash(&plain)),
        prefix: Set(plain.chars().take(TOKEN_PREFIX.len() + 6).collect()),
        organisation_id: Set(org.id),
        user_id: Set(None),
        role: Set(role),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        expires_at: Set(None),
        scope: Set(None),
        rate_limit_per_minute: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(plain)
}

/// Resolves a presented bearer token to a viewer; unknown, revoked or expired tokens are refused.
pub async fn authenticate(db: &DatabaseConnection, presented: &str) -> AppResult<Viewer> {
    authenticate_with_limit(db, presented).await.map(|(v, _)| v)
}

/// Like [`authenticate`], also returning the token's own requests-per-minute limit, so the HTTP
/// layer can rate-limit without a second query.
pub async fn authenticate_with_limit(
    db: &DatabaseConnection,
    presented: &str,
) -> AppResult<(Viewer, Option<i32>)> {
    let refused = || AppError::Unauthenticated("invalid or revoked token".into());
    if !presented.starts_with(TOKEN_PREFIX) || presented.len() > 200 {
        return Err(refused());
    }
    let found = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash(presented)))
        .find_also_related(organisation::Entity)
        .one(db)
        .await?;
    let (token, org) = match found {
        Some((t, Some(o))) => (t, o),
        _ => return Err(refused()),
    };
    let now = Utc::now();
    if token.revoked_at.is_some() || token.expires_at.is_some_and(|e| e < now) {
        return Err(refused());
    }
    if org.deactivated_at.is_some() && token.role != Role::PlatformAdmin {
        return Err(AppError::Unauthenticated(format!(
            "机构已停用 / organisation {} is deactivated; its tokens no longer work",
            org.key
        )));
    }
    // Touch last-used at most once a minute, so busy portals don't turn reads into writes.
    if token
        .last_used_at
        .is_none_or(|t| now.signed_duration_since(t).num_seconds() > 60)
    {
        let mut active: api_token::ActiveModel = token.clone().into();
        active.last_used_at = Set(Some(now));
        if let Err(e) = active.update(db).await {
            tracing::warn!(error = %e, token.id = token.id, "cannot record token use");
        }
    }
    Ok((
        Viewer {
            token_id: token.id,
            token_name: token.name,
            organisation_id: org.id,
            organisation_key: org.key,
            role: token.role,
            user_id: None,
            session_id: None,
        },
        token.rate_limit_per_minute,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_unique_and_hash_stably() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(hash(&a), hash(&a));
        assert_eq!(hash(&a).len(), 64);
    }
}
