//! Joining a team from the options page (DESIGN.md §3, §4), pure: the server address as typed
//! → a normalised base URL and the host permission to ask for, the `?server=…&invite=…` link
//! that pre-fills the form, the join request built from the user's settings, and every answer
//! of `GET /healthz` and `POST /v1/join` turned into either a membership or messages placed
//! beside the form's fields. The options page and the background worker do only the I/O.

use crate::api::{ApiError, Health, JoinRequest, JoinResponse, TeamInfo};
use crate::display::shown;
use crate::http::{Answer, NetError};
use crate::model::{Member, Settings};
use crate::time::Timestamp;
use crate::validate::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};

/// Field paths of the Team section's controls (their ids too, see `display::field_slug`).
pub const SERVER_URL_FIELD: &str = "server_url";
pub const INVITE_FIELD: &str = "invite";
/// The settings field a join needs; the options page shows it above the Team section.
pub const DISPLAY_NAME_FIELD: &str = "display_name";

const PLAIN_HTTP: &str = "Plain http:// would send your invite code and token unencrypted: \
                          use https://. Only a server on this computer (localhost, 127.0.0.1, \
                          [::1]) may use http://.";

/// Longest bearer token accepted from a server (the server refuses longer ones too).
const MAX_TOKEN_BYTES: usize = 256;

/// What `storage.local` keeps about the team this browser joined (`store::CONNECTION_KEY`).
/// The bearer token is not in here: it lives apart, in IndexedDB, and only the background
/// worker reads it, so nothing that shows the connection ever holds the token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// The server's normalised base URL ([`ServerUrl::as_str`]).
    pub server: String,
    pub team: TeamInfo,
    /// This browser's member, as the server created it on joining.
    pub member: Member,
    pub connected_at: Timestamp,
}

impl Connection {
    /// "Connected to Core as Ann".
    pub fn summary(&self) -> String {
        format!(
            "Connected to {} as {}",
            shown(&self.team.name),
            shown(&self.member.display_name)
        )
    }
}

/// A team server's address, normalised: `https` (`http` only for this computer, so the invite
/// code and the token never cross a network unencrypted), a lower-case host, the port only
/// when it is not the scheme's default, and an optional path prefix (a server behind a
/// reverse proxy at `/standin`) without a trailing slash. No user info, query or fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerUrl {
    base: String,
    scheme: &'static str,
    host: String,
}

impl ServerUrl {
    /// Reads an address as a person types or pastes it: surrounding space is ignored and a
    /// missing scheme means `https://`. The error is the message to show beside the field.
    pub fn parse(input: &str) -> Result<ServerUrl, &'static str> {
        let text = input.trim();
        if text.is_empty() {
            return Err("Enter the team server's address, e.g. https://standin.example.com.");
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("An address has no spaces in it.");
        }
        let (scheme, rest) = match text.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => ("https", rest),
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => ("http", rest),
            Some(_) => return Err("Use an https:// address."),
            None => ("https", text),
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') {
            // A password in the URL would be stored and shown; the invite is the credential.
            return Err("Leave out any user name or password: the invite code is all it takes.");
        }
        let (host, port) = split_host_port(authority)?;
        if scheme == "http" && !is_loopback(&host) {
            // No developer override: a server on this computer is reachable as localhost,
            // and any other can be reached through an SSH tunnel or a TLS proxy.
            return Err(PLAIN_HTTP);
        }
        let default_port = if scheme == "https" { 443 } else { 80 };
        let port = match port {
            Some(p) if p != default_port => format!(":{p}"),
            _ => String::new(),
        };
        let path = tail
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .trim_end_matches('/');
        Ok(ServerUrl {
            base: format!("{scheme}://{host}{port}{path}"),
            scheme,
            host,
        })
    }

    /// The normalised base URL, e.g. `https://standin.example.com` or `http://127.0.0.1:8787`.
    pub fn as_str(&self) -> &str {
        &self.base
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// The URL of an API path (`/v1/join`) on this server.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The optional host permission to request: this scheme and host only. Without a port,
    /// because Firefox refuses match patterns that name one; Chrome reads a port-less pattern
    /// as "any port", so both grant the same.
    pub fn permission_pattern(&self) -> String {
        format!("{}://{}/*", self.scheme, self.host)
    }
}

