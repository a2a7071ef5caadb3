//! Content features: what StandIn shows and records on tracker pages, one feature per file
//! (Refined GitHub's shape, STYLE.md), each declaring where it runs. Pure: the background worker
//! calls these with the team cache, a clock and zone rules, and the generic content-script shim
//! (`extension/content.js`) only runs the scan plan and draws the [`RenderSpec`]s returned here.
//!
//! The protocol (requests are [`crate::message::Request`] variants):
//!
//! 1. On load and on every SPA navigation the shim sends `{"plan":{"url":…}}` and gets a
//!    [`PlanReply`]: the features that run on the page, the sites adapter's scan plan, the
//!    rules whose descriptors are context for every later batch (the viewer's login) and whether
//!    to report the view. The worker's loader adds the stylesheet for its shadow roots
//!    (`extension/inline.css`, see [`PlanReply`]).
//! 2. It runs the plan (`crate::sites` documents the loop) and sends
//!    `{"render":{"url":…,"descriptors":"[…]","full":true}}` (the descriptors as JSON text, see
//!    [`Descriptors`], identical ones once with the other elements in `also`); the
//!    [`RenderReply`] holds the distinct specs and where each goes: beside
//!    a decorated element (`element` = descriptor index) or on the page (`element: null`, the
//!    item banner, on full renders only). Later batches (nodes the page added) are sent with
//!    `full: false` and get element mounts only. A full render replaces what the shim drew for
//!    the elements it names; the team cache or the items' live state changing triggers one
//!    (with `"fresh":true`): the worker sends [`TeamChanged`] to the tabs (the shim reads no storage,
//!    docs/architecture.md).
//! 3. `{"viewed":{"url":…,"title":…}}` after the first render when `report_view` (activity log),
//!    and `{"act":{"url":…,"action":…}}` when a control with `data-action` is pressed.

pub mod activity;
pub mod badges;
pub mod banner;
pub mod teammates;

use crate::render::RenderSpec;
use crate::sites::{self, Descriptor, Origin, Page, PageKind, Role, ScanPlan};
use crate::team::TeamCache;
use crate::time::{Timestamp, ZoneOffsets};
use serde::{Deserialize, Serialize};

/// The features, by the id the shim sees (and the name of their file).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureId {
    Badges,
    Banner,
    Activity,
}

/// Where a feature runs.
#[derive(Debug)]
pub struct Feature {
    pub id: FeatureId,
    /// Page kinds it runs on; empty means every page of a known site.
    pub on: &'static [PageKind],
    /// Only where the page shows one item (a PR, or an issue open in a side panel too).
    pub needs_item: bool,
}

impl Feature {
    pub fn runs_on(&self, page: &Page) -> bool {
        (self.on.is_empty() || self.on.contains(&page.kind))
            && (!self.needs_item || page.item.is_some())
    }
}

/// Every content feature, in the order their output is drawn.
pub const REGISTRY: &[Feature] = &[badges::FEATURE, banner::FEATURE, activity::FEATURE];

/// The features that run on a page.
pub fn features_for(page: &Page) -> Vec<FeatureId> {
    REGISTRY
        .iter()
        .filter(|f| f.runs_on(page))
        .map(|f| f.id)
        .collect()
}

fn runs(page: &Page, id: FeatureId) -> bool {
    REGISTRY.iter().any(|f| f.id == id && f.runs_on(page))
}

/// The answer to `{"plan":{"url":…}}`. On its way to the shim the worker's loader
/// (`extension/background.js`) adds `style`: the stylesheet of every shadow root the shim owns
/// (badges, cards, banner), light and dark, `extension/inline.css`. It is a file of the package
/// rather than text in the wasm module, where it took 2.6 KiB of the worker's gzipped budget.
/// The page's styles cannot reach in; `all: initial` keeps inherited ones out too. The shim
/// sets `data-theme` on each host from the page's own background; without it, the OS scheme
/// decides. Every text is drawn from the element's `data-text` attribute as generated content
/// (the stylesheet's first rule): it is no DOM text, so the page's `window.find`, selection and
/// copy cannot read it, while the accessibility tree has it (docs/architecture.md). So
/// `::before` is the text's; decorations use `::after`. Its notes live here rather than in the
/// file, which every tracker page receives.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlanReply {
    pub features: Vec<FeatureId>,
    /// `None` when nothing runs on the page (a URL off the known sites).
    pub plan: Option<ScanPlan>,
    /// Rules whose descriptors the shim sends again with every later batch: the viewer's login,
    /// which the adapters need to tell the viewer's own avatar from a participant.
    pub context_rules: Vec<&'static str>,
    /// Send `{"viewed":…}` once the page has rendered (the activity log).
    pub report_view: bool,
}

