//! One webhook POST, with the safety rules: https only (loopback http when allowed, for
//! tests), no private, link-local or metadata address unless allowed, checked after DNS and
//! pinned for the connection so a second lookup cannot rebind it; TLS verified against the
//! roots `serve` trusts ([`super::roots`]); connect within 5 s, all within 10 s; at most 64 KiB
//! of the answer read.

use super::Rendered;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{HeaderValue, CONTENT_TYPE, HOST, RETRY_AFTER, USER_AGENT};
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// What `serve` allows beyond public https endpoints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// `http://` to a loopback address (`--allow-insecure-webhooks`).
    pub insecure_loopback: bool,
    /// Private, loopback, link-local and metadata addresses (`--allow-private-webhooks`).
    pub private: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SendError {
    /// Never sent, and never will be with this URL and policy: no retry.
    #[error("refused: {0}")]
    Refused(String),
    /// DNS, connection, TLS or timeout: worth retrying.
    #[error("network: {0}")]
    Network(String),
}

/// The endpoint's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    /// The start of the body, for the delivery's last error.
    pub body: String,
}

/// Where a URL points, as far as it can be told without DNS.
#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub path: String,
}

/// Checks a webhook URL's form: `https://host[:port]/path`, or `http://` to a loopback host.
pub fn parse_url(url: &str) -> Result<Target, SendError> {
    // The URL itself stays out of the message: chat services put their secret in it.
    let refuse = |why: &str| SendError::Refused(why.to_owned());
    let uri: Uri = url.parse().map_err(|_| refuse("not a URL"))?;
    let tls = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err(refuse("the URL must be https")),
    };
    let authority = uri.authority().ok_or_else(|| refuse("no host"))?;
    if authority.as_str().contains('@') {
        return Err(refuse("credentials in the URL"));
    }
    let host = authority.host().trim_matches(['[', ']']).to_owned();
    if !tls && !is_loopback_name(&host) {
        return Err(refuse("http is only for loopback (tests); use https"));
    }
    Ok(Target {
        tls,
        port: uri.port_u16().unwrap_or(if tls { 443 } else { 80 }),
        path: uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
        host,
    })
}

fn is_loopback_name(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Why an address may not be posted to under `policy`, if it may not.
pub fn refusal(ip: IpAddr, tls: bool, policy: Policy) -> Option<&'static str> {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    if ip.is_loopback() {
        return (!(policy.private || (!tls && policy.insecure_loopback)))
            .then_some("loopback address");
    }
    if !tls {
        return Some("http to a non-loopback address");
    }
    if is_metadata(ip) {
        return (!policy.private).then_some("cloud metadata address");
    }
    let special = match ip {
        IpAddr::V4(v4) => {
            v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                // 100.64.0.0/10, carrier-grade NAT; 0.0.0.0/8; 240.0.0.0/4
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
                || v4.octets()[0] == 0
                || v4.octets()[0] >= 240
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || first == 0x2001 && v6.segments()[1] == 0x0db8 // documentation
                || v6.to_ipv4().is_some_and(|v4| v4.octets()[0] == 0) // IPv4-compatible
        }
    };
    (special && !policy.private).then_some("private or reserved address")
}

/// The instance-metadata services of the large clouds (AWS, GCP, Azure, Alibaba, Oracle).
fn is_metadata(ip: IpAddr) -> bool {
    const V4: [Ipv4Addr; 3] = [
        Ipv4Addr::new(169, 254, 169, 254),
        Ipv4Addr::new(168, 63, 129, 16),
        Ipv4Addr::new(100, 100, 100, 200),
    ];
    const V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
    match ip {
        IpAddr::V4(v4) => V4.contains(&v4),
        IpAddr::V6(v6) => v6 == V6,
    }
}

/// Resolves the target and checks every address it resolves to: one refused address refuses
/// the URL, as a rebinding name would otherwise pick its moment.
async fn resolve(target: &Target, policy: Policy) -> Result<Vec<SocketAddr>, SendError> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((target.host.as_str(), target.port))
        .await
        .map_err(|e| SendError::Network(format!("cannot resolve {}: {e}", target.host)))?
        .collect();
    if addrs.is_empty() {
        return Err(SendError::Network(format!(
            "{} has no address",
            target.host
        )));
    }
    for addr in &addrs {
        if let Some(why) = refusal(addr.ip(), target.tls, policy) {
            return Err(SendError::Refused(format!("{} is a {why}", addr.ip())));
        }
    }
    Ok(addrs)
}

/// Connects to the first checked address that answers; never resolves the name again.
async fn connect(addrs: &[SocketAddr]) -> Result<TcpStream, SendError> {
    let mut last = String::from("no address");
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => return Ok(stream),
            Err(e) => last = format!("cannot connect to {addr}: {e}"),
        }
    }
    Err(SendError::Network(last))
}

