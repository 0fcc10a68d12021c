//! OpenID Connect login (authorization code + PKCE) against every `[[auth.providers]]` entry:
//! discovery from `{issuer}/.well-known/openid-configuration`, `state` bound to the browser by a
//! cookie and consumed exactly once, `nonce` checked, the ID token verified against the
//! provider's JWKS, claims completed from the userinfo endpoint. The first login creates the
//! user; membership comes from an organisation admin's invitation or the provider's e-mail
//! domain rules.

use super::session;
use crate::app::config::Config;
use crate::auth::config::{AuthConfig, AuthProviderConfig};
use crate::error::{AppError, AppResult};
use crate::outbound::{check_literal, Outbound};
use chrono::{Duration, Utc};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::RwLock;
use transferhub_schema::entity::{invitation, login_state, membership, organisation, user};
use transferhub_schema::enums::Role;

/// The token response of an OpenID provider: OAuth2's plus the `id_token`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdTokenField {
    /// The signed ID token (absent from plain OAuth2 servers, which we then refuse).
    pub id_token: Option<String>,
}

impl ExtraTokenFields for IdTokenField {}

type OidcTokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;
type OidcClient = oauth2::Client<
    BasicErrorResponse,
    OidcTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The parts of the discovery document the login uses.
#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    userinfo_endpoint: Option<String>,
}

/// A provider's discovery document and its signing keys, fetched once and kept.
struct Provider {
    meta: Discovery,
    jwks: RwLock<JwkSet>,
}

/// The claims read from a verified ID token (and userinfo).
#[derive(Debug, Clone, Deserialize)]
pub struct IdClaims {
    /// Subject: the provider's stable user id.
    pub sub: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Whether the provider verified the address (memberships need a verified one).
    pub email_verified: Option<bool>,
    /// Display name.
    pub name: Option<String>,
    /// Echo of the nonce sent with the authorization request.
    pub nonce: Option<String>,
}

/// The parameters a provider sends back to the callback.
#[derive(Debug, Default, Deserialize)]
pub struct CallbackParams {
    /// Authorization code.
    pub code: Option<String>,
    /// The `state` sent out.
    pub state: Option<String>,
    /// OAuth2 error code when the provider refused.
    pub error: Option<String>,
    /// Human-readable reason.
    pub error_description: Option<String>,
}

/// A completed login.
pub struct LoginOutcome {
    /// The new session's cookie secret.
    pub secret: String,
    /// The new session's CSRF token.
    pub csrf_token: String,
    /// Where to send the browser.
    pub return_to: String,
}

/// The login engine shared by the HTTP handlers.
pub struct Oidc {
    providers: HashMap<String, AuthProviderConfig>,
    auth: AuthConfig,
    public_url: String,
    allow_private: bool,
    http: reqwest::Client,
    discovered: RwLock<HashMap<String, Arc<Provider>>>,
    limits: super::login_limits::LoginLimits,
}

/// Signature algorithms accepted on ID tokens (never `none` or shared-secret HMAC).
const ASYMMETRIC: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Largest discovery, JWKS or userinfo document read.
const MAX_DOC_BYTES: usize = 512 * 1024;

fn login_failed(why: impl std::fmt::Display) -> AppError {
    AppError::Unauthenticated(format!("登录失败 / login failed: {why}"))
}

fn state_refused(why: &str) -> AppError {
    AppError::Forbidden(format!("登录状态无效 / login state refused: {why}"))
}

impl Oidc {
    /// Builds the engine from the configuration (no network until the first login).
    pub fn new(config: &Config) -> Result<Self, String> {
        Ok(Self {
            providers: config
                .auth
                .providers
                .iter()
                .map(|p| (p.key.clone(), p.clone()))
                .collect(),
            auth: config.auth.clone(),
            public_url: config.server.public_url.trim_end_matches('/').to_string(),
            allow_private: config.outbound.allow_private_addresses,
            http: Outbound::no_redirect_client(&config.outbound)?,
            discovered: RwLock::new(HashMap::new()),
            limits: super::login_limits::LoginLimits::new(
                config.auth.login_attempts_per_address_per_minute,
                config.auth.login_attempts_per_account_per_minute,
            ),
        })
    }

