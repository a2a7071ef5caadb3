//! Team-channel webhooks: the [`Event`] a state change produces and its rendering for each
//! chat service ([`format`]). Pure: delivery (outbox, retries, safety checks) builds on this.

pub mod event;
pub mod format;

pub use event::{Event, EventKind};
pub use format::{render, Delivery, Format, Rendered};

/// The `json` format's payload in the API document: its schemas, and OpenAPI 3.1's top-level
/// `webhooks` entry describing the request StandIn sends.
pub struct WebhooksDoc;

impl utoipa::Modify for WebhooksDoc {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::{PartialSchema, ToSchema};
        let mut schemas = vec![(Event::name().into_owned(), Event::schema())];
        <Event as ToSchema>::schemas(&mut schemas);
        let components = openapi.components.get_or_insert_with(Default::default);
        components.schemas.extend(schemas);
        // utoipa 5 has no field for `webhooks`; its extensions are written at the top level.
        openapi
            .extensions
            .get_or_insert_with(Default::default)
            .insert("webhooks".to_owned(), format::openapi_webhook());
    }
}