/// The worker's word to a tab's shim that what it draws from changed (the team, or the items' live
/// state): `{"team_changed":true}`.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct TeamChanged {
    team_changed: bool,
}

impl TeamChanged {
    pub const MESSAGE: TeamChanged = TeamChanged { team_changed: true };
}

/// What to tell the shim about `url`.
pub fn plan_for(url: &str, origins: &[Origin]) -> PlanReply {
    let page = sites::classify(url, origins);
    let features = page.as_ref().map(features_for).unwrap_or_default();
    let plan = page
        .as_ref()
        .filter(|_| features.contains(&FeatureId::Badges))
        .map(|page| {
            let mut plan = sites::scan_plan(page);
            // Every element's text, not only what the adapter reads: an element without text
            // is an avatar, and a teammate's avatar beside their name needs no second badge.
            for rule in &mut plan.rules {
                rule.text = true;
            }
            plan
        });
    let context_rules = plan
        .iter()
        .flat_map(|p| &p.rules)
        .filter(|r| r.role == Some(Role::Viewer))
        .map(|r| r.id)
        .collect();
    PlanReply {
        report_view: features.contains(&FeatureId::Activity),
        features,
        plan,
        context_rules,
    }
}

/// `{"render":…}`: what the shim read on a page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderRequest {
    pub url: String,
    #[serde(default)]
    pub descriptors: Descriptors,
    /// A full render (first scan, team changed, after an action): page-level specs too, and it
    /// replaces what was drawn for the elements it names.
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub full: bool,
    /// The shim saw the team cache change: the worker reads storage again rather than trust
    /// what it holds, which it may not have heard about yet (both hear of a change at once).
    #[serde(default, deserialize_with = "crate::wire::nullable")]
    pub fresh: bool,
}

/// The descriptors of a render request, as JSON text on the wire both ways: one string crosses
/// into the wasm module at once and serde_json reads it there with no call back into JS, where
/// reading 3,000 JS objects field by field across the boundary (serde-wasm-bindgen) takes
/// 18 ms against 5 (`tests/wasm_roundtrip.rs`; `tests/bench/inline.mjs` measures the whole
/// path). Text only, so the worker reads `Descriptor` with one deserializer, not two.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Descriptors(pub Vec<Descriptor>);

/// The longest descriptors text a request may carry (a heavy PR page sends ~150 KiB).
pub const MAX_DESCRIPTORS_JSON: usize = 8 << 20;

impl Serialize for Descriptors {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let json = crate::wire::to_json(&self.0)
            .ok_or_else(|| serde::ser::Error::custom("descriptors cannot be written"))?;
        serializer.serialize_str(&json)
    }
}

impl<'de> Deserialize<'de> for Descriptors {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Descriptors;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("descriptors as JSON text")
            }

            fn visit_str<E: serde::de::Error>(self, json: &str) -> Result<Descriptors, E> {
                if json.len() > MAX_DESCRIPTORS_JSON {
                    return Err(E::custom("too many descriptors"));
                }
                // The error names the path inside the text: `[2].rule: …`. In the browser this
                // is `JSON.parse` and serde-wasm-bindgen, so serde_json's reader stays out of
                // the worker (13 KiB); the shim groups identical descriptors, so few cross.
                crate::wire::from_body(json)
                    .map(Descriptors)
                    .map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// Most descriptors one request may carry: a page with more named elements than this is not a
/// page people read, and the worker's time is bounded.
pub const MAX_DESCRIPTORS: usize = 20_000;

/// One spec to draw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mount {
    pub feature: FeatureId,
    /// The descriptor index of the element the spec goes beside; `None` for the page (banner).
    pub element: Option<u32>,
    pub spec: RenderSpec,
}

