//! The end-of-day reminder's shell (the rules are in `crate::reminder`): reads what the rules
//! need from storage, shows the notification once per reminder, keeps one alarm at the next
//! instant the answer can change, and carries out "Snooze 30 min" and "Skip today". The
//! background worker calls [`refresh`] at every start, on the alarm and whenever a key it
//! depends on changes (`crate::store::badge_depends_on`); the popup calls [`World::load`] to
//! show the reminder.

use super::ext::{self, Area, ExtError};
use super::zone::Zone;
use crate::model::{DeclaredState, Settings, Status};
use crate::reminder::{held, shift_to_skip, Decision, Inputs, ReminderState, SNOOZE_MINUTES};
use crate::store::{HISTORY_KEY, REMINDER_KEY, SETTINGS_KEY, STATE_KEY};
use crate::time::Timestamp;

/// The alarm at the reminder's next change (due, snooze over, window closed).
pub const REMINDER_ALARM: &str = "eod-reminder";
/// One notification id: showing it again replaces it rather than stacking copies.
pub const NOTIFICATION_ID: &str = "standin-eod";
/// Chrome's buttons, in order; Firefox shows none and its popup carries snooze and skip.
const BUTTONS: [&str; 2] = ["Declare now", "Snooze 30 min"];

/// The popup page, for opening it in a window where the toolbar popup cannot be opened.
const POPUP_PAGE: &str = "popup.html";

/// What the reminder rules read, loaded once.
pub struct World {
    pub settings: Settings,
    /// The settings are stored (else `settings` are the defaults).
    pub settings_saved: bool,
    pub zone: Zone,
    pub state: Option<DeclaredState>,
    /// The newest declaration, current or since cleared (the history keeps it): clearing is
    /// not declaring anew, but the user did declare.
    pub last: Option<DeclaredState>,
    pub reminder: ReminderState,
}

impl World {
    pub async fn load() -> World {
        let sync = ext::read(Area::Sync, &[SETTINGS_KEY]).await;
        let settings_saved = sync.has(SETTINGS_KEY);
        let settings: Settings = sync.or_default(SETTINGS_KEY);
        let local = ext::read(Area::Local, &[STATE_KEY, HISTORY_KEY, REMINDER_KEY]).await;
        let state: Option<DeclaredState> = local.get(STATE_KEY).ok().flatten();
        let history: Vec<DeclaredState> = local.or_default(HISTORY_KEY);
        let last = state
            .iter()
            .chain(history.first())
            .max_by_key(|s| s.declared_at)
            .cloned();
        World {
            zone: Zone::for_settings(&settings),
            settings,
            settings_saved,
            state,
            last,
            reminder: local.or_default(REMINDER_KEY),
        }
    }

    /// Nothing reminds yet: the popup asks for the working hours instead.
    pub fn held(&self) -> bool {
        held(
            self.settings_saved,
            self.last.as_ref().map(|s| s.declared_at),
        )
    }

    pub fn decide(&self, now: Timestamp) -> Decision {
        let out_of_office = self
            .state
            .as_ref()
            .is_some_and(|s| s.declaration.status == Status::Ooo && !s.is_expired(now));
        Inputs {
            settings: self.settings.reminder,
            hours: &self.settings.working_hours,
            zone: &self.zone,
            last_declared: self.last.as_ref().map(|s| s.declared_at),
            settings_saved: self.settings_saved,
            out_of_office,
            state: &self.reminder,
        }
        .decide(now)
    }
}

async fn save(reminder: &ReminderState) -> Result<(), ExtError> {
    let json = ext::encode(reminder);
    ext::set(Area::Local, &[(REMINDER_KEY, &json)]).await
}

/// Evaluates the reminder at `now`: notifies once for a new reminder, removes the
/// notification once it is answered, and sets the alarm for the next change. Returns whether
/// the badge shows the end-of-day state.
pub async fn refresh(now: Timestamp) -> Result<bool, ExtError> {
    let world = World::load().await;
    let decision = world.decide(now);
    if decision.notify {
        ext::notify(
            NOTIFICATION_ID,
            "End of your day: declare before you go",
            "Tell the next shift what you are on, what is blocked and who covers.",
            &BUTTONS,
        )
        .await?;
        let mut reminder = world.reminder.clone();
        reminder.notified = decision.due_since;
        save(&reminder).await?;
    } else if decision.due.is_none() && world.reminder.notified.is_some() {
        // Answered (declared, snoozed, skipped) or over: the notification has nothing to ask.
        ext::clear_notification(NOTIFICATION_ID).await?;
    }
    match decision.next_check {
        Some(at) => ext::create_alarm_in(REMINDER_ALARM, at.millis() - now.millis()).await?,
        None => ext::clear_alarm(REMINDER_ALARM).await?,
    }
    Ok(decision.due.is_some())
}

/// "Snooze 30 min": nothing until then, then one more reminder.
pub async fn snooze(now: Timestamp) -> Result<ReminderState, ExtError> {
    let mut reminder: ReminderState = ext::read(Area::Local, &[REMINDER_KEY])
        .await
        .or_default(REMINDER_KEY);
    reminder.snoozed_until = Some(now.plus_minutes(SNOOZE_MINUTES));
    save(&reminder).await?;
    Ok(reminder)
}

/// "Skip today": no reminder for the shift under way (or the next one on a day off).
pub async fn skip(now: Timestamp) -> Result<ReminderState, ExtError> {
    let world = World::load().await;
    let mut reminder = world.reminder;
    reminder.skipped_shift = shift_to_skip(
        &world.settings.working_hours,
        world.settings.reminder.lead_minutes,
        &world.zone,
        now,
    );
    save(&reminder).await?;
    Ok(reminder)
}

/// A click on the reminder's notification: on its body or "Declare now" (button 0) the popup
/// opens; "Snooze 30 min" (button 1) snoozes. Other notifications are not ours.
pub async fn notification_clicked(
    id: &str,
    button: Option<u32>,
    now: Timestamp,
) -> Result<(), ExtError> {
    if id != NOTIFICATION_ID {
        return Ok(());
    }
    ext::clear_notification(NOTIFICATION_ID).await?;
    match button {
        Some(1) => snooze(now).await.map(drop),
        _ => open_popup().await,
    }
}

/// The toolbar popup where the browser lets an extension open it, else the same page in a
/// small window (Firefox outside a user gesture, Chrome without a focused window).
async fn open_popup() -> Result<(), ExtError> {
    if ext::open_popup().await.is_ok() {
        return Ok(());
    }
    ext::open_window(POPUP_PAGE, 400, 640).await
}
