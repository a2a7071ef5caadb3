//! The v1 HTTP handlers. Each is annotated for the OpenAPI document and registered through
//! `utoipa_axum::routes!`, so the router and `/openapi.json` are built from the same list.

use crate::error::AppError;
use crate::extract::{if_match, ApiJson, Auth, Bearer, PerAddress};
use crate::storage::{
    handoff_target, AckOutcome, JoinOutcome, MemberRecord, Profile, ProfileOutcome, Storage,
    WriteOutcome,
};
use crate::{now, token, AppState};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use standin::api::{
    AckRequest, ApiError, ChangesResponse, Health, JoinRequest, JoinResponse, MeResponse,
    MemberPatch, MemberState, Roster, TeamInfo, TeamStates, MAX_WAIT_SECONDS,
};
use standin::model::{Declaration, Settings};
use standin::validate::{validate_declaration, validate_settings, FieldError, ValidationErrors};
use std::time::Duration;
use tokio::time::Instant;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(join))
        .routes(routes!(get_me, patch_me))
        .routes(routes!(put_state, delete_state))
        .routes(routes!(get_team))
        .routes(routes!(get_team_states))
        .routes(routes!(get_changes))
        .routes(routes!(post_ack))
}

/// Liveness, and the benchmark's static baseline: a fixed JSON body, no I/O.
#[utoipa::path(get, path = "/healthz", tag = "meta",
    responses((status = 200, body = Health)))]
async fn healthz() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":"ok"}"#,
    )
        .into_response()
}

/// Redeem a one-time invite code: creates the member and returns their bearer token (shown
/// once).
#[utoipa::path(post, path = "/v1/join", tag = "auth", request_body = JoinRequest,
    responses(
        (status = 201, body = JoinResponse),
        (status = 404, description = "Unknown invite", body = ApiError),
        (status = 409, description = "Another member of the team goes by a name given; `field` \
            names it (`display_name`, `handles.github`…), `errors` every one", body = ApiError),
        (status = 410, description = "Invite expired or already used, or for a member since removed", body = ApiError),
        (status = 422, body = ApiError),
        (status = 429, description = "Too many joins from this address", body = ApiError)))]
async fn join(
    State(state): State<AppState>,
    _: PerAddress,
    ApiJson(req): ApiJson<JoinRequest>,
) -> Result<(StatusCode, Json<JoinResponse>), AppError> {
    let mut problems = Vec::new();
    if req.invite.trim().is_empty() || req.invite.chars().count() > 128 {
        problems.push(field_error(
            "invite",
            "Paste the invite code you were given.",
        ));
    }
    let profile = Profile {
        display_name: req.display_name,
        handles: req.handles,
        timezone: req.timezone,
        working_hours: req.working_hours,
    };
    problems.extend(profile_problems(&profile));
    if !problems.is_empty() {
        return Err(ValidationErrors(problems).into());
    }
    let token = token::new_token();
    let code_hash = token::hash(req.invite.trim());
    let outcome = state
        .store
        .redeem_invite(&code_hash, &profile, &token::hash(&token), now())
        .await?;
    match outcome {
        JoinOutcome::Joined { team, member } => {
            tracing::info!(team = team.name, member = member.member.id, "member joined");
            Ok((
                StatusCode::CREATED,
                Json(JoinResponse {
                    token,
                    member: member.member,
                    team: TeamInfo {
                        id: team.id,
                        name: team.name,
                    },
                }),
            ))
        }
        JoinOutcome::UnknownInvite => Err(AppError::NotFound("Unknown invite code.".into())),
        JoinOutcome::ExpiredInvite => Err(AppError::Gone {
            code: "invite_expired",
            message: "This invite has expired; ask for a new one.".into(),
        }),
        JoinOutcome::UsedInvite => Err(AppError::Gone {
            code: "invite_used",
            message: "This invite was already used; ask for a new one.".into(),
        }),
        JoinOutcome::MemberRemoved => Err(AppError::Gone {
            code: "member_removed",
            message: "This invite was for a member who has since left the team; ask for a new one."
                .into(),
        }),
        JoinOutcome::NameTaken(fields) => Err(AppError::NameTaken(ValidationErrors(fields))),
    }
}