/// The answer to `{"render":…}`: each distinct spec once (a teammate named 40 times on a page
/// has one badge spec), and where each goes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RenderReply {
    pub specs: Vec<RenderSpec>,
    pub mounts: Vec<Placed>,
}

/// A [`Mount`] on the wire: its spec by index into [`RenderReply::specs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Placed {
    pub feature: FeatureId,
    pub element: Option<u32>,
    pub spec: usize,
}

impl RenderReply {
    pub fn new(mounts: Vec<Mount>) -> RenderReply {
        let mut reply = RenderReply::default();
        for m in mounts {
            // Few distinct specs per page: a linear search beats hashing whole trees.
            let spec = match reply.specs.iter().rposition(|s| *s == m.spec) {
                Some(i) => i,
                None => {
                    reply.specs.push(m.spec);
                    reply.specs.len() - 1
                }
            };
            reply.mounts.push(Placed {
                feature: m.feature,
                element: m.element,
                spec,
            });
        }
        reply
    }
}

/// Everything a render decides from, besides what the shim read.
pub struct Inputs<'a> {
    /// The page's URL as the shim reports it.
    pub url: &'a str,
    pub page: &'a Page,
    pub team: &'a TeamCache,
    /// The team's handles on the page's site ([`teammates::TeammateIndex::new`] of `team`).
    pub teammates: &'a teammates::TeammateIndex,
    pub now: Timestamp,
    /// The zone the viewer reads times in (their settings' zone, else the browser's).
    pub viewer_zone: &'a dyn ZoneOffsets,
    /// The rules of a member's IANA zone.
    pub zone_of: &'a dyn Fn(&str) -> Box<dyn ZoneOffsets>,
    pub origins: &'a [Origin],
    pub dismissed: &'a [banner::Dismissal],
    /// The viewer's member id when connected to a team: hand-offs to them read "to you".
    pub me: Option<&'a str>,
    /// Declared items' live state (`store::LIVE_KEY`): the banner's state and drift lines, the
    /// card's drift lines.
    pub live: &'a crate::live::LiveMap,
}

impl Inputs<'_> {
    /// The live state of `member`'s declared `item`, its times in the viewer's zone.
    pub fn item_live(
        &self,
        member: &crate::model::Member,
        item: &crate::model::WorkItem,
    ) -> Option<crate::live_lines::ItemLive> {
        let time = |t| crate::display::time_or_date_text(t, self.now, self.viewer_zone);
        crate::live_lines::item_live(
            self.live,
            self.team,
            &member.id,
            &member.display_name,
            item,
            &time,
        )
    }
}

/// A hand-off of `declarer`'s current declaration (`item` key; `None` for the cover) that the
/// server resolved to the viewer `me`: `Some(acknowledged)`. `None` when it is someone else's,
/// unresolved, or there is no viewer (not connected). What draws "to you" and its button, and
/// what a page's request to acknowledge is held to: nothing else may be acknowledged from a page.
pub fn handoff_to_me(
    team: &TeamCache,
    me: Option<&str>,
    declarer: &str,
    item: Option<&str>,
) -> Option<bool> {
    let me = me?;
    let state = team.states.get(declarer)?;
    state.state.as_ref()?;
    (state.recipient(item)? == me).then(|| {
        state
            .acks
            .iter()
            .any(|ack| ack.by == me && ack.item.as_deref() == item)
    })
}