/// Whether a normalised host is this computer: `localhost`, `[::1]`, or 127.0.0.0/8 written as
/// four decimal numbers (the spelling every parser reads alike; `127.1` is not guessed at).
/// Hand-written: `std::net`'s address parsers would add kilobytes to the wasm module.
fn is_loopback(host: &str) -> bool {
    let octet = |part: &str| {
        part.bytes().all(|b| b.is_ascii_digit())
            && (part == "0" || !part.starts_with('0'))
            && part.parse::<u8>().is_ok()
    };
    let parts: Vec<&str> = host.split('.').collect();
    let ipv4_loopback = parts.len() == 4 && parts[0] == "127" && parts.iter().all(|p| octet(p));
    host == "localhost" || host == "[::1]" || ipv4_loopback
}

/// `host`, `host:port`, `[v6]`, `[v6]:port` → the lower-case host and the port, if any.
fn split_host_port(authority: &str) -> Result<(String, Option<u16>), &'static str> {
    const BAD_HOST: &str = "That is not a server address: use a host name such as \
                            standin.example.com (letters, digits, dots and hyphens).";
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (inner, after) = v6.split_once(']').ok_or(BAD_HOST)?;
        let valid = !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
        if !valid {
            return Err(BAD_HOST);
        }
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or(BAD_HOST)?),
        };
        (format!("[{}]", inner.to_ascii_lowercase()), port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        let valid = !host.is_empty()
            && host.len() <= 253
            && host
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if !valid {
            return Err(BAD_HOST);
        }
        (host.to_ascii_lowercase(), port)
    };
    let port = match port {
        None => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
            _ => return Err("The port after the colon must be a number from 1 to 65535."),
        },
    };
    Ok((host, port))
}

/// What `options.html?server=…&invite=…` pre-fills.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prefill {
    pub server: Option<String>,
    pub invite: Option<String>,
}

/// Reads `location.search` (`?server=https%3A%2F%2F…&invite=…`). Unknown parameters are
/// ignored; a value that is not valid percent-encoded UTF-8 is left out rather than guessed.
pub fn prefill_from_query(search: &str) -> Prefill {
    let mut prefill = Prefill::default();
    for pair in search.trim_start_matches('?').split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(value) = percent_decode(value).filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        match name {
            "server" => prefill.server = Some(value),
            "invite" => prefill.invite = Some(value),
            _ => {}
        }
    }
    prefill
}

/// The link that opens the options page with the Team section filled in (what
/// [`prefill_from_query`] reads): `origin` is the extension's, e.g.
/// `chrome-extension://<id>`. The server prints it beside an invite code.
pub fn join_link(origin: &str, server: &str, invite: &str) -> String {
    format!(
        "{origin}/options.html?server={}&invite={}",
        percent_encode(server),
        percent_encode(invite)
    )
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `application/x-www-form-urlencoded` value decoding: `+` is a space, `%XX` a byte.
fn percent_decode(value: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(value.len());
    let mut input = value.bytes();
    while let Some(b) = input.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = [input.next()?, input.next()?];
                let hex = std::str::from_utf8(&hex).ok()?;
                bytes.push(u8::from_str_radix(hex, 16).ok()?);
            }
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).ok()
}

/// Checks the Team section before anything is asked of the browser: both problems at once.
pub fn check_connect_form(server: &str, invite: &str) -> Result<ServerUrl, ValidationErrors> {
    let mut problems = Vec::new();
    let url = ServerUrl::parse(server)
        .map_err(|message| problems.push(field_error(SERVER_URL_FIELD, message)))
        .ok();
    if invite.trim().is_empty() {
        problems.push(field_error(
            INVITE_FIELD,
            "Paste the invite code your team's admin gave you.",
        ));
    }
    match url {
        Some(url) if problems.is_empty() => Ok(url),
        _ => Err(ValidationErrors(problems)),
    }
}

