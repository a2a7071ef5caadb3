//! What the toolbar button shows for the user's own declared state.

use crate::model::{DeclaredState, Status};
use crate::time::Timestamp;

/// The toolbar badge: short text, colour and the button's tooltip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolbarBadge {
    pub text: String,
    /// CSS colour for the badge background.
    pub color: &'static str,
    pub title: String,
}

/// Badge text fits the ~4 characters Chrome shows.
pub fn badge_text_for(status: Status) -> &'static str {
    match status {
        Status::Online => "ON",
        Status::Focus => "FOC",
        Status::Away => "AWAY",
        Status::Offline => "OFF",
        Status::Ooo => "OOO",
    }
}

/// One colour per status, the light scheme's `--status-…` of the popup's and the page badges'
/// stylesheets (extension/ui.css, extension/inline.css): white badge text on each is over
/// 6:1.
fn badge_color_for(status: Status) -> &'static str {
    match status {
        Status::Online => "#116329",
        Status::Focus => "#6639ba",
        Status::Away => "#7d4e00",
        Status::Offline => "#59636e",
        Status::Ooo => "#a40e26",
    }
}

/// The badge for the current state (or its absence). An expired declaration keeps its text but
/// says so in the tooltip, so the user sees it needs renewing.
pub fn toolbar_badge(state: Option<&DeclaredState>, now: Timestamp) -> ToolbarBadge {
    let Some(state) = state else {
        return ToolbarBadge {
            text: String::new(),
            color: badge_color_for(Status::Offline),
            title: "StandIn: no state declared".to_string(),
        };
    };
    let d = &state.declaration;
    let emoji = d
        .emoji
        .as_deref()
        .map(|e| format!("{e} "))
        .unwrap_or_default();
    let expired = if state.is_expired(now) {
        " (expired)"
    } else {
        ""
    };
    ToolbarBadge {
        text: badge_text_for(d.status).to_string(),
        color: badge_color_for(d.status),
        title: format!(
            "StandIn: {}{expired} — {emoji}{}",
            d.status.label(),
            d.headline
        ),
    }
}

/// What asks for the user's attention on top of their status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attention {
    /// The end-of-day reminder is due (`crate::reminder`).
    pub end_of_day: bool,
    /// Hand-offs addressed to the user not yet acknowledged (`crate::digest`).
    pub handoffs: usize,
}

/// The end-of-day attention state's badge colour (warning orange, distinct from every status).
pub const END_OF_DAY_COLOR: &str = "#bc4c00";
const HANDOFFS_COLOR: &str = "#0969da";

