//! StandIn: one crate for the extension (compiled to wasm) and the wire types the team server
//! shares. The modules at this level are pure and tested natively; browser code lives in
//! `wasm` and exists only on `wasm32`.
#![deny(clippy::unwrap_used)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod api;
pub mod badge;
pub mod connect;
pub mod digest;
pub mod display;
pub mod draft;
pub mod features;
pub mod http;
pub mod item_ref;
pub mod limits;
pub mod live;
pub mod live_lines;
pub mod message;
pub mod mirror;
pub mod model;
pub mod outbox;
pub mod people;
pub mod prefill;
pub mod reminder;
pub mod render;
pub mod self_hosted;
pub mod settings_form;
pub mod shift;
pub mod sites;
pub mod store;
pub mod sync;
pub mod team;
pub mod text;
pub mod time;
pub mod timeline;
pub mod tracker_access;
pub mod validate;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
pub mod wire;