/// Who am I: profile, team and own current state.
#[utoipa::path(get, path = "/v1/me", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = MeResponse)))]
async fn get_me(
    State(state): State<AppState>,
    Auth(me): Auth,
) -> Result<Json<MeResponse>, AppError> {
    let member = own_record(state.store.as_ref(), &me.team_id, &me.member_id).await?;
    let team = state
        .store
        .team(&me.team_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let own = state.store.state(&me.team_id, &me.member_id).await?;
    Ok(Json(MeResponse {
        member: member.member,
        team: TeamInfo {
            id: team.id,
            name: team.name,
        },
        is_admin: member.is_admin,
        state: own,
    }))
}

/// Change display name, handles, time zone or working hours; absent fields stay.
#[utoipa::path(patch, path = "/v1/me", tag = "me", security(("bearer" = [])),
    request_body = MemberPatch,
    responses((status = 200, body = standin::model::Member),
        (status = 409, description = "Another member of the team goes by a name given; `field` \
            names it (`display_name`, `handles.github`…), `errors` every one", body = ApiError),
        (status = 422, body = ApiError)))]
async fn patch_me(
    State(state): State<AppState>,
    Auth(me): Auth,
    ApiJson(patch): ApiJson<MemberPatch>,
) -> Result<Json<standin::model::Member>, AppError> {
    let current = own_record(state.store.as_ref(), &me.team_id, &me.member_id).await?;
    let m = current.member;
    let profile = Profile {
        display_name: patch.display_name.unwrap_or(m.display_name),
        handles: patch.handles.unwrap_or(m.handles),
        timezone: patch.timezone.unwrap_or(m.timezone),
        working_hours: patch.working_hours.or(m.working_hours),
    };
    let problems = profile_problems(&profile);
    if !problems.is_empty() {
        return Err(ValidationErrors(problems).into());
    }
    match state
        .store
        .update_profile(&me.team_id, &me.member_id, &profile)
        .await?
    {
        ProfileOutcome::Updated(record) => Ok(Json(record.member)),
        ProfileOutcome::NameTaken(fields) => Err(AppError::NameTaken(ValidationErrors(fields))),
        ProfileOutcome::NoSuchMember => Err(AppError::Unauthorized),
    }
}

/// Declare. `If-Match` carries the version being replaced (0 for the first declaration); a
/// stale version is 412 with the current state, never an overwrite. Every hand-off and the
/// cover must name one member of the team (by id, display name or handle): a name no member
/// goes by is 400, so a hand-off cannot silently reach nobody.
#[utoipa::path(put, path = "/v1/me/state", tag = "state", security(("bearer" = [])),
    request_body = Declaration,
    params(("If-Match" = String, Header, description = "Version replaced, e.g. \"3\"; 0 = none yet")),
    responses(
        (status = 200, body = MemberState, headers(("ETag" = String))),
        (status = 400, description = "`unknown_member`: a hand-off or the cover names no member \
            of the team, or several; `field` names it (`items[0].handoff_to`, `cover`), `errors` \
            every one. `bad_if_match`: If-Match is not one version. `malformed_json`: the body \
            is not JSON", body = ApiError),
        (status = 412, description = "Stale version; `current` holds the server's state", body = ApiError),
        (status = 422, body = ApiError),
        (status = 428, body = ApiError)))]
