//! GraphQL for identity and access: `apiKeys`, `auditLog`, `createApiKey`, `revokeApiKey`,
//! `inviteMember`, `revokeInvitation`, `setMemberRole`, `removeMember`, `leaveOrganisation`,
//! `handOverOrgAdmin`, and `AdminGuard`, the field guard every admin field carries. Ownership is
//! still decided by the one policy (`auth::policy`), which the services call.

use super::api_keys::{self, ApiKeyScope, NewApiKey};
use super::{policy, Viewer};
use crate::audit::log::{self as audit_log, AuditQuery};
use crate::catalog::graphql::Organisation;
use crate::error::AppError;
use crate::loaders::Loaders;
use crate::relay::{self, IdCursor};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Guard, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use sea_orm::{Condition, DatabaseConnection};
use transferhub_schema::entity::{api_token, audit_log as audit_entity, invitation, membership};
use transferhub_schema::enums::Role;

/// The request's viewer, if authenticated (put into the request data by the HTTP layer); every
/// resolver asks here.
pub fn viewer<'a>(ctx: &'a Context<'_>) -> Option<&'a Viewer> {
    ctx.data_opt::<Viewer>()
}

/// Lets a field run only for organisation admins and platform admins (anonymous callers get
/// UNAUTHENTICATED, everyone else FORBIDDEN) before any resolver code runs.
pub struct AdminGuard;

impl Guard for AdminGuard {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        match ctx.data_opt::<Viewer>() {
            None => Err(AppError::Unauthenticated(
                "请先登录 / this field needs a login or token".into(),
            )
            .into()),
            Some(v) if policy::administers(Some(v)) => Ok(()),
            Some(v) => Err(AppError::Forbidden(format!(
                "only organisation admins and platform admins may do this (you act as {:?})",
                v.role
            ))
            .into()),
        }
    }
}

async fn organisation_of(ctx: &Context<'_>, id: i64) -> Result<Organisation> {
    let org = ctx
        .data::<Loaders>()?
        .organisations
        .load_one(id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("organisation {id} missing")))?;
    Ok(Organisation(org))
}

/// An API key (or CLI token); the secret is never shown again after creation.
pub struct ApiKey(pub api_token::Model);

#[Object]
impl ApiKey {
    /// Opaque global id.
    async fn id(&self) -> ID {
        relay::encode_id("ApiKey", self.0.id)
    }
    /// Name given at creation.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// First characters of the secret, to tell keys apart.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    /// What it may do; null for CLI tokens.
    async fn scope(&self) -> Option<ApiKeyScope> {
        self.0.scope.as_deref().and_then(ApiKeyScope::parse)
    }
    /// The role it acts with.
    async fn role(&self) -> Role {
        self.0.role
    }
    /// Its own requests-per-minute limit; null = the configured default.
    async fn rate_limit_per_minute(&self) -> Option<i32> {
        self.0.rate_limit_per_minute
    }
    /// Organisation it acts for.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Organisation> {
        organisation_of(ctx, self.0.organisation_id).await
    }
    /// Created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Last request (updated at most once a minute).
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    /// Revoked; it no longer works.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// Stops working at.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
}

/// One audit log entry: who did what, when, from where.
pub struct AuditEntry(pub audit_entity::Model);

#[Object]
impl AuditEntry {
    /// Opaque global id.
    async fn id(&self) -> ID {
        relay::encode_id("AuditEntry", self.0.id)
    }
    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// Who: `user:<id>`, `token:<id>` or `cli`.
    async fn actor(&self) -> &str {
        &self.0.actor
    }
    /// Dotted verb, e.g. `achievement.update`, `session.login`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// Kind of record changed.
    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }
    /// Row id of the record changed.
    async fn entity_id(&self) -> Option<i64> {
        self.0.entity_id
    }
    /// Organisation concerned.
    async fn organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        match self.0.organisation_id {
            Some(id) => Ok(Some(organisation_of(ctx, id).await?)),
            None => Ok(None),
        }
    }
    /// The changed fields as JSON text.
    async fn detail(&self) -> &str {
        &self.0.detail
    }
    /// Client address of the request.
    async fn remote_addr(&self) -> Option<&str> {
        self.0.remote_addr.as_deref()
    }
}

/// Filters for `auditLog`.
#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    /// Organisation key (organisation admins may only name their own).
    pub organisation: Option<String>,
    /// Exact actor, e.g. `user:3`.
    pub actor: Option<String>,
    /// Action or prefix, e.g. `achievement.` or `session.login`.
    pub action: Option<String>,
    /// At or after.
    pub since: Option<DateTime<Utc>>,
    /// Before.
    pub until: Option<DateTime<Utc>>,
}

