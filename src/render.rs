//! Render specs: what the content-script shim draws on a tracker page. A spec is a tree of
//! elements whose tags and attribute names come from closed enums and whose text is only ever
//! text (the shim puts it in an attribute that the stylesheet draws as generated content, out
//! of reach of the page's text search and selection), so a teammate's declaration — or a
//! hostile one — cannot become markup, script, a `javascript:` link or a style on the page.
//! The shim checks the same whitelist again before it creates anything (defence in depth,
//! `extension/content.js`).
//!
//! On the wire a spec is `{"tag":"span","attrs":{"class":"badge"},"text":"…","children":[…]}`.

use crate::api::AckRequest;
use crate::item_ref::parse_http_url;
use serde::Serialize;
use std::collections::BTreeMap;

/// The elements a spec may create.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tag {
    A,
    /// Bidirectional isolation: an RTL override in user text cannot reorder what follows it.
    Bdi,
    Button,
    Div,
    Em,
    Li,
    P,
    Small,
    Span,
    Strong,
    Time,
    Ul,
}

impl Tag {
    pub const ALL: [Tag; 12] = [
        Tag::A,
        Tag::Bdi,
        Tag::Button,
        Tag::Div,
        Tag::Em,
        Tag::Li,
        Tag::P,
        Tag::Small,
        Tag::Span,
        Tag::Strong,
        Tag::Time,
        Tag::Ul,
    ];
}

/// The attributes a spec may set. No `style`, no `on*`, no `id` (nothing the page could
/// target), no `src`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Attr {
    #[serde(rename = "class")]
    Class,
    #[serde(rename = "role")]
    Role,
    #[serde(rename = "tabindex")]
    Tabindex,
    #[serde(rename = "aria-label")]
    AriaLabel,
    #[serde(rename = "aria-hidden")]
    AriaHidden,
    #[serde(rename = "title")]
    Title,
    #[serde(rename = "datetime")]
    Datetime,
    #[serde(rename = "dir")]
    Dir,
    /// Only through [`RenderSpec::link`]: an absolute http(s) URL.
    #[serde(rename = "href")]
    Href,
    /// Set with every `href`: links open a new tab and tell the target nothing.
    #[serde(rename = "target")]
    Target,
    #[serde(rename = "rel")]
    Rel,
    /// Only through [`RenderSpec::action`]: the name of what pressing the element asks the
    /// worker to do.
    #[serde(rename = "data-action")]
    Action,
}

impl Attr {
    pub const ALL: [Attr; 12] = [
        Attr::Class,
        Attr::Role,
        Attr::Tabindex,
        Attr::AriaLabel,
        Attr::AriaHidden,
        Attr::Title,
        Attr::Datetime,
        Attr::Dir,
        Attr::Href,
        Attr::Target,
        Attr::Rel,
        Attr::Action,
    ];

    /// The attribute's name, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Attr::Class => "class",
            Attr::Role => "role",
            Attr::Tabindex => "tabindex",
            Attr::AriaLabel => "aria-label",
            Attr::AriaHidden => "aria-hidden",
            Attr::Title => "title",
            Attr::Datetime => "datetime",
            Attr::Dir => "dir",
            Attr::Href => "href",
            Attr::Target => "target",
            Attr::Rel => "rel",
            Attr::Action => "data-action",
        }
    }
}

/// What a control in a spec does when pressed: the shim sends it back to the worker as it got
/// it ([`RenderSpec::action`]), with the page's URL, and the worker checks and decides (the
/// shim knows no actions). `"dismiss_banner"` or `{"acknowledge":{"member_id":…,"item":…}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Hide the item banner for this page's item until a teammate declares it anew.
    DismissBanner,
    /// Acknowledge a hand-off addressed to the viewer: the worker holds it to the team cache
    /// (a hand-off the server resolved to the connected member) before it asks the server.
    Acknowledge(AckRequest),
}

impl Action {
    /// The control's `data-action`: the action's name, which the shim finds controls by.
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::DismissBanner => "dismiss_banner",
            Action::Acknowledge(_) => "acknowledge",
        }
    }
}

/// One element to draw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RenderSpec {
    pub tag: Tag,
    /// In [`Attr`] order on the wire.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<Attr, String>,
    /// The element's text, drawn before its children (as CSS-generated content, `inline.css`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<RenderSpec>,
    /// Draw the element now but its text and children only when the user first points at or
    /// focuses what the spec is drawn in: a badge's card is rarely opened, and a page can have
    /// hundreds of badges.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub lazy: bool,
    /// What pressing the element asks for; set with its `data-action` by [`RenderSpec::action`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
}

