//! Activity log: the items the user viewed (URL, canonical reference, title, site), kept in
//! `storage.local` under [`crate::store::ACTIVITY_KEY`] for the end-of-day pre-fill. Written by
//! the background worker when the shim reports a view; never sent anywhere. Bounded: one entry
//! per item (its latest view), at most [`MAX_ENTRIES`], none older than [`MAX_AGE_MS`].
//!
//! Runs on item pages.
//!
//! Test URLs: <https://github.com/o/r/pull/12/files>, <https://gitlab.com/g/p/-/merge_requests/3>.

use super::{Feature, FeatureId};
use crate::limits;
use crate::render::bounded;
use crate::sites::{canonical_item_ref, classify, item_title, Origin, Site};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

pub const FEATURE: Feature = Feature {
    id: FeatureId::Activity,
    on: &[],
    needs_item: true,
};

pub const MAX_ENTRIES: usize = 200;
pub const MAX_AGE_MS: i64 = 14 * 24 * 60 * 60 * 1000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub url: String,
    pub canonical_ref: String,
    /// The item's title from the page's document title ("" when the page did not say).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub title: String,
    pub site: Site,
    pub viewed_at: Timestamp,
}

/// The end-of-day pre-fill reads the log through its own view of an entry.
impl crate::prefill::Viewed for ActivityEntry {
    fn url(&self) -> &str {
        &self.url
    }
    fn canonical_ref(&self) -> &str {
        &self.canonical_ref
    }
    fn title(&self) -> &str {
        &self.title
    }
    fn viewed_at(&self) -> Timestamp {
        self.viewed_at
    }
}

/// The entry for a view of `url` whose document title is `document_title`; `None` when the page
/// shows no item (lists, settings) or the URL is not an http(s) tracker URL.
pub fn entry_for(
    url: &str,
    document_title: &str,
    origins: &[Origin],
    now: Timestamp,
) -> Option<ActivityEntry> {
    if url.len() > limits::MAX_URL_BYTES {
        return None;
    }
    let page = classify(url, origins)?;
    page.item.as_ref()?;
    let canonical_ref = canonical_item_ref(url, origins)?;
    let title = item_title(&page, document_title)
        .map(|t| bounded(&t, limits::ITEM_TITLE.max_graphemes))
        .unwrap_or_default();
    Some(ActivityEntry {
        url: url.to_owned(),
        canonical_ref,
        title,
        site: page.site,
        viewed_at: now,
    })
}

/// The log after a view: the item moves to the front (keeping its title when this view had
/// none), entries older than 14 days go, and at most 200 stay.
pub fn record(
    mut log: Vec<ActivityEntry>,
    mut entry: ActivityEntry,
    now: Timestamp,
) -> Vec<ActivityEntry> {
    if let Some(pos) = log
        .iter()
        .position(|e| e.canonical_ref == entry.canonical_ref)
    {
        let previous = log.remove(pos);
        if entry.title.is_empty() {
            entry.title = previous.title;
        }
    }
    log.insert(0, entry);
    let oldest = now.millis() - MAX_AGE_MS;
    log.retain(|e| e.viewed_at.millis() >= oldest);
    log.truncate(MAX_ENTRIES);
    log
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::NOW;

    fn view(url: &str, title: &str, at: Timestamp) -> ActivityEntry {
        entry_for(url, title, &crate::sites::sample_origins(), at).expect(url)
    }

    #[test]
    fn entries_name_the_item_with_its_canonical_ref_and_title() {
        let e = view(
            "https://github.com/o/r/pull/12/files",
            "Fix login by ada · Pull Request #12 · o/r · GitHub",
            NOW,
        );
        assert_eq!(e.canonical_ref, "github.com/o/r/pull/12");
        assert_eq!(e.title, "Fix login");
        assert_eq!(e.site, Site::GitHub);
        let o = crate::sites::sample_origins();
        for not_an_item in [
            "https://github.com/o/r/pulls",
            "https://github.com/settings/profile",
            "https://example.com/o/r/pull/1",
            "javascript:alert(1)",
        ] {
            assert_eq!(entry_for(not_an_item, "", &o, NOW), None, "{not_an_item}");
        }
        let long = format!("https://github.com/o/r/pull/1?{}", "q".repeat(3000));
        assert_eq!(entry_for(&long, "", &o, NOW), None);
    }

    #[test]
    fn decoded_entries_are_what_serde_wrote() {
        let titled = view(
            "https://gitlab.com/g/p/-/merge_requests/3",
            "Fix login (!3) · Merge requests · g / p · GitLab",
            NOW,
        );
        assert!(!titled.title.is_empty());
        crate::wire::check::round_trips(&titled);
        let untitled = view("https://github.com/o/r/issues/2", "", NOW);
        assert_eq!(untitled.title, "");
        crate::wire::check::round_trips(&untitled);
        // Entries logged before titles were kept have none.
        let mut json = serde_json::to_value(&untitled).unwrap();
        json.as_object_mut().unwrap().remove("title");
        let old = crate::wire::from_str::<ActivityEntry>(&json.to_string()).unwrap();
        assert_eq!(old, untitled);
        json["site"] = "bitbucket".into();
        let e = crate::wire::from_str::<ActivityEntry>(&json.to_string()).unwrap_err();
        assert_eq!(e.path, "site");
    }

    #[test]
    fn one_entry_per_item_newest_first() {
        let mut log = Vec::new();
        log = record(
            log,
            view(
                "https://github.com/o/r/pull/1",
                "A · Pull Request #1 · o/r · GitHub",
                NOW,
            ),
            NOW,
        );
        log = record(log, view("https://github.com/o/r/issues/2", "", NOW), NOW);
        // The same PR on another tab, with a title the page had not set yet.
        log = record(
            log,
            view(
                "https://github.com/o/r/pull/1/files",
                "GitHub",
                NOW.plus_minutes(5),
            ),
            NOW,
        );
        let refs: Vec<_> = log.iter().map(|e| e.canonical_ref.as_str()).collect();
        assert_eq!(refs, ["github.com/o/r/pull/1", "github.com/o/r/issues/2"]);
        assert_eq!(log[0].title, "A", "an earlier title is kept");
        assert_eq!(log[0].url, "https://github.com/o/r/pull/1/files");
    }

    #[test]
    fn the_log_keeps_two_hundred_entries_and_fourteen_days() {
        let mut log = Vec::new();
        for n in 0..250 {
            let at = NOW.plus_minutes(-(250 - n));
            log = record(
                log,
                view(&format!("https://github.com/o/r/pull/{}", n + 1), "", at),
                at,
            );
        }
        assert_eq!(log.len(), MAX_ENTRIES);
        assert_eq!(log[0].canonical_ref, "github.com/o/r/pull/250");
        assert_eq!(log[199].canonical_ref, "github.com/o/r/pull/51");
        // Fifteen days later only the new view is left.
        let later = NOW.plus_ms(MAX_AGE_MS + 24 * 60 * 60 * 1000);
        let log = record(
            log,
            view("https://github.com/o/r/pull/999", "", later),
            later,
        );
        assert_eq!(log.len(), 1);
        // An entry exactly 14 days old stays.
        let edge = record(
            vec![view("https://github.com/o/r/pull/1", "", NOW)],
            view("https://github.com/o/r/pull/2", "", NOW.plus_ms(MAX_AGE_MS)),
            NOW.plus_ms(MAX_AGE_MS),
        );
        assert_eq!(edge.len(), 2);
    }
}
