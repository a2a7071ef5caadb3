//! Team-channel webhooks: the [`Event`] a state change produces and its rendering for each
//! chat service ([`format`]). Pure: delivery (outbox, retries, safety checks) builds on this.

pub mod event;
pub mod format;

pub use event::{Event, EventKind};
pub use format::{render, Delivery, Format, Rendered};