/// Counts for an audit log connection.
pub struct AuditCount(Condition);

#[Object]
impl AuditCount {
    /// Entries matching the filter.
    #[graphql(complexity = 10)]
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(audit_log::count(db, self.0.clone()).await?)
    }
}

/// A login provider from `[[auth.providers]]`, so the login page can offer one button per
/// provider without knowing the configuration.
#[derive(async_graphql::SimpleObject, Clone, Debug)]
pub struct AuthProvider {
    /// Provider key (`/auth/login/{key}`).
    pub key: String,
    /// Name to show on the button (Chinese first).
    pub display_name: String,
    /// Path that starts the login; add `?return_to=/path` to come back there.
    pub login_url: String,
}

/// The configured providers, kept in the schema's data.
#[derive(Clone, Debug, Default)]
pub struct AuthProviders(pub Vec<AuthProvider>);

impl AuthProviders {
    /// Lists the providers of a configuration (secrets stay behind).
    pub fn from_config(config: &crate::app::config::Config) -> Self {
        Self(
            config
                .auth
                .providers
                .iter()
                .map(|p| AuthProvider {
                    key: p.key.clone(),
                    display_name: if p.display_name.trim().is_empty() {
                        p.key.clone()
                    } else {
                        p.display_name.clone()
                    },
                    login_url: format!("/auth/login/{}", p.key),
                })
                .collect(),
        )
    }
}

/// Identity queries.
#[derive(Default)]
pub struct AuthQuery;

#[Object]
impl AuthQuery {
    /// The login providers a person can sign in with (public; no secrets).
    async fn auth_providers(&self, ctx: &Context<'_>) -> Vec<AuthProvider> {
        ctx.data_opt::<AuthProviders>()
            .map(|p| p.0.clone())
            .unwrap_or_default()
    }

    /// An organisation's API keys and tokens, newest first (organisation and platform admins).
    #[graphql(guard = "AdminGuard")]
    async fn api_keys(
        &self,
        ctx: &Context<'_>,
        organisation: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<IdCursor, ApiKey>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let first = relay::page_size(first)?;
        let after = relay::parse_after(after.as_deref())?;
        let (rows, more) = api_keys::list(db, viewer(ctx), &organisation, after, first).await?;
        let mut conn = Connection::new(after.is_some(), more);
        conn.edges.extend(
            rows.into_iter()
                .map(|k| Edge::new(IdCursor(k.id), ApiKey(k))),
        );
        Ok(conn)
    }

    /// The audit log, newest first: platform admins see all, organisation admins their own.
    #[graphql(guard = "AdminGuard")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditLogFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<IdCursor, AuditEntry, AuditCount>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let first = relay::page_size(first)?;
        let after = relay::parse_after(after.as_deref())?;
        let f = filter.unwrap_or_default();
        let q = AuditQuery {
            organisation: f.organisation,
            actor: f.actor,
            action: f.action,
            since: f.since,
            until: f.until,
        };
        let cond = audit_log::condition(db, viewer(ctx), &q).await?;
        let (rows, more) = audit_log::list(db, cond.clone(), after, first).await?;
        let mut conn = Connection::with_additional_fields(after.is_some(), more, AuditCount(cond));
        conn.edges.extend(
            rows.into_iter()
                .map(|e| Edge::new(IdCursor(e.id), AuditEntry(e))),
        );
        Ok(conn)
    }
}

/// Input of `createApiKey`.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// Organisation key the API key acts for.
    pub organisation: String,
    /// Name, e.g. the portal's (1–100 characters).
    pub name: String,
    /// What it may do.
    pub scope: ApiKeyScope,
    /// Own requests-per-minute limit (1–1 000 000); default from `[auth]`.
    pub rate_limit_per_minute: Option<i32>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Result of `createApiKey`: the key and its secret, shown this once.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    /// The stored key.
    pub api_key: ApiKey,
    /// The bearer secret; store it now, it is not shown again.
    pub secret: String,
}

/// Result of `revokeApiKey`.
#[derive(SimpleObject)]
pub struct RevokeApiKeyPayload {
    /// The revoked key.
    pub api_key: ApiKey,
}

/// Input of `inviteMember`.
#[derive(InputObject)]
pub struct InviteMemberInput {
    /// Organisation key.
    pub organisation: String,
    /// E-mail address of the person invited.
    pub email: String,
    /// ORG_ADMIN, MEMBER or ORGANISER.
    pub role: Role,
}

