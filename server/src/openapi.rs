//! The OpenAPI document, generated from the handlers' annotations (utoipa), then made an exact
//! contract in one pass over its JSON: every operation lists the errors its extractors and
//! layers can answer (a body: 400/413/415/422; a token: 401/429; storage: 408/500), objects
//! refuse unknown properties (as `extract::parse_json` does), and each field carries the limits
//! `standin::validate` enforces, taken from `standin::limits` so the two cannot drift.

use serde_json::{json, Map, Value};
use standin::limits::{self, TextLimit};
use utoipa::OpenApi;

use crate::webhook::WebhooksDoc;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "StandIn team server",
        description = "Declared states of a team: publish yours, read everyone's, long-poll for changes. \
            The document is an exact contract: each operation lists every status it answers, and \
            each field every rule JSON Schema can state; the rules it cannot (a back-at in the \
            future, one emoji, characters counted as graphemes, a hand-off naming a teammate) are \
            in the descriptions and answered 422 or 400 with the field named.",
        version = "1"
    ),
    modifiers(&BearerAuth, &WebhooksDoc),
    components(schemas(standin::api::ApiError))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// A single line without control characters.
const ONE_LINE: &str = r"^[^\x00-\x1f\x7f-\x9f]*$";
/// Text that may hold line breaks and tabs, but no other control character.
const MULTI_LINE: &str = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$";
/// A single line with at least one character that shows something (`text::has_visible_text`:
/// not white space, not a control, not default-ignorable, not the braille blank).
const ONE_LINE_VISIBLE: &str = concat!(
    r"^[^\x00-\x1f\x7f-\x9f]*",
    r"[^\s\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f",
    r"\u200b-\u200f\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]",
    r"[^\x00-\x1f\x7f-\x9f]*$"
);
/// `item_ref::parse_http_url`, for ASCII links: http(s), a host of letters, digits, dots,
/// hyphens or brackets, no credentials, no white space.
const HTTP_URL: &str = concat!(
    r"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9.\[\]-]+",
    r#"(:[!"$-.0-9:;<=>A-~]*)?([/?#][!-~]*)?$"#
);
const GITHUB_LOGIN: &str = r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$";
const GITLAB_USERNAME: &str = r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$";
/// `If-Match` as `extract::if_match` reads it: one version, quoted or bare.
const IF_MATCH: &str = r#"^("[0-9]{1,19}"|[0-9]{1,19})$"#;
/// Longest version or cursor the server reads (digits of `i64::MAX`).
pub(crate) const MAX_COUNT: u64 = i64::MAX as u64;

/// The document [`crate::app`] serves for the routes it was given.
pub fn exact(api: &utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(api).unwrap_or_default();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for op in item.values_mut().filter_map(Value::as_object_mut) {
                add_errors(path, op);
                type_parameters(op);
            }
        }
    }
    constrain(&mut doc);
    link_versions(&mut doc);
    let schemas = doc.pointer_mut("/components/schemas");
    if let Some(schemas) = schemas.and_then(Value::as_object_mut) {
        for schema in schemas.values_mut().filter_map(Value::as_object_mut) {
            if schema.contains_key("properties") {
                schema.insert("additionalProperties".into(), Value::Bool(false));
            }
        }
        schemas.insert("TimeZone".into(), time_zone());
    }
    doc
}

fn error(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
    })
}