/// rustls on ring, trusting `roots`. ring has no post-quantum key exchange (hence the
/// deprecation); aws-lc-rs has, at several times the build.
#[allow(deprecated)]
fn tls_config(roots: Arc<RootCertStore>) -> Result<Arc<ClientConfig>, SendError> {
    let config = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| SendError::Network(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// POSTs a rendered event to `url`, verifying https against `roots`.
pub async fn post(
    url: &str,
    rendered: &Rendered,
    policy: Policy,
    roots: Arc<RootCertStore>,
) -> Result<Answer, SendError> {
    let target = parse_url(url)?;
    let exchanged = exchange(&target, rendered, policy, roots);
    match tokio::time::timeout(TOTAL_TIMEOUT, exchanged).await {
        Ok(answer) => answer,
        Err(_) => Err(SendError::Network(format!(
            "no answer within {} s",
            TOTAL_TIMEOUT.as_secs()
        ))),
    }
}

async fn exchange(
    target: &Target,
    rendered: &Rendered,
    policy: Policy,
    roots: Arc<RootCertStore>,
) -> Result<Answer, SendError> {
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, async {
        let addrs = resolve(target, policy).await?;
        connect(&addrs).await
    })
    .await
    .map_err(|_| {
        SendError::Network(format!(
            "no connection within {} s",
            CONNECT_TIMEOUT.as_secs()
        ))
    })??;
    if target.tls {
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(target.host.clone())
            .map_err(|e| SendError::Refused(format!("bad host name: {e}")))?;
        let tls = tokio_rustls::TlsConnector::from(tls_config(roots)?)
            .connect(name, stream)
            .await
            .map_err(|e| SendError::Network(format!("TLS: {e}")))?;
        request(tls, target, rendered).await
    } else {
        request(stream, target, rendered).await
    }
}

async fn request<S>(stream: S, target: &Target, rendered: &Rendered) -> Result<Answer, SendError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let network = |e: hyper::Error| SendError::Network(e.to_string());
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(network)?;
    // Drives the connection; ends with it (the request's timeout bounds both).
    tokio::spawn(connection);
    let default_port = if target.tls { 443 } else { 80 };
    let host = match (target.host.contains(':'), target.port == default_port) {
        (true, true) => format!("[{}]", target.host),
        (true, false) => format!("[{}]:{}", target.host, target.port),
        (false, true) => target.host.clone(),
        (false, false) => format!("{}:{}", target.host, target.port),
    };
    let mut builder = Request::post(target.path.as_str())
        .header(HOST, host)
        .header(CONTENT_TYPE, rendered.content_type)
        .header(
            USER_AGENT,
            concat!("StandIn-Webhook/", env!("CARGO_PKG_VERSION")),
        );
    for (name, value) in &rendered.headers {
        let value = HeaderValue::from_str(value)
            .map_err(|_| SendError::Refused(format!("header {name} is not sendable")))?;
        builder = builder.header(*name, value);
    }
    let request = builder
        .body(Full::new(Bytes::from(rendered.body.clone())))
        .map_err(|e| SendError::Refused(e.to_string()))?;
    let response = sender.send_request(request).await.map_err(network)?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // Up to 64 KiB of the answer; a longer or broken body still leaves the status.
    let body = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
        .collect()
        .await
        .map(|b| String::from_utf8_lossy(&b.to_bytes()).into_owned())
        .unwrap_or_default();
    Ok(Answer {
        status,
        retry_after,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN: Policy = Policy {
        insecure_loopback: false,
        private: false,
    };

    #[test]
    fn only_https_or_loopback_http_urls_pass() {
        let t = parse_url("https://hooks.slack.com/services/T/B/x?a=1").unwrap();
        assert_eq!(
            t,
            Target {
                tls: true,
                host: "hooks.slack.com".into(),
                port: 443,
                path: "/services/T/B/x?a=1".into()
            }
        );
        assert_eq!(parse_url("http://127.0.0.1:9/h").unwrap().port, 9);
        assert_eq!(parse_url("http://[::1]/").unwrap().host, "::1");
        assert!(parse_url("http://localhost/").is_ok());
        for bad in [
            "http://example.com/",
            "http://10.0.0.1/",
            "ftp://example.com/",
            "example.com/x",
            "https://user:pw@example.com/",
            "",
        ] {
            assert!(
                matches!(parse_url(bad), Err(SendError::Refused(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn private_link_local_and_metadata_addresses_are_refused() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        for public in ["93.184.216.34", "2606:2800:220:1::1", "100.128.0.1"] {
            assert_eq!(refusal(ip(public), true, OPEN), None, "{public}");
        }
        for refused in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "168.63.129.16",
            "100.100.100.200",
            "100.64.0.1",
            "0.0.0.0",
            "127.0.0.1",
            "::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "fd00:ec2::254",
            "fc00::1",
            "fe80::1",
            "224.0.0.1",
            "255.255.255.255",
        ] {
            assert!(refusal(ip(refused), true, OPEN).is_some(), "{refused}");
            let private = Policy {
                private: true,
                ..OPEN
            };
            assert_eq!(refusal(ip(refused), true, private), None, "{refused}");
        }
        // Loopback http only with the insecure flag; http elsewhere never.
        let insecure = Policy {
            insecure_loopback: true,
            ..OPEN
        };
        assert!(refusal(ip("127.0.0.1"), false, OPEN).is_some());
        assert_eq!(refusal(ip("127.0.0.1"), false, insecure), None);
        assert_eq!(refusal(ip("::1"), false, insecure), None);
        assert!(refusal(ip("10.0.0.1"), false, insecure).is_some());
        assert!(refusal(ip("93.184.216.34"), false, insecure).is_some());
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused_after_dns() {
        let rendered = Rendered {
            content_type: "application/json",
            headers: Vec::new(),
            body: Vec::new(),
        };
        let roots = crate::webhook::roots::mozilla();
        let err = post("https://localhost:9/x", &rendered, OPEN, roots).await;
        assert!(
            matches!(err, Err(SendError::Refused(ref why)) if why.contains("loopback")),
            "{err:?}"
        );
    }
}