impl RenderSpec {
    pub fn new(tag: Tag) -> RenderSpec {
        RenderSpec {
            tag,
            attrs: BTreeMap::new(),
            text: None,
            children: Vec::new(),
            lazy: false,
            action: None,
        }
    }

    /// `<tag class="…">text</tag>`.
    pub fn text_el(tag: Tag, class: &str, text: impl Into<String>) -> RenderSpec {
        RenderSpec::new(tag).class(class).text(text)
    }

    /// User text, bounded to `max` characters, its bidi controls paired (after the cut, which
    /// may drop a closer) and isolated (`<bdi dir="auto">`): neutral however it is drawn.
    pub fn user_text(class: &str, text: &str, max: usize) -> RenderSpec {
        RenderSpec::new(Tag::Bdi)
            .class(class)
            .attr(Attr::Dir, "auto")
            .text(crate::display::shown(&bounded(text, max)))
    }

    pub fn class(self, class: &str) -> RenderSpec {
        self.attr(Attr::Class, class)
    }

    /// Sets an attribute; `href` goes through [`RenderSpec::link`] only, and `data-action`
    /// through [`RenderSpec::action`], and both are ignored here.
    pub fn attr(mut self, attr: Attr, value: impl Into<String>) -> RenderSpec {
        if attr != Attr::Href && attr != Attr::Action {
            self.attrs.insert(attr, clean(&value.into()));
        }
        self
    }

    pub fn text(mut self, text: impl Into<String>) -> RenderSpec {
        self.text = Some(clean(&text.into()));
        self
    }

    /// Makes the element a control that sends `action` back when pressed.
    pub fn action(mut self, action: Action) -> RenderSpec {
        self.attrs.insert(Attr::Action, action.as_str().to_owned());
        self.action = Some(action);
        self
    }

    pub fn lazy(mut self) -> RenderSpec {
        self.lazy = true;
        self
    }

    pub fn child(mut self, child: RenderSpec) -> RenderSpec {
        self.children.push(child);
        self
    }

    pub fn children(mut self, children: impl IntoIterator<Item = RenderSpec>) -> RenderSpec {
        self.children.extend(children);
        self
    }

    /// Makes the element a link to `url` when it is an absolute http(s) URL (the check that
    /// keeps `javascript:` and `data:` out); otherwise the element stays plain text.
    pub fn link(mut self, url: &str) -> RenderSpec {
        if parse_http_url(url).is_some() {
            self.attrs.insert(Attr::Href, url.to_owned());
            self.attrs.insert(Attr::Target, "_blank".into());
            self.attrs.insert(Attr::Rel, "noopener noreferrer".into());
        }
        self
    }

    /// Every spec in the tree, depth first (for tests and checks).
    pub fn walk(&self) -> Vec<&RenderSpec> {
        let mut out = vec![self];
        for c in &self.children {
            out.extend(c.walk());
        }
        out
    }

