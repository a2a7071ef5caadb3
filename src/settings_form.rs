//! The options page's form as data, and its conversion to [`Settings`] with every problem
//! named by its field path (as `validate_settings` names them).

use crate::model::{Handles, Settings, WorkingHours};
use crate::reminder::ReminderSettings;
use crate::time::{LocalTime, Weekday};
use crate::validate::{validate_settings, FieldError, ValidationErrors};

/// The options form as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsForm {
    pub display_name: String,
    pub github: String,
    pub gitlab: String,
    pub jira: String,
    pub linear: String,
    pub timezone: String,
    /// The checked working days.
    pub days: Vec<Weekday>,
    /// `<input type="time">` values, `HH:MM`.
    pub start: String,
    pub end: String,
    /// The end-of-day reminder: on or off, and minutes before the end (`<input type="number">`).
    pub reminder_enabled: bool,
    pub reminder_lead: String,
}

impl SettingsForm {
    /// The form for stored settings; an unset zone shows as the browser's.
    pub fn from_settings(s: &Settings, browser_zone: &str) -> SettingsForm {
        let handle = |h: &Option<String>| h.clone().unwrap_or_default();
        SettingsForm {
            display_name: s.display_name.clone(),
            github: handle(&s.handles.github),
            gitlab: handle(&s.handles.gitlab),
            jira: handle(&s.handles.jira),
            linear: handle(&s.handles.linear),
            timezone: if s.timezone.is_empty() {
                browser_zone.to_string()
            } else {
                s.timezone.clone()
            },
            days: s.working_hours.days.clone(),
            start: s.working_hours.start.to_string(),
            end: s.working_hours.end.to_string(),
            reminder_enabled: s.reminder.enabled,
            reminder_lead: s.reminder.lead_minutes.to_string(),
        }
    }

