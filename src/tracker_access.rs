//! Tracker access as the browser reports it. A user can withdraw StandIn's access to any
//! tracker (Firefox: about:addons › StandIn › Permissions; Chrome: the extension's site access),
//! and badges then stop there without a word. The worker asks `permissions.contains` for each
//! tracker's pattern at start and whenever permissions change, and stores what is missing
//! ([`TrackerAccess`], storage key [`crate::store::TRACKER_ACCESS_KEY`]); the options page, the
//! popup and the toolbar tooltip say so from that.

use crate::self_hosted::match_pattern;
use crate::sites::Origin;
use serde::{Deserialize, Serialize};

/// The public trackers, with the patterns the manifest declares for them (`TRACKER_MATCHES`
/// in `extension/manifest.mjs`, in both `content_scripts` and `host_permissions`).
pub const BUILT_IN: [(&str, &str); 4] = [
    ("GitHub", "https://github.com/*"),
    ("GitLab.com", "https://gitlab.com/*"),
    ("Jira Cloud", "https://*.atlassian.net/*"),
    ("Linear", "https://linear.app/*"),
];

/// A site StandIn reads, by the name the user knows it by and the pattern the browser grants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tracker {
    pub name: String,
    pub pattern: String,
}

/// Every tracker StandIn needs access to: the public ones, then one per self-hosted host
/// (named by the first address the user added on it).
pub fn trackers(origins: &[Origin]) -> Vec<Tracker> {
    let mut all: Vec<Tracker> = BUILT_IN
        .iter()
        .map(|(name, pattern)| Tracker {
            name: (*name).to_owned(),
            pattern: (*pattern).to_owned(),
        })
        .collect();
    for origin in origins {
        if let Some(pattern) = match_pattern(origin) {
            if all.iter().all(|t| t.pattern != pattern) {
                all.push(Tracker {
                    name: origin.base.clone(),
                    pattern,
                });
            }
        }
    }
    all
}

/// The trackers StandIn has no access to, in [`trackers`] order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackerAccess {
    #[serde(default)]
    pub missing: Vec<Tracker>,
}

impl TrackerAccess {
    /// From each tracker and whether the browser holds its permission.
    pub fn from_checks(checked: impl IntoIterator<Item = (Tracker, bool)>) -> TrackerAccess {
        TrackerAccess {
            missing: checked
                .into_iter()
                .filter_map(|(tracker, held)| (!held).then_some(tracker))
                .collect(),
        }
    }

    /// The patterns to ask for again, all in one request.
    pub fn patterns(&self) -> Vec<String> {
        self.missing.iter().map(|t| t.pattern.clone()).collect()
    }

    /// The popup's line, while anything is missing.
    pub fn notice(&self) -> Option<String> {
        let names = names(self.missing.iter().map(|t| t.name.as_str()))?;
        Some(format!(
            "StandIn cannot read {names}, so it shows no badges there."
        ))
    }

    /// The toolbar tooltip: `title`, and what is missing on a line of its own.
    pub fn tooltip(&self, title: &str) -> String {
        match names(self.missing.iter().map(|t| t.name.as_str())) {
            Some(names) => format!("{title}\nNo access to {names}: open StandIn to allow it."),
            None => title.to_owned(),
        }
    }

    /// The options page's word on the public trackers.
    pub fn built_in_note(&self) -> String {
        let (missing, working): (Vec<&str>, Vec<&str>) = BUILT_IN
            .iter()
            .map(|(name, _)| *name)
            .partition(|name| self.missing.iter().any(|t| t.name == *name));
        match (names(working.iter().copied()), missing.len()) {
            (Some(working), 0) => format!("{working} work as they are."),
            (Some(working), _) if working.contains(" and ") => {
                format!(
                    "{working} work as they are; the others need your permission again (above)."
                )
            }
            (Some(working), _) => {
                format!("{working} works as it is; the others need your permission again (above).")
            }
            (None, _) => "GitHub, GitLab.com, Jira Cloud and Linear need your permission again \
                          (above)."
                .to_owned(),
        }
    }
}