/// The badge with `attention` over the status: "EOD" while the reminder is due, else the count
/// of unacknowledged hand-offs ("9+" past nine); the tooltip names each reason, then the status.
pub fn with_attention(badge: ToolbarBadge, attention: Attention) -> ToolbarBadge {
    let mut reasons = Vec::new();
    if attention.end_of_day {
        reasons.push("end of your day: declare before you go".to_string());
    }
    match attention.handoffs {
        0 => {}
        1 => reasons.push("1 hand-off for you to acknowledge".to_string()),
        n => reasons.push(format!("{n} hand-offs for you to acknowledge")),
    }
    if reasons.is_empty() {
        return badge;
    }
    let status = badge
        .title
        .strip_prefix("StandIn: ")
        .unwrap_or(&badge.title);
    let title = format!("StandIn: {} \u{b7} {status}", reasons.join(" \u{b7} "));
    if attention.end_of_day {
        ToolbarBadge {
            text: "EOD".to_string(),
            color: END_OF_DAY_COLOR,
            title,
        }
    } else {
        ToolbarBadge {
            text: match attention.handoffs {
                n @ 1..=9 => n.to_string(),
                _ => "9+".to_string(),
            },
            color: HANDOFFS_COLOR,
            title,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Declaration;

    fn state(status: Status, expires_at: Option<Timestamp>) -> DeclaredState {
        DeclaredState {
            declaration: Declaration {
                emoji: Some("🌙".into()),
                expires_at,
                ..Declaration::new(status, "Reviewing the auth PR", "Europe/Berlin")
            },
            declared_at: Timestamp(0),
            version: 0,
        }
    }

    #[test]
    fn every_status_has_short_distinct_text() {
        let texts: Vec<_> = Status::ALL.iter().map(|s| badge_text_for(*s)).collect();
        for (i, t) in texts.iter().enumerate() {
            assert!(!t.is_empty() && t.chars().count() <= 4, "{t}");
            assert!(!texts[i + 1..].contains(t), "duplicate {t}");
        }
    }

    #[test]
    fn each_status_has_its_own_colour_the_stylesheets_share() {
        let css = [
            include_str!("../extension/ui.css"),
            include_str!("../extension/inline.css"),
        ];
        let mut seen = Vec::new();
        for status in Status::ALL {
            let color = badge_color_for(status);
            assert!(!seen.contains(&color), "{status:?} shares {color}");
            seen.push(color);
            for sheet in css {
                let token = format!("--status-{}: {color};", status.as_str());
                assert!(sheet.contains(&token), "{token} missing");
            }
        }
        assert!(!seen.contains(&END_OF_DAY_COLOR) && !seen.contains(&HANDOFFS_COLOR));
    }

    /// WCAG 2 contrast ratio of two `#rrggbb` colours.
    fn contrast(a: &str, b: &str) -> f64 {
        let luminance = |hex: &str| {
            let channel = |i: usize| {
                let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
                if c <= 0.03928 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
        };
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn status_colours_meet_wcag_aa_on_every_background_of_their_scheme() {
        // Each sheet defines the light tokens first, then the dark ones (once or twice).
        let sheets = [
            (
                include_str!("../extension/ui.css"),
                ["#ffffff", "#f6f8fa"].as_slice(),
                ["#0d1117", "#161b22"].as_slice(),
            ),
            (
                include_str!("../extension/inline.css"),
                ["#ffffff", "#ddf4ff"].as_slice(),
                ["#151b23", "#0c2d6b"].as_slice(),
            ),
        ];
        for (css, light, dark) in sheets {
            for status in Status::ALL {
                let token = format!("--status-{}: ", status.as_str());
                let values: Vec<&str> = css
                    .match_indices(&token)
                    .map(|(at, _)| &css[at + token.len()..at + token.len() + 7])
                    .collect();
                assert!(values.len() >= 2, "{token}: {values:?}");
                for (i, color) in values.iter().enumerate() {
                    for bg in if i == 0 { light } else { dark } {
                        let ratio = contrast(color, bg);
                        assert!(ratio >= 4.5, "{token}{color} on {bg}: {ratio:.2}");
                    }
                }
            }
        }
        // The helper itself: black on white is 21:1, a colour on itself 1:1.
        assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
        assert!((contrast("#59636e", "#59636e") - 1.0).abs() < 1e-9);
    }

    #[test]
    fn badge_shows_status_and_headline() {
        let b = toolbar_badge(Some(&state(Status::Offline, None)), Timestamp(0));
        assert_eq!(b.text, "OFF");
        assert_eq!(b.title, "StandIn: Offline — 🌙 Reviewing the auth PR");
        let expired = toolbar_badge(Some(&state(Status::Ooo, Some(Timestamp(5)))), Timestamp(5));
        assert_eq!(expired.text, "OOO");
        assert!(expired.title.contains("Out of office (expired)"));
    }

    #[test]
    fn attention_overrides_the_status_text_and_keeps_it_in_the_tooltip() {
        let base = toolbar_badge(Some(&state(Status::Online, None)), Timestamp(0));
        assert_eq!(with_attention(base.clone(), Attention::default()), base);
        let eod = with_attention(
            base.clone(),
            Attention {
                end_of_day: true,
                handoffs: 2,
            },
        );
        assert_eq!((eod.text.as_str(), eod.color), ("EOD", END_OF_DAY_COLOR));
        assert_eq!(
            eod.title,
            "StandIn: end of your day: declare before you go · 2 hand-offs for you to \
             acknowledge · Online — 🌙 Reviewing the auth PR"
        );
        let one = with_attention(
            base.clone(),
            Attention {
                end_of_day: false,
                handoffs: 1,
            },
        );
        assert_eq!(one.text, "1");
        assert!(one
            .title
            .starts_with("StandIn: 1 hand-off for you to acknowledge · Online"));
        let many = with_attention(
            toolbar_badge(None, Timestamp(0)),
            Attention {
                end_of_day: false,
                handoffs: 12,
            },
        );
        assert_eq!(many.text, "9+");
        assert!(many.title.ends_with("· no state declared"));
    }

    #[test]
    fn no_state_clears_the_badge() {
        let b = toolbar_badge(None, Timestamp(0));
        assert_eq!(b.text, "");
        assert_eq!(b.title, "StandIn: no state declared");
    }
}