    /// The `[auth]` section in force.
    pub fn settings(&self) -> &AuthConfig {
        &self.auth
    }

    /// True when cookies must carry `Secure` (the hub is reached over https).
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The hub's public URL (origin checks, redirects).
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    fn provider_config(&self, key: &str) -> AppResult<&AuthProviderConfig> {
        self.providers
            .get(key)
            .ok_or_else(|| AppError::NotFound(format!("login provider {key:?}")))
    }

    fn redirect_uri(&self, key: &str) -> String {
        format!("{}/auth/callback/{key}", self.public_url)
    }

    async fn get_json<T: DeserializeOwned>(&self, url: &str, bearer: Option<&str>) -> AppResult<T> {
        let parsed = url::Url::parse(url)
            .map_err(|e| AppError::Internal(format!("provider URL {url:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(AppError::Internal(format!(
                "provider URL {url:?} is not http(s)"
            )));
        }
        check_literal(&parsed, self.allow_private).map_err(AppError::Internal)?;
        let mut req = self.http.get(parsed).header("accept", "application/json");
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| AppError::Internal(format!("provider unreachable at {url}: {e}")))?;
        if !resp.status().is_success() {
            return Err(AppError::Internal(format!(
                "provider answered {} at {url}",
                resp.status()
            )));
        }
        let body = resp
            .bytes()
            .await
            .map_err(|e| AppError::Internal(format!("provider body at {url}: {e}")))?;
        if body.len() > MAX_DOC_BYTES {
            return Err(AppError::Internal(format!(
                "provider document at {url} too large"
            )));
        }
        serde_json::from_slice(&body)
            .map_err(|e| AppError::Internal(format!("provider document at {url}: {e}")))
    }

    async fn provider(&self, key: &str) -> AppResult<Arc<Provider>> {
        if let Some(p) = self.discovered.read().await.get(key) {
            return Ok(p.clone());
        }
        let cfg = self.provider_config(key)?;
        let issuer = cfg.issuer.trim_end_matches('/');
        let meta: Discovery = self
            .get_json(&format!("{issuer}/.well-known/openid-configuration"), None)
            .await?;
        if meta.issuer.trim_end_matches('/') != issuer {
            return Err(AppError::Internal(format!(
                "provider {key}: discovery names issuer {:?}, configured {issuer:?}",
                meta.issuer
            )));
        }
        let jwks: JwkSet = self.get_json(&meta.jwks_uri, None).await?;
        let p = Arc::new(Provider {
            meta,
            jwks: RwLock::new(jwks),
        });
        self.discovered
            .write()
            .await
            .insert(key.to_string(), p.clone());
        Ok(p)
    }

    fn client(
        &self,
        key: &str,
        cfg: &AuthProviderConfig,
        meta: &Discovery,
    ) -> AppResult<OidcClient> {
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            AppError::Internal(format!("provider {key}: bad {what}: {e}"))
        };
        let mut client = oauth2::Client::new(ClientId::new(cfg.client_id.clone()))
            .set_auth_uri(
                AuthUrl::new(meta.authorization_endpoint.clone())
                    .map_err(|e| bad("authorization_endpoint", &e))?,
            )
            .set_token_uri(
                TokenUrl::new(meta.token_endpoint.clone())
                    .map_err(|e| bad("token_endpoint", &e))?,
            )
            .set_redirect_uri(
                RedirectUrl::new(self.redirect_uri(key)).map_err(|e| bad("redirect URI", &e))?,
            );
        if !cfg.client_secret.is_empty() {
            client = client.set_client_secret(ClientSecret::new(cfg.client_secret.clone()));
        }
        Ok(client)
    }

    /// Starts a login: stores state, nonce and PKCE verifier; returns the provider URL to
    /// redirect to and the state (also set as a cookie, binding the login to this browser).
    pub async fn begin(
        &self,
        db: &DatabaseConnection,
        key: &str,
        return_to: Option<&str>,
    ) -> AppResult<(String, String)> {
        self.limits
            .address(crate::audit::remote_addr().as_deref())?;
        let cfg = self.provider_config(key)?;
        let provider = self.provider(key).await?;
        let client = self.client(key, cfg, &provider.meta)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = CsrfToken::new_random().secret().clone();
        let mut scopes: Vec<String> = if cfg.scopes.is_empty() {
            vec!["openid".into(), "email".into(), "profile".into()]
        } else {
            cfg.scopes.clone()
        };
        if !scopes.iter().any(|s| s == "openid") {
            scopes.insert(0, "openid".into());
        }
        let (url, state) = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes.into_iter().map(Scope::new))
            .add_extra_param("nonce", nonce.clone())
            .set_pkce_challenge(challenge)
            .url();
        let now = Utc::now();
        login_state::ActiveModel {
            state_hash: Set(super::token::hash(state.secret())),
            provider: Set(key.to_string()),
            nonce: Set(nonce),
            pkce_verifier: Set(verifier.secret().clone()),
            return_to: Set(safe_return_to(return_to)),
            created_at: Set(now),
            expires_at: Set(now + Duration::seconds(self.auth.login_ttl_secs as i64)),
            ..Default::default()
        }
        .insert(db)
        .await?;
        Ok((url.to_string(), state.secret().clone()))
    }

    /// Completes a login from the provider's callback; opens a fresh session (closing the one
    /// the browser came with, if any).
    pub async fn finish(
        &self,
        db: &DatabaseConnection,
        key: &str,
        params: &CallbackParams,
        state_cookie: Option<&str>,
        old_session: Option<&str>,
    ) -> AppResult<LoginOutcome> {
        self.limits
            .address(crate::audit::remote_addr().as_deref())?;
        let cfg = self.provider_config(key)?;
        if let Some(err) = &params.error {
            return Err(login_failed(format!(
                "provider said {err}: {}",
                params.error_description.as_deref().unwrap_or("")
            )));
        }
        let state = params
            .state
            .as_deref()
            .filter(|s| !s.is_empty() && s.len() <= 512)
            .ok_or_else(|| AppError::bad_input("state", "missing state"))?;
        let code = params
            .code
            .as_deref()
            .filter(|s| !s.is_empty() && s.len() <= 4096)
            .ok_or_else(|| AppError::bad_input("code", "missing authorization code"))?;
        if state_cookie != Some(state) {
            return Err(state_refused("the state does not belong to this browser"));
        }
        let pending = login_state::Entity::find()
            .filter(login_state::Column::StateHash.eq(super::token::hash(state)))
            .one(db)
            .await?
            .ok_or_else(|| state_refused("unknown or already used state"))?;
        // Consume it: of two racing callbacks only the one that deletes the row goes on.
        let gone = login_state::Entity::delete_by_id(pending.id)
            .exec(db)
            .await?;
        if gone.rows_affected != 1 {
            return Err(state_refused("state already used"));
        }
        if pending.provider != key {
            return Err(state_refused("state was issued for another provider"));
        }
        if pending.expires_at <= Utc::now() {
            return Err(state_refused("the login took too long; start again"));
        }
        let provider = self.provider(key).await?;
        let client = self.client(key, cfg, &provider.meta)?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| {
                login_failed(format!("the provider refused the authorization code ({e})"))
            })?;
        let id_token = tokens
            .extra_fields()
            .id_token
            .as_deref()
            .ok_or_else(|| login_failed("the provider sent no ID token"))?;
        let mut claims = self.verify_id_token(&provider, cfg, id_token).await?;
        if claims.nonce.as_deref() != Some(pending.nonce.as_str()) {
            return Err(login_failed(
                "the ID token's nonce does not match this login",
            ));
        }
        if claims.email.is_none() {
            if let Some(endpoint) = &provider.meta.userinfo_endpoint {
                let info: IdClaims = self
                    .get_json(endpoint, Some(tokens.access_token().secret()))
                    .await?;
                if info.sub != claims.sub {
                    return Err(login_failed("userinfo is about another subject"));
                }
                claims.email = info.email;
                claims.email_verified = info.email_verified;
                claims.name = claims.name.or(info.name);
            }
        }
        self.limits
            .account(&format!("{}|{}", provider.meta.issuer, claims.sub))?;
        let remote = crate::audit::remote_addr();
        let txn = crate::db::begin_write(db).await?;
        if let Some(old) = old_session {
            session::close(&txn, old).await?;
        }
        let (user, acting) = self
            .enrol(&txn, &provider.meta.issuer, cfg, &claims)
            .await?;
        let (secret, row) = session::open(
            &txn,
            user.id,
            acting,
            key,
            self.auth.session_ttl_secs,
            remote,
        )
        .await?;
        crate::audit::record_as(
            &txn,
            &format!("user:{}", user.id),
            "session.login",
            "user",
            Some(user.id),
            acting.map(|a| a.0),
            serde_json::json!({
                "provider": key,
                "email": user.email,
                "session": row.id,
                "role": acting.map(|a| a.1),
            }),
        )
        .await?;
        txn.commit().await?;
        if let Err(e) = session::sweep(db).await {
            tracing::warn!(error = %e.message(), "cannot sweep expired sessions");
        }
        Ok(LoginOutcome {
            secret,
            csrf_token: row.csrf_token,
            return_to: pending.return_to,
        })
    }

    async fn verify_id_token(
        &self,
        provider: &Provider,
        cfg: &AuthProviderConfig,
        token: &str,
    ) -> AppResult<IdClaims> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| login_failed(format!("malformed ID token ({e})")))?;
        if !ASYMMETRIC.contains(&header.alg) {
            return Err(login_failed(format!(
                "ID token signed with {:?}, which is not accepted",
                header.alg
            )));
        }
        let mut key = find_key(&*provider.jwks.read().await, header.kid.as_deref());
        if key.is_none() {
            // The provider may have rotated its keys since discovery.
            let fresh: JwkSet = self.get_json(&provider.meta.jwks_uri, None).await?;
            key = find_key(&fresh, header.kid.as_deref());
            *provider.jwks.write().await = fresh;
        }
        let key = key.ok_or_else(|| login_failed("ID token signed with an unknown key"))?;
        let mut v = Validation::new(header.alg);
        v.set_audience(&[cfg.client_id.as_str()]);
        v.set_issuer(&[provider.meta.issuer.as_str()]);
        v.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        v.leeway = 60;
        let data = jsonwebtoken::decode::<IdClaims>(token, &key, &v)
            .map_err(|e| login_failed(format!("ID token rejected ({e})")))?;
        Ok(data.claims)
    }

    /// Finds or creates the user and works out the organisation and role the session acts as.
    async fn enrol<C: sea_orm::ConnectionTrait>(
        &self,
        db: &C,
        issuer: &str,
        cfg: &AuthProviderConfig,
        claims: &IdClaims,
    ) -> AppResult<(user::Model, Option<(i64, Role)>)> {
        let email = claims
            .email
            .as_deref()
            .filter(|_| claims.email_verified == Some(true))
            .map(|e| e.trim().to_lowercase())
            .filter(|e| e.contains('@') && e.len() <= 254);
        let now = Utc::now();
        let by_subject = user::Entity::find()
            .filter(user::Column::Issuer.eq(issuer))
            .filter(user::Column::Subject.eq(claims.sub.as_str()))
            .one(db)
            .await?;
        let user = match by_subject {
            Some(u) => u,
            None => {
                let by_email = match &email {
                    Some(e) => {
                        user::Entity::find()
                            .filter(user::Column::Email.eq(e.as_str()))
                            .one(db)
                            .await?
                    }
                    None => None,
                };
                match by_email {
                    // A user known by e-mail (e.g. from the CLI) logs in for the first time.
                    Some(u) if u.issuer.is_none() => {
                        let mut a: user::ActiveModel = u.into();
                        a.issuer = Set(Some(issuer.to_string()));
                        a.subject = Set(Some(claims.sub.clone()));
                        a.update(db).await?
                    }
                    taken => {
                        user::ActiveModel {
                            // An address already held by another identity is not shared.
                            email: Set(if taken.is_some() { None } else { email.clone() }),
                            display_name: Set(claims
                                .name
                                .clone()
                                .or_else(|| email.clone())
                                .unwrap_or_else(|| claims.sub.clone())
                                .chars()
                                .take(200)
                                .collect()),
                            issuer: Set(Some(issuer.to_string())),
                            subject: Set(Some(claims.sub.clone())),
                            created_at: Set(now),
                            ..Default::default()
                        }
                        .insert(db)
                        .await?
                    }
                }
            }
        };
        if let Some(e) = &email {
            let open = invitation::Entity::find()
                .filter(invitation::Column::Email.eq(e.as_str()))
                .filter(invitation::Column::AcceptedAt.is_null())
                .all(db)
                .await?;
            for inv in open {
                join(db, user.id, inv.organisation_id, inv.role).await?;
                let mut a: invitation::ActiveModel = inv.into();
                a.accepted_at = Set(Some(now));
                a.update(db).await?;
            }
        }
        let mut memberships = membership::Entity::find()
            .filter(membership::Column::UserId.eq(user.id))
            .order_by_asc(membership::Column::Id)
            .all(db)
            .await?;
        if memberships.is_empty() {
            if let Some(org_key) = email.as_deref().and_then(|e| org_for_email(cfg, e)) {
                if let Some(org) = organisation::Entity::find()
                    .filter(organisation::Column::Key.eq(org_key))
                    .one(db)
                    .await?
                {
                    join(db, user.id, org.id, Role::Member).await?;
                    memberships = membership::Entity::find()
                        .filter(membership::Column::UserId.eq(user.id))
                        .all(db)
                        .await?;
                } else {
                    tracing::warn!(
                        org.key = org_key,
                        "email-domain rule names an unknown organisation"
                    );
                }
            }
        }
        let admin = email.as_deref().is_some_and(|e| {
            self.auth
                .platform_admin_emails
                .iter()
                .any(|a| a.trim().eq_ignore_ascii_case(e))
        });
        let acting = memberships.first().map(|m| {
            (
                m.organisation_id,
                if admin { Role::PlatformAdmin } else { m.role },
            )
        });
        Ok((user, acting))
    }
}

