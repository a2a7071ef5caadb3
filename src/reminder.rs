//! The end-of-day reminder: when it is due, when to look again, and what "Snooze" and "Skip
//! today" mean. Pure; the background worker feeds it the settings, the declared state, the
//! reminder's own stored state and a clock, and turns the [`Decision`] into a badge, a
//! notification and an alarm.
//!
//! The rule: on each working day, `lead_minutes` before the shift ends, the user who has not
//! declared since the shift began is reminded. The reminder stays due (the badge shows "EOD")
//! until they declare, snooze or skip, or until [`GRACE_AFTER_END_MINUTES`] after the shift's
//! end (never into the next shift). There is no reminder on days off, while the declared state
//! is "out of office", or when reminders are switched off.
//!
//! A fresh install does not nag: until the user has saved their settings (their working hours)
//! or declared once, the default hours are only a guess, and nothing is due ([`held`]); the
//! popup asks for the hours instead.
//!
//! A machine asleep at the reminder time is reminded once when it wakes, if the reminder is
//! still due then: every evaluation names the reminder it is about by the instant it became due
//! ([`Decision::due_since`]), and the worker notifies only for an instant it has not notified
//! for. Missed reminders of earlier days are past their window and never pile up.

use crate::model::WorkingHours;
use crate::shift::{shifts_around, Shift};
use crate::time::{Timestamp, ZoneOffsets};
use serde::{Deserialize, Serialize};

pub const DEFAULT_LEAD_MINUTES: u32 = 30;
/// "Snooze 30 min".
pub const SNOOZE_MINUTES: i64 = 30;
/// How long after the shift's end an unanswered reminder is still shown: someone working late,
/// or waking the machine in the evening, is still asked; the next morning nobody is.
pub const GRACE_AFTER_END_MINUTES: i64 = 6 * 60;
/// How long before the reminder the popup already proposes items for the declaration.
pub const PREFILL_EARLY_MINUTES: i64 = 60;

/// The user's reminder settings (options page), part of [`crate::model::Settings`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReminderSettings {
    pub enabled: bool,
    /// Minutes before the end of the working day (at most
    /// [`crate::limits::MAX_REMINDER_LEAD_MINUTES`]).
    pub lead_minutes: u32,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings {
            enabled: true,
            lead_minutes: DEFAULT_LEAD_MINUTES,
        }
    }
}

impl ReminderSettings {
    /// Defaults are not stored, so settings saved before reminders existed read the same.
    pub fn is_default(&self) -> bool {
        *self == ReminderSettings::default()
    }
}

/// What the reminder remembers between evaluations (`storage.local`, [`crate::store::REMINDER_KEY`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReminderState {
    /// "Snooze 30 min": nothing is shown before this instant.
    pub snoozed_until: Option<Timestamp>,
    /// "Skip today": the start of the shift that is skipped.
    pub skipped_shift: Option<Timestamp>,
    /// The [`Decision::due_since`] last notified for: one notification per reminder.
    pub notified: Option<Timestamp>,
}

/// A working day with its reminder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Workday {
    pub shift: Shift,
    /// `lead_minutes` before the end (not before the start).
    pub remind_at: Timestamp,
    /// Until when an unanswered reminder is shown.
    pub window_end: Timestamp,
}

/// The working days around `now`, each with its reminder: from two days back (an overnight
/// shift and its grace period can reach into today) to eight days ahead (the next working day
/// is at most a week away).
pub fn workdays(
    hours: &WorkingHours,
    lead_minutes: u32,
    zone: &dyn ZoneOffsets,
    now: Timestamp,
) -> Vec<Workday> {
    let shifts = shifts_around(hours, now, zone, 2, 8);
    shifts
        .iter()
        .enumerate()
        .map(|(i, shift)| {
            let remind_at = shift
                .end
                .plus_minutes(-i64::from(lead_minutes))
                .max(shift.start);
            let grace_end = shift.end.plus_minutes(GRACE_AFTER_END_MINUTES);
            let window_end = match shifts.get(i + 1) {
                Some(next) => grace_end.min(next.start),
                None => grace_end,
            };
            Workday {
                shift: *shift,
                remind_at,
                window_end,
            }
        })
        .collect()
}

