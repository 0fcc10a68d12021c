//! Bearer tokens: generated once, printed once, stored as SHA-256 hashes.

use super::{Person, Viewer};
use crate::error::{AppError, AppResult};
use base64::Engine;
use chrono::Utc;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};
use transferhub_schema::entity::{api_token, membership, organisation, person_token, user};
use transferhub_schema::enums::Role;

/// Every token starts with this, so leaked tokens are easy to find with secret scanners.
pub const TOKEN_PREFIX: &str = "thub_";

/// The hash stored for a token.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The part of a token shown in listings (never enough to use it).
pub fn prefix_of(plain: &str) -> String {
    plain.chars().take(TOKEN_PREFIX.len() + 6).collect()
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
    let org = organisation_by_key(db, org_key).await?;
    let plain = generate();
    insert_org_token(db, name, &plain, org.id, None, role).await?;
    Ok(plain)
}

/// The organisation with this key, or BAD_INPUT on `org` (the CLI's `--org`).
async fn organisation_by_key(
    db: &DatabaseConnection,
    org_key: &str,
) -> AppResult<organisation::Model> {
    organisation::Entity::find()
        .filter(organisation::Column::Key.eq(org_key))
        .one(db)
        .await?
        .ok_or_else(|| AppError::bad_input("org", format!("no organisation with key {org_key:?}")))
}

/// Stores an organisation token (optionally acting for one of its people) by its hash.
async fn insert_org_token(
    db: &DatabaseConnection,
    name: &str,
    plain: &str,
    organisation_id: i64,
    user_id: Option<i64>,
    role: Role,
) -> AppResult<()> {
    api_token::ActiveModel {
        name: Set(name.to_string()),
        token_hash: Set(hash(plain)),
        prefix: Set(prefix_of(plain)),
        organisation_id: Set(organisation_id),
        user_id: Set(user_id),
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
    Ok(())
}

/// Creates a token that acts for one person (`token create --person EMAIL`). With an
/// organisation the person must be its member; the token then acts with the person's current
/// role there (`role`, when given, must be that role, or `PlatformAdmin` as an explicit grant)
/// and is refused from the request after the membership ends. Without an organisation it acts
/// for the person as they are at each request: without an organisation (they may apply for one
/// with `createOrganisation`) or for their first membership. An unknown e-mail is BAD_INPUT.
pub async fn create_for_person(
    db: &DatabaseConnection,
    org_key: Option<&str>,
    email: &str,
    role: Option<Role>,
    name: &str,
) -> AppResult<String> {
    let email = email.trim();
    let mut found = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await?;
    if found.is_none() {
        found = user::Entity::find()
            .filter(user::Column::Email.eq(email.to_lowercase()))
            .one(db)
            .await?;
    }
    let person = found.ok_or_else(|| {
        AppError::bad_input(
            "person",
            format!("没有此人 / no person with e-mail {email:?} (they log in once first, or are invited)"),
        )
    })?;
    let plain = generate();
    let Some(org_key) = org_key else {
        if role.is_some() {
            return Err(AppError::bad_input(
                "role",
                "a person token without --org acts with the person's own role; leave out --role",
            ));
        }
        person_token::ActiveModel {
            name: Set(name.to_string()),
            token_hash: Set(hash(&plain)),
            prefix: Set(prefix_of(&plain)),
            user_id: Set(person.id),
            created_at: Set(Utc::now()),
            last_used_at: Set(None),
            revoked_at: Set(None),
            expires_at: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?;
        return Ok(plain);
    };
    let org = organisation_by_key(db, org_key).await?;
    let member = membership::Entity::find()
        .filter(membership::Column::UserId.eq(person.id))
        .filter(membership::Column::OrganisationId.eq(org.id))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(
                "person",
                format!("{email} is not a member of organisation {org_key}"),
            )
        })?;
    let role = match role {
        None => member.role,
        Some(r) if r == member.role || r == Role::PlatformAdmin => r,
        Some(r) => {
            return Err(AppError::bad_input(
                "role",
                format!(
                    "{email} is {:?} in {org_key}; a person token acts with the person's role, not {r:?}",
                    member.role
                ),
            ))
        }
    };
    insert_org_token(db, name, &plain, org.id, Some(person.id), role).await?;
    Ok(plain)
}

/// What a presented bearer credential resolved to.
#[derive(Debug, Clone)]
pub struct Bearer {
    /// The viewer the policy sees; none for a person token whose person belongs to no
    /// organisation.
    pub viewer: Option<Viewer>,
    /// The person a person token acts for.
    pub person: Option<Person>,
    /// The credential's own requests-per-minute limit.
    pub rate_limit: Option<i32>,
    /// The rate limiter's key for this credential.
    pub limiter_key: i64,
}

