//! Who is calling (`Viewer`), how they prove it — bearer tokens and API keys (`token`,
//! `api_keys`), browser sessions opened by an OpenID Connect login (`session`, `oidc`, `csrf`) —
//! what each credential may cost (`rate_limit`, `cost`), and the one policy that decides what a
//! viewer may change (`policy`).

pub mod api_keys;
pub mod config;
pub mod cost;
pub mod csrf;
pub mod graphql;
pub mod http;
pub mod login_limits;
pub mod members;
pub mod oidc;
pub mod policy;
pub mod rate_limit;
pub mod session;
pub mod token;

use transferhub_schema::enums::Role;

/// The authenticated caller of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// Token row id, for the audit log (0 for browser sessions).
    pub token_id: i64,
    /// Token name given at creation (the user's name for browser sessions).
    pub token_name: String,
    /// Organisation the token acts for.
    pub organisation_id: i64,
    /// That organisation's key.
    pub organisation_key: String,
    /// Role granted.
    pub role: Role,
    /// The person behind a browser session or a person token (`token create --person`); none
    /// for organisation tokens and API keys.
    pub user_id: Option<i64>,
    /// The browser session the request came with (none for tokens and API keys).
    pub session_id: Option<i64>,
}

impl Viewer {
    /// The actor string written to the audit log: `user:<id>` for people, `token:<id>` for keys.
    pub fn actor(&self) -> String {
        match self.user_id {
            Some(u) => format!("user:{u}"),
            None => format!("token:{}", self.token_id),
        }
    }
}

/// The logged-in person behind a request — a browser session or a person token — whether or
/// not they act for an organisation (a person without one has no [`Viewer`], only this).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    /// `users.id`.
    pub user_id: i64,
    /// The browser session they came with (none for person tokens); switched to act for the
    /// organisation they create.
    pub session_id: Option<i64>,
}
