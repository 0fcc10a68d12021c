//! A real OpenID Connect provider for the identity tests: panva's `oidc-provider` (npm) run by
//! Node from `tests/peers/oidc/`, on a free loopback port, plus a cookie-keeping "browser" that
//! walks the provider's development login and consent forms with plain HTTP.

use anyhow::{bail, Context};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The client the hub is registered as at the provider.
pub const CLIENT_ID: &str = "transferhub";
/// Its secret.
pub const CLIENT_SECRET: &str = "transferhub-test-secret";

/// A running provider; killed on drop.
pub struct OidcPeer {
    /// Issuer URL, e.g. `http://127.0.0.1:41234`.
    pub issuer: String,
    child: tokio::process::Child,
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn peer_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peers/oidc")
}

impl OidcPeer {
    /// Starts the provider on `port`, accepting `redirect_uri`; waits until it answers.
    pub async fn start(port: u16, redirect_uri: &str) -> anyhow::Result<Self> {
        let dir = peer_dir();
        if !dir.join("node_modules/oidc-provider").exists() {
            bail!(
                "{}/node_modules is missing: run `npm ci` there (scripts/test.sh does)",
                dir.display()
            );
        }
        let mut child = tokio::process::Command::new("node")
            .arg("provider.mjs")
            .current_dir(&dir)
            .env("PORT", port.to_string())
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("REDIRECT_URI", redirect_uri)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start node (is Node.js installed?)")?;
        let stdout = child.stdout.take().context("provider stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(line) = lines.next_line().await? {
                if line.contains("listening") {
                    return Ok::<_, std::io::Error>(true);
                }
            }
            Ok(false)
        })
        .await;
        match ready {
            Ok(Ok(true)) => {}
            other => bail!("oidc-provider did not start: {other:?}"),
        }
        // Keep draining stdout so the provider never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self {
            issuer: format!("http://127.0.0.1:{port}"),
            child,
        })
    }
}

impl Drop for OidcPeer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// A browser: keeps cookies, follows no redirects by itself (the tests look at each hop).
pub struct Browser {
    /// The HTTP client with its cookie jar.
    pub client: reqwest::Client,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

/// Where a login walk stopped: at the hub's callback URL, not yet visited.
pub struct AtCallback {
    /// The full callback URL the provider redirected to.
    pub url: String,
}

fn attr<'a>(html: &'a str, after: usize, name: &str) -> Option<&'a str> {
    let pat = format!("{name}=\"");
    let start = html[after..].find(&pat)? + after + pat.len();
    let end = html[start..].find('"')? + start;
    Some(&html[start..end])
}

impl Browser {
    /// A fresh browser with an empty cookie jar.
    pub fn new() -> Self {
        Self {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    /// Asks the hub to start a login; returns the provider URL it redirects to.
    pub async fn start_login(&self, hub: &str, provider: &str) -> anyhow::Result<String> {
        let r = self
            .client
            .get(format!("{hub}/auth/login/{provider}?return_to=/my-org"))
            .send()
            .await?;
        if r.status().as_u16() != 303 {
            bail!("login start answered {}: {}", r.status(), r.text().await?);
        }
        Ok(r.headers()
            .get("location")
            .context("no Location")?
            .to_str()?
            .to_string())
    }

    /// Walks the provider from `authorize_url` through login (as `login`) and consent, until it
    /// redirects back to `hub`; returns that callback URL without visiting it.
    pub async fn walk_provider(
        &self,
        authorize_url: &str,
        login: &str,
        hub: &str,
    ) -> anyhow::Result<AtCallback> {
        let mut url = reqwest::Url::parse(authorize_url)?;
        let mut method_post: Option<Vec<(String, String)>> = None;
        for _ in 0..20 {
            let req = match method_post.take() {
                Some(form) => self.client.post(url.clone()).form(&form),
                None => self.client.get(url.clone()),
            };
            let r = req.send().await?;
            let status = r.status().as_u16();
            if (300..400).contains(&status) {
                let loc = r
                    .headers()
                    .get("location")
                    .context("redirect without Location")?
                    .to_str()?
                    .to_string();
                let next = url.join(&loc)?;
                if next.as_str().starts_with(hub) {
                    return Ok(AtCallback {
                        url: next.to_string(),
                    });
                }
                url = next;
                continue;
            }
            let html = r.text().await?;
            if status != 200 {
                bail!("provider answered {status} at {url}: {html}");
            }
            let form_at = html.find("<form").context("provider page without a form")?;
            let action = attr(&html, form_at, "action").context("form without action")?;
            let prompt_at = html
                .find("name=\"prompt\"")
                .context("form without prompt")?;
            let prompt = attr(&html, prompt_at, "value").context("prompt without value")?;
            let mut form = vec![("prompt".to_string(), prompt.to_string())];
            if prompt == "login" {
                form.push(("login".into(), login.into()));
                form.push(("password".into(), "any".into()));
            }
            url = url.join(action)?;
            method_post = Some(form);
        }
        bail!("the provider never redirected back to the hub")
    }

    /// Visits the hub's callback; returns the response.
    pub async fn visit(&self, url: &str) -> anyhow::Result<reqwest::Response> {
        Ok(self.client.get(url).send().await?)
    }

    /// A full login as `login`; returns the session and CSRF cookie values.
    pub async fn login(
        &self,
        hub: &str,
        provider: &str,
        login: &str,
    ) -> anyhow::Result<(String, String)> {
        let authorize = self.start_login(hub, provider).await?;
        let back = self.walk_provider(&authorize, login, hub).await?;
        let r = self.visit(&back.url).await?;
        if r.status().as_u16() != 303 {
            bail!("callback answered {}: {}", r.status(), r.text().await?);
        }
        let mut session = None;
        let mut csrf = None;
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str()?;
            let (pair, _) = v.split_once(';').unwrap_or((v, ""));
            if let Some((k, val)) = pair.split_once('=') {
                match k {
                    "thub_session" => session = Some(val.to_string()),
                    "thub_csrf" => csrf = Some(val.to_string()),
                    _ => {}
                }
            }
        }
        Ok((
            session.context("no session cookie")?,
            csrf.context("no CSRF cookie")?,
        ))
    }
}

/// A hub (demo data) that trusts the `campus` provider on a reserved port (e-mail domain
/// imu.edu.cn → organisation imu), with `tweak` applied to its configuration after, and that
/// provider, running. The identity tests (`auth.rs`, `web_security.rs`) share it.
pub async fn hub_with_provider(
    backend: crate::Backend,
    tweak: impl FnOnce(&mut transferhub_server::app::config::Config),
) -> (crate::TestHub, OidcPeer) {
    let port = free_port();
    let hub = crate::TestHub::start_with(backend, true, |c| {
        c.auth
            .providers
            .push(transferhub_server::auth::config::AuthProviderConfig {
                key: "campus".into(),
                issuer: format!("http://127.0.0.1:{port}"),
                client_id: CLIENT_ID.into(),
                client_secret: CLIENT_SECRET.into(),
                scopes: vec!["openid".into(), "email".into(), "profile".into()],
                org_by_email_domain: [("imu.edu.cn".to_string(), "imu".to_string())].into(),
                display_name: "内蒙古大学统一身份认证".into(),
            });
        tweak(c);
    })
    .await
    .expect("hub");
    let peer = OidcPeer::start(port, &format!("{}/auth/callback/campus", hub.url))
        .await
        .expect("oidc-provider (npm) must start; see scripts/test.sh");
    (hub, peer)
}