/// The errors answered outside the handler's own logic, by what the operation takes.
fn add_errors(path: &str, op: &mut Map<String, Value>) {
    let mut errors = Vec::new();
    if op.contains_key("requestBody") {
        errors.extend([
            (
                "400",
                error("`malformed_json`: the body is not JSON, or could not be read"),
            ),
            ("413", error("`payload_too_large`: the body is over 64 KiB")),
            (
                "415",
                error("`unsupported_media_type`: Content-Type is not application/json"),
            ),
            (
                "422",
                error(
                    "`validation_failed`: a field breaks the schema or a rule; `field` names \
                     the first (`items[2].url`), `errors` every one",
                ),
            ),
        ]);
    }
    if op.contains_key("security") {
        let mut unauthorized = error("Missing, unknown or revoked bearer token");
        unauthorized["headers"] =
            json!({"WWW-Authenticate": {"schema": {"type": "string", "const": "Bearer"}}});
        let limited = error("`rate_limited`: over this token's request rate");
        errors.extend([("401", unauthorized), ("429", limited)]);
    }
    if path.starts_with("/v1/") {
        errors.extend([
            (
                "408",
                error("`timeout`: the request took longer than the server's limit"),
            ),
            (
                "500",
                error("`internal`: the database failed; nothing is said of it"),
            ),
        ]);
    }
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    for (status, response) in errors {
        responses.entry(status).or_insert(response);
    }
    // Handlers list some errors without a description; the status alone says what it is.
    for (status, response) in responses.iter_mut() {
        if status == "429" {
            response["headers"] = json!({"Retry-After": {
                "description": "Seconds to wait", "schema": {"type": "integer", "minimum": 1}}});
        }
        if response["description"].as_str() == Some("") {
            response["description"] = Value::String(
                match status.as_str() {
                    "200" => "OK",
                    "201" => "Created",
                    "403" => "Forbidden",
                    "404" => "Not found",
                    "412" => "`version_conflict`: If-Match is stale; `current` holds the server's state",
                    "422" => "`validation_failed`: a field breaks the schema or a rule; `field` names the first, `errors` every one",
                    "428" => "`precondition_required`: If-Match is missing",
                    _ => "",
                }
                .to_owned(),
            );
        }
    }
}

/// Header and query parameters as the server parses them (`extract::if_match`,
/// `routes::parse_count`); the handlers read them as text to answer a bad one with 400.
fn type_parameters(op: &mut Map<String, Value>) {
    let params = op.get_mut("parameters").and_then(Value::as_array_mut);
    for param in params.into_iter().flatten() {
        let schema = match param["name"].as_str() {
            Some("If-Match") => json!({"type": "string", "pattern": IF_MATCH}),
            Some("after") => json!({"type": "integer", "minimum": 0, "maximum": MAX_COUNT}),
            Some("wait") => json!({"type": "integer", "minimum": 0,
                "maximum": standin::api::MAX_WAIT_SECONDS}),
            _ => continue,
        };
        param["schema"] = schema;
    }
}

/// Free text as `validate` checks it: at most `limit.max_graphemes` characters (the schema
/// counts code points, never more than graphemes, so it allows no text the server refuses for
/// length), one line or several, and for required names at least one visible character.
fn text(limit: TextLimit, pattern: &str) -> Value {
    json!({"maxLength": limit.max_graphemes, "pattern": pattern})
}

