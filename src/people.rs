//! Person fields (an item's hand-off, the cover) against the team's roster: the teammates the
//! popup's combobox offers as the user types ([`suggest`]), the one member a field names
//! ([`reference`], what is sent: the member's id), and the server's refusal of a declaration
//! that hands something to no member of the team ([`unknown_people`]). Pure, so the matching
//! is tested natively.

use crate::api::{name_key, names, resolve};
use crate::display::shown;
use crate::model::{Declaration, Member};
use crate::validate::FieldError;

/// A name as matching compares it while the user types: lower case and without accents
/// (`José` and `jose` are one), surrounding space and a leading `@` dropped.
pub fn fold(s: &str) -> String {
    let decomposed = crate::text::decompose(s.trim().trim_start_matches('@'));
    let bare: String = decomposed.chars().filter(|c| !is_mark(*c)).collect();
    crate::text::lowercase(&bare)
}

/// The combining diacritical mark blocks: what canonical decomposition splits off a letter.
fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Where a new word starts inside a name or handle: `Shun Ueda`, `shun-u`, `ana.lima`.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '_' | '.' | '@')
}

/// How well `query` (folded, not empty) fits `name`: 0 when the whole name starts with it,
/// 1 when one of its words does, `None` when neither.
fn fit(query: &str, name: &str) -> Option<u8> {
    let name = fold(name);
    if name.starts_with(query) {
        Some(0)
    } else if name.split(is_separator).any(|word| word.starts_with(query)) {
        Some(1)
    } else {
        None
    }
}

/// The teammates `typed` may mean, at most `limit`, best first: those whose display name
/// starts with it, then those with a name or handle that has a word starting with it, each
/// group by display name. An empty `typed` offers everyone.
pub fn suggest<'m>(typed: &str, members: &[&'m Member], limit: usize) -> Vec<&'m Member> {
    let query = fold(typed);
    let mut found: Vec<(u8, String, &Member)> = members
        .iter()
        .filter_map(|m| {
            let rank = if query.is_empty() {
                0
            } else {
                let display = fit(&query, &m.display_name).map(|f| f * 2);
                let any = names(m).filter_map(|n| fit(&query, n)).min().map(|_| 3);
                display.or(any)?
            };
            Some((rank, fold(&m.display_name), *m))
        })
        .collect();
    found.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    found.into_iter().take(limit).map(|(_, _, m)| m).collect()
}

/// Whom a person field's text names.
#[derive(Debug, PartialEq, Eq)]
pub enum Found<'m> {
    Member(&'m Member),
    NoOne,
    Several,
}

/// The member `typed` names: [`resolve`]'s (a member id, else the only member with that display
/// name or handle), else the only member one of whose names has a word equal to it, accents
/// ignored ("Shun" for Shun Ueda, "jose" for José).
pub fn find<'m>(typed: &str, members: &[&'m Member]) -> Found<'m> {
    if let Some(m) = resolve(typed, members) {
        return Found::Member(m);
    }
    let query = fold(typed);
    let mut named = members.iter().filter(|m| {
        names(m).any(|n| {
            let n = fold(n);
            n == query || n.split(is_separator).any(|word| word == query)
        })
    });
    match (named.next(), named.next()) {
        (Some(m), None) => Found::Member(m),
        (Some(_), Some(_)) => Found::Several,
        (None, _) => Found::NoOne,
    }
}

/// What a person field holds, read for sending: `None` when empty; without a team (`roster`
/// `None`) the text as typed; with one, the id of the member it names, or the message shown
/// beside the field when it names no one, or several.
pub fn reference(typed: &str, roster: Option<&[&Member]>) -> Result<Option<String>, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let Some(roster) = roster else {
        return Ok(Some(typed.to_string()));
    };
    match find(typed, roster) {
        Found::Member(m) => Ok(Some(m.id.clone())),
        Found::NoOne => Err(format!(
            "No teammate goes by \u{201c}{}\u{201d}: pick one from the list.",
            shown(typed)
        )),
        Found::Several => Err(format!(
            "\u{201c}{}\u{201d} fits several teammates: pick one from the list.",
            shown(typed)
        )),
    }
}

/// What a person field shows for a stored `reference`: the display name of the member whose id
/// it is, else the reference itself (a name typed without a team).
pub fn shown_name<'r>(reference: &'r str, roster: &'r [&Member]) -> &'r str {
    roster
        .iter()
        .find(|m| m.id == reference)
        .map_or(reference, |m| m.display_name.as_str())
}

