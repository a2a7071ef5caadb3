//! `standin-server`: the StandIn team server. [`app`] builds the whole HTTP service from an
//! [`AppState`], so tests drive it without a socket; `main.rs` only parses the command line.
#![deny(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod cache;
pub mod cli;
pub mod error;
pub mod extract;
pub mod hub;
pub mod net;
pub mod principals;
pub mod ratelimit;
mod routes;
pub mod storage;
pub mod token;
pub mod webhook;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use cache::StatesCache;
use principals::Principals;
use ratelimit::RateLimiter;
use standin::limits::MAX_BODY_BYTES;
use standin::time::Timestamp;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use storage::Storage;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use webhook::WebhooksDoc;

/// Tunables of a running server; tests shorten the waits.
#[derive(Clone, Debug)]
pub struct Options {
    /// Sustained requests per second per token (0 = unlimited).
    pub rate_per_second: f64,
    /// Requests a token may make at once before the rate applies.
    pub rate_burst: u32,
    /// Sustained requests per second per client address to the endpoints without a token
    /// (`POST /v1/join`; 0 = unlimited).
    pub address_rate_per_second: f64,
    /// Such requests an address may make at once before the rate applies.
    pub address_rate_burst: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client; none by default, so the
    /// header is ignored and the peer is the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// Upper bound of a long poll (the API allows `wait` ≤ 25 s).
    pub max_wait: Duration,
    /// How often a waiting long poll re-reads the database and re-checks its token without
    /// being woken: the longest it outlives a revocation or removal made by another process.
    /// Kept equal to `token_cache`, the window every other request has.
    pub poll_recheck: Duration,
    /// How long a cached team-states body is trusted without asking the database.
    pub cache_revalidate: Duration,
    /// How long a confirmed token is trusted without asking the database (0 = always ask):
    /// the longest a revoked token keeps working on a running server.
    pub token_cache: Duration,
    /// Whole-request limit; above the longest long poll.
    pub request_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rate_per_second: 10.0,
            rate_burst: 60,
            address_rate_per_second: 1.0,
            address_rate_burst: 20,
            trusted_proxies: Vec::new(),
            max_wait: Duration::from_secs(standin::api::MAX_WAIT_SECONDS),
            poll_recheck: Duration::from_secs(2),
            cache_revalidate: Duration::from_secs(1),
            token_cache: Duration::from_secs(2),
            request_timeout: Duration::from_secs(40),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Storage>,
    pub limiter: Arc<RateLimiter>,
    pub address_limiter: Arc<RateLimiter>,
    pub cache: Arc<StatesCache>,
    pub principals: Arc<Principals>,
    pub options: Arc<Options>,
}

impl AppState {
    pub fn new(store: Arc<dyn Storage>, options: Options) -> Self {
        AppState {
            // Handlers may be dropped mid-query when a client hangs up; the store must not be.
            store: Arc::new(storage::Detached(store)),
            limiter: Arc::new(RateLimiter::new(
                options.rate_per_second,
                options.rate_burst,
            )),
            address_limiter: Arc::new(RateLimiter::new(
                options.address_rate_per_second,
                options.address_rate_burst,
            )),
            cache: Arc::new(StatesCache::new(options.cache_revalidate)),
            principals: Arc::new(Principals::new(options.token_cache)),
            options: Arc::new(options),
        }
    }
}

/// The server's clock, in the wire type.
pub fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Timestamp(ms)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "StandIn team server",
        description = "Declared states of a team: publish yours, read everyone's, long-poll for changes.",
        version = "1"
    ),
    modifiers(&BearerAuth, &WebhooksDoc),
    components(schemas(standin::api::ApiError))
)]
struct ApiDoc;

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

/// The OpenAPI document of exactly the routes [`app`] serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::router())
        .split_for_parts()
        .1
}

/// The whole HTTP service.
pub fn app(state: AppState) -> Router {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::router())
        .split_for_parts();
    let doc = Bytes::from(api.to_pretty_json().unwrap_or_default());
    let timeout = state.options.request_timeout;
    router
        .route(
            "/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], doc) }
            }),
        )
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::map_response(json_errors))
        .layer(cors())
        .layer(TraceLayer::new_for_http())
}

/// The extension calls from its own origin; nothing else needs CORS.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(|origin, _| {
            let o = origin.as_bytes();
            o.starts_with(b"chrome-extension://") || o.starts_with(b"moz-extension://")
        }))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([header::ETAG, header::RETRY_AFTER])
        .max_age(Duration::from_secs(3600))
}

/// Errors made outside the handlers (unknown route, 405, body limit, timeout) get the same
/// JSON body as the handlers' own.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let mut fresh = (status, axum::Json(error::body_for_status(status))).into_response();
    // Keep headers such as Allow (405) and CORS, but describe the new body.
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_ENCODING);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    std::mem::swap(fresh.headers_mut(), &mut parts.headers);
    fresh
}
