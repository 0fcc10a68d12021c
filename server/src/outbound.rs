//! The one outbound HTTP client (connectors, link checks): timeouts, a response size cap,
//! capped redirects, gzip, and a guard that refuses private, loopback and link-local addresses
//! — at DNS resolution and for literal IPs, on every redirect hop — unless configuration allows
//! them. It implements the connectors' `Fetcher`, so connectors never open sockets themselves.

use async_trait::async_trait;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use transferhub_connectors::{ConnectorError, Fetched, Fetcher};

/// `[outbound]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboundConfig {
    /// Let connectors and link checks reach private and loopback addresses (tests set true).
    pub allow_private_addresses: bool,
    /// Whole-request timeout.
    pub timeout_secs: u64,
    /// Largest response body read (after decompression); larger responses fail the request.
    pub max_body_bytes: usize,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
}

impl Default for OutboundConfig {
    fn default() -> Self {
        Self {
            allow_private_addresses: false,
            timeout_secs: 60,
            max_body_bytes: 64 * 1024 * 1024,
            max_redirects: 5,
        }
    }
}

/// True for addresses on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
                || (o[0] == 198 && (o[1] & 0xfe) == 18))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let seg = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00
                || (seg[0] & 0xffc0) == 0xfe80)
        }
    }
}

/// Resolves names and drops addresses the guard refuses.
struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| allow || is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                let e = std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!("{host} resolves only to private or loopback addresses, which outbound.allow_private_addresses forbids"),
                );
                return Err(Box::new(e) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Refuses a URL whose host is a literal address the guard forbids.
pub(crate) fn check_literal(url: &reqwest::Url, allow_private: bool) -> Result<(), String> {
    let ip = match url.host() {
        Some(url::Host::Ipv4(a)) => IpAddr::V4(a),
        Some(url::Host::Ipv6(a)) => IpAddr::V6(a),
        _ => return Ok(()),
    };
    if allow_private || is_public(ip) {
        Ok(())
    } else {
        Err(format!(
            "{ip} is a private or loopback address, which outbound.allow_private_addresses forbids"
        ))
    }
}

/// The guarded client.
#[derive(Clone)]
pub struct Outbound {
    client: reqwest::Client,
    config: OutboundConfig,
}

impl Outbound {
    /// Builds the client from `[outbound]`.
    pub fn new(config: &OutboundConfig) -> Result<Self, String> {
        let allow = config.allow_private_addresses;
        let max = config.max_redirects;
        let client = reqwest::Client::builder()
            .user_agent(concat!("TransferHub/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(config.timeout_secs.max(1)))
            .connect_timeout(Duration::from_secs(10))
            .dns_resolver(Arc::new(GuardedResolver {
                allow_private: allow,
            }))
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= max {
                    attempt.error(format!("more than {max} redirects"))
                } else if let Err(e) = check_literal(attempt.url(), allow) {
                    attempt.error(e)
                } else {
                    attempt.follow()
                }
            }))
            .build()
            .map_err(|e| format!("cannot build HTTP client: {e}"))?;
        Ok(Self {
            client,
            config: config.clone(),
        })
    }

    /// A client with the same address guard that follows no redirects, for OAuth2 token and
    /// OpenID discovery calls (a redirect there is never legitimate and could be an SSRF).
    pub fn no_redirect_client(config: &OutboundConfig) -> Result<reqwest::Client, String> {
        reqwest::Client::builder()
            .user_agent(concat!("TransferHub/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(config.timeout_secs.clamp(1, 30)))
            .connect_timeout(Duration::from_secs(10))
            .dns_resolver(Arc::new(GuardedResolver {
                allow_private: config.allow_private_addresses,
            }))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build HTTP client: {e}"))
    }

    /// The configuration in force.
    pub fn config(&self) -> &OutboundConfig {
        &self.config
    }

    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        url: &str,
    ) -> Result<Fetched, ConnectorError> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| ConnectorError::Config(format!("bad URL {url:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ConnectorError::Config(format!(
                "only http and https URLs are fetched, not {url:?}"
            )));
        }
        check_literal(&parsed, self.config.allow_private_addresses)
            .map_err(ConnectorError::Transport)?;
        let mut resp = req
            .send()
            .await
            .map_err(|e| ConnectorError::Transport(error_chain(&e)))?;
        let status = resp.status().as_u16();
        let header = |name: reqwest::header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let retry_after_secs =
            header(reqwest::header::RETRY_AFTER).and_then(|v| v.trim().parse().ok());
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| ConnectorError::Transport(error_chain(&e)))?
        {
            if body.len() + chunk.len() > self.config.max_body_bytes {
                return Err(ConnectorError::Transport(format!(
                    "response from {url} is larger than outbound.max_body_bytes ({} bytes)",
                    self.config.max_body_bytes
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            status,
            content_type,
            retry_after_secs,
            body,
        })
    }
}

/// Why a reachability probe failed, so link checks can tell a slow site from a refused one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeFailure {
    /// No answer within the probe's timeout.
    Timeout,
    /// More redirects than `outbound.max_redirects` (a loop, usually).
    TooManyRedirects,
    /// The guard refused a private or loopback address.
    Refused,
    /// DNS, connection or TLS failure.
    Unreachable,
    /// Not an http(s) URL.
    BadUrl,
}