/// Every rule of `standin::validate` that JSON Schema can state, by schema and property.
fn constrain(doc: &mut Value) {
    let zone = json!({"$ref": "#/components/schemas/TimeZone"});
    let nullable_zone =
        json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/TimeZone"}]});
    let person = text(limits::PERSON, ONE_LINE_VISIBLE);
    let handle = text(limits::HANDLE, ONE_LINE_VISIBLE);
    let display_name = text(limits::DISPLAY_NAME, ONE_LINE_VISIBLE);
    let rules = [
        (
            "Declaration",
            "headline",
            text(limits::HEADLINE, ONE_LINE_VISIBLE),
        ),
        (
            "Declaration",
            "emoji",
            json!({"minLength": 1, "maxLength": limits::EMOJI.max_bytes,
                "description": "One emoji: a single visible grapheme of at most 64 bytes, no letter, digit or space"}),
        ),
        ("Declaration", "note", text(limits::NOTE, MULTI_LINE)),
        (
            "Declaration",
            "blockers",
            text(limits::BLOCKERS, MULTI_LINE),
        ),
        ("Declaration", "cover", person.clone()),
        (
            "Declaration",
            "items",
            json!({"maxItems": limits::MAX_ITEMS}),
        ),
        ("Declaration", "timezone", zone.clone()),
        (
            "Declaration",
            "back_at",
            json!({"description": "Must lie ahead of the server's clock, within a year"}),
        ),
        (
            "Declaration",
            "expires_at",
            json!({"description": "Must lie ahead of the server's clock, within a year"}),
        ),
        (
            "WorkItem",
            "url",
            json!({"maxLength": limits::MAX_URL_BYTES, "pattern": HTTP_URL}),
        ),
        (
            "WorkItem",
            "canonical_ref",
            json!({"maxLength": limits::MAX_CANONICAL_REF_BYTES, "pattern": ONE_LINE,
                "description": "The item's identity across its tabs and URL spellings \
                    (`github.com/o/r/pull/12`); at most 512 bytes"}),
        ),
        ("WorkItem", "title", text(limits::ITEM_TITLE, ONE_LINE)),
        ("WorkItem", "note", text(limits::ITEM_NOTE, MULTI_LINE)),
        ("WorkItem", "handoff_to", person),
        (
            "Handles",
            "github",
            json!({"maxLength": 39, "pattern": GITHUB_LOGIN}),
        ),
        (
            "Handles",
            "gitlab",
            json!({"maxLength": 255, "pattern": GITLAB_USERNAME}),
        ),
        ("Handles", "jira", handle.clone()),
        ("Handles", "linear", handle),
        ("WorkingHours", "days", json!({"minItems": 1})),
        (
            "WorkingHours",
            "end",
            json!({"description": "Must differ from `start`; before it is an overnight shift"}),
        ),
        (
            "JoinRequest",
            "invite",
            json!({"minLength": 1, "maxLength": 128, "pattern": r"[^\s]"}),
        ),
        ("JoinRequest", "display_name", display_name.clone()),
        ("JoinRequest", "timezone", zone),
        ("MemberPatch", "display_name", display_name),
        ("MemberPatch", "timezone", nullable_zone),
        ("AckRequest", "member_id", json!({"maxLength": 64})),
        (
            "AckRequest",
            "item",
            json!({"maxLength": limits::MAX_URL_BYTES}),
        ),
    ];
    for (schema, property, rule) in rules {
        let pointer = format!("/components/schemas/{schema}/properties/{property}");
        let (Some(target), Value::Object(rule)) = (doc.pointer_mut(&pointer), rule) else {
            continue;
        };
        if rule.contains_key("$ref") || rule.contains_key("oneOf") {
            *target = Value::Object(rule);
        } else if let Some(target) = target.as_object_mut() {
            target.extend(rule);
        }
    }
    // Fields the server reads as their default when null (`wire::nullable`).
    for (schema, property) in [
        ("Declaration", "note"),
        ("Declaration", "blockers"),
        ("Declaration", "items"),
        ("WorkItem", "canonical_ref"),
        ("WorkItem", "title"),
        ("WorkItem", "note"),
    ] {
        let pointer = format!("/components/schemas/{schema}/properties/{property}/type");
        if let Some(kind) = doc.pointer_mut(&pointer) {
            *kind = json!([kind.clone(), "null"]);
        }
    }
    if let Some(handles) = doc.pointer_mut("/components/schemas/JoinRequest/properties/handles") {
        *handles = json!({"oneOf": [{"type": "null"}, handles.clone()]});
    }
    if let Some(time) = doc.pointer_mut("/components/schemas/LocalTime/pattern") {
        *time = json!("^([01][0-9]|2[0-3]):[0-5][0-9]$");
    }
}

/// A write's ETag is the next write's If-Match: links for clients and stateful fuzzing.
fn link_versions(doc: &mut Value) {
    let from = "$response.header.ETag";
    let links = json!({
        "Declare": {"operationId": "put_state", "parameters": {"header.If-Match": from}},
        "Clear": {"operationId": "delete_state", "parameters": {"header.If-Match": from}},
    });
    for method in ["put", "delete"] {
        let pointer = format!("/paths/~1v1~1me~1state/{method}/responses/200");
        if let Some(response) = doc.pointer_mut(&pointer) {
            response["links"] = links.clone();
        }
    }
}

/// Every zone name chrono-tz knows: exactly what the server accepts (`routes::zone_exists`).
fn time_zone() -> Value {
    let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    json!({"type": "string", "description": "An IANA time zone name", "enum": names})
}