/// Resolves a presented bearer token to a viewer; unknown, revoked or expired tokens are refused.
pub async fn authenticate(db: &DatabaseConnection, presented: &str) -> AppResult<Viewer> {
    authenticate_with_limit(db, presented).await.map(|(v, _)| v)
}

/// Like [`authenticate`], also returning the token's own requests-per-minute limit, so the HTTP
/// layer can rate-limit without a second query. A person token of a person without an
/// organisation is refused here (it has no viewer); [`authenticate_bearer`] accepts it.
pub async fn authenticate_with_limit(
    db: &DatabaseConnection,
    presented: &str,
) -> AppResult<(Viewer, Option<i32>)> {
    let b = authenticate_bearer(db, presented).await?;
    let viewer = b.viewer.ok_or_else(|| {
        AppError::Unauthenticated(
            "this token acts for a person without an organisation; it cannot act for one".into(),
        )
    })?;
    Ok((viewer, b.rate_limit))
}

fn refused() -> AppError {
    AppError::Unauthenticated("invalid or revoked token".into())
}

/// Resolves a presented bearer token: an organisation token or API key (a viewer), a person
/// token bound to an organisation (a viewer with the person, while the membership lasts, with
/// its current role), or a person token without organisation (the person, and a viewer for
/// their first membership if they have one by now).
pub async fn authenticate_bearer(db: &DatabaseConnection, presented: &str) -> AppResult<Bearer> {
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
        Some((_, None)) => return Err(refused()),
        None => return person_only(db, presented).await,
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
    // A person token (a CLI token with a person; API keys carry their creator in user_id but a
    // scope) acts while the membership lasts, with its current role.
    let person = token.user_id.filter(|_| token.scope.is_none());
    let mut role = token.role;
    if let Some(uid) = person {
        let member = membership::Entity::find()
            .filter(membership::Column::UserId.eq(uid))
            .filter(membership::Column::OrganisationId.eq(org.id))
            .one(db)
            .await?
            .ok_or_else(|| {
                AppError::Unauthenticated(format!(
                    "不再是机构成员 / this token's person no longer belongs to organisation {}",
                    org.key
                ))
            })?;
        if role != Role::PlatformAdmin {
            role = member.role;
        }
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
    Ok(Bearer {
        viewer: Some(Viewer {
            token_id: token.id,
            token_name: token.name,
            organisation_id: org.id,
            organisation_key: org.key,
            role,
            user_id: person,
            session_id: None,
        }),
        person: person.map(|user_id| Person {
            user_id,
            session_id: None,
        }),
        rate_limit: token.rate_limit_per_minute,
        limiter_key: token.id,
    })
}

/// A person token without organisation: the person, and a viewer for their first membership
/// (of an organisation that is not deactivated) when they have one now.
async fn person_only(db: &DatabaseConnection, presented: &str) -> AppResult<Bearer> {
    let token = person_token::Entity::find()
        .filter(person_token::Column::TokenHash.eq(hash(presented)))
        .one(db)
        .await?
        .ok_or_else(refused)?;
    let now = Utc::now();
    if token.revoked_at.is_some() || token.expires_at.is_some_and(|e| e < now) {
        return Err(refused());
    }
    let person = user::Entity::find_by_id(token.user_id)
        .one(db)
        .await?
        .ok_or_else(refused)?;
    let member = match membership::Entity::find()
        .filter(membership::Column::UserId.eq(person.id))
        .order_by_asc(membership::Column::Id)
        .one(db)
        .await?
    {
        Some(m) => {
            let org = organisation::Entity::find_by_id(m.organisation_id)
                .one(db)
                .await?;
            Some((m, org))
        }
        None => None,
    };
    // Person tokens share the limiter with API keys: negative keys keep them apart.
    let limiter_key = -token.id;
    let viewer = match member {
        Some((m, Some(org))) if org.deactivated_at.is_none() => Some(Viewer {
            token_id: limiter_key,
            token_name: token.name.clone(),
            organisation_id: org.id,
            organisation_key: org.key,
            role: m.role,
            user_id: Some(person.id),
            session_id: None,
        }),
        _ => None,
    };
    if token
        .last_used_at
        .is_none_or(|t| now.signed_duration_since(t).num_seconds() > 60)
    {
        let mut active: person_token::ActiveModel = token.clone().into();
        active.last_used_at = Set(Some(now));
        if let Err(e) = active.update(db).await {
            tracing::warn!(error = %e, token.id = token.id, "cannot record person token use");
        }
    }
    Ok(Bearer {
        viewer,
        person: Some(Person {
            user_id: person.id,
            session_id: None,
        }),
        rate_limit: None,
        limiter_key,
    })
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
