//! `[auth]`: login providers, session and login limits, request budgets; composed by
//! `app/config.rs`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `[auth]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// `[[auth.providers]]` entries.
    pub providers: Vec<AuthProviderConfig>,
    /// A browser session lasts this long after login.
    pub session_ttl_secs: u64,
    /// A browser session unused for this long is closed (checked to the minute).
    pub session_idle_timeout_secs: u64,
    /// Logins begun or finished from one client address per minute (this replica's count).
    pub login_attempts_per_address_per_minute: u32,
    /// Logins finished for one account per minute (this replica's count).
    pub login_attempts_per_account_per_minute: u32,
    /// A login must come back from the provider within this time.
    pub login_ttl_secs: u64,
    /// E-mail addresses that are platform admins when they log in.
    pub platform_admin_emails: Vec<String>,
    /// Requests per minute for a bearer token without its own limit.
    pub default_rate_limit_per_minute: u32,
    /// Where request budgets are counted: `memory` (per process), `database` (one budget shared
    /// by every replica) or `auto` (database on PostgreSQL, memory on SQLite).
    pub rate_limit_store: String,
    /// Anonymous callers may introspect the schema.
    pub anonymous_introspection: bool,
    /// Deepest query an anonymous caller or portal key may send.
    pub anonymous_depth_limit: usize,
    /// Largest complexity an anonymous caller or portal key may send.
    pub anonymous_complexity_limit: usize,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            providers: Vec::new(),
            session_ttl_secs: 8 * 3600,
            session_idle_timeout_secs: 3600,
            login_attempts_per_address_per_minute: 60,
            login_attempts_per_account_per_minute: 10,
            login_ttl_secs: 600,
            platform_admin_emails: Vec::new(),
            default_rate_limit_per_minute: 600,
            rate_limit_store: "auto".into(),
            anonymous_introspection: true,
            anonymous_depth_limit: 10,
            anonymous_complexity_limit: 4000,
        }
    }
}

/// One OpenID Connect provider.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthProviderConfig {
    /// Provider key used in `/auth/login/{key}`.
    pub key: String,
    /// Issuer URL.
    pub issuer: String,
    /// OAuth2 client id.
    pub client_id: String,
    /// OAuth2 client secret (secret).
    pub client_secret: String,
    /// Requested scopes.
    pub scopes: Vec<String>,
    /// Organisation membership by e-mail domain.
    pub org_by_email_domain: BTreeMap<String, String>,
    /// Name shown on the login button (Chinese first).
    pub display_name: String,
}

impl AuthConfig {
    /// Checks `[auth]` at load time (the rate-limit store, every login provider, the
    /// lifetimes), so a typo fails `serve` instead of the first login.
    pub fn validate(&self) -> Result<(), String> {
        if !matches!(
            self.rate_limit_store.as_str(),
            "auto" | "memory" | "database"
        ) {
            return Err(
                "auth.rate_limit_store must be \"auto\", \"memory\" or \"database\"".into(),
            );
        }
        let mut seen = std::collections::HashSet::new();
        for (i, p) in self.providers.iter().enumerate() {
            let at = format!("auth.providers[{i}]");
            if p.key.is_empty()
                || !p
                    .key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            {
                return Err(format!(
                    "{at}.key {:?} must be lower-case letters, digits, - or _",
                    p.key
                ));
            }
            if !seen.insert(p.key.as_str()) {
                return Err(format!("{at}.key {:?} is used twice", p.key));
            }
            match url::Url::parse(&p.issuer) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => return Err(format!("{at}.issuer {:?} is not an http(s) URL", p.issuer)),
            }
            if p.client_id.is_empty() {
                return Err(format!("{at}.client_id is empty"));
            }
            for (domain, org) in &p.org_by_email_domain {
                if domain.is_empty() || org.is_empty() || domain.contains('@') {
                    return Err(format!(
                        "{at}.org_by_email_domain: {domain:?} = {org:?} must map a bare domain to an organisation key"
                    ));
                }
            }
        }
        if self.session_ttl_secs == 0 || self.login_ttl_secs == 0 {
            return Err("auth.session_ttl_secs and auth.login_ttl_secs must be positive".into());
        }

        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_config_is_checked() {
        let mut auth = AuthConfig::default();
        auth.providers.push(AuthProviderConfig {
            key: "campus".into(),
            issuer: "https://sso.imu.edu.cn".into(),
            client_id: "hub".into(),
            ..Default::default()
        });
        assert!(auth.validate().is_ok());
        auth.providers.push(auth.providers[0].clone());
        assert!(auth.validate().expect_err("dup").contains("twice"));
        auth.providers[1].key = "Gov SSO".into();
        assert!(auth.validate().is_err());
    }
}