    /// The settings the popup's first-run invitation saves: `settings` (the defaults, as
    /// nothing is stored yet) with the working hours typed there, in the browser's zone, so the
    /// zone is the one the user saw.
    pub fn first_hours(
        settings: &Settings,
        browser_zone: &str,
        start: &str,
        end: &str,
    ) -> Result<Settings, ValidationErrors> {
        let form = SettingsForm {
            start: start.to_string(),
            end: end.to_string(),
            ..SettingsForm::from_settings(settings, browser_zone)
        };
        let (settings, mut problems) = form.parse();
        // Only the hours are asked there: the display name, still empty, waits for the options.
        problems.retain(|p| p.field.starts_with("working_hours"));
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(ValidationErrors(problems))
        }
    }

    /// The settings to store. `zone_exists` asks the platform whether the zone is real
    /// (`validate_settings` checks only the shape of its name).
    pub fn to_settings(
        &self,
        zone_exists: impl Fn(&str) -> bool,
    ) -> Result<Settings, ValidationErrors> {
        let (settings, mut problems) = self.parse();
        let shape_ok = !problems.iter().any(|p| p.field == "timezone");
        if shape_ok && !settings.timezone.is_empty() && !zone_exists(&settings.timezone) {
            problems.push(FieldError {
                field: "timezone".to_string(),
                message: format!("Unknown time zone \u{201c}{}\u{201d}.", settings.timezone),
            });
        }
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(ValidationErrors(problems))
        }
    }

    /// The settings as typed, and every problem with them but an unknown zone.
    fn parse(&self) -> (Settings, Vec<FieldError>) {
        let mut problems = Vec::new();
        let mut time = |field: &str, value: &str, fallback: LocalTime| {
            LocalTime::parse(value.trim()).unwrap_or_else(|| {
                problems.push(FieldError {
                    field: field.to_string(),
                    message: "Enter a time such as 09:00.".to_string(),
                });
                fallback
            })
        };
        let defaults = WorkingHours::default();
        let start = time("working_hours.start", &self.start, defaults.start);
        let end = time("working_hours.end", &self.end, defaults.end);
        let lead_minutes = self
            .reminder_lead
            .trim()
            .parse::<u32>()
            .unwrap_or_else(|_| {
                problems.push(FieldError {
                    field: "reminder.lead_minutes".to_string(),
                    message: "Enter a number of minutes such as 30.".to_string(),
                });
                ReminderSettings::default().lead_minutes
            });
        let handle = |value: &str| {
            let value = value.trim();
            (!value.is_empty()).then(|| value.to_string())
        };
        let settings = Settings {
            display_name: self.display_name.trim().to_string(),
            handles: Handles {
                // Logins are written with or without the @ people type in mentions.
                github: handle(self.github.trim().trim_start_matches('@')),
                gitlab: handle(self.gitlab.trim().trim_start_matches('@')),
                jira: handle(&self.jira),
                linear: handle(&self.linear),
            },
            timezone: self.timezone.trim().to_string(),
            working_hours: WorkingHours {
                // Week order, whatever order the boxes were ticked in.
                days: Weekday::ALL
                    .into_iter()
                    .filter(|d| self.days.contains(d))
                    .collect(),
                start,
                end,
            },
            reminder: ReminderSettings {
                enabled: self.reminder_enabled,
                lead_minutes,
            },
        };
        if let Err(invalid) = validate_settings(&settings) {
            problems.extend(invalid.0);
        }
        (settings, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SettingsForm {
        SettingsForm {
            display_name: " Ana Lima ".into(),
            github: "@ana-l".into(),
            gitlab: "".into(),
            jira: "Ana Lima".into(),
            linear: "  ".into(),
            timezone: "America/Sao_Paulo".into(),
            days: vec![Weekday::Fri, Weekday::Mon],
            start: "08:30".into(),
            end: "17:00".into(),
            reminder_enabled: true,
            reminder_lead: "30".into(),
        }
    }

    fn fields(err: &ValidationErrors) -> Vec<&str> {
        err.0.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_filled_form_becomes_settings() {
        let s = form().to_settings(|_| true).unwrap();
        assert_eq!(s.display_name, "Ana Lima");
        assert_eq!(s.handles.github.as_deref(), Some("ana-l"));
        assert_eq!(s.handles.gitlab, None);
        assert_eq!(s.handles.linear, None, "blank means none");
        assert_eq!(s.working_hours.days, [Weekday::Mon, Weekday::Fri]);
        assert_eq!(s.working_hours.start, LocalTime::hm(8, 30));
        assert!(s.reminder.is_default(), "30 minutes, on");
        let mut off = form();
        off.reminder_enabled = false;
        off.reminder_lead = " 45 ".into();
        let r = off.to_settings(|_| true).unwrap().reminder;
        assert_eq!((r.enabled, r.lead_minutes), (false, 45));
        let again = SettingsForm::from_settings(&s, "UTC");
        assert_eq!(again.to_settings(|_| true).unwrap(), s);
    }

    #[test]
    fn problems_are_reported_per_field() {
        let mut f = form();
        f.display_name = "".into();
        f.github = "not a login".into();
        f.days.clear();
        f.start = "9am".into();
        f.reminder_lead = "half an hour".into();
        let err = f.to_settings(|_| true).unwrap_err();
        let mut got = fields(&err);
        got.sort_unstable();
        assert_eq!(
            got,
            [
                "display_name",
                "handles.github",
                "reminder.lead_minutes",
                "working_hours.days",
                "working_hours.start"
            ]
        );
        f = form();
        f.reminder_lead = "241".into();
        let err = f.to_settings(|_| true).unwrap_err();
        assert_eq!(fields(&err), ["reminder.lead_minutes"]);
        assert_eq!(err.0[0].message, "At most 240 minutes.");
    }

    #[test]
    fn unknown_zones_are_refused() {
        let mut f = form();
        f.timezone = "Mars/Olympus_Mons".into();
        let err = f
            .to_settings(|zone| zone != "Mars/Olympus_Mons")
            .unwrap_err();
        assert_eq!(fields(&err), ["timezone"]);
        assert!(err.0[0].message.contains("Mars/Olympus_Mons"));
        // A malformed name is reported once, by its shape.
        f.timezone = "Europe/../etc".into();
        let err = f.to_settings(|_| false).unwrap_err();
        assert_eq!(fields(&err), ["timezone"]);
    }

    #[test]
    fn the_first_hours_are_saved_in_the_browsers_zone_without_a_name() {
        let s = SettingsForm::first_hours(&Settings::default(), "Asia/Tokyo", "10:00", " 18:30")
            .unwrap();
        assert_eq!(s.timezone, "Asia/Tokyo", "the zone the invitation showed");
        assert_eq!(s.working_hours.start, LocalTime::hm(10, 0));
        assert_eq!(s.working_hours.end, LocalTime::hm(18, 30));
        assert_eq!(s.working_hours.days, WorkingHours::default().days);
        assert_eq!(
            s.display_name, "",
            "asked for by the options page, not here"
        );
        assert!(s.reminder.is_default());
        let err =
            SettingsForm::first_hours(&Settings::default(), "UTC", "9am", "17:00").unwrap_err();
        assert_eq!(fields(&err), ["working_hours.start"]);
        let err =
            SettingsForm::first_hours(&Settings::default(), "UTC", "09:00", "09:00").unwrap_err();
        assert_eq!(fields(&err), ["working_hours.end"]);
    }

    #[test]
    fn an_unset_zone_shows_the_browsers() {
        let f = SettingsForm::from_settings(&Settings::default(), "Asia/Tokyo");
        assert_eq!(f.timezone, "Asia/Tokyo");
        assert_eq!(f.start, "09:00");
        assert_eq!(f.days.len(), 5);
    }
}