/// The specs for what the shim read: a badge per teammate on the page, and on a full render the
/// item banner.
pub fn render(inputs: &Inputs, descriptors: &[Descriptor], full: bool) -> Vec<Mount> {
    let mut mounts = Vec::new();
    if runs(inputs.page, FeatureId::Badges) {
        // Bounded by the elements described, however the shim grouped them.
        let within = descriptors
            .iter()
            .scan(0, |elements, d| {
                *elements += 1 + d.also.len();
                Some(*elements)
            })
            .take_while(|&elements| elements <= MAX_DESCRIPTORS)
            .count();
        let descriptors = &descriptors[..within];
        let people = sites::people(inputs.page, descriptors);
        // The people's elements that show text. `people` is by element, one person each, so
        // these come out sorted for `binary_search`, with no sort of their own.
        let mut shows_text = vec![false; people.len()];
        for d in descriptors {
            if d.text.as_deref().is_some_and(|t| !t.trim().is_empty()) {
                for index in d.indices() {
                    if let Ok(i) = people.binary_search_by_key(&index, |p| p.index) {
                        shows_text[i] = true;
                    }
                }
            }
        }
        let named: Vec<u32> = people
            .iter()
            .zip(shows_text)
            .filter_map(|(p, text)| text.then_some(p.index))
            .collect();
        mounts.extend(badges::mounts(inputs, &people, &named));
    }
    if full && runs(inputs.page, FeatureId::Banner) {
        mounts.extend(banner::mount(inputs));
    }
    mounts
}