/// Whether the reminder waits for the user to set up: they have neither saved their settings
/// nor ever declared.
pub fn held(settings_saved: bool, last_declared: Option<Timestamp>) -> bool {
    !settings_saved && last_declared.is_none()
}

/// Everything the decision depends on.
pub struct Inputs<'a> {
    pub settings: ReminderSettings,
    pub hours: &'a WorkingHours,
    /// The user's zone: working hours are wall-clock times there.
    pub zone: &'a dyn ZoneOffsets,
    /// When the user last declared (any status), if ever.
    pub last_declared: Option<Timestamp>,
    /// The user's settings are stored (saved once from the options page or the popup).
    pub settings_saved: bool,
    /// The current, unexpired declared state is "out of office".
    pub out_of_office: bool,
    pub state: &'a ReminderState,
}

/// What the worker should show and when it should look again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The working day whose reminder is due now (badge "EOD"), if any.
    pub due: Option<Workday>,
    /// When the due reminder became due: its time, or the end of a snooze. Names the reminder
    /// for [`ReminderState::notified`].
    pub due_since: Option<Timestamp>,
    /// Show a notification now (then store `notified = due_since`).
    pub notify: bool,
    /// The next instant at which the decision can change by the clock alone (an alarm);
    /// changes to the settings or the state are watched separately.
    pub next_check: Option<Timestamp>,
}

impl Inputs<'_> {
    /// Whether the reminder of `w` is answered or not wanted, whatever the time.
    fn settled(&self, w: &Workday) -> bool {
        !self.settings.enabled
            || self.out_of_office
            || self.state.skipped_shift == Some(w.shift.start)
            || self.last_declared.is_some_and(|at| at >= w.shift.start)
    }

    /// When `w`'s reminder shows: its time, or later if snoozed past it.
    fn due_since(&self, w: &Workday) -> Timestamp {
        match self.state.snoozed_until {
            Some(until) => w.remind_at.max(until),
            None => w.remind_at,
        }
    }

    pub fn decide(&self, now: Timestamp) -> Decision {
        let days = workdays(self.hours, self.settings.lead_minutes, self.zone, now);
        let mut decision = Decision {
            due: None,
            due_since: None,
            notify: false,
            next_check: None,
        };
        if held(self.settings_saved, self.last_declared) {
            // Saving the settings or declaring re-evaluates (a storage change), not the clock.
            return decision;
        }
        for w in days.iter().filter(|w| !self.settled(w)) {
            let since = self.due_since(w);
            if since <= now && now < w.window_end {
                decision.due = Some(*w);
                decision.due_since = Some(since);
                decision.notify = self.state.notified != Some(since);
            }
            let next = [since, w.window_end]
                .into_iter()
                .filter(|at| *at > now)
                .min();
            decision.next_check = match (decision.next_check, next) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        decision
    }
}

/// The shift "Skip today" skips: the one under way or in its reminder window now, else the
/// next one. `None` when there is no working day at all.
pub fn shift_to_skip(
    hours: &WorkingHours,
    lead_minutes: u32,
    zone: &dyn ZoneOffsets,
    now: Timestamp,
) -> Option<Timestamp> {
    let days = workdays(hours, lead_minutes, zone, now);
    days.iter()
        .find(|w| w.shift.start <= now && now < w.window_end)
        .or_else(|| days.iter().find(|w| w.shift.start > now))
        .map(|w| w.shift.start)
}

/// Whether the popup should propose items for the declaration: from
/// [`PREFILL_EARLY_MINUTES`] before the reminder until its window closes.
pub fn near_end_of_day(
    hours: &WorkingHours,
    lead_minutes: u32,
    zone: &dyn ZoneOffsets,
    now: Timestamp,
) -> bool {
    workdays(hours, lead_minutes, zone, now)
        .iter()
        .any(|w| w.remind_at.plus_minutes(-PREFILL_EARLY_MINUTES) <= now && now < w.window_end)
}