/// The server's check of a declaration sent to a team: every hand-off and the cover must name
/// one member ([`resolve`], exactly as hand-offs are resolved when stored). One error per
/// reference that names no one, with its field path (`items[0].handoff_to`, `cover`).
pub fn unknown_people(declaration: &Declaration, members: &[&Member]) -> Vec<FieldError> {
    let cover = declaration
        .cover
        .as_deref()
        .map(|to| ("cover".to_string(), to));
    let items = declaration
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let to = item.handoff_to.as_deref()?;
            Some((format!("items[{i}].handoff_to"), to))
        });
    cover
        .into_iter()
        .chain(items)
        .filter(|(_, to)| resolve(to, members).is_none())
        .map(|(field, to)| {
            let key = name_key(to);
            let holders = members
                .iter()
                .filter(|m| names(m).any(|n| name_key(n) == key))
                .count();
            let message = if holders > 1 {
                format!(
                    "\u{201c}{}\u{201d} is a name of several members of the team: name one by their id or display name.",
                    shown(to)
                )
            } else {
                format!(
                    "No member of the team goes by \u{201c}{}\u{201d}: name one by their id, display name or a handle.",
                    shown(to)
                )
            };
            FieldError { field, message }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Handles, Status, WorkItem};

    fn member(id: &str, name: &str, github: Option<&str>) -> Member {
        Member {
            id: id.into(),
            display_name: name.into(),
            handles: Handles {
                github: github.map(Into::into),
                ..Handles::default()
            },
            timezone: "UTC".into(),
            working_hours: None,
        }
    }

    fn team() -> Vec<Member> {
        vec![
            member("m_shun", "Shun Ueda", Some("shun-u")),
            member("m_ana", "Ana Lima", Some("alima")),
            member("m_joao", "João Silva", None),
            member("m_anand", "Anand Rao", None),
            member("m_sam1", "Sam Ode", Some("sam")),
            member("m_sam2", "Samuel Ng", None),
        ]
    }

    fn ids(found: Vec<&Member>) -> Vec<&str> {
        found.into_iter().map(|m| m.id.as_str()).collect()
    }

    #[test]
    fn folding_drops_case_accents_and_a_leading_at() {
        assert_eq!(fold(" João "), "joao");
        assert_eq!(fold("@ZOË"), "zoe");
        assert_eq!(fold("Ñandú"), "nandu");
        // Already composed or decomposed: the same key.
        assert_eq!(fold("Jose\u{0301}"), fold("Jos\u{00e9}"));
        assert_eq!(fold("上田"), "上田");
    }

    #[test]
    fn typing_the_start_of_any_word_offers_the_teammate() {
        let team = team();
        let roster: Vec<&Member> = team.iter().collect();
        assert_eq!(ids(suggest("Shu", &roster, 8)), ["m_shun"]);
        assert_eq!(ids(suggest("shu", &roster, 8)), ["m_shun"]);
        assert_eq!(ids(suggest("ued", &roster, 8)), ["m_shun"], "a later word");
        assert_eq!(
            ids(suggest("shun u", &roster, 8)),
            ["m_shun"],
            "across words"
        );
        assert_eq!(
            ids(suggest("joa", &roster, 8)),
            ["m_joao"],
            "accents ignored"
        );
        assert_eq!(ids(suggest("JOÃO", &roster, 8)), ["m_joao"]);
        assert_eq!(ids(suggest("lima", &roster, 8)), ["m_ana"]);
        assert_eq!(ids(suggest("@alim", &roster, 8)), ["m_ana"], "a handle");
        // Display names that start with it first, then the rest, each by name.
        assert_eq!(ids(suggest("an", &roster, 8)), ["m_ana", "m_anand"]);
        assert_eq!(ids(suggest("sam", &roster, 8)), ["m_sam1", "m_sam2"]);
        assert_eq!(ids(suggest("ode", &roster, 8)), ["m_sam1"]);
        assert_eq!(ids(suggest("silv", &roster, 8)), ["m_joao"]);
        assert!(suggest("xyz", &roster, 8).is_empty());
        assert!(suggest("hun", &roster, 8).is_empty(), "prefixes only");
        // Nothing typed: everyone, by name, up to the limit.
        assert_eq!(ids(suggest("", &roster, 3)), ["m_ana", "m_anand", "m_joao"]);
    }

    #[test]
    fn a_field_names_a_member_by_id_name_handle_or_a_word_only_they_have() {
        let team = team();
        let roster: Vec<&Member> = team.iter().collect();
        let id = |typed| match find(typed, &roster) {
            Found::Member(m) => Some(m.id.as_str()),
            _ => None,
        };
        assert_eq!(id("m_shun"), Some("m_shun"));
        assert_eq!(id("Shun Ueda"), Some("m_shun"));
        assert_eq!(id("@shun-u"), Some("m_shun"));
        assert_eq!(id("Shun"), Some("m_shun"), "a first name only he has");
        assert_eq!(id("ueda"), Some("m_shun"));
        assert_eq!(id("joao silva"), Some("m_joao"), "accents ignored");
        assert_eq!(id("Ana"), Some("m_ana"), "Anand's name only starts with it");
        assert_eq!(id("sam"), Some("m_sam1"), "a handle wins over a word");
        assert_eq!(find("Shu", &roster), Found::NoOne, "a prefix is not a name");
        assert_eq!(find("Shun Ueda-san", &roster), Found::NoOne);
        let twins = [member("a", "Lee Park", None), member("b", "Lee Chan", None)];
        let twins: Vec<&Member> = twins.iter().collect();
        assert_eq!(find("lee", &twins), Found::Several);
    }

    #[test]
    fn a_field_reads_as_the_members_id_or_as_typed_without_a_team() {
        let team = team();
        let roster: Vec<&Member> = team.iter().collect();
        assert_eq!(reference("  ", Some(&roster)), Ok(None));
        assert_eq!(
            reference(" Shun ", Some(&roster)),
            Ok(Some("m_shun".into()))
        );
        assert_eq!(reference(" Shun ", None), Ok(Some("Shun".into())));
        assert_eq!(
            reference("Shu", Some(&roster)),
            Err("No teammate goes by \u{201c}Shu\u{201d}: pick one from the list.".into())
        );
        let twins = [member("a", "Lee Park", None), member("b", "Lee Chan", None)];
        let twins: Vec<&Member> = twins.iter().collect();
        assert_eq!(
            reference("Lee", Some(&twins)),
            Err("\u{201c}Lee\u{201d} fits several teammates: pick one from the list.".into())
        );
        // A typed name's bidi controls are closed inside the message.
        let rlo = reference("\u{202e}x", Some(&roster)).unwrap_err();
        assert!(rlo.contains("\u{202e}x\u{202c}"), "{rlo}");
        assert_eq!(shown_name("m_shun", &roster), "Shun Ueda");
        assert_eq!(shown_name("someone", &roster), "someone");
    }

    #[test]
    fn the_server_refuses_hand_offs_that_name_no_one_member() {
        let team = team();
        let mut roster: Vec<&Member> = team.iter().collect();
        let other = member("m_lee", "Lee", Some("sam-ode"));
        let sam_twin = Member {
            handles: Handles {
                gitlab: Some("sam".into()),
                ..Handles::default()
            },
            ..other
        };
        roster.push(&sam_twin);
        let item = |to: Option<&str>| WorkItem {
            url: "https://github.com/o/r/pull/1".into(),
            canonical_ref: String::new(),
            title: String::new(),
            note: String::new(),
            state: crate::model::ItemState::InProgress,
            handoff_to: to.map(Into::into),
        };
        let d = Declaration {
            status: Status::Offline,
            headline: "off".into(),
            emoji: None,
            note: String::new(),
            items: vec![
                item(Some("m_shun")),
                item(None),
                item(Some("Shun")),
                item(Some("@alima")),
                item(Some("sam")),
            ],
            blockers: String::new(),
            cover: Some("Ana Lima".into()),
            back_at: None,
            expires_at: None,
            timezone: "UTC".into(),
        };
        let refused = unknown_people(&d, &roster);
        let fields: Vec<&str> = refused.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["items[2].handoff_to", "items[4].handoff_to"]);
        assert!(refused[0]
            .message
            .starts_with("No member of the team goes by"));
        assert!(refused[1].message.contains("several members"));
        let d = Declaration {
            cover: Some("nobody".into()),
            ..d
        };
        assert_eq!(unknown_people(&d, &roster)[0].field, "cover");
    }
}
