//! The `json` format: the [`Event`] as is, signed as GitHub signs its webhooks (HMAC-SHA256
//! of the exact body under the endpoint's secret, hex, in a `sha256=` header).

use super::{Delivery, Rendered};
use crate::webhook::event::Event;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "X-StandIn-Signature-256";
pub const EVENT_HEADER: &str = "X-StandIn-Event";
pub const DELIVERY_HEADER: &str = "X-StandIn-Delivery";
pub const TIMESTAMP_HEADER: &str = "X-StandIn-Timestamp";

/// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    mac.update(body);
    format!("sha256={}", crate::token::hex(&mac.finalize().into_bytes()))
}

pub(super) fn render(event: &Event, delivery: &Delivery) -> Rendered {
    // Serializing plain owned data into memory cannot fail.
    let body = serde_json::to_vec(event).unwrap_or_default();
    let mut headers = vec![
        (EVENT_HEADER, event.kind.as_str().to_owned()),
        (DELIVERY_HEADER, delivery.id.to_owned()),
        (
            TIMESTAMP_HEADER,
            (delivery.sent_at.millis().div_euclid(1000)).to_string(),
        ),
    ];
    if let Some(secret) = delivery.secret {
        headers.push((SIGNATURE_HEADER, signature(secret, &body)));
    }
    Rendered {
        content_type: "application/json",
        headers,
        body,
    }
}

/// OpenAPI 3.1's `webhooks` entry for this format: the request StandIn sends.
pub(crate) fn openapi_webhook() -> serde_json::Value {
    use crate::webhook::event::EventKind;
    use serde_json::json;
    let header = |name: &str, required: bool, description: &str, schema: serde_json::Value| {
        json!({ "name": name, "in": "header", "required": required,
                "description": description, "schema": schema })
    };
    let kinds: Vec<&str> = EventKind::ALL.into_iter().map(EventKind::as_str).collect();
    json!({ "standinEvent": { "post": {
        "summary": "A member's declared state changed (webhook format `json`)",
        "description": "Sent at least once per event: drop an `id` (or `X-StandIn-Delivery`) you \
            have seen. Check `X-StandIn-Signature-256` against the exact body before parsing it.",
        "parameters": [
            header(EVENT_HEADER, true, "The event's kind, as in the body.",
                json!({ "type": "string", "enum": kinds })),
            header(DELIVERY_HEADER, true,
                "This delivery's id: the same on every retry and on a redelivery.",
                json!({ "type": "string", "minLength": 1 })),
            header(TIMESTAMP_HEADER, true, "When this attempt was sent, in Unix seconds.",
                json!({ "type": "string", "pattern": "^[0-9]+$" })),
            header(SIGNATURE_HEADER, false,
                "`sha256=` and the lower-case hex HMAC-SHA256 of the exact body under the \
                 webhook's secret; present when the webhook has a secret.",
                json!({ "type": "string", "pattern": "^sha256=[0-9a-f]{64}$" })),
        ],
        "requestBody": { "required": true, "content": { "application/json": {
            "schema": { "$ref": "#/components/schemas/WebhookEvent" } } } },
        "responses": {
            "2XX": { "description": "Received." },
            "default": { "description": "5xx, 429 (after its Retry-After) and network errors \
                are retried for 24 hours; any other answer ends the delivery." },
        },
    } } })
}