/// An open or accepted invitation.
#[derive(SimpleObject)]
pub struct Invitation {
    /// Opaque global id.
    pub id: ID,
    /// Invited address.
    pub email: String,
    /// Role granted on first login.
    pub role: Role,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Accepted (first login).
    pub accepted_at: Option<DateTime<Utc>>,
}

/// A person in an organisation.
#[derive(SimpleObject)]
pub struct Member {
    /// The person's global id (`person(id)`, `setMemberRole`, `removeMember`).
    pub person_id: ID,
    /// Their e-mail address, when known.
    pub email: Option<String>,
    /// Display name.
    pub display_name: String,
    /// Role in the organisation.
    pub role: Role,
    /// Joined.
    pub joined_at: DateTime<Utc>,
}

/// A membership after a change: the person, the organisation and the role.
#[derive(SimpleObject)]
pub struct Membership {
    /// The person's global id.
    pub person_id: ID,
    /// The organisation's global id.
    pub organisation_id: ID,
    /// Role in the organisation.
    pub role: Role,
    /// Joined.
    pub joined_at: DateTime<Utc>,
}

impl From<membership::Model> for Membership {
    fn from(m: membership::Model) -> Self {
        Self {
            person_id: relay::encode_id("Person", m.user_id),
            organisation_id: relay::encode_id("Organisation", m.organisation_id),
            role: m.role,
            joined_at: m.created_at,
        }
    }
}

/// Result of `setMemberRole`.
#[derive(SimpleObject)]
pub struct SetMemberRolePayload {
    /// The membership with its new role.
    pub membership: Membership,
}

/// Result of `removeMember` and `leaveOrganisation`.
#[derive(SimpleObject)]
pub struct MembershipEndedPayload {
    /// The membership that ended.
    pub membership: Membership,
}

/// Result of `handOverOrgAdmin`.
#[derive(SimpleObject)]
pub struct HandOverOrgAdminPayload {
    /// The caller's membership, now MEMBER.
    pub previous_admin: Membership,
    /// The receiver's membership, now ORG_ADMIN.
    pub new_admin: Membership,
}

/// Result of `revokeInvitation`.
#[derive(SimpleObject)]
pub struct RevokeInvitationPayload {
    /// The withdrawn invitation (no longer stored).
    pub invitation: Invitation,
}

/// The logged-in person's `users.id` (browser session or person token), else the viewer's.
fn person_id(ctx: &Context<'_>) -> Option<i64> {
    ctx.data_opt::<super::Person>()
        .map(|p| p.user_id)
        .or_else(|| viewer(ctx).and_then(|v| v.user_id))
}

impl From<invitation::Model> for Invitation {
    fn from(m: invitation::Model) -> Self {
        Self {
            id: relay::encode_id("Invitation", m.id),
            email: m.email,
            role: m.role,
            created_at: m.created_at,
            accepted_at: m.accepted_at,
        }
    }
}

/// Result of `inviteMember`.
#[derive(SimpleObject)]
pub struct InviteMemberPayload {
    /// The invitation.
    pub invitation: Invitation,
}

/// Identity mutations.
#[derive(Default)]
pub struct AuthMutation;

/// What `logoutEverywhere` did.
#[derive(SimpleObject)]
pub struct LogoutEverywherePayload {
    /// Browser sessions of the caller that were closed, this one included.
    pub closed_sessions: u64,
}

#[Object]
impl AuthMutation {
    /// Closes every browser session of the logged-in person (all devices, this one too); the
    /// next request of each gets UNAUTHENTICATED. Only for cookie sessions (CSRF-checked).
    async fn logout_everywhere(&self, ctx: &Context<'_>) -> Result<LogoutEverywherePayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let info = ctx
            .data_opt::<super::session::SessionInfo>()
            .ok_or_else(|| {
                AppError::Unauthenticated("logoutEverywhere needs a browser session".into())
            })?;
        let txn = crate::db::begin_write(db).await?;
        let closed = super::session::close_all(&txn, info.user.id).await?;
        crate::audit::record_as(
            &txn,
            &format!("user:{}", info.user.id),
            "session.logout_everywhere",
            "user",
            Some(info.user.id),
            info.session.organisation_id,
            serde_json::json!({ "closed": closed }),
        )
        .await?;
        txn.commit().await?;
        Ok(LogoutEverywherePayload {
            closed_sessions: closed,
        })
    }

