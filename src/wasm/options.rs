//! The options page: who you are on each tracker, your zone and your working hours.
//!
//! Control ids (stable; tests drive them), errors in `error-<id>`: `display_name`,
//! `handles-github`, `handles-gitlab`, `handles-jira`, `handles-linear`, `timezone` (with the
//! suggestion list `timezones`), the group `working_hours-days` with checkboxes
//! `working_hours-days-mon` … `-sun`, `working_hours-start`, `working_hours-end`, the
//! end-of-day reminder's checkbox `reminder-enabled` and lead `reminder-lead_minutes`, the submit
//! button `save` and the status line `save-status` ("Saved.").

use super::dom;
use super::ext::{self, Area, ExtError};
use super::zone::{browser_zone_name, known_zone_names, Zone};
use crate::model::Settings;
use crate::settings_form::SettingsForm;
use crate::store::SETTINGS_KEY;
use crate::time::Weekday;

const DAYS_ID: &str = "working_hours-days";

fn day_id(day: Weekday) -> String {
    format!("{DAYS_ID}-{}", day.short_name().to_ascii_lowercase())
}

pub async fn start() -> Result<(), ExtError> {
    let settings: Settings = match ext::read(Area::Sync, &[SETTINGS_KEY])
        .await
        .get(SETTINGS_KEY)
    {
        Ok(found) => found.unwrap_or_default(),
        // Unreadable settings are replaced on the next save; show the defaults meanwhile.
        Err(e @ ExtError::Decode { .. }) => {
            web_sys::console::warn_1(&format!("StandIn: ignoring stored settings: {e}").into());
            Settings::default()
        }
        Err(e) => return Err(e),
    };
    let form = dom::by_id("options-form").ok_or(ExtError::Missing("<form id=\"options-form\">"))?;
    let zones = known_zone_names();
    let zones: Vec<(&str, &str)> = zones.iter().map(|name| (name.as_str(), "")).collect();
    dom::fill_options("timezones", &zones);
    if let Some(lead) = dom::by_id("reminder-lead_minutes") {
        let max = crate::limits::MAX_REMINDER_LEAD_MINUTES.to_string();
        let _ = lead.set_attribute("max", &max);
    }
    fill(&SettingsForm::from_settings(
        &settings,
        &browser_zone_name(),
    ));
    // Page-lifetime listener: leaked on purpose.
    dom::on_submit(&form, || dom::spawn(save()));
    // Self-hosted trackers: a section of its own (`trackers`), with its own form and storage.
    super::trackers::mount().await?;
    // The team connection: a section of its own too (`options_team`).
    super::options_team::mount().await?;
    // Status everywhere: the mirror accounts (`options_mirror`).
    super::options_mirror::mount().await?;
    Ok(())
}

fn fill(form: &SettingsForm) {
    dom::set_value("display_name", &form.display_name);
    dom::set_value("handles-github", &form.github);
    dom::set_value("handles-gitlab", &form.gitlab);
    dom::set_value("handles-jira", &form.jira);
    dom::set_value("handles-linear", &form.linear);
    dom::set_value("timezone", &form.timezone);
    for day in Weekday::ALL {
        dom::set_checked(&day_id(day), form.days.contains(&day));
    }
    dom::set_value("working_hours-start", &form.start);
    dom::set_value("working_hours-end", &form.end);
    dom::set_checked("reminder-enabled", form.reminder_enabled);
    dom::set_value("reminder-lead_minutes", &form.reminder_lead);
}

fn read() -> SettingsForm {
    SettingsForm {
        display_name: dom::value("display_name"),
        github: dom::value("handles-github"),
        gitlab: dom::value("handles-gitlab"),
        jira: dom::value("handles-jira"),
        linear: dom::value("handles-linear"),
        timezone: dom::value("timezone"),
        days: Weekday::ALL
            .into_iter()
            .filter(|d| dom::checked(&day_id(*d)))
            .collect(),
        start: dom::value("working_hours-start"),
        end: dom::value("working_hours-end"),
        reminder_enabled: dom::checked("reminder-enabled"),
        reminder_lead: dom::value("reminder-lead_minutes"),
    }
}

async fn save() {
    dom::clear_errors();
    dom::set_status("save-status", "", false);
    let settings = match read().to_settings(|zone| Zone::named(zone).is_some()) {
        Ok(settings) => settings,
        Err(invalid) => {
            let hint = "please fix the marked fields.";
            return dom::show_errors(&invalid, "save-status", "Not saved", hint);
        }
    };
    let json = ext::encode(&settings);
    match ext::set(Area::Sync, &[(SETTINGS_KEY, &json)]).await {
        Ok(()) => {
            // Show what was stored (trimmed, @ dropped).
            fill(&SettingsForm::from_settings(
                &settings,
                &browser_zone_name(),
            ));
            dom::set_status("save-status", "Saved.", false);
        }
        Err(e) => dom::set_status("save-status", &format!("Not saved: {e}"), true),
    }
}