/// A made-up render for a waking worker to run once, at its start (`src/wasm/inline.rs`):
/// `{"team":…,"message":{"render":…}}`, a team of one away member with a work item, and the
/// render request of a PR page that names them through several of GitHub's rules, each element
/// twice. Decoded the way a stored team cache and a shim's request are, it takes their whole
/// path, decode to reply, while the worker waits for its first storage read, so a page's own
/// request finds that code compiled. JSON text rather than Rust values: the worker's module
/// already holds the code that reads it.
pub const REHEARSAL: &str = include_str!("rehearsal.json");

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::api::MemberState;
    use crate::model::{Declaration, DeclaredState, Handles, ItemState, Member, Status, WorkItem};
    use crate::sites::classify;
    use crate::time::FixedOffset;

    /// 2026-11-18T11:06:40Z, a Wednesday.
    pub const NOW: Timestamp = Timestamp(1_795_000_000_000);

    pub fn member(id: &str, name: &str, handles: Handles, timezone: &str) -> Member {
        Member {
            id: id.into(),
            display_name: name.into(),
            handles,
            timezone: timezone.into(),
            working_hours: None,
        }
    }

    pub fn github(login: &str) -> Handles {
        Handles {
            github: Some(login.into()),
            ..Handles::default()
        }
    }

    pub fn declaration(status: Status) -> Declaration {
        Declaration::new(status, "Reviewing", "Europe/Berlin")
    }

    pub fn item(url: &str, state: ItemState) -> WorkItem {
        WorkItem {
            url: url.into(),
            canonical_ref: String::new(),
            title: "Fix login".into(),
            note: "Needs a second pair of eyes".into(),
            state,
            handoff_to: None,
        }
    }

    /// A cache with `members` and, for each, an optional declaration made 3 h before [`NOW`].
    /// A team cache as the server would send it: hand-offs resolved against these members.
    pub fn cache(members: Vec<(Member, Option<Declaration>)>) -> TeamCache {
        let roster: Vec<&Member> = members.iter().map(|(m, _)| m).collect();
        let states: Vec<MemberState> = members
            .iter()
            .filter_map(|(m, d)| {
                let d = d.as_ref()?;
                Some(MemberState {
                    member_id: m.id.clone(),
                    version: 1,
                    recipients: crate::api::recipients(d, &roster),
                    state: Some(DeclaredState {
                        declaration: d.clone(),
                        declared_at: NOW.plus_minutes(-180),
                        version: 1,
                    }),
                    acks: vec![],
                })
            })
            .collect();
        let mut cache = TeamCache::default();
        for s in states {
            cache.states.insert(s.member_id.clone(), s);
        }
        for (m, _) in members {
            cache.members.insert(m.id.clone(), m);
        }
        cache
    }

    /// Berlin is UTC+1 in November, Kolkata +5:30; the viewer reads UTC+9 (Tokyo).
    pub fn zone_of(name: &str) -> Box<dyn ZoneOffsets> {
        Box::new(FixedOffset(match name {
            "Europe/Berlin" => 60,
            "Asia/Kolkata" => 330,
            _ => 0,
        }))
    }

    pub const VIEWER: FixedOffset = FixedOffset(9 * 60);

    /// Runs `f` with inputs for `url` over `team`, read by no one connected.
    pub fn with_inputs<T>(
        url: &str,
        team: &TeamCache,
        dismissed: &[banner::Dismissal],
        f: impl FnOnce(&Inputs) -> T,
    ) -> T {
        with_viewer(url, team, dismissed, None, f)
    }

    /// Runs `f` with inputs for `url` over `team`, read by member `me`.
    pub fn with_viewer<T>(
        url: &str,
        team: &TeamCache,
        dismissed: &[banner::Dismissal],
        me: Option<&str>,
        f: impl FnOnce(&Inputs) -> T,
    ) -> T {
        with_live(url, team, dismissed, me, &crate::live::LiveMap::new(), f)
    }

    /// Runs `f` with inputs for `url` over `team` and the items' `live` state, read by `me`.
    pub fn with_live<T>(
        url: &str,
        team: &TeamCache,
        dismissed: &[banner::Dismissal],
        me: Option<&str>,
        live: &crate::live::LiveMap,
        f: impl FnOnce(&Inputs) -> T,
    ) -> T {
        let page = classify(url, &crate::sites::sample_origins()).unwrap();
        let origins = crate::sites::sample_origins();
        let teammates = teammates::TeammateIndex::new(team, page.site);
        let inputs = Inputs {
            url,
            page: &page,
            team,
            teammates: &teammates,
            now: NOW,
            viewer_zone: &VIEWER,
            zone_of: &zone_of,
            origins: &origins,
            dismissed,
            me,
            live,
        };
        f(&inputs)
    }

    #[test]
    fn only_hand_offs_the_server_resolved_to_the_viewer_are_theirs_to_acknowledge() {
        let mut d = declaration(Status::Offline);
        d.cover = Some("bob".into());
        let mut pr = item("https://github.com/o/r/pull/1", ItemState::Blocked);
        pr.handoff_to = Some("Bob".into());
        let mut other = item("https://github.com/o/r/pull/2", ItemState::Blocked);
        other.handoff_to = Some("cy".into());
        d.items = vec![pr, other];
        let mut team = cache(vec![
            (member("a", "Ada", github("ada"), "UTC"), Some(d)),
            (member("b", "Bob", github("bob"), "UTC"), None),
            (member("c", "Cy", github("cy"), "UTC"), None),
        ]);
        let pr1 = Some("https://github.com/o/r/pull/1");
        let pr2 = Some("https://github.com/o/r/pull/2");
        assert_eq!(handoff_to_me(&team, Some("b"), "a", None), Some(false));
        assert_eq!(handoff_to_me(&team, Some("b"), "a", pr1), Some(false));
        // Someone else's, an item not declared, a declarer unknown, no viewer: none.
        assert_eq!(handoff_to_me(&team, Some("b"), "a", pr2), None);
        assert_eq!(handoff_to_me(&team, Some("c"), "a", pr2), Some(false));
        assert_eq!(handoff_to_me(&team, Some("b"), "a", Some("x")), None);
        assert_eq!(handoff_to_me(&team, Some("b"), "zz", None), None);
        assert_eq!(handoff_to_me(&team, None, "a", None), None);
        // An acknowledgement by someone else, or of another hand-off, is not Bob's.
        let ack = |item: Option<&str>, by: &str| crate::api::Ack {
            item: item.map(str::to_owned),
            by: by.into(),
            at: NOW,
        };
        let acks = &mut team.states.get_mut("a").unwrap().acks;
        acks.extend([ack(pr2, "c"), ack(None, "c")]);
        assert_eq!(handoff_to_me(&team, Some("b"), "a", None), Some(false));
        team.states.get_mut("a").unwrap().acks.push(ack(pr1, "b"));
        assert_eq!(handoff_to_me(&team, Some("b"), "a", pr1), Some(true));
        // A cleared declaration hands nothing, whatever its recipients said.
        team.states.get_mut("a").unwrap().state = None;
        assert_eq!(handoff_to_me(&team, Some("b"), "a", None), None);
    }

    #[test]
    fn features_declare_where_they_run() {
        let o = crate::sites::sample_origins();
        let on = |url: &str| features_for(&classify(url, &o).unwrap());
        use FeatureId::*;
        assert_eq!(
            on("https://github.com/o/r/pull/1/files"),
            [Badges, Banner, Activity]
        );
        assert_eq!(on("https://github.com/o/r/pulls"), [Badges]);
        assert_eq!(on("https://github.com/o/r"), [Badges]);
        assert_eq!(
            on("https://linear.app/acme/team/ENG/active?peek=ENG-7"),
            [Badges, Banner, Activity],
            "an issue open in a side panel is an item page"
        );
        assert_eq!(
            on("https://jira.corp.example/jira/browse/KEY-1"),
            [Badges, Banner, Activity]
        );
        // Every feature has a distinct id.
        let mut ids: Vec<_> = REGISTRY.iter().map(|f| f.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), REGISTRY.len());
    }

    #[test]
    fn plans_carry_the_viewer_as_context_and_nothing_off_the_known_sites() {
        let reply = plan_for("https://github.com/o/r/pull/1", &[]);
        assert_eq!(reply.context_rules, ["viewer"]);
        assert!(reply.report_view);
        assert!(reply.plan.as_ref().is_some_and(|p| !p.rules.is_empty()));
        let json = serde_json::to_value(&reply).unwrap();
        assert_eq!(
            json["features"],
            serde_json::json!(["badges", "banner", "activity"])
        );
        assert!(
            json.get("style").is_none(),
            "the loader adds the stylesheet"
        );

        let off = plan_for("https://example.com/o/r/pull/1", &[]);
        assert_eq!(off.features, []);
        assert_eq!(off.plan, None);
        assert!(!off.report_view);
        // A self-hosted origin counts once the user enabled it.
        let ghe = "https://github.example.com/acme/app/pull/9";
        assert_eq!(plan_for(ghe, &[]).plan, None);
        assert!(plan_for(ghe, &crate::sites::sample_origins())
            .plan
            .is_some());
    }

    #[test]
    fn the_team_change_message_is_what_the_shim_listens_for() {
        // extension/content.js `told`: `message?.team_changed === true`.
        assert_eq!(
            serde_json::to_string(&TeamChanged::MESSAGE).unwrap(),
            r#"{"team_changed":true}"#
        );
    }

    #[test]
    fn render_requests_parse_with_defaults() {
        // As the shim sends them: the descriptors as JSON text.
        let r: RenderRequest = serde_json::from_value(serde_json::json!({
            "url": "https://github.com/o/r/pull/1",
            "descriptors": r#"[{"rule":"mention","index":2,"attrs":{"href":"/ada"},"text":"@ada"}]"#,
        }))
        .unwrap();
        assert!(!r.full && !r.fresh);
        assert_eq!(r.descriptors.0[0].index, 2);
        assert_eq!(r.descriptors.0[0].text.as_deref(), Some("@ada"));
        assert_eq!(
            r.descriptors.0[0].attrs,
            [("href".to_string(), "/ada".to_string())]
        );
        // What serde writes for descriptors is the same text form.
        let written = serde_json::to_value(&r).unwrap();
        assert!(written["descriptors"].is_string(), "{written}");
        let bad = serde_json::from_value::<RenderRequest>(serde_json::json!({
            "url": "u", "descriptors": "[{\"rule\":1}]"
        }));
        assert!(bad.is_err());
        // An array is not the wire form (one reader of `Descriptor` in the worker).
        let array = serde_json::from_value::<RenderRequest>(serde_json::json!({
            "url": "u", "descriptors": [{"rule": "mention", "index": 2}]
        }));
        assert!(array.is_err());
    }

    #[test]
    fn decode_reads_what_serde_writes() {
        use crate::wire::check::round_trips;
        for f in REGISTRY {
            round_trips(&f.id);
        }
        let request = RenderRequest {
            url: "https://github.com/o/r/pull/1".into(),
            descriptors: Descriptors(vec![
                Descriptor {
                    rule: "mention".into(),
                    index: 2,
                    attrs: vec![
                        ("href".into(), "/ada".into()),
                        ("data-hovercard-url".into(), "/users/ada/hovercard".into()),
                    ],
                    text: Some("@ada \"Ada\" \\ é\n".into()),
                    inner: vec![("alt".into(), "@ada".into())],
                    also: vec![5],
                },
                Descriptor::default(),
            ]),
            full: true,
            fresh: true,
        };
        round_trips(&request);
        round_trips(&RenderRequest::default());
        round_trips(&Descriptors::default());
    }

    #[test]
    fn plan_replies_carry_the_viewer_rules() {
        let origins = crate::sites::sample_origins();
        let pr = plan_for("https://github.com/o/r/pull/1", &origins);
        let rules = &pr.plan.as_ref().unwrap().rules;
        assert!(rules.iter().any(|r| r.inner.is_some()) && rules.iter().any(|r| r.inner.is_none()));
        let off = plan_for("https://example.com/o/r/pull/1", &[]);
        assert_eq!(off.plan, None);
    }

    #[test]
    fn decoded_render_requests_read_text_with_defaults() {
        // As the shim sends them: JSON text, read as the serde impl reads it.
        let message = serde_json::json!({
            "url": "https://github.com/o/r/pull/1",
            "descriptors": r#"[{"rule":"mention","index":2,"attrs":{"href":"/ada"},"text":"@ada"}]"#,
            "full": true,
        })
        .to_string();
        let text = crate::wire::from_str::<RenderRequest>(&message).unwrap();
        assert_eq!(
            text,
            serde_json::from_str::<RenderRequest>(&message).unwrap()
        );
        assert!(text.full && !text.fresh);
        assert_eq!(text.descriptors.0[0].index, 2);
        assert_eq!(text.descriptors.0[0].text.as_deref(), Some("@ada"));
        let none = crate::wire::from_str::<RenderRequest>(r#"{"url":"u"}"#).unwrap();
        assert_eq!(none.descriptors, Descriptors::default());
        for (descriptors, path) in [
            (r#""[{\"rule\":1}]""#, "descriptors: [0].rule"),
            (r#""[{\"rule\":\"r\"}]""#, "descriptors: [0].index"),
            (
                r#""[{\"rule\":\"r\",\"index\":0,\"attrs\":[]}]""#,
                "descriptors: [0].attrs",
            ),
            (r#""not json""#, "descriptors"),
            (r#""{}""#, "descriptors"),
            (r#""\"[]\"""#, "descriptors"),
            ("null", "descriptors"),
            ("{}", "descriptors"),
            ("7", "descriptors"),
            (r#"[{"rule":"r","index":0}]"#, "descriptors"),
        ] {
            let message = format!(r#"{{"url":"u","descriptors":{descriptors}}}"#);
            assert!(
                serde_json::from_str::<RenderRequest>(&message).is_err(),
                "{descriptors}"
            );
            // Inside the descriptors' text, the error names the path in its message.
            let e = crate::wire::from_str::<RenderRequest>(&message).unwrap_err();
            assert!(e.to_string().starts_with(path), "{descriptors}: {e}");
        }
        assert_eq!(
            crate::wire::from_str::<RenderRequest>(r#"{"descriptors":"[]"}"#)
                .unwrap_err()
                .path,
            "url"
        );
    }

    #[test]
    fn descriptors_text_is_bounded_before_it_is_parsed() {
        // Not JSON at all: refused for its size, not for what it says.
        let huge = serde_json::Value::String("x".repeat(MAX_DESCRIPTORS_JSON + 1));
        let e = serde_json::from_value::<Descriptors>(huge).unwrap_err();
        assert_eq!(e.to_string(), "too many descriptors");
        let mut edge = String::from("[");
        edge.push_str(&" ".repeat(MAX_DESCRIPTORS_JSON - 2));
        edge.push(']');
        assert_eq!(edge.len(), MAX_DESCRIPTORS_JSON);
        let edge = serde_json::Value::String(edge);
        assert_eq!(
            serde_json::from_value::<Descriptors>(edge).unwrap(),
            Descriptors::default()
        );
    }

    #[test]
    fn a_full_render_draws_badges_and_the_banner_an_incremental_one_only_badges() {
        let url = "https://github.com/o/r/pull/12";
        let mut d = declaration(Status::Offline);
        d.items = vec![item(
            "https://github.com/o/r/pull/12/files",
            ItemState::Blocked,
        )];
        let team = cache(vec![(member("1", "Ada", github("ada"), "UTC"), Some(d))]);
        let descriptors = vec![Descriptor {
            rule: "mention".into(),
            index: 4,
            attrs: [("href".to_string(), "/ada".to_string())].into(),
            ..Descriptor::default()
        }];
        let full = with_inputs(url, &team, &[], |i| render(i, &descriptors, true));
        let placed: Vec<_> = full.iter().map(|m| (m.feature, m.element)).collect();
        assert_eq!(
            placed,
            [(FeatureId::Badges, Some(4)), (FeatureId::Banner, None)]
        );
        let more = with_inputs(url, &team, &[], |i| render(i, &descriptors, false));
        assert_eq!(more.len(), 1);
        // On the wire each distinct spec travels once.
        let reply = RenderReply::new(vec![full[0].clone(), full[0].clone(), full[1].clone()]);
        assert_eq!(reply.specs.len(), 2);
        let placed: Vec<_> = reply.mounts.iter().map(|m| m.spec).collect();
        assert_eq!(placed, [0, 0, 1]);
        // A list page has no banner even on a full render.
        let list = with_inputs("https://github.com/o/r/pulls", &team, &[], |i| {
            render(i, &descriptors, true)
        });
        assert!(list.iter().all(|m| m.feature == FeatureId::Badges));
    }

    #[test]
    fn grouped_descriptors_render_as_one_per_element() {
        let team = cache(vec![(
            member("1", "Ada", github("ada"), "UTC"),
            Some(declaration(Status::Away)),
        )]);
        let d = |index: u32, text: Option<&str>, also: Vec<u32>| Descriptor {
            rule: "react-comment-author".into(),
            index,
            attrs: [("href".to_string(), "/ada".to_string())].into(),
            text: text.map(str::to_owned),
            also,
            ..Descriptor::default()
        };
        let url = "https://github.com/acme/widgets/issues/42";
        let each = [
            d(0, Some("ada"), vec![]),
            d(4, Some("ada"), vec![]),
            d(2, None, vec![]),
        ];
        let grouped = [d(0, Some("ada"), vec![4]), d(2, None, vec![])];
        let at = |descriptors: &[Descriptor]| {
            let mut at: Vec<_> = with_inputs(url, &team, &[], |i| render(i, descriptors, false))
                .into_iter()
                .map(|m| m.element)
                .collect();
            at.sort();
            at
        };
        // Both named elements get a badge; the avatar beside them does not.
        assert_eq!(at(&each), [Some(0), Some(4)]);
        assert_eq!(at(&grouped), at(&each));
        // The bound counts elements, not descriptors.
        let many = [
            d(0, Some("ada"), (1..MAX_DESCRIPTORS as u32).collect()),
            d(MAX_DESCRIPTORS as u32, Some("ada"), vec![]),
        ];
        assert_eq!(at(&many).len(), MAX_DESCRIPTORS);
    }

    #[test]
    fn the_rehearsal_draws_its_teammate_beside_every_element_and_the_banner() {
        let rehearsal: serde_json::Value = serde_json::from_str(REHEARSAL).unwrap();
        let team: TeamCache = serde_json::from_value(rehearsal["team"].clone()).unwrap();
        let message = rehearsal["message"].clone();
        let Ok(crate::message::Request::Render(request)) = serde_json::from_value(message) else {
            panic!("not a render request");
        };
        let descriptors = &request.descriptors.0;
        let elements: Vec<u32> = descriptors.iter().flat_map(Descriptor::indices).collect();
        assert!(descriptors.iter().all(|d| d.also.len() == 1));
        with_inputs(&request.url, &team, &[], |i| {
            let mounts = render(i, descriptors, request.full);
            let badge = badges::badge(i, &team.members["0"]);
            let badged: Vec<_> = mounts
                .iter()
                .filter(|m| m.feature == FeatureId::Badges)
                .inspect(|m| assert_eq!(m.spec, badge))
                .filter_map(|m| m.element)
                .collect();
            // Every rule it names reads the login: no path of the match is left cold.
            assert_eq!(badged, elements);
            assert!(mounts.iter().any(|m| m.feature == FeatureId::Banner));
        });
    }
}