    /// Creates an API key for an external portal; the secret is in the payload, once.
    #[graphql(guard = "AdminGuard")]
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> Result<CreateApiKeyPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let (row, secret) = api_keys::create(
            db,
            viewer(ctx),
            NewApiKey {
                organisation: input.organisation,
                name: input.name,
                scope: input.scope,
                rate_limit_per_minute: input.rate_limit_per_minute,
                expires_at: input.expires_at,
            },
        )
        .await?;
        Ok(CreateApiKeyPayload {
            api_key: ApiKey(row),
            secret,
        })
    }

    /// Revokes an API key; it is refused from its next request on.
    #[graphql(guard = "AdminGuard")]
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> Result<RevokeApiKeyPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "ApiKey", "id")?;
        let row = api_keys::revoke(db, viewer(ctx), n).await?;
        Ok(RevokeApiKeyPayload {
            api_key: ApiKey(row),
        })
    }

    /// Invites a person by e-mail; their first login joins the organisation with the role.
    #[graphql(guard = "AdminGuard")]
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        input: InviteMemberInput,
    ) -> Result<InviteMemberPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let row = api_keys::invite(
            db,
            viewer(ctx),
            &input.organisation,
            &input.email,
            input.role,
        )
        .await?;
        Ok(InviteMemberPayload {
            invitation: row.into(),
        })
    }

    /// Sets a member's role in the organisation: MEMBER or ORG_ADMIN (the organisation's admins
    /// and platform admins). Demoting the last org admin is CONFLICT; another organisation's
    /// admin gets FORBIDDEN, a person who is not a member NOT_FOUND. The person's sessions act
    /// with the new role from their next request. Audited.
    #[graphql(guard = "AdminGuard")]
    async fn set_member_role(
        &self,
        ctx: &Context<'_>,
        organisation_id: ID,
        person_id: ID,
        role: Role,
    ) -> Result<SetMemberRolePayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let org = relay::decode_id(&organisation_id, "Organisation", "organisationId")?;
        let person = relay::decode_id(&person_id, "Person", "personId")?;
        let m = super::members::set_role(db, viewer(ctx), org, person, role).await?;
        Ok(SetMemberRolePayload {
            membership: m.into(),
        })
    }

    /// Removes a member from the organisation (its admins and platform admins); the person's
    /// sessions and person tokens stop acting for it from their next request. Removing the last
    /// org admin is CONFLICT. Audited.
    #[graphql(guard = "AdminGuard")]
    async fn remove_member(
        &self,
        ctx: &Context<'_>,
        organisation_id: ID,
        person_id: ID,
    ) -> Result<MembershipEndedPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let org = relay::decode_id(&organisation_id, "Organisation", "organisationId")?;
        let person = relay::decode_id(&person_id, "Person", "personId")?;
        let m = super::members::remove(db, viewer(ctx), org, person).await?;
        Ok(MembershipEndedPayload {
            membership: m.into(),
        })
    }

    /// The logged-in person leaves an organisation they belong to; their session then acts for
    /// their next organisation or none. The last org admin cannot leave (CONFLICT: hand the
    /// role over first). Audited.
    async fn leave_organisation(
        &self,
        ctx: &Context<'_>,
        organisation_id: ID,
    ) -> Result<MembershipEndedPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let org = relay::decode_id(&organisation_id, "Organisation", "organisationId")?;
        let m = super::members::leave(db, viewer(ctx), person_id(ctx), org).await?;
        Ok(MembershipEndedPayload {
            membership: m.into(),
        })
    }

    /// An org admin passes the role to another member at once: the receiver becomes ORG_ADMIN,
    /// the caller MEMBER, in one transaction. Audited.
    #[graphql(guard = "AdminGuard")]
    async fn hand_over_org_admin(
        &self,
        ctx: &Context<'_>,
        organisation_id: ID,
        to_person_id: ID,
    ) -> Result<HandOverOrgAdminPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let org = relay::decode_id(&organisation_id, "Organisation", "organisationId")?;
        let to = relay::decode_id(&to_person_id, "Person", "toPersonId")?;
        let (mine, theirs) =
            super::members::hand_over(db, viewer(ctx), person_id(ctx), org, to).await?;
        Ok(HandOverOrgAdminPayload {
            previous_admin: mine.into(),
            new_admin: theirs.into(),
        })
    }

    /// Withdraws an open invitation (the organisation's admins and platform admins); an
    /// accepted one is CONFLICT. Audited.
    #[graphql(guard = "AdminGuard")]
    async fn revoke_invitation(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<RevokeInvitationPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let n = relay::decode_id(&id, "Invitation", "id")?;
        let row = super::members::revoke_invitation(db, viewer(ctx), n).await?;
        Ok(RevokeInvitationPayload {
            invitation: row.into(),
        })
    }
}