impl Outbound {
    /// A bounded reachability probe for link checks: HEAD (a GET when the site refuses HEAD),
    /// its own timeout, the guard and the redirect cap of every request, and the body never
    /// read. Returns the final HTTP status.
    pub async fn probe(&self, url: &str, timeout: Duration) -> Result<u16, (ProbeFailure, String)> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| (ProbeFailure::BadUrl, format!("bad URL {url:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err((
                ProbeFailure::BadUrl,
                format!("only http and https URLs are checked, not {url:?}"),
            ));
        }
        check_literal(&parsed, self.config.allow_private_addresses)
            .map_err(|e| (ProbeFailure::Refused, e))?;
        let mut status = self.probe_once(reqwest::Method::HEAD, url, timeout).await?;
        if status == 405 || status == 501 {
            status = self.probe_once(reqwest::Method::GET, url, timeout).await?;
        }
        Ok(status)
    }

    async fn probe_once(
        &self,
        method: reqwest::Method,
        url: &str,
        timeout: Duration,
    ) -> Result<u16, (ProbeFailure, String)> {
        let resp = self
            .client
            .request(method, url)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| {
                let text = error_chain(&e);
                let kind = if e.is_timeout() {
                    ProbeFailure::Timeout
                } else if e.is_redirect() {
                    if text.contains("allow_private_addresses") {
                        ProbeFailure::Refused
                    } else {
                        ProbeFailure::TooManyRedirects
                    }
                } else if text.contains("allow_private_addresses") {
                    ProbeFailure::Refused
                } else {
                    ProbeFailure::Unreachable
                };
                (kind, text)
            })?;
        // The body is dropped unread: a probe costs the headers only.
        Ok(resp.status().as_u16())
    }
}

/// The error and its causes on one line (reqwest hides the interesting part in `source`).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cur = c.source();
    }
    out
}

#[async_trait]
impl Fetcher for Outbound {
    async fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Fetched, ConnectorError> {
        let mut req = self.client.get(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req, url).await
    }

    async fn post_json(
        &self,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<Fetched, ConnectorError> {
        self.send(self.client.post(url).json(body), url).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(a.parse().expect("ip")), "{a}");
        }
        for a in ["202.96.134.133", "2400:3200::1"] {
            assert!(is_public(a.parse().expect("ip")), "{a}");
        }
    }

    #[tokio::test]
    async fn loopback_is_refused_unless_allowed() {
        let guarded = Outbound::new(&OutboundConfig::default()).expect("client");
        let e = guarded
            .get("http://127.0.0.1:9/", &[])
            .await
            .expect_err("refused");
        assert!(e.to_string().contains("allow_private_addresses"), "{e}");
        let e = guarded
            .get("http://localhost:9/", &[])
            .await
            .expect_err("refused");
        assert!(e.to_string().contains("allow_private_addresses"), "{e}");
        let e = guarded
            .get("file:///etc/passwd", &[])
            .await
            .expect_err("refused");
        assert!(matches!(e, ConnectorError::Config(_)), "{e}");
    }

    #[tokio::test]
    async fn bodies_over_the_cap_are_refused() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            if let Ok((mut s, _)) = listener.accept().await {
                let mut request = [0u8; 1024];
                let _ = s.read(&mut request).await;
                let body = vec![b'x'; 4096];
                let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len());
                let _ = s.write_all(head.as_bytes()).await;
                let _ = s.write_all(&body).await;
            }
        });
        let config = OutboundConfig {
            allow_private_addresses: true,
            max_body_bytes: 1000,
            ..OutboundConfig::default()
        };
        let client = Outbound::new(&config).expect("client");
        let e = client
            .get(&format!("http://{addr}/"), &[])
            .await
            .expect_err("too big");
        assert!(e.to_string().contains("max_body_bytes"), "{e}");
    }
}
