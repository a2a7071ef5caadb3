//! Which people on a page are teammates: the roster's handles for the page's site, matched the
//! way the site compares names. GitHub, GitLab and Linear ignore case, so handles are
//! normalised by the site's adapter (the same normalisation the page's people went through).
//! Jira names people by account id (Cloud) or user name (Data Center), or only by display name:
//! a member's Jira handle may be either, so it is compared with the person's id exactly and with
//! their display name ignoring case and spacing.

use crate::api::name_key;
use crate::model::Member;
use crate::sites::{adapter, Person, Site};
use crate::team::TeamCache;

/// The roster's handles for one site, sorted for binary search: the worker builds it once per
/// team cache and site and keeps it (`src/wasm/inline.rs`), so each of a page's hundreds of
/// names costs a lookup. Sorted vectors filled by insertion rather than a map or a sort: each
/// of those adds its own code to the wasm module.
pub struct TeammateIndex {
    pub site: Site,
    by_handle: Vec<Claim>,
    /// Jira only: by display name, folded.
    by_name: Vec<Claim>,
}

/// A key, the member id it names, and whether another member claims it too (then it names
/// neither: the server lets one member hold a handle, and a roster where two do, from an older
/// or hostile server, must not let either stand in for the other).
type Claim = (String, String, bool);

impl TeammateIndex {
    pub fn new(team: &TeamCache, site: Site) -> TeammateIndex {
        let raw = |member| handle_on(member, site);
        // As the roster compares them: case, spacing and a leading @ aside.
        let mut claimed = Vec::new();
        for member in team.members.values() {
            if let Some(raw) = raw(member) {
                claim(&mut claimed, name_key(raw), &member.id);
            }
        }
        let mut by_handle = Vec::new();
        let mut by_name = Vec::new();
        for (_, id, shared) in &claimed {
            let Some(raw) = team.members.get(id).and_then(raw).filter(|_| !shared) else {
                continue;
            };
            if site == Site::Jira {
                claim(&mut by_handle, raw.to_owned(), id);
                claim(&mut by_name, fold(raw), id);
            } else if let Some(handle) =
                (adapter(site).normalize_handle)(raw.trim_start_matches('@'))
            {
                claim(&mut by_handle, handle, id);
            }
        }
        TeammateIndex {
            site,
            by_handle,
            by_name,
        }
    }

    /// The member id of a person on the page, if they are a teammate.
    pub fn member_for(&self, person: &Person) -> Option<&str> {
        if let Some(id) = find(&self.by_handle, &person.handle) {
            return Some(id);
        }
        if self.site != Site::Jira {
            return None;
        }
        // A Jira page that shows only a display name reports it as the handle.
        [Some(person.handle.as_str()), person.name.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|n| find(&self.by_name, &fold(n)))
    }
}

/// A member's handle on `site`, as the roster holds it.
fn handle_on(member: &Member, site: Site) -> Option<&str> {
    let h = &member.handles;
    let raw = match site {
        Site::GitHub => h.github.as_deref(),
        Site::GitLab => h.gitlab.as_deref(),
        Site::Jira => h.jira.as_deref(),
        Site::Linear => h.linear.as_deref(),
    };
    raw.map(str::trim).filter(|r| !r.is_empty())
}

/// Inserts `key` in order, or marks it shared when it is there already.
fn claim(sorted: &mut Vec<Claim>, key: String, id: &str) {
    match sorted.binary_search_by(|(k, ..)| k.as_str().cmp(&key)) {
        Ok(at) => sorted[at].2 = true,
        Err(at) => sorted.insert(at, (key, id.to_owned(), false)),
    }
}

fn find<'a>(sorted: &'a [Claim], key: &str) -> Option<&'a str> {
    let at = sorted
        .binary_search_by(|(k, ..)| k.as_str().cmp(key))
        .ok()?;
    let (_, id, shared) = &sorted[at];
    (!shared).then_some(id.as_str())
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
                .map(str::to_owned)
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
        let id = |p: Person| index.member_for(&p).map(str::to_owned);
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
                    .map(str::to_owned)
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
