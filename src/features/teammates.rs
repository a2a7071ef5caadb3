//! Which people on a page are teammates: the roster's handles for the page's site, matched the
//! way the site compares names. GitHub, GitLab and Linear ignore case, so handles are
//! normalised by the site's adapter (the same normalisation the page's people went through).
//! Jira names people by account id (Cloud) or user name (Data Center), or only by display name:
//! a member's Jira handle may be either, so it is compared with the person's id exactly and with
//! their display name ignoring case and spacing.

use crate::api::name_key;
use crate::model::Member;
use crate::sites::{adapter, lookup, Person, Site};
use crate::team::TeamCache;

/// The roster's handles for one site. Searched linearly: a roster is small, and a map type
/// would add its own code to the wasm module.
pub struct TeammateIndex<'a> {
    site: Site,
    by_handle: Vec<(String, &'a Member)>,
    /// Jira only: by display name, folded.
    by_name: Vec<(String, &'a Member)>,
}

impl<'a> TeammateIndex<'a> {
    pub fn new(team: &'a TeamCache, site: Site) -> TeammateIndex<'a> {
        let claimed: Vec<(String, &str, &Member)> = team
            .members
            .values()
            .filter_map(|member| {
                let h = &member.handles;
                let raw = match site {
                    Site::GitHub => h.github.as_deref(),
                    Site::GitLab => h.gitlab.as_deref(),
                    Site::Jira => h.jira.as_deref(),
                    Site::Linear => h.linear.as_deref(),
                };
                let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
                Some((name_key(raw), raw, member))
            })
            .collect();
        let mut by_handle = Vec::new();
        let mut by_name = Vec::new();
        for (key, raw, member) in &claimed {
            // The server lets one member hold a handle; a roster where two do (an older or
            // hostile server) must not let either stand in for the other, so neither matches.
            if claimed.iter().filter(|(k, ..)| k == key).count() > 1 {
                continue;
            }
            if site == Site::Jira {
                by_handle.push(((*raw).to_owned(), *member));
                by_name.push((fold(raw), *member));
            } else if let Some(handle) =
                (adapter(site).normalize_handle)(raw.trim_start_matches('@'))
            {
                by_handle.push((handle, *member));
            }
        }
        TeammateIndex {
            site,
            by_handle,
            by_name,
        }
    }

    /// The member a person on the page is, if any.
    pub fn member_for(&self, person: &Person) -> Option<&'a Member> {
        if let Some(m) = lookup(&self.by_handle, &person.handle) {
            return Some(m);
        }
        if self.site != Site::Jira {
            return None;
        }
        // A Jira page that shows only a display name reports it as the handle.
        [Some(person.handle.as_str()), person.name.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|n| lookup(&self.by_name, &fold(n)).copied())
    }
}

/// A display name compared ignoring case and runs of white space.
fn fold(name: &str) -> String {
    crate::text::lowercase(&name.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::{cache, member};
    use crate::model::Handles;
    use crate::sites::Role;

    fn person(handle: &str, name: Option<&str>) -> Person {
        Person {
            handle: handle.into(),
            name: name.map(str::to_owned),
            role: Role::Commenter,
            index: 0,
            rule: "test".into(),
        }
    }

    fn team() -> TeamCache {
        cache(vec![
            (
                member(
                    "1",
                    "Ada Lovelace",
                    Handles {
                        github: Some("@Ada-L ".into()),
                        gitlab: Some("ADA".into()),
                        linear: Some("ada.l".into()),
                        jira: Some("5b10ac8d82e05b22cc7d4ef5".into()),
                    },
                    "UTC",
                ),
                None,
            ),
            (
                member(
                    "2",
                    "Bo",
                    Handles {
                        jira: Some("Bob  Stone".into()),
                        ..Handles::default()
                    },
                    "UTC",
                ),
                None,
            ),
            (member("3", "Cy", Handles::default(), "UTC"), None),
        ])
    }

    #[test]
    fn github_gitlab_and_linear_ignore_case() {
        let team = team();
        let id = |site, p: Person| {
            TeammateIndex::new(&team, site)
                .member_for(&p)
                .map(|m| m.id.clone())
        };
        // Pages report handles already normalised by the adapter (lower case).
        assert_eq!(
            id(Site::GitHub, person("ada-l", None)).as_deref(),
            Some("1")
        );
        assert_eq!(id(Site::GitLab, person("ada", None)).as_deref(), Some("1"));
        assert_eq!(
            id(Site::Linear, person("ada.l", None)).as_deref(),
            Some("1")
        );
        // Only the handle for the page's site counts.
        assert_eq!(id(Site::GitHub, person("ada", None)), None);
        assert_eq!(id(Site::GitLab, person("ada-l", None)), None);
        // A display name is no GitHub identity.
        assert_eq!(id(Site::GitHub, person("cy", Some("Ada Lovelace"))), None);
    }

    #[test]
    fn jira_matches_account_ids_exactly_and_display_names_loosely() {
        let team = team();
        let index = TeammateIndex::new(&team, Site::Jira);
        let id = |p: Person| index.member_for(&p).map(|m| m.id.clone());
        assert_eq!(
            id(person("5b10ac8d82e05b22cc7d4ef5", None)).as_deref(),
            Some("1")
        );
        assert_eq!(id(person("5b10ac8d82e05b22cc7d4ef6", Some("Ada"))), None);
        // The roster names Bob by display name: the page's name or name-as-handle match it.
        assert_eq!(
            id(person("acc-123", Some("bob stone"))).as_deref(),
            Some("2")
        );
        assert_eq!(id(person("Bob Stone", None)).as_deref(), Some("2"));
        assert_eq!(id(person("acc-123", Some("Bob"))), None);
        // A member without a Jira handle is never matched by display name.
        assert_eq!(id(person("x", Some("Cy"))), None);
    }

    #[test]
    fn a_handle_two_members_claim_matches_neither() {
        let mut team = team();
        // An older or hostile server: Mal holds Ada's GitHub login (another case) and Bob's
        // Jira name (other spacing); whichever comes first or last, nobody gets the badge.
        for id in ["0", "9"] {
            team.members.insert(
                id.into(),
                member(
                    id,
                    "Mal",
                    Handles {
                        github: Some("ADA-L".into()),
                        jira: Some("bob stone".into()),
                        gitlab: Some("mal".into()),
                        ..Handles::default()
                    },
                    "UTC",
                ),
            );
            let who = |site, p: Person| {
                TeammateIndex::new(&team, site)
                    .member_for(&p)
                    .map(|m| m.id.clone())
            };
            assert_eq!(who(Site::GitHub, person("ada-l", None)), None);
            assert_eq!(who(Site::Jira, person("Bob Stone", None)), None);
            assert_eq!(who(Site::Jira, person("acc-1", Some("Bob Stone"))), None);
            // Handles nobody else claims still match.
            assert_eq!(who(Site::GitLab, person("ada", None)).as_deref(), Some("1"));
            team.members.remove(id);
        }
        // Two copies of Mal at once: "mal" is claimed twice, so it names neither.
        for id in ["0", "9"] {
            team.members.insert(
                id.into(),
                member(id, "Mal", crate::features::tests::github("mal"), "UTC"),
            );
        }
        let index = TeammateIndex::new(&team, Site::GitHub);
        assert_eq!(index.member_for(&person("mal", None)), None);
    }
}
