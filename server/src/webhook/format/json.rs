//! The `json` format: the [`Event`] as is, signed as GitHub signs its webhooks (HMAC-SHA256
//! of the exact body under the endpoint's secret, hex, in a `sha256=` header).

use super::{Delivery, Rendered};
use crate::webhook::event::Event;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "X-StandIn-Signature-256";

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
        ("X-StandIn-Event", event.kind.as_str().to_owned()),
        ("X-StandIn-Delivery", delivery.id.to_owned()),
        (
            "X-StandIn-Timestamp",
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