async fn put_state(
    State(state): State<AppState>,
    Auth(me): Auth,
    headers: HeaderMap,
    ApiJson(declaration): ApiJson<Declaration>,
) -> Result<Response, AppError> {
    let expected = if_match(&headers)?;
    let now = now();
    let mut problems = validate_declaration(&declaration, Some(now))
        .err()
        .map_or_else(Vec::new, |e| e.0);
    if !problems.iter().any(|p| p.field == "timezone") && !zone_exists(&declaration.timezone) {
        problems.push(unknown_zone("timezone"));
    }
    if !problems.is_empty() {
        return Err(ValidationErrors(problems).into());
    }
    let members = state.store.members(&me.team_id).await?;
    let roster: Vec<&standin::model::Member> = members.iter().map(|r| &r.member).collect();
    let unknown = standin::people::unknown_people(&declaration, &roster);
    if !unknown.is_empty() {
        return Err(AppError::UnknownMember(ValidationErrors(unknown)));
    }
    let outcome = state
        .store
        .write_state(
            &me.team_id,
            &me.member_id,
            expected,
            Some(&declaration),
            now,
        )
        .await?;
    written(outcome)
}

/// Clear the declaration (also with `If-Match`). The version still rises.
#[utoipa::path(delete, path = "/v1/me/state", tag = "state", security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "Version replaced")),
    responses((status = 200, body = MemberState, headers(("ETag" = String))),
        (status = 400, description = "`bad_if_match`: If-Match is not one version", body = ApiError),
        (status = 412, body = ApiError), (status = 428, body = ApiError)))]
async fn delete_state(
    State(state): State<AppState>,
    Auth(me): Auth,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let expected = if_match(&headers)?;
    let outcome = state
        .store
        .write_state(&me.team_id, &me.member_id, expected, None, now())
        .await?;
    written(outcome)
}

fn written(outcome: WriteOutcome) -> Result<Response, AppError> {
    match outcome {
        WriteOutcome::Written(s) => {
            let etag = header_value(&format!("\"{}\"", s.version));
            Ok(([(header::ETAG, etag)], Json(s)).into_response())
        }
        WriteOutcome::Conflict(current) => Err(AppError::VersionConflict(Box::new(current))),
        WriteOutcome::NoSuchMember => Err(AppError::Unauthorized),
    }
}

/// The roster: every member with handles, zone and working hours.
#[utoipa::path(get, path = "/v1/team", tag = "team", security(("bearer" = [])),
    responses((status = 200, body = Roster)))]
async fn get_team(State(state): State<AppState>, Auth(me): Auth) -> Result<Json<Roster>, AppError> {
    let team = state
        .store
        .team(&me.team_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let members = state.store.members(&me.team_id).await?;
    Ok(Json(Roster {
        team: TeamInfo {
            id: team.id,
            name: team.name,
        },
        members: members.into_iter().map(|r| r.member).collect(),
    }))
}

/// Every current declaration with acknowledgements. Send the ETag back in `If-None-Match` to
/// get 304 while nothing changed.
#[utoipa::path(get, path = "/v1/team/states", tag = "team", security(("bearer" = [])),
    params(("If-None-Match" = Option<String>, Header)),
    responses((status = 200, body = TeamStates, headers(("ETag" = String))),
        (status = 304, description = "Unchanged since the ETag", headers(("ETag" = String)))))]