async fn join<C: sea_orm::ConnectionTrait>(
    db: &C,
    user_id: i64,
    org_id: i64,
    role: Role,
) -> AppResult<()> {
    let exists = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::OrganisationId.eq(org_id))
        .one(db)
        .await?;
    if exists.is_none() {
        membership::ActiveModel {
            user_id: Set(user_id),
            organisation_id: Set(org_id),
            role: Set(role),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

fn find_key(set: &JwkSet, kid: Option<&str>) -> Option<DecodingKey> {
    let jwk = match kid {
        Some(k) => set.find(k),
        None if set.keys.len() == 1 => set.keys.first(),
        None => None,
    }?;
    DecodingKey::from_jwk(jwk).ok()
}

/// The organisation an e-mail address joins by the provider's domain rules (subdomains count).
pub fn org_for_email<'a>(cfg: &'a AuthProviderConfig, email: &str) -> Option<&'a str> {
    let domain = email.rsplit_once('@')?.1.to_ascii_lowercase();
    cfg.org_by_email_domain.iter().find_map(|(d, org)| {
        let d = d.trim().to_ascii_lowercase();
        (domain == d || domain.ends_with(&format!(".{d}"))).then_some(org.as_str())
    })
}

/// Only local paths are returned to, so the login cannot be used as an open redirect.
pub fn safe_return_to(requested: Option<&str>) -> String {
    match requested {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && p.len() <= 1024
                && !p.chars().any(char::is_control) =>
        {
            p.to_string()
        }
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_to_is_local_only() {
        assert_eq!(safe_return_to(Some("/needs?x=1")), "/needs?x=1");
        assert_eq!(safe_return_to(Some("//evil.example/")), "/");
        assert_eq!(safe_return_to(Some("https://evil.example/")), "/");
        assert_eq!(safe_return_to(Some("/\\evil")), "/");
        assert_eq!(safe_return_to(None), "/");
    }

    #[test]
    fn email_domains_map_to_organisations_including_subdomains() {
        let mut cfg = AuthProviderConfig::default();
        cfg.org_by_email_domain
            .insert("imu.edu.cn".into(), "imu".into());
        assert_eq!(org_for_email(&cfg, "zhang@imu.edu.cn"), Some("imu"));
        assert_eq!(org_for_email(&cfg, "li@mail.imu.edu.cn"), Some("imu"));
        assert_eq!(org_for_email(&cfg, "x@notimu.edu.cn"), None);
        assert_eq!(org_for_email(&cfg, "no-at-sign"), None);
    }
}