/// The shift under way at `now`, if any.
pub fn current_shift(
    hours: &WorkingHours,
    zone: &dyn ZoneOffsets,
    now: Timestamp,
) -> Option<Shift> {
    shifts_around(hours, now, zone, 1, 0)
        .into_iter()
        .find(|s| s.contains(now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::Tz;
    use crate::time::{LocalTime, Weekday};

    use crate::time::rfc3339 as t;

    /// A reminder world: Mon–Fri 09:00–17:00 in `zone`, 30 minutes' lead, nothing declared.
    struct World {
        zone: Box<dyn ZoneOffsets>,
        hours: WorkingHours,
        settings: ReminderSettings,
        last_declared: Option<Timestamp>,
        settings_saved: bool,
        out_of_office: bool,
        state: ReminderState,
    }

    impl World {
        fn new(zone: chrono_tz::Tz) -> World {
            World {
                zone: Box::new(Tz(zone)),
                hours: WorkingHours::default(),
                settings: ReminderSettings::default(),
                last_declared: None,
                settings_saved: true,
                out_of_office: false,
                state: ReminderState::default(),
            }
        }

        fn decide(&self, now: &str) -> Decision {
            Inputs {
                settings: self.settings,
                hours: &self.hours,
                zone: self.zone.as_ref(),
                last_declared: self.last_declared,
                settings_saved: self.settings_saved,
                out_of_office: self.out_of_office,
                state: &self.state,
            }
            .decide(t(now))
        }

        /// What the worker does after a decision: remember the notification.
        fn notified(&mut self, d: &Decision) {
            if d.notify {
                self.state.notified = d.due_since;
            }
        }
    }

    /// The reminder instant on each of the given days is `expected` (UTC), due from then on
    /// and not a minute before.
    fn assert_reminds_at(zone: chrono_tz::Tz, expected: &[&str]) {
        let w = World::new(zone);
        for at in expected {
            let at = t(at);
            let before = w.decide(&at.plus_minutes(-1).to_string());
            assert_eq!(before.due, None, "{zone} before {at}");
            assert_eq!(before.next_check, Some(at), "{zone}: alarm for {at}");
            let on_time = w.decide(&at.to_string());
            assert_eq!(on_time.due_since, Some(at), "{zone} at {at}");
            assert!(on_time.notify);
        }
    }

    #[test]
    fn reminds_at_local_end_minus_lead_across_dst_changes() {
        // Each list spans a DST change: the UTC instant moves, 16:30 local does not.
        assert_reminds_at(
            chrono_tz::Europe::Berlin,
            // Fri before and Mon after spring-forward (Sun 2026-03-29).
            &["2026-03-27T15:30:00Z", "2026-03-30T14:30:00Z"],
        );
        assert_reminds_at(
            chrono_tz::America::New_York,
            // Fri before and Mon after fall-back (Sun 2026-11-01).
            &["2026-10-30T20:30:00Z", "2026-11-02T21:30:00Z"],
        );
        assert_reminds_at(
            chrono_tz::Australia::Sydney,
            // Sydney springs forward on Sun 2026-10-04: +10 → +11.
            &["2026-10-02T06:30:00Z", "2026-10-05T05:30:00Z"],
        );
        assert_reminds_at(
            chrono_tz::Asia::Kolkata,
            // No DST: always +05:30.
            &["2026-03-27T11:00:00Z", "2026-03-30T11:00:00Z"],
        );
        assert_reminds_at(
            chrono_tz::Australia::Lord_Howe,
            // A 30-minute shift on Sun 2026-10-04: +10:30 → +11.
            &["2026-10-02T06:00:00Z", "2026-10-05T05:30:00Z"],
        );
    }

    #[test]
    fn a_fresh_install_waits_until_the_hours_are_saved_or_the_user_declared() {
        // Fresh: the default hours, nothing saved, never declared; a weekday evening in
        // Berlin (Wed 16:45 local, the default reminder is at 16:30).
        let mut w = World::new(chrono_tz::Europe::Berlin);
        w.settings_saved = false;
        let evening = "2026-03-25T15:45:00Z";
        assert_eq!(
            w.decide(evening),
            Decision {
                due: None,
                due_since: None,
                notify: false,
                next_check: None,
            }
        );
        // Saving the settings (the same hours) starts the reminders.
        w.settings_saved = true;
        let saved = w.decide(evening);
        assert_eq!(saved.due_since, Some(t("2026-03-25T15:30:00Z")));
        assert!(saved.notify);
        // So does one declaration, without any saved settings (its day's is then answered;
        // the next day reminds).
        w.settings_saved = false;
        w.last_declared = Some(t("2026-03-24T10:00:00Z"));
        assert_eq!(w.decide(evening).due_since, Some(t("2026-03-25T15:30:00Z")));
        assert!(held(false, None));
        assert!(!held(true, None));
        assert!(!held(false, Some(t(evening))));
    }

    #[test]
    fn a_reminder_inside_the_dst_night_uses_the_wall_clock() {
        // A night shift 20:00–03:00 with a 30-minute lead reminds at 02:30, which does not
        // exist in Berlin on 2026-03-29: clocks jump from 02:00 to 03:00. The shift ends at
        // 03:00 CEST (01:00Z), so the reminder is 30 minutes before that instant.
        let mut w = World::new(chrono_tz::Europe::Berlin);
        w.hours = WorkingHours {
            days: vec![Weekday::Sat],
            start: LocalTime::hm(20, 0),
            end: LocalTime::hm(3, 0),
        };
        let d = w.decide("2026-03-29T00:30:00Z");
        assert_eq!(d.due_since, Some(t("2026-03-29T00:30:00Z")));
        // Falling back (2026-10-25), 02:30 happens twice; the shift ends at 03:00 CET (02:00Z).
        let d = w.decide("2026-10-25T01:30:00Z");
        assert_eq!(d.due_since, Some(t("2026-10-25T01:30:00Z")));
    }

    #[test]
    fn an_overnight_shift_reminds_before_its_morning_end() {
        let mut w = World::new(chrono_tz::Asia::Kolkata);
        w.hours = WorkingHours {
            days: vec![Weekday::Fri],
            start: LocalTime::hm(22, 0),
            end: LocalTime::hm(6, 0),
        };
        // Friday's shift ends Saturday 06:00 IST (00:30Z): reminder at 05:30 IST (00:00Z).
        let d = w.decide("2026-11-28T00:00:00Z");
        assert_eq!(d.due.map(|d| d.shift.date.day), Some(27), "Friday's shift");
        assert!(d.notify);
        // And nothing on Saturday night, a day off.
        assert_eq!(w.decide("2026-11-29T00:00:00Z").due, None);
    }

    #[test]
    fn no_reminder_on_days_off_when_out_of_office_or_switched_off() {
        let mut w = World::new(chrono_tz::Europe::Berlin);
        // Saturday 16:30 Berlin.
        let saturday = w.decide("2026-11-28T15:30:00Z");
        assert_eq!(saturday.due, None);
        // The next check is Monday's reminder, not Saturday's non-reminder.
        assert_eq!(saturday.next_check, Some(t("2026-11-30T15:30:00Z")));
        let friday = "2026-11-27T15:40:00Z";
        assert!(w.decide(friday).due.is_some());
        w.out_of_office = true;
        assert_eq!(w.decide(friday).due, None);
        assert_eq!(w.decide(friday).next_check, None);
        w.out_of_office = false;
        w.settings.enabled = false;
        assert_eq!(w.decide(friday).due, None);
        assert_eq!(w.decide(friday).next_check, None);
    }

    #[test]
    fn declaring_since_the_shift_began_answers_it() {
        let mut w = World::new(chrono_tz::Europe::Berlin);
        let now = "2026-11-27T15:40:00Z"; // Friday 16:40
                                          // Yesterday's declaration does not count.
        w.last_declared = Some(t("2026-11-26T16:10:00Z"));
        assert!(w.decide(now).due.is_some());
        // One made this morning, after 09:00, does.
        w.last_declared = Some(t("2026-11-27T08:05:00Z"));
        let d = w.decide(now);
        assert_eq!(d.due, None);
        assert_eq!(d.next_check, Some(t("2026-11-30T15:30:00Z")), "Monday's");
        // One made before the shift began (07:59 Berlin) does not.
        w.last_declared = Some(t("2026-11-27T06:59:00Z"));
        assert!(w.decide(now).due.is_some());
    }

    #[test]
    fn one_notification_per_reminder_and_the_badge_stays() {
        let mut w = World::new(chrono_tz::Europe::Berlin);
        let d = w.decide("2026-11-27T15:30:00Z");
        assert!(d.notify);
        w.notified(&d);
        let later = w.decide("2026-11-27T15:45:00Z");
        assert!(later.due.is_some(), "still due: the badge stays");
        assert!(!later.notify, "but no second notification");
        // The badge clears at the window's end (6 h after 17:00).
        assert_eq!(later.next_check, Some(t("2026-11-27T22:00:00Z")));
        assert_eq!(w.decide("2026-11-27T22:00:00Z").due, None);
    }

    #[test]
    fn a_machine_asleep_at_reminder_time_is_reminded_once_on_wake() {
        let mut w = World::new(chrono_tz::America::New_York);
        // Asleep from Monday 2026-11-23 noon to Friday 2026-11-27 18:10 New York: four
        // reminders passed unanswered. Waking gives one, Friday's.
        let wake = w.decide("2026-11-27T23:10:00Z");
        assert_eq!(wake.due.map(|d| d.shift.date.day), Some(27));
        assert!(wake.notify);
        w.notified(&wake);
        assert!(!w.decide("2026-11-27T23:11:00Z").notify);
        // Waking the next morning instead: nothing (the window closed at 23:00).
        let w = World::new(chrono_tz::America::New_York);
        let morning = w.decide("2026-11-28T13:00:00Z");
        assert_eq!(morning.due, None);
    }

    #[test]
    fn snooze_hides_it_then_reminds_again_once() {
        let mut w = World::new(chrono_tz::Europe::Berlin);
        let first = w.decide("2026-11-27T15:30:00Z");
        w.notified(&first);
        w.state.snoozed_until = Some(t("2026-11-27T15:35:00Z").plus_minutes(SNOOZE_MINUTES));
        let snoozed = w.decide("2026-11-27T15:40:00Z");
        assert_eq!(snoozed.due, None);
        assert_eq!(snoozed.next_check, Some(t("2026-11-27T16:05:00Z")));
        let again = w.decide("2026-11-27T16:05:00Z");
        assert_eq!(again.due_since, Some(t("2026-11-27T16:05:00Z")));
        assert!(again.notify, "the snooze's end is a new reminder");
        w.notified(&again);
        assert!(!w.decide("2026-11-27T16:06:00Z").notify);
        // A snooze from an earlier day does not delay today's reminder.
        assert_eq!(
            w.decide("2026-11-30T15:30:00Z").due_since,
            Some(t("2026-11-30T15:30:00Z"))
        );
    }

    #[test]
    fn skip_today_skips_this_shift_only() {
        let mut w = World::new(chrono_tz::Europe::Berlin);
        let now = t("2026-11-27T15:40:00Z");
        let skip = shift_to_skip(&w.hours, 30, w.zone.as_ref(), now);
        assert_eq!(skip, Some(t("2026-11-27T08:00:00Z")), "Friday's shift");
        w.state.skipped_shift = skip;
        let d = w.decide("2026-11-27T15:40:00Z");
        assert_eq!(d.due, None);
        assert_eq!(d.next_check, Some(t("2026-11-30T15:30:00Z")));
        assert!(
            w.decide("2026-11-30T15:30:00Z").due.is_some(),
            "Monday reminds"
        );
        // Skipping on a day off skips the next working day.
        let sunday = t("2026-11-29T12:00:00Z");
        let skip = shift_to_skip(&w.hours, 30, w.zone.as_ref(), sunday);
        assert_eq!(skip, Some(t("2026-11-30T08:00:00Z")));
        let none = WorkingHours {
            days: vec![],
            ..WorkingHours::default()
        };
        assert_eq!(shift_to_skip(&none, 30, w.zone.as_ref(), sunday), None);
    }

    #[test]
    fn an_unanswered_reminder_never_runs_into_the_next_shift() {
        // 10:00–06:00 every day (UTC): the grace period (to 12:00) is cut at 10:00, when the
        // next shift starts and asks afresh.
        let mut w = World::new(chrono_tz::UTC);
        w.hours = WorkingHours {
            days: Weekday::ALL.to_vec(),
            start: LocalTime::hm(10, 0),
            end: LocalTime::hm(6, 0),
        };
        assert!(w.decide("2026-11-27T09:59:00Z").due.is_some());
        let d = w.decide("2026-11-27T10:00:00Z");
        assert_eq!(d.due, None);
        assert_eq!(d.next_check, Some(t("2026-11-28T05:30:00Z")));
    }

    #[test]
    fn a_lead_longer_than_the_shift_reminds_at_its_start() {
        let mut w = World::new(chrono_tz::Asia::Kolkata);
        w.hours.start = LocalTime::hm(16, 0);
        w.settings.lead_minutes = 120;
        // 16:00–17:00 IST with a 2-hour lead: at 16:00 IST (10:30Z).
        let d = w.decide("2026-11-27T10:30:00Z");
        assert_eq!(d.due_since, Some(t("2026-11-27T10:30:00Z")));
    }

    #[test]
    fn near_end_of_day_and_current_shift() {
        let hours = WorkingHours::default();
        let berlin = Tz(chrono_tz::Europe::Berlin);
        let near = |s: &str| near_end_of_day(&hours, 30, &berlin, t(s));
        assert!(!near("2026-11-27T14:29:00Z"), "15:29: too early");
        assert!(
            near("2026-11-27T14:30:00Z"),
            "15:30: an hour before the reminder"
        );
        assert!(near("2026-11-27T17:00:00Z"), "18:00: working late");
        assert!(!near("2026-11-28T14:30:00Z"), "Saturday");
        let shift = current_shift(&hours, &berlin, t("2026-11-27T10:00:00Z")).unwrap();
        assert_eq!(shift.start, t("2026-11-27T08:00:00Z"));
        assert_eq!(
            current_shift(&hours, &berlin, t("2026-11-27T16:00:00Z")),
            None
        );
    }

    #[test]
    fn settings_default_and_round_trip() {
        let s: ReminderSettings = serde_json::from_str("{}").unwrap();
        assert!(s.is_default() && s.enabled && s.lead_minutes == 30);
        let off: ReminderSettings =
            serde_json::from_str(r#"{"enabled":false,"lead_minutes":45}"#).unwrap();
        assert!(!off.is_default());
        let state = ReminderState {
            snoozed_until: Some(t("2026-11-27T16:05:00Z")),
            skipped_shift: None,
            notified: Some(t("2026-11-27T15:30:00Z")),
        };
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(serde_json::from_str::<ReminderState>(&json).unwrap(), state);
    }

    #[test]
    fn decode_and_encode_settings_and_state() {
        use crate::wire::check::round_trips;
        round_trips(&ReminderSettings::default());
        let off = ReminderSettings {
            enabled: false,
            lead_minutes: 45,
        };
        round_trips(&off);
        assert_eq!(
            crate::wire::from_str::<ReminderSettings>("{}"),
            Ok(ReminderSettings::default())
        );
        let lead = crate::wire::from_str::<ReminderSettings>(r#"{"lead_minutes":90}"#).unwrap();
        assert!(lead.enabled && lead.lead_minutes == 90);
        let e = crate::wire::from_str::<ReminderSettings>(r#"{"lead_minutes":-5}"#).unwrap_err();
        assert_eq!(e.path, "lead_minutes");
        let state = ReminderState {
            snoozed_until: Some(t("2026-11-27T16:05:00Z")),
            skipped_shift: Some(t("2026-11-27T08:00:00Z")),
            notified: Some(t("2026-11-27T15:30:00Z")),
        };
        round_trips(&state);
        round_trips(&ReminderState::default());
        assert_eq!(
            crate::wire::from_str::<ReminderState>("{}"),
            Ok(ReminderState::default())
        );
        let e = crate::wire::from_str::<ReminderState>(r#"{"notified":"yesterday"}"#).unwrap_err();
        assert_eq!(e.path, "notified");
    }
}