async fn get_team_states(
    State(state): State<AppState>,
    Auth(me): Auth,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let snapshot = state.cache.get(state.store.as_ref(), &me.team_id).await?;
    let etag = header_value(&snapshot.etag);
    if none_match_hits(&headers, &snapshot.etag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let json = HeaderValue::from_static("application/json");
    let vary = HeaderValue::from_static("accept-encoding");
    match &snapshot.gzip {
        Some(gzip) if accepts_gzip(&headers) => Ok((
            [
                (header::CONTENT_TYPE, json),
                (header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
                (header::VARY, vary),
                (header::ETAG, etag),
            ],
            gzip.clone(),
        )
            .into_response()),
        _ => Ok((
            [
                (header::CONTENT_TYPE, json),
                (header::VARY, vary),
                (header::ETAG, etag),
            ],
            snapshot.json.clone(),
        )
            .into_response()),
    }
}

/// ETags are built from digits and quotes, always valid header text.
fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

fn none_match_hits(headers: &HeaderMap, etag: &str) -> bool {
    let strip = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = strip(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == "*" || strip(tag) == ours)
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ChangesQuery {
    /// The cursor from the last answer (`cursor` of `/v1/team/states` or of this endpoint);
    /// 0 or absent: from the beginning.
    after: Option<String>,
    /// Seconds to wait for a change, 0–25 (default 0: answer at once).
    wait: Option<String>,
}

/// Long poll: answers at once when something changed after `after`, else when something
/// does, else after `wait` seconds with no changes. A token revoked (or its member removed)
/// while the poll waits ends it with 401 within `Options::poll_recheck`.
#[utoipa::path(get, path = "/v1/team/changes", tag = "team", security(("bearer" = [])),
    params(ChangesQuery),
    responses((status = 200, body = ChangesResponse),
        (status = 400, description = "`bad_query`: `after` or `wait` is not a whole number in \
            range; `field` names it", body = ApiError)))]
async fn get_changes(
    State(state): State<AppState>,
    bearer: Bearer,
    query: Result<Query<ChangesQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ChangesResponse>, AppError> {
    let Query(query) = query.map_err(|_| AppError::BadRequest {
        code: "bad_query",
        message: "Query string could not be read.".into(),
        field: None,
    })?;
    let after = parse_count(query.after.as_deref(), "after", crate::openapi::MAX_COUNT)?;
    let wait = parse_count(query.wait.as_deref(), "wait", MAX_WAIT_SECONDS)?;
    let wait = Duration::from_secs(wait).min(state.options.max_wait);
    let store = state.store.as_ref();
    let team = bearer.principal.team_id.as_str();
    let deadline = Instant::now() + wait;
    let mut woken = store.hub().subscribe(team);
    let mut waited = false;
    loop {
        woken.borrow_and_update();
        let changes = store.changes(team, after).await?;
        if waited {
            // After the read: a revocation committed before anything it returned is seen.
            bearer.recheck(store).await?;
        }
        if after > changes.cursor {
            // A cursor from the future: the database was restored or replaced. Start over.
            let mut all = store.changes(team, 0).await?;
            all.reset = true;
            return Ok(Json(all));
        }
        let empty = changes.states.is_empty()
            && changes.members.is_empty()
            && changes.removed_members.is_empty();
        // A shutting-down server answers as if the wait were over; the client polls again.
        if !empty || Instant::now() >= deadline || store.hub().is_closing() {
            return Ok(Json(changes));
        }
        // Re-check now and then even without a wake-up: the CLI writing the SQLite file (or
        // revoking a token) from another process announces nothing.
        let recheck = (Instant::now() + state.options.poll_recheck).min(deadline);
        tokio::select! {
            changed = woken.changed() => {
                if changed.is_err() {
                    tokio::time::sleep_until(recheck).await;
                }
            }
            () = tokio::time::sleep_until(recheck) => {}
        }
        waited = true;
    }
}

fn parse_count(raw: Option<&str>, field: &str, max: u64) -> Result<u64, AppError> {
    let Some(raw) = raw else { return Ok(0) };
    let value = (!raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()))
        .then(|| raw.parse::<u64>().ok())
        .flatten()
        .ok_or_else(|| {
            AppError::bad_request(
                "bad_query",
                field,
                format!("{field} must be a whole number ≥ 0."),
            )
        })?;
    if value > max {
        return Err(AppError::bad_request(
            "bad_query",
            field,
            format!("{field} must be at most {max}."),
        ));
    }
    Ok(value)
}

/// Acknowledge a hand-off addressed to you (an item's `handoff_to`, or the declaration's
/// `cover` when `item` is absent): it must have been resolved to you when it was declared
/// (`recipients`). The declarer's state then lists the acknowledgement.
#[utoipa::path(post, path = "/v1/team/acks", tag = "team", security(("bearer" = [])),
    request_body = AckRequest,
    responses((status = 200, body = MemberState),
        (status = 403, description = "The hand-off is not addressed to you", body = ApiError),
        (status = 404, description = "No such member, declaration or hand-off", body = ApiError)))]
