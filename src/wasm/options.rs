//! The options page: who you are on each tracker, your zone and your working hours.
//!
//! Control ids (stable; tests drive them), errors in `error-<id>`: `display_name`,
//! `handles-github`, `handles-gitlab`, `handles-jira`, `handles-linear`, `timezone` (with the
//! suggestion list `timezones`), the group `working_hours-days` with checkboxes
//! `working_hours-days-mon` … `-sun`, `working_hours-start`, `working_hours-end`, the
//! end-of-day reminder's checkbox `reminder-enabled` and lead `reminder-lead_minutes`, the submit
//! button `save` and the status line `save-status` ("Saved.").

use super::dom::{self, el, field, text_el};
use super::ext::{self, Area, ExtError};
use super::zone::{browser_zone_name, known_zone_names, Zone};
use crate::display::error_id;
use crate::model::Settings;
use crate::settings_form::SettingsForm;
use crate::store::SETTINGS_KEY;
use crate::time::Weekday;
use web_sys::Element;

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
    let app = dom::by_id("app").ok_or(ExtError::Missing("<main id=\"app\">"))?;
    let form = render();
    app.replace_children_with_node_1(&form);
    fill(&SettingsForm::from_settings(
        &settings,
        &browser_zone_name(),
    ));
    // Page-lifetime listener: leaked on purpose.
    dom::on_submit(&form, || dom::spawn(save()));
    // Self-hosted trackers: a section of its own (`trackers`), with its own form and storage.
    super::trackers::mount(&app).await?;
    // The team connection: a section of its own too (`options_team`).
    super::options_team::mount(&app).await?;
    Ok(())
}

fn render() -> Element {
    let form = el("form", &[("id", "options-form"), ("novalidate", "")]);
    let text_input = || el("input", &[("type", "text"), ("autocomplete", "off")]);

    let handles = el("fieldset", &[]);
    dom::append(
        &handles,
        &[
            &text_el("legend", &[], "Your handles"),
            &text_el(
                "p",
                &[("class", "muted")],
                "So StandIn can find you on pull requests and tickets. Leave blank what you do not use.",
            ),
            &field("handles.github", "GitHub login", &text_input(), &[]),
            &field("handles.gitlab", "GitLab username", &text_input(), &[]),
            &field(
                "handles.jira",
                "Jira account id or display name",
                &text_input(),
                &[],
            ),
            &field("handles.linear", "Linear name", &text_input(), &[]),
        ],
    );

    let zones = el("datalist", &[("id", "timezones")]);
    for name in known_zone_names() {
        dom::append(&zones, &[&el("option", &[("value", &name)])]);
    }
    let timezone = el(
        "input",
        &[
            ("type", "text"),
            ("list", "timezones"),
            ("autocomplete", "off"),
            ("spellcheck", "false"),
        ],
    );
    let zone_hint = text_el(
        "p",
        &[("id", "timezone-hint"), ("class", "muted")],
        "An IANA name such as Europe/Berlin. Back-at times and working hours are read in it.",
    );

    let hours = el("fieldset", &[]);
    let days = el(
        "fieldset",
        &[
            ("id", DAYS_ID),
            ("aria-describedby", &error_id("working_hours.days")),
        ],
    );
    dom::append(&days, &[&text_el("legend", &[], "Working days")]);
    let day_row = el("div", &[("class", "row wrap")]);
    for day in Weekday::ALL {
        let label = el("label", &[("class", "inline")]);
        dom::append(
            &label,
            &[&el("input", &[("type", "checkbox"), ("id", &day_id(day))])],
        );
        let _ = label.append_with_str_1(day.short_name());
        dom::append(&day_row, &[&label]);
    }
    dom::append(
        &days,
        &[
            &day_row,
            &dom::error_message(&error_id("working_hours.days")),
        ],
    );
    let times = el("div", &[("class", "row fields")]);
    dom::append(
        &times,
        &[
            &field(
                "working_hours.start",
                "Start",
                &el("input", &[("type", "time")]),
                &[],
            ),
            &field(
                "working_hours.end",
                "End",
                &el("input", &[("type", "time")]),
                &[],
            ),
        ],
    );
    dom::append(
        &hours,
        &[&text_el("legend", &[], "Working hours"), &days, &times],
    );

    // The end-of-day reminder (crate::reminder): on/off and its lead.
    let reminder = el("fieldset", &[("id", "reminder")]);
    let enabled = el("label", &[("class", "inline")]);
    dom::append(
        &enabled,
        &[&el(
            "input",
            &[("type", "checkbox"), ("id", "reminder-enabled")],
        )],
    );
    let _ = enabled.append_with_str_1("Remind me to declare before my working day ends");
    let lead = el(
        "input",
        &[
            ("type", "number"),
            ("min", "0"),
            ("max", &crate::limits::MAX_REMINDER_LEAD_MINUTES.to_string()),
            ("step", "5"),
        ],
    );
    dom::append(
        &reminder,
        &[
            &text_el("legend", &[], "End-of-day reminder"),
            &enabled,
            &field(
                "reminder.lead_minutes",
                "Minutes before the end of the working day",
                &lead,
                &[],
            ),
            &text_el(
                "p",
                &[("class", "muted")],
                "If you have not declared since your working day began, the toolbar badge shows \
                 EOD and a notification offers to declare, snooze or skip today. Not on days \
                 off, nor while you are out of office.",
            ),
        ],
    );

    let actions = dom::submit_row("save", "Save", "primary", "save-status");

    dom::append(
        &form,
        &[
            &text_el("h1", &[], "StandIn settings"),
            &field("display_name", "Display name", &text_input(), &[]),
            &handles,
            &field("timezone", "Time zone", &timezone, &[&zone_hint]),
            &zones,
            &hours,
            &reminder,
            &actions,
        ],
    );
    form
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