/// The join request: the invite and the profile from the user's settings (their zone, or the
/// browser's when none is set). The server validates the profile too; the display name is
/// checked here because without one the answer could only be a 422 about a field the user
/// has not filled in.
pub fn join_request(
    settings: &Settings,
    invite: &str,
    browser_zone: &str,
) -> Result<JoinRequest, ValidationErrors> {
    let mut problems = Vec::new();
    if invite.trim().is_empty() {
        problems.push(field_error(
            INVITE_FIELD,
            "Paste the invite code your team's admin gave you.",
        ));
    }
    if settings.display_name.trim().is_empty() {
        problems.push(field_error(
            DISPLAY_NAME_FIELD,
            "Save your display name first: teammates see you by it.",
        ));
    }
    if !problems.is_empty() {
        return Err(ValidationErrors(problems));
    }
    let timezone = match settings.timezone.as_str() {
        "" => browser_zone,
        zone => zone,
    };
    Ok(JoinRequest {
        invite: invite.trim().to_string(),
        display_name: settings.display_name.trim().to_string(),
        handles: settings.handles.clone(),
        timezone: timezone.to_string(),
        working_hours: Some(settings.working_hours.clone()),
    })
}

fn field_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_string(),
        message: message.into(),
    }
}

fn at_server_url(message: impl Into<String>) -> ValidationErrors {
    ValidationErrors(vec![field_error(SERVER_URL_FIELD, message)])
}

fn unreachable(server: &ServerUrl, error: &NetError) -> ValidationErrors {
    at_server_url(format!(
        "Cannot reach {}: {error}. Check the address and that the server is running.",
        server.host()
    ))
}

fn not_standin(server: &ServerUrl) -> ValidationErrors {
    at_server_url(format!(
        "{} answers, but not as a StandIn team server: check the address.",
        server.host()
    ))
}

/// `GET /healthz` tells a StandIn server from any other web server: it answers 200 with
/// `{"status": …}` as JSON. Run before joining, so a wrong address is reported as one rather
/// than as an unknown invite (any web server answers 404 to `/v1/join`).
pub fn health_result(
    server: &ServerUrl,
    answer: Result<Answer, NetError>,
) -> Result<(), ValidationErrors> {
    let answer = match answer {
        Ok(answer) => answer,
        Err(e @ (NetError::Unreachable(_) | NetError::Timeout)) => {
            return Err(unreachable(server, &e))
        }
        Err(NetError::TooLarge | NetError::NotText) => return Err(not_standin(server)),
    };
    match (answer.status, answer.json::<Health>()) {
        (200, Ok(_)) => Ok(()),
        (502..=504, _) => Err(at_server_url(format!(
            "The server behind {} is not answering (HTTP {}); try again later.",
            server.host(),
            answer.status
        ))),
        _ => Err(not_standin(server)),
    }
}

/// Turns the answer of `POST /v1/join` into the membership or the messages to show: unknown,
/// expired or used invite beside the invite code, a profile the server refused beside the
/// settings field it names, anything else beside the server address.
pub fn join_result(
    server: &ServerUrl,
    answer: Result<Answer, NetError>,
) -> Result<JoinResponse, ValidationErrors> {
    let answer = match answer {
        Ok(answer) => answer,
        Err(e @ (NetError::Unreachable(_) | NetError::Timeout)) => {
            return Err(unreachable(server, &e))
        }
        Err(NetError::TooLarge | NetError::NotText) => return Err(not_standin(server)),
    };
    let status = answer.status;
    if (200..300).contains(&status) {
        return answer
            .json::<JoinResponse>()
            .ok()
            .filter(plausible_join)
            .ok_or_else(|| not_standin(server));
    }
    // Only a body in the API's error format is the server speaking; a 404 page from some
    // other web server says nothing about the invite.
    let Ok(error) = answer.json::<ApiError>() else {
        return Err(match status {
            429 | 500..=599 => server_trouble(status),
            _ => not_standin(server),
        });
    };
    let invite = |message: &str| ValidationErrors(vec![field_error(INVITE_FIELD, message)]);
    Err(match (status, error.error.as_str()) {
        (404, _) => invite("Unknown invite code: check it, or ask your admin for a new one."),
        (410, "invite_used") => {
            invite("This invite code was already used: ask your admin for a new one.")
        }
        (410, _) => invite("This invite code has expired: ask your admin for a new one."),
        // 409: another member of the team already goes by a name given (`name_taken`).
        (400 | 422, _) | (409, "name_taken") if !error.errors.is_empty() => {
            ValidationErrors(error.errors)
        }
        (400 | 422, _) | (409, "name_taken") => ValidationErrors(vec![field_error(
            error.field.as_deref().unwrap_or(SERVER_URL_FIELD),
            error.message,
        )]),
        _ => server_trouble(status),
    })
}