async fn post_ack(
    State(state): State<AppState>,
    Auth(me): Auth,
    ApiJson(req): ApiJson<AckRequest>,
) -> Result<Json<MemberState>, AppError> {
    let store = state.store.as_ref();
    let team = me.team_id.as_str();
    own_record(store, team, &me.member_id).await?;
    if req.member_id.len() > 64 || req.item.as_ref().is_some_and(|i| i.len() > 2048) {
        return Err(AppError::NotFound("No such hand-off.".into()));
    }
    if store.member(team, &req.member_id).await?.is_none() {
        return Err(AppError::NotFound("No such member in your team.".into()));
    }
    // The declaration may change between the check and the write; the store refuses then and
    // the check runs again on the new version.
    for _ in 0..3 {
        let current = store.state(team, &req.member_id).await?;
        let Some(declared) = &current.state else {
            return Err(AppError::NotFound("That member has no declaration.".into()));
        };
        if handoff_target(&declared.declaration, req.item.as_deref()).is_none() {
            return Err(AppError::NotFound(
                "No such hand-off in that declaration.".into(),
            ));
        }
        if current.recipient(req.item.as_deref()) != Some(me.member_id.as_str()) {
            return Err(AppError::Forbidden(
                "That hand-off is addressed to someone else.".into(),
            ));
        }
        let outcome = store
            .ack(
                team,
                &req.member_id,
                current.version,
                req.item.as_deref(),
                &me.member_id,
                now(),
            )
            .await?;
        match outcome {
            AckOutcome::Recorded(state) => return Ok(Json(*state)),
            AckOutcome::StateChanged => continue,
        }
    }
    Err(AppError::Conflict(
        "The declaration keeps changing; try again.".into(),
    ))
}

async fn own_record(
    store: &dyn Storage,
    team_id: &str,
    member_id: &str,
) -> Result<MemberRecord, AppError> {
    store
        .member(team_id, member_id)
        .await?
        .ok_or(AppError::Unauthorized)
}

/// A profile must be valid settings (shared rules), and its zone must be named and known.
fn profile_problems(profile: &Profile) -> Vec<FieldError> {
    let settings = Settings {
        display_name: profile.display_name.clone(),
        handles: profile.handles.clone(),
        timezone: profile.timezone.clone(),
        working_hours: profile.working_hours.clone().unwrap_or_default(),
        ..Settings::default()
    };
    let mut problems = validate_settings(&settings)
        .err()
        .map_or_else(Vec::new, |e| e.0);
    if !problems.iter().any(|p| p.field == "timezone") && !zone_exists(&profile.timezone) {
        problems.push(unknown_zone("timezone"));
    }
    problems
}

fn zone_exists(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}

fn unknown_zone(field: &str) -> FieldError {
    field_error(
        field,
        "Unknown time zone; use an IANA name such as Europe/Berlin.",
    )
}

fn field_error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::etag_for;

    #[test]
    fn counts_parse_strictly() {
        assert_eq!(parse_count(None, "after", 10).ok(), Some(0));
        assert_eq!(parse_count(Some("7"), "after", 10).ok(), Some(7));
        for bad in [
            "",
            "-1",
            "1.5",
            "abc",
            "11",
            "99999999999999999999999",
            " 1",
        ] {
            assert!(parse_count(Some(bad), "after", 10).is_err(), "{bad}");
        }
    }

    #[test]
    fn etags_match_weakly_and_gzip_is_negotiated() {
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"x\", W/\"t_1:5\""),
        );
        assert!(none_match_hits(&h, &etag_for("t_1", 5)));
        assert!(!none_match_hits(&h, &etag_for("t_1", 6)));
        assert!(
            !none_match_hits(&h, &etag_for("t_2", 5)),
            "another team's tag"
        );
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("br, gzip;q=0.5"),
        );
        assert!(accepts_gzip(&h));
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip;q=0, br"),
        );
        assert!(!accepts_gzip(&h));
    }

    #[test]
    fn zones_are_checked_against_the_iana_database() {
        assert!(zone_exists("Europe/Berlin"));
        assert!(zone_exists("Australia/Lord_Howe"));
        assert!(!zone_exists("Mars/Olympus_Mons"));
    }
}
