//! Time zones from the browser's `Intl`: the zone database the wasm module cannot afford to
//! carry. Offsets come from `Intl.DateTimeFormat`'s `longOffset` zone name ("GMT+05:30").

use crate::model::Settings;
use crate::time::{parse_gmt_offset, Timestamp, ZoneOffsets};
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl)]
    type DateTimeFormat;

    /// Throws a RangeError for a zone the browser does not know: that is the existence check.
    #[wasm_bindgen(constructor, catch, js_namespace = Intl)]
    fn new(locale: &str, options: &JsValue) -> Result<DateTimeFormat, JsValue>;

    #[wasm_bindgen(method, js_name = formatToParts)]
    fn format_to_parts(this: &DateTimeFormat, epoch_ms: f64) -> Array;

    #[wasm_bindgen(method, js_name = resolvedOptions)]
    fn resolved_options(this: &DateTimeFormat) -> JsValue;
}

/// A named IANA zone with its rules from `Intl`.
pub struct Zone {
    name: String,
    /// `None` only for the UTC fallback of a browser whose Intl knows no zones.
    format: Option<DateTimeFormat>,
}

impl Zone {
    /// The zone, or `None` when the browser does not know it.
    pub fn named(name: &str) -> Option<Zone> {
        let options = js_sys::Object::new();
        let _ = Reflect::set(&options, &"timeZone".into(), &name.into());
        let _ = Reflect::set(&options, &"timeZoneName".into(), &"longOffset".into());
        let format = DateTimeFormat::new("en-US", &options).ok()?;
        Some(Zone {
            name: name.to_string(),
            format: Some(format),
        })
    }

    /// The browser's own zone (UTC if it cannot say).
    pub fn browser() -> Zone {
        let name = browser_zone_name();
        Zone::named(&name)
            .or_else(|| Zone::named("UTC"))
            .unwrap_or_else(|| Zone {
                name: "UTC".to_string(),
                format: None,
            })
    }

    /// The user's zone: the one in their settings when set and known, else the browser's.
    pub fn for_settings(settings: &Settings) -> Zone {
        match settings.timezone.as_str() {
            "" => Zone::browser(),
            name => Zone::named(name).unwrap_or_else(Zone::browser),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl ZoneOffsets for Zone {
    fn offset_minutes(&self, at: Timestamp) -> i32 {
        let Some(format) = &self.format else {
            return 0;
        };
        format
            .format_to_parts(at.millis() as f64)
            .iter()
            .find(|part| {
                Reflect::get(part, &"type".into())
                    .ok()
                    .and_then(|t| t.as_string())
                    == Some("timeZoneName".to_string())
            })
            .and_then(|part| Reflect::get(&part, &"value".into()).ok())
            .and_then(|value| value.as_string())
            .and_then(|name| parse_gmt_offset(&name))
            .unwrap_or(0)
    }
}

/// `Intl.DateTimeFormat().resolvedOptions().timeZone`, or "UTC".
pub fn browser_zone_name() -> String {
    DateTimeFormat::new("en-US", &JsValue::UNDEFINED)
        .ok()
        .and_then(|format| Reflect::get(&format.resolved_options(), &"timeZone".into()).ok())
        .and_then(|zone| zone.as_string())
        .unwrap_or_else(|| "UTC".to_string())
}

/// Every zone name the browser knows (`Intl.supportedValuesOf`), for the options page's
/// suggestions; empty where the browser cannot list them.
pub fn known_zone_names() -> Vec<String> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).unwrap_or_default();
    Reflect::get(&intl, &"supportedValuesOf".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call1(&intl, &"timeZone".into()).ok())
        .and_then(|list| list.dyn_into::<Array>().ok())
        .map(|list| list.iter().filter_map(|zone| zone.as_string()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{LocalDateTime, Timestamp};
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    use crate::time::rfc3339 as t;

    #[wasm_bindgen_test]
    fn offsets_come_from_intl_with_dst() {
        let berlin = Zone::named("Europe/Berlin").unwrap();
        assert_eq!(berlin.offset_minutes(t("2026-01-15T12:00:00Z")), 60);
        assert_eq!(berlin.offset_minutes(t("2026-07-15T12:00:00Z")), 120);
        let kolkata = Zone::named("Asia/Kolkata").unwrap();
        assert_eq!(kolkata.offset_minutes(t("2026-07-15T12:00:00Z")), 330);
        assert_eq!(Zone::named("UTC").unwrap().offset_minutes(Timestamp(0)), 0);
        // A wall time in Berlin's spring-forward gap is pushed past it, as clocks are.
        let gap = LocalDateTime::parse("2026-03-29T02:30").unwrap();
        assert_eq!(gap.to_instant(&berlin), t("2026-03-29T01:30:00Z"));
    }

    #[wasm_bindgen_test]
    fn unknown_zones_are_refused() {
        assert!(Zone::named("Mars/Olympus_Mons").is_none());
        assert!(Zone::named("").is_none());
        assert!(Zone::named(&browser_zone_name()).is_some());
        assert!(known_zone_names().iter().any(|z| z == "Asia/Tokyo"));
    }
}