fn server_trouble(status: u16) -> ValidationErrors {
    at_server_url(match status {
        429 => "The server is busy: try again in a minute.".to_string(),
        s if s >= 500 => format!("The server failed (HTTP {s}): try again later."),
        s => format!("Unexpected answer from the server (HTTP {s})."),
    })
}

/// A join answer worth storing: a usable token and named team and member.
fn plausible_join(join: &JoinResponse) -> bool {
    let token_ok = !join.token.is_empty()
        && join.token.len() <= MAX_TOKEN_BYTES
        && join.token.bytes().all(|b| b.is_ascii_graphic());
    token_ok && !join.team.name.trim().is_empty() && !join.member.id.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::tests::answer;

    fn url(s: &str) -> ServerUrl {
        ServerUrl::parse(s).unwrap()
    }

    #[test]
    fn server_urls_are_normalised() {
        for (typed, base) in [
            ("https://standin.example.com", "https://standin.example.com"),
            (
                "  HTTPS://StandIn.Example.com/  ",
                "https://standin.example.com",
            ),
            ("standin.example.com", "https://standin.example.com"),
            ("http://127.0.0.1:8787/", "http://127.0.0.1:8787"),
            ("http://localhost:80", "http://localhost"),
            ("https://x.example:443/", "https://x.example"),
            ("https://x.example:8443", "https://x.example:8443"),
            (
                "https://x.example/standin//?a=1#top",
                "https://x.example/standin",
            ),
            ("http://[::1]:8787", "http://[::1]:8787"),
            ("https://[FE80::1]", "https://[fe80::1]"),
            ("http://127.8.9.10", "http://127.8.9.10"),
            ("http://LOCALHOST:9000", "http://localhost:9000"),
            ("https://192.168.1.20:8787", "https://192.168.1.20:8787"),
        ] {
            assert_eq!(url(typed).as_str(), base, "{typed}");
        }
        assert_eq!(
            url("http://127.0.0.1:8787").endpoint("/v1/join"),
            "http://127.0.0.1:8787/v1/join"
        );
        assert_eq!(
            url("https://x.example/standin/").endpoint("/healthz"),
            "https://x.example/standin/healthz"
        );
    }

    #[test]
    fn plain_http_is_refused_except_for_this_computer() {
        for remote in [
            "http://standin.example.com",
            "HTTP://standin.example.com:8787/base",
            "http://192.168.1.20:8787",
            "http://10.0.0.1",
            "http://[fe80::1]",
            "http://[::ffff:127.0.0.1]",
            // Names that only look local: a DNS lookup decides where they go.
            "http://localhost.example.com",
            "http://127.0.0.1.nip.io",
            "http://mylocalhost",
            // Spellings a browser reads as 127.0.0.1 but that are not plainly loopback here.
            "http://127.1",
            "http://2130706433",
            "http://0x7f.0.0.1",
            "http://127.0.0.01",
            "http://127.0.0.256",
            "http://127.0.0.1.2",
            "http://[0:0:0:0:0:0:0:1]",
        ] {
            let error = ServerUrl::parse(remote).unwrap_err();
            assert!(error.contains("unencrypted"), "{remote}: {error}");
            // The same host over https is fine (or fails for its own reason, not this one).
            let secure = remote
                .replacen("http://", "https://", 1)
                .replacen("HTTP://", "https://", 1);
            assert!(
                ServerUrl::parse(&secure).map_or_else(|e| !e.contains("unencrypted"), |_| true),
                "{secure}"
            );
        }
        for local in [
            "http://127.0.0.1:8787",
            "http://127.255.255.254",
            "http://localhost",
            "http://[::1]:8787",
        ] {
            assert!(ServerUrl::parse(local).is_ok(), "{local}");
        }
        // The form (in the options page and in the worker's connect message) says why.
        let errors = check_connect_form("http://standin.example.com", "code").unwrap_err();
        assert_eq!(errors.0[0].field, SERVER_URL_FIELD);
        assert!(errors.0[0]
            .message
            .starts_with("Plain http:// would send your invite code"));
    }

    #[test]
    fn permission_patterns_name_scheme_and_host_only() {
        assert_eq!(
            url("http://127.0.0.1:8787").permission_pattern(),
            "http://127.0.0.1/*"
        );
        assert_eq!(
            url("standin.example.com/base").permission_pattern(),
            "https://standin.example.com/*"
        );
        assert_eq!(
            url("http://[::1]:9000").permission_pattern(),
            "http://[::1]/*"
        );
    }

    #[test]
    fn bad_addresses_say_what_is_wrong() {
        for (typed, wanted) in [
            ("", "Enter the team server's address"),
            ("   ", "Enter the team server's address"),
            ("ftp://x.example", "https://"),
            ("javascript://x", "https://"),
            ("https://user:pw@x.example", "user name or password"),
            ("https://x example.com", "no spaces"),
            ("https://", "not a server address"),
            ("https://-x.example", "not a server address"),
            ("https://x..example", "not a server address"),
            ("https://bücher.example", "not a server address"),
            ("https://[zz]:80", "not a server address"),
            ("https://[::1", "not a server address"),
            ("https://x.example:0", "port"),
            ("https://x.example:70000", "port"),
            ("https://x.example:+80", "port"),
            ("https://x.example:", "port"),
        ] {
            let error = ServerUrl::parse(typed).unwrap_err();
            assert!(error.contains(wanted), "{typed:?}: {error}");
        }
    }

    #[test]
    fn a_join_link_reads_back_as_what_it_was_made_of() {
        let link = join_link(
            "chrome-extension://abc",
            "http://127.0.0.1:8787",
            "k7Q-x_9+z é&",
        );
        assert_eq!(
            link,
            "chrome-extension://abc/options.html?server=http%3A%2F%2F127.0.0.1%3A8787\
             &invite=k7Q-x_9%2Bz%20%C3%A9%26"
        );
        let (_, query) = link.split_once('?').expect("a query");
        assert_eq!(
            prefill_from_query(query),
            Prefill {
                server: Some("http://127.0.0.1:8787".into()),
                invite: Some("k7Q-x_9+z é&".into()),
            }
        );
    }

    #[test]
    fn the_invite_link_prefills_the_form() {
        let prefill =
            prefill_from_query("?server=http%3A%2F%2F127.0.0.1%3A8787&invite=abc-DEF+1&x=y");
        assert_eq!(prefill.server.as_deref(), Some("http://127.0.0.1:8787"));
        assert_eq!(prefill.invite.as_deref(), Some("abc-DEF 1"));
        assert_eq!(prefill_from_query(""), Prefill::default());
        // Broken encodings are dropped, not guessed; empty values are no values.
        let broken = prefill_from_query("server=%E2%28&invite=%4");
        assert_eq!(broken, Prefill::default());
        assert_eq!(prefill_from_query("server=&invite").server, None);
        assert_eq!(
            prefill_from_query("invite=caf%C3%A9").invite.as_deref(),
            Some("café")
        );
    }

    #[test]
    fn the_connect_form_reports_both_fields_at_once() {
        let errors = check_connect_form("ftp://x", " ").unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, [SERVER_URL_FIELD, INVITE_FIELD]);
        assert_eq!(
            check_connect_form("x.example", "code").unwrap().as_str(),
            "https://x.example"
        );
    }

    #[test]
    fn join_requests_come_from_the_settings() {
        let mut settings = Settings::default();
        let errors = join_request(&settings, "", "Europe/Berlin").unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, [INVITE_FIELD, DISPLAY_NAME_FIELD]);
        settings.display_name = " Ann ".into();
        settings.handles.github = Some("ann".into());
        let join = join_request(&settings, " code ", "Europe/Berlin").unwrap();
        assert_eq!(
            (join.invite.as_str(), join.display_name.as_str()),
            ("code", "Ann")
        );
        assert_eq!(
            join.timezone, "Europe/Berlin",
            "the browser's zone when unset"
        );
        assert_eq!(join.handles.github.as_deref(), Some("ann"));
        settings.timezone = "Asia/Tokyo".into();
        let join = join_request(&settings, "code", "Europe/Berlin").unwrap();
        assert_eq!(join.timezone, "Asia/Tokyo");
    }

    fn only_error(result: Result<impl std::fmt::Debug, ValidationErrors>) -> (String, String) {
        let errors = result.unwrap_err().0;
        assert_eq!(errors.len(), 1, "{errors:?}");
        (errors[0].field.clone(), errors[0].message.clone())
    }

    #[test]
    fn health_tells_a_standin_server_from_others() {
        let server = url("http://127.0.0.1:8787");
        assert_eq!(
            health_result(&server, answer(200, r#"{"status":"ok"}"#)),
            Ok(())
        );
        for wrong in [
            answer(200, "<html>It works!</html>"),
            answer(404, "Not Found"),
            answer(200, r#"{"ok":true}"#),
            answer(200, "[1,2]"),
            Err(NetError::TooLarge),
        ] {
            let (field, message) = only_error(health_result(&server, wrong));
            assert_eq!(field, SERVER_URL_FIELD);
            assert!(
                message.contains("not as a StandIn team server"),
                "{message}"
            );
        }
        let (field, message) = only_error(health_result(
            &server,
            Err::<Answer, _>(NetError::Unreachable("connection refused".into())),
        ));
        assert_eq!(field, SERVER_URL_FIELD);
        assert!(message.starts_with("Cannot reach 127.0.0.1:"), "{message}");
    }

    const JOINED: &str = r#"{"token":"tok_abc","member":{"id":"m_1","display_name":"Ann",
        "timezone":"Europe/Berlin"},"team":{"id":"t_1","name":"Core"}}"#;

    #[test]
    fn join_answers_become_a_membership_or_placed_messages() {
        let server = url("https://standin.example.com");
        let joined = join_result(&server, answer(201, JOINED)).unwrap();
        assert_eq!(
            (joined.token.as_str(), joined.team.name.as_str()),
            ("tok_abc", "Core")
        );

        let cases = [
            (
                404,
                r#"{"error":"not_found","message":"Unknown invite code."}"#,
                INVITE_FIELD,
                "Unknown invite",
            ),
            (
                410,
                r#"{"error":"invite_used","message":"x"}"#,
                INVITE_FIELD,
                "already used",
            ),
            (
                410,
                r#"{"error":"invite_expired","message":"x"}"#,
                INVITE_FIELD,
                "expired",
            ),
            (
                422,
                r#"{"error":"validation_failed","message":"Unknown time zone","field":"timezone"}"#,
                "timezone",
                "Unknown time zone",
            ),
            (
                429,
                r#"{"error":"rate_limited","message":"too many requests"}"#,
                SERVER_URL_FIELD,
                "busy",
            ),
            (
                500,
                r#"{"error":"internal","message":"Internal error."}"#,
                SERVER_URL_FIELD,
                "HTTP 500",
            ),
        ];
        for (status, body, field, wanted) in cases {
            let (f, message) = only_error(join_result(&server, answer(status, body)));
            assert_eq!(f, field, "{status} {body}");
            assert!(message.contains(wanted), "{status}: {message}");
        }
        // Every field of a 422 is reported, each beside its own control.
        let many = r#"{"error":"validation_failed","message":"m","field":"display_name",
            "errors":[{"field":"display_name","message":"Required."},
                      {"field":"handles.github","message":"Not a GitHub login."}]}"#;
        let errors = join_result(&server, answer(422, many)).unwrap_err().0;
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[1].field, "handles.github");
    }

    #[test]
    fn a_name_another_member_holds_is_shown_beside_its_field() {
        let server = url("https://standin.example.com");
        let taken = r#"{"error":"name_taken","message":"Another member of your team already goes by this handle.",
            "field":"handles.jira","errors":[{"field":"handles.jira",
            "message":"Another member of your team already goes by this handle."}]}"#;
        let (field, message) = only_error(join_result(&server, answer(409, taken)));
        assert_eq!(field, "handles.jira");
        assert!(message.starts_with("Another member"), "{message}");
        let bare = r#"{"error":"name_taken","message":"Taken.","field":"display_name"}"#;
        assert_eq!(
            only_error(join_result(&server, answer(409, bare))).0,
            "display_name"
        );
        // Any other 409 is no statement about the profile.
        let other = r#"{"error":"conflict","message":"x","field":"display_name"}"#;
        assert_eq!(
            only_error(join_result(&server, answer(409, other))).0,
            SERVER_URL_FIELD
        );
    }

    #[test]
    fn join_answers_from_other_servers_or_hostile_ones_are_not_trusted() {
        let server = url("https://standin.example.com");
        for wrong in [
            answer(404, "<h1>Not Found</h1>"),
            answer(201, "not json"),
            answer(
                201,
                r#"{"token":"","member":{"id":"m","display_name":"A","timezone":"UTC"},"team":{"id":"t","name":"T"}}"#,
            ),
            answer(
                201,
                r#"{"token":"has space","member":{"id":"m","display_name":"A","timezone":"UTC"},"team":{"id":"t","name":"T"}}"#,
            ),
            answer(201, r#"{"token":7,"member":{},"team":{}}"#),
        ] {
            let (field, message) = only_error(join_result(&server, wrong));
            assert_eq!(field, SERVER_URL_FIELD);
            assert!(
                message.contains("not as a StandIn team server"),
                "{message}"
            );
        }
        let (_, message) = only_error(join_result(&server, answer(503, "<html>down</html>")));
        assert!(message.contains("HTTP 503"), "{message}");
    }

    #[test]
    fn stored_connections_decode_as_serde_writes_them() {
        let connection = crate::wire::from_str::<Connection>(
            r#"{"server":"https://x.example","team":{"id":"t","name":"Core"},
                "member":{"id":"m","display_name":"Ann","timezone":"UTC"},
                "connected_at":"2026-11-27T17:42:00Z","token":"never read"}"#,
        )
        .unwrap();
        assert_eq!(connection.summary(), "Connected to Core as Ann");
        crate::wire::check::round_trips(&connection);
        for (bad, path) in [
            (
                r#"{"server":"https://x.example","team":{"id":"t","name":"Core"},
                    "member":{"id":"m","display_name":"Ann","timezone":"UTC"}}"#,
                "connected_at",
            ),
            (
                r#"{"server":"https://x.example","team":{"id":"t","name":"Core"},
                    "member":{"id":"m","display_name":"Ann","timezone":"UTC"},
                    "connected_at":"yesterday"}"#,
                "connected_at",
            ),
            (
                r#"{"server":"https://x.example","team":{"id":"t"},
                    "member":{"id":"m","display_name":"Ann","timezone":"UTC"},
                    "connected_at":"2026-11-27T17:42:00Z"}"#,
                "team.name",
            ),
        ] {
            assert!(
                serde_json::from_str::<Connection>(bad).is_err(),
                "serde read {bad}"
            );
            assert_eq!(
                crate::wire::from_str::<Connection>(bad).unwrap_err().path,
                path
            );
        }
    }
}