/// "A", "A and B", "A, B and C"; `None` for none.
fn names<'a>(names: impl Iterator<Item = &'a str>) -> Option<String> {
    let names: Vec<&str> = names.collect();
    let (last, rest) = names.split_last()?;
    Some(if rest.is_empty() {
        (*last).to_owned()
    } else {
        format!("{} and {last}", rest.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sites::Site;

    fn checked(origins: &[Origin], held: &[&str]) -> TrackerAccess {
        TrackerAccess::from_checks(trackers(origins).into_iter().map(|t| {
            let ok = held.contains(&t.pattern.as_str());
            (t, ok)
        }))
    }

    #[test]
    fn the_built_in_patterns_are_the_manifests() {
        let manifest = include_str!("../extension/manifest.mjs");
        let start = manifest.find("TRACKER_MATCHES = [").unwrap();
        let list = &manifest[start..start + manifest[start..].find("];").unwrap()];
        let declared: Vec<&str> = list.split('\'').skip(1).step_by(2).collect();
        let ours: Vec<&str> = BUILT_IN.iter().map(|(_, p)| *p).collect();
        assert_eq!(declared, ours);
    }

    #[test]
    fn self_hosted_trackers_follow_the_public_ones_one_per_host() {
        let origins = [
            Origin::new(Site::Jira, "https://corp.example/jira"),
            Origin::new(Site::GitLab, "https://corp.example/gitlab"),
            Origin::new(Site::GitHub, "http://ghe.lan"),
        ];
        let all = trackers(&origins);
        let tail: Vec<(&str, &str)> = all[4..]
            .iter()
            .map(|t| (t.name.as_str(), t.pattern.as_str()))
            .collect();
        assert_eq!(
            tail,
            [
                ("https://corp.example/jira", "https://corp.example/*"),
                ("http://ghe.lan", "http://ghe.lan/*")
            ]
        );
    }

    #[test]
    fn full_access_says_nothing() {
        let all: Vec<&str> = BUILT_IN.iter().map(|(_, p)| *p).collect();
        let access = checked(&[], &all);
        assert_eq!(access, TrackerAccess::default());
        assert_eq!(access.notice(), None);
        assert_eq!(access.tooltip("StandIn: available"), "StandIn: available");
        assert_eq!(
            access.built_in_note(),
            "GitHub, GitLab.com, Jira Cloud and Linear work as they are."
        );
    }

    #[test]
    fn what_is_missing_is_named_everywhere() {
        let origins = [Origin::new(Site::GitLab, "https://gitlab.corp")];
        let access = checked(
            &origins,
            &["https://gitlab.com/*", "https://*.atlassian.net/*"],
        );
        assert_eq!(
            access.patterns(),
            [
                "https://github.com/*",
                "https://linear.app/*",
                "https://gitlab.corp/*"
            ]
        );
        assert_eq!(
            access.notice().as_deref(),
            Some(
                "StandIn cannot read GitHub, Linear and https://gitlab.corp, so it shows no \
                 badges there."
            )
        );
        assert_eq!(
            access.tooltip("StandIn: available"),
            "StandIn: available\nNo access to GitHub, Linear and https://gitlab.corp: open \
             StandIn to allow it."
        );
        assert_eq!(
            access.built_in_note(),
            "GitLab.com and Jira Cloud work as they are; the others need your permission again \
             (above)."
        );
    }

    #[test]
    fn the_note_agrees_with_one_or_no_working_public_tracker() {
        assert_eq!(
            checked(&[], &["https://linear.app/*"]).built_in_note(),
            "Linear works as it is; the others need your permission again (above)."
        );
        let none = checked(&[], &[]);
        assert_eq!(
            none.built_in_note(),
            "GitHub, GitLab.com, Jira Cloud and Linear need your permission again (above)."
        );
        assert_eq!(
            none.notice().as_deref(),
            Some(
                "StandIn cannot read GitHub, GitLab.com, Jira Cloud and Linear, so it shows no \
                 badges there."
            )
        );
    }

    #[test]
    fn a_self_hosted_tracker_alone_leaves_the_public_note_whole() {
        let origins = [Origin::new(Site::GitHub, "https://ghe.corp")];
        let all: Vec<&str> = BUILT_IN.iter().map(|(_, p)| *p).collect();
        let access = checked(&origins, &all);
        assert_eq!(access.patterns(), ["https://ghe.corp/*"]);
        assert_eq!(
            access.built_in_note(),
            "GitHub, GitLab.com, Jira Cloud and Linear work as they are."
        );
    }
}
