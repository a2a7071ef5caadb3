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

fn badge_color_for(status: Status) -> &'static str {
    match status {
        Status::Online => "#1a7f37",
        Status::Focus => "#8250df",
        Status::Away => "#9a6700",
        Status::Offline => "#57606a",
        Status::Ooo => "#cf222e",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Declaration;

    fn state(status: Status, expires_at: Option<Timestamp>) -> DeclaredState {
        DeclaredState {
            declaration: Declaration {
                status,
                headline: "Reviewing the auth PR".into(),
                emoji: Some("🌙".into()),
                note: String::new(),
                items: vec![],
                blockers: String::new(),
                cover: None,
                back_at: None,
                expires_at,
                timezone: "Europe/Berlin".into(),
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
    fn badge_shows_status_and_headline() {
        let b = toolbar_badge(Some(&state(Status::Offline, None)), Timestamp(0));
        assert_eq!(b.text, "OFF");
        assert_eq!(b.title, "StandIn: Offline — 🌙 Reviewing the auth PR");
        let expired = toolbar_badge(Some(&state(Status::Ooo, Some(Timestamp(5)))), Timestamp(5));
        assert_eq!(expired.text, "OOO");
        assert!(expired.title.contains("Out of office (expired)"));
    }

    #[test]
    fn no_state_clears_the_badge() {
        let b = toolbar_badge(None, Timestamp(0));
        assert_eq!(b.text, "");
        assert_eq!(b.title, "StandIn: no state declared");
    }
}