    /// All text of the tree, in document order (what a screen shows, roughly).
    pub fn all_text(&self) -> String {
        self.walk()
            .iter()
            .filter_map(|s| s.text.as_deref())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Text without control characters other than line breaks and tabs: a NUL or an escape byte
/// in a teammate's note has no business reaching a page. Bidi controls stay (they are
/// legitimate in RTL text); `user_text` pairs them and isolates them in `<bdi>`.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// At most `max` characters as users count them (grapheme clusters), with "…" when cut.
pub fn bounded(text: &str, max: usize) -> String {
    let text = text.trim();
    let cut = crate::text::grapheme_prefix_len(text, max);
    if cut < text.len() {
        format!("{}…", text[..cut].trim_end())
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_plain_json_with_whitelisted_names() {
        let spec = RenderSpec::new(Tag::Span)
            .class("badge")
            .attr(Attr::AriaLabel, "Alice: offline")
            .child(RenderSpec::text_el(Tag::Strong, "name", "Alice"));
        assert_eq!(
            serde_json::to_value(&spec).unwrap(),
            serde_json::json!({"tag": "span", "attrs": {"aria-label": "Alice: offline", "class": "badge"},
                               "children": [{"tag": "strong", "attrs": {"class": "name"}, "text": "Alice"}]})
        );
        let names: Vec<String> = Attr::ALL
            .iter()
            .map(|a| {
                serde_json::to_value(a)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        for name in &names {
            assert!(!name.starts_with("on") && name != "style" && name != "src" && name != "id");
        }
        let tags: Vec<String> = Tag::ALL
            .iter()
            .map(|t| {
                serde_json::to_value(t)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        for forbidden in [
            "script", "style", "iframe", "img", "svg", "math", "object", "form",
        ] {
            assert!(!tags.iter().any(|t| t == forbidden), "{forbidden}");
        }
    }

    #[test]
    fn attributes_are_written_by_their_wire_names() {
        for attr in Attr::ALL {
            assert_eq!(serde_json::to_value(attr).unwrap(), attr.as_str());
        }
        let mut every_attr = RenderSpec::new(Tag::A)
            .link("https://github.com/o/r/pull/1?a=\"b\"")
            .action(Action::DismissBanner);
        for attr in Attr::ALL {
            every_attr = every_attr.attr(attr, format!("{attr:?} \\ é"));
        }
        assert_eq!(every_attr.attrs.len(), Attr::ALL.len());
        assert_eq!(every_attr.attrs[&Attr::Action], "dismiss_banner");
    }

    #[test]
    fn actions_decode_by_their_wire_names() {
        crate::wire::check::round_trips(&Action::DismissBanner);
        let ack = Action::Acknowledge(AckRequest {
            member_id: "m-ada".into(),
            item: Some("github.com/o/r/pull/1".into()),
        });
        crate::wire::check::round_trips(&ack);
        assert_eq!(
            crate::wire::from_str::<Action>(r#""dismiss_banner""#),
            Ok(Action::DismissBanner)
        );
        assert_eq!(
            crate::wire::from_str::<Action>(
                r#"{"acknowledge":{"member_id":"m-ada","item":"github.com/o/r/pull/1"}}"#
            ),
            Ok(ack.clone())
        );
        assert!(crate::wire::from_str::<Action>(r#""DismissBanner""#).is_err());
        assert!(crate::wire::from_str::<Action>(r#""acknowledge""#).is_err());
        assert_eq!(
            crate::wire::from_str::<Action>(r#"{"acknowledge":{"item":"x"}}"#)
                .unwrap_err()
                .path,
            "acknowledge.member_id"
        );
        // The control carries its action's name, which the shim finds it by, and the action.
        let button = RenderSpec::new(Tag::Button).action(ack.clone());
        assert_eq!(button.attrs[&Attr::Action], "acknowledge");
        assert_eq!(
            serde_json::to_value(&button).unwrap()["action"],
            serde_json::json!({"acknowledge": {"member_id": "m-ada", "item": "github.com/o/r/pull/1"}})
        );
    }

    #[test]
    fn only_http_links_become_links() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:x",
            "//evil.example/x",
            "https://user:pw@evil.example/",
            "https://exa mple.com/",
            "java\nscript:alert(1)",
        ] {
            let spec = RenderSpec::new(Tag::A).link(bad);
            assert!(!spec.attrs.contains_key(&Attr::Href), "{bad}");
        }
        let spec = RenderSpec::new(Tag::A).link("https://github.com/o/r/pull/1");
        assert_eq!(
            spec.attrs.get(&Attr::Href).map(String::as_str),
            Some("https://github.com/o/r/pull/1")
        );
        assert_eq!(
            spec.attrs.get(&Attr::Rel).map(String::as_str),
            Some("noopener noreferrer")
        );
        // attr() cannot smuggle an href in.
        let spec = RenderSpec::new(Tag::A).attr(Attr::Href, "javascript:alert(1)");
        assert!(!spec.attrs.contains_key(&Attr::Href));
    }

    #[test]
    fn text_is_bounded_and_stripped_of_control_characters() {
        assert_eq!(bounded("  short  ", 10), "short");
        assert_eq!(bounded("abcdef", 3), "abc…");
        // A family emoji is one character.
        assert_eq!(bounded("👨‍👩‍👧‍👦👨‍👩‍👧‍👦x", 2), "👨‍👩‍👧‍👦👨‍👩‍👧‍👦…");
        let spec = RenderSpec::new(Tag::Span).text("a\u{0}b\u{1b}[31mc\nd\u{202e}e");
        assert_eq!(spec.text.as_deref(), Some("ab[31mc\nd\u{202e}e"));
        let user = RenderSpec::user_text("note", "\u{202e}gnp.exe", 100);
        assert_eq!(user.text.as_deref(), Some("\u{202e}gnp.exe\u{202c}"));
        assert_eq!(user.tag, Tag::Bdi);
        // Closed after the cut: the closer written at the end of a long text is gone.
        let long = format!("\u{202e}{}\u{202c}", "x".repeat(20));
        let user = RenderSpec::user_text("note", &long, 5);
        assert_eq!(user.text.as_deref(), Some("\u{202e}xxxx…\u{202c}"));
        assert_eq!(user.attrs.get(&Attr::Dir).map(String::as_str), Some("auto"));
    }
}
