//! The webhook formats against each service's documented shape and limits, with the XSS and
//! mention corpus; the `json` format's signature checked by an independent HMAC; its payload
//! against the schema the API document publishes.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use sha2::{Digest, Sha256};
use standin::api::MemberState;
use standin::model::{Declaration, DeclaredState, Handles, ItemState, Member, Status, WorkItem};
use standin::time::Timestamp;
use standin_server::webhook::{render, Delivery, Event, EventKind, Format};
use std::collections::BTreeSet;

/// Every way the chat services mention, link or format, beyond the XSS corpus.
const MENTIONS: &[&str] = &[
    // Slack: special mentions, user, channel and group mentions, links, dates.
    "@channel look at this",
    "@here @everyone",
    "<!channel> <!here|here> <!everyone>",
    "<@U024BE7LH> and <#C024BE7LR> and <!subteam^SAZ94GDB8>",
    "<https://evil.example|https://github.com/acme/api/pull/42>",
    "<!date^1392734382^{date}|Feb 18>",
    // Mattermost, Discord, Teams mentions.
    "@all @bob",
    "<@123456789012345678> <@!123> <@&987654321> <#42>",
    "<at>Bob</at>",
    // Markdown and mrkdwn formatting, links, quotes, lists, code, spoilers.
    "**bold** __under__ *it* _it_ ~strike~ ~~strike~~ `code` ```block```",
    "[click](javascript:alert(1)) [x](https://evil.example)",
    "> quoted\n# heading\n1. list\n- item\n||spoiler||",
    "\\*not bold\\* \\\\",
    "&amp; &lt; &gt; & < >",
    ":smile: :+1:",
    "On leave — ask Bob 🌴 👨‍👩‍👧‍👦 🇩🇪🇯🇵 e\u{301}x 한국어",
    // Three bytes a character, far beyond any declaration's limits.
    "語語語語語語語語語語語語語語語語語語語語語語語語語語語語語語語語語語語語語語語語",
];

/// The XSS corpus both browsers' suites render (`PAYLOADS` of tests/e2e/xss-corpus.mjs), read
/// from its source, one JS string literal a line (optionally `.repeat(n)`), then [`MENTIONS`].
fn corpus() -> Vec<String> {
    let source = include_str!("../../tests/e2e/xss-corpus.mjs");
    let list = source
        .split("export const PAYLOADS = [")
        .nth(1)
        .and_then(|rest| rest.split("\n];").next())
        .unwrap();
    let xss: Vec<String> = list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(js_string)
        .collect();
    assert!(xss.len() >= 50, "{} payloads read", xss.len());
    xss.into_iter()
        .chain(MENTIONS.iter().map(|m| (*m).to_owned()))
        .collect()
}

/// A line `'text',` or `"text".repeat(n),` (and a comment) as its string value.
fn js_string(line: &str) -> String {
    let quote = line.chars().next().unwrap();
    assert!(
        quote == '\'' || quote == '"',
        "not a string literal: {line}"
    );
    let (mut out, mut chars) = (String::new(), line[1..].char_indices());
    let end = loop {
        let (i, c) = chars
            .next()
            .unwrap_or_else(|| panic!("unterminated: {line}"));
        match c {
            '\\' => match chars.next().unwrap().1 {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'u' => {
                    let hex: String = (0..4).map(|_| chars.next().unwrap().1).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                }
                other => out.push(other),
            },
            c if c == quote => break 1 + i + 1,
            c => out.push(c),
        }
    };
    match line[end..].strip_prefix(".repeat(") {
        // JS allows `10_000`.
        Some(n) => out.repeat(
            n.split(')')
                .next()
                .unwrap()
                .replace('_', "")
                .parse()
                .unwrap(),
        ),
        None => out,
    }
}

#[test]
fn the_xss_corpus_is_read_whole() {
    let all = corpus();
    assert!(all.contains(&"<script>window.__xss=1</script>".to_owned()));
    assert!(all.contains(&"\u{202E}gnp.exe".to_owned()));
    assert!(all.contains(&"A".repeat(10_000)));
    assert!(all.contains(&"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e".to_owned()));
    assert!(all.contains(&"\n\n\n\n\nnew\r\nlines\n\n\n".to_owned()));
}

/// `shown` is `typed` whole, or its start cut with "…".
fn reads_as(shown: &str, typed: &str) -> bool {
    match shown.strip_suffix('…') {
        Some(cut) if shown != typed => typed.starts_with(cut) && cut.len() < typed.len(),
        _ => shown == typed,
    }
}

fn assert_reads_as(shown: &str, typed: &str) {
    assert!(reads_as(shown, typed), "{shown:?} is not {typed:?}");
}

fn at(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

fn member(id: &str, name: &str, github: Option<&str>, zone: &str) -> Member {
    Member {
        id: id.into(),
        display_name: name.into(),
        handles: Handles {
            github: github.map(Into::into),
            ..Handles::default()
        },
        timezone: zone.into(),
        working_hours: None,
    }
}

fn item(url: &str, title: &str, note: &str, handoff: Option<&str>) -> WorkItem {
    WorkItem {
        url: url.into(),
        canonical_ref: String::new(),
        title: title.into(),
        note: note.into(),
        state: ItemState::InProgress,
        handoff_to: handoff.map(Into::into),
    }
}

fn roster() -> Vec<Member> {
    vec![
        member("m_ana", "Ana Lima", Some("analima"), "Asia/Tokyo"),
        member("m_bob", "Bob Stone", Some("bstone"), "America/New_York"),
    ]
}

/// The event `kind` of `declaration` written by Ana at version 7, its hand-offs named by
/// `recipients` as the server resolves them.
fn event_of(
    kind: EventKind,
    declaration: Declaration,
    recipients: &[(Option<&str>, &str)],
) -> Event {
    let roster = roster();
    let state = MemberState {
        member_id: "m_ana".into(),
        version: 7,
        state: Some(DeclaredState {
            declaration,
            declared_at: at("2026-12-04T08:00:00Z"),
            version: 7,
        }),
        acks: vec![],
        recipients: recipients
            .iter()
            .map(|(item, m)| standin::api::Recipient {
                item: item.map(Into::into),
                member: (*m).into(),
            })
            .collect(),
    };
    Event::new(
        kind,
        "t_core",
        &roster[0],
        &state,
        &roster,
        at("2026-12-04T08:00:00Z"),
    )
}

/// Every text field of the declaration, the member's name and a hand-off's name set to `text`.
fn hostile(text: &str) -> Event {
    let mut d = Declaration::new(Status::Ooo, text, "Asia/Tokyo");
    d.note = text.into();
    d.blockers = text.into();
    d.emoji = Some("#️⃣".into());
    d.items = vec![item(
        "https://github.com/acme/api/pull/42",
        text,
        text,
        None,
    )];
    let mut e = event_of(EventKind::OutOfOffice, d, &[]);
    e.member.display_name = text.into();
    e.cover = Some(standin_server::webhook::event::HandedTo {
        name: text.into(),
        member: None,
        handle: None,
    });
    e
}

/// As large as a declaration gets: 50 items with long notes (in Japanese, three bytes a
/// character), long titles and hand-offs, every text field full.
fn largest() -> Event {
    let mut d = Declaration::new(Status::Ooo, &"見".repeat(80), "Asia/Tokyo");
    d.note = "メ".repeat(2000);
    d.blockers = "ブ".repeat(1000);
    d.cover = Some("m_bob".into());
    d.back_at = Some(at("2026-12-07T00:00:00Z"));
    d.items = (0..50)
        .map(|i| WorkItem {
            canonical_ref: format!("github.com/acme/api/pull/{i}"),
            ..item(
                &format!("https://github.com/acme/api/pull/{i}"),
                &"題".repeat(200),
                &"注".repeat(500),
                Some("m_bob"),
            )
        })
        .collect();
    let mut recipients: Vec<(Option<&str>, &str)> = vec![(None, "m_bob")];
    recipients.extend(
        d.items
            .iter()
            .map(|i| (Some(i.canonical_ref.as_str()), "m_bob")),
    );
    event_of(EventKind::OutOfOffice, d.clone(), &recipients)
}

fn events() -> Vec<Event> {
    let mut all = vec![Event::sample(at("2026-12-04T08:00:00Z")), largest()];
    all.extend(corpus().iter().map(|t| hostile(t)));
    all.push(hostile(&"<".repeat(5_000)));
    all.push(hostile(&"語".repeat(10_000)));
    let mut handed = Declaration::new(Status::Offline, "Done for today", "Europe/Berlin");
    handed.items = vec![item(
        "https://linear.app/acme/issue/ENG-1",
        "",
        "",
        Some("m_bob"),
    )];
    let recipients = [(Some("https://linear.app/acme/issue/ENG-1"), "m_bob")];
    all.push(event_of(EventKind::Handoff, handed.clone(), &recipients));
    all.push(event_of(EventKind::Offline, handed, &recipients));
    let back = event_of(
        EventKind::Back,
        Declaration::new(Status::Online, "Back", "UTC"),
        &[],
    );
    all.push(back);
    all
}

const DELIVERY: Delivery = Delivery {
    id: "d_1",
    sent_at: Timestamp(1_764_835_200_000),
    secret: Some("It's a Secret to Everybody"),
};

fn body(format: Format, e: &Event) -> Value {
    let r = render(format, e, &DELIVERY);
    assert_eq!(r.content_type, "application/json");
    serde_json::from_slice(&r.body).unwrap()
}

/// Characters, as the services count them (Slack and Discord count UTF-16 units at most).
fn len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn str_of<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {v}"))
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn set<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
    names.iter().copied().collect()
}

/// "… N more items" at the end of `text`, as N.
fn more_count(text: &str) -> Option<usize> {
    let rest = text.split("… ").last()?;
    let n = rest.split(' ').next()?.parse().ok()?;
    (rest.contains(" more item")).then_some(n)
}

// ---- Slack: Block Kit (docs.slack.dev/reference/block-kit/blocks, /composition-objects) ----

/// Block Kit's rules for the blocks StandIn sends: at most 50 blocks; a header's plain_text
/// 1–150 characters; a section's text object 1–3000, or 1–10 fields of 1–2000; a context's 1–10
/// elements of 1–3000; a text object's type plain_text or mrkdwn.
fn check_block_kit(msg: &Value) -> Vec<String> {
    assert_eq!(keys(msg), set(&["text", "blocks"]), "{msg}");
    let text = str_of(msg, "text");
    assert!((1..=40_000).contains(&len(text)), "message text");
    let blocks = msg["blocks"].as_array().unwrap();
    assert!(
        !blocks.is_empty() && blocks.len() <= 50,
        "{} blocks",
        blocks.len()
    );
    let mut texts = vec![text.to_owned()];
    let mut check_text = |t: &Value, max: usize, kinds: &[&str]| {
        assert!(kinds.contains(&str_of(t, "type")), "{t}");
        let allowed = match str_of(t, "type") {
            "mrkdwn" => set(&["type", "text", "verbatim"]),
            _ => set(&["type", "text", "emoji"]),
        };
        assert!(keys(t).is_subset(&allowed), "{t}");
        let s = str_of(t, "text");
        assert!((1..=max).contains(&len(s)), "{} > {max}: {t}", len(s));
        texts.push(s.to_owned());
    };
    for b in blocks {
        match str_of(b, "type") {
            "header" => {
                assert_eq!(keys(b), set(&["type", "text"]));
                check_text(&b["text"], 150, &["plain_text"]);
            }
            "section" => {
                if let Some(fields) = b.get("fields") {
                    assert_eq!(keys(b), set(&["type", "fields"]));
                    let fields = fields.as_array().unwrap();
                    assert!((1..=10).contains(&fields.len()));
                    fields
                        .iter()
                        .for_each(|f| check_text(f, 2000, &["mrkdwn", "plain_text"]));
                } else {
                    assert_eq!(keys(b), set(&["type", "text"]));
                    check_text(&b["text"], 3000, &["mrkdwn", "plain_text"]);
                }
            }
            "context" => {
                let elements = b["elements"].as_array().unwrap();
                assert!((1..=10).contains(&elements.len()));
                elements
                    .iter()
                    .for_each(|e| check_text(e, 3000, &["mrkdwn", "plain_text"]));
            }
            other => panic!("unexpected block {other}"),
        }
    }
    texts
}

/// mrkdwn back to the text it shows: links `<url|label>` to their label, the three entities
/// decoded, word joiners dropped. Panics on anything Slack would parse as a control sequence
/// other than a link to an http(s) URL.
fn slack_shown(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('>').unwrap() + open;
        let inner = &rest[open + 1..close];
        assert!(
            inner.starts_with("https://"),
            "control sequence <{inner}> in {s}"
        );
        out.push_str(inner.split_once('|').unwrap().1);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    assert!(!out.contains('>'), "raw > in {s}");
    out.replace("@\u{2060}", "@")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn slack_follows_block_kit_and_escapes_user_text() {
    for e in events() {
        let msg = body(Format::Slack, &e);
        for text in check_block_kit(&msg) {
            // No mention, link or command from user text: every `<` opens one of StandIn's
            // links, every `&` an entity, and every `@` is defused.
            let shown = slack_shown(&text);
            for (i, _) in text.match_indices('&') {
                let entity = &text[i..];
                assert!(
                    ["&amp;", "&lt;", "&gt;"]
                        .iter()
                        .any(|x| entity.starts_with(x)),
                    "bare & in {text}"
                );
            }
            for (i, _) in text.match_indices('@') {
                assert!(text[i + 1..].starts_with('\u{2060}'), "live @ in {text}");
            }
            assert!(!shown.is_empty());
        }
    }
}

/// The user's text reads as typed once the service has parsed the escapes: the headline
/// section is `*…*` around the escaped headline (emoji first).
#[test]
fn slack_shows_user_text_as_typed() {
    for t in &corpus() {
        let msg = body(Format::Slack, &hostile(t));
        let headline = str_of(&msg["blocks"][1]["text"], "text");
        let shown = slack_shown(
            headline
                .strip_prefix('*')
                .unwrap()
                .strip_suffix('*')
                .unwrap(),
        );
        assert_reads_as(&shown, &format!("#️⃣ {t}"));
        let header = slack_shown(str_of(&msg["blocks"][0]["text"], "text"));
        assert_reads_as(&header, &format!("{t} is out of office"));
    }
}

#[test]
fn slack_says_how_many_items_it_left_out() {
    let msg = body(Format::Slack, &largest());
    let blocks = msg["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 50);
    let items = blocks
        .iter()
        .filter(|b| {
            b["text"]["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("<https://github.com/"))
        })
        .count();
    let last = str_of(&blocks[49]["elements"][0], "text");
    assert_eq!(more_count(last), Some(50 - items), "{last}");
    assert!(items >= 40, "{items} items shown");
    // The sample fits whole: no such line.
    let sample = body(Format::Slack, &Event::sample(at("2026-12-04T08:00:00Z")));
    assert!(!sample.to_string().contains("more item"));
}

// ---- Mattermost (developers.mattermost.com/integrate/webhooks/incoming) ----

/// CommonMark text back to what it shows, panicking on any unescaped ASCII punctuation (it
/// could format, link or mention).
fn markdown_shown(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let next = chars.next().unwrap();
            assert!(next.is_ascii_punctuation(), "stray backslash in {s}");
            out.push(next);
        } else {
            assert!(!c.is_ascii_punctuation(), "unescaped {c:?} in {s}");
            out.push(c);
        }
    }
    out
}

#[test]
fn mattermost_keeps_to_one_post_and_escapes_user_text() {
    for e in events() {
        let msg = body(Format::Mattermost, &e);
        // Only the Slack-compatible `text`; a longer one would be split into several posts.
        assert_eq!(keys(&msg), set(&["text"]));
        let text = str_of(&msg, "text");
        assert!(len(text) <= 16_383, "{}", len(text));
        for (i, _) in text.match_indices('@') {
            assert!(text[i + 1..].starts_with('\u{2060}'), "live @ in {text}");
        }
    }
    // Line by line: one-line texts (a headline or name has no line break).
    for t in corpus().iter().filter(|t| !t.contains(['\n', '\r'])) {
        let msg = body(Format::Mattermost, &hostile(t));
        let text = str_of(&msg, "text");
        let line = text.lines().nth(1).unwrap();
        let headline = line
            .strip_prefix("\\#️⃣ **")
            .unwrap_or_else(|| panic!("{line}"));
        let inner = headline.strip_suffix("**").unwrap();
        assert_reads_as(&markdown_shown(&inner.replace("@\u{2060}", "@")), t);
        let title = text.lines().next().unwrap().strip_prefix("#### ").unwrap();
        let name = title.strip_suffix(" is out of office").unwrap();
        assert_reads_as(&markdown_shown(&name.replace("@\u{2060}", "@")), t);
    }
    let big = body(Format::Mattermost, &largest());
    let text = str_of(&big, "text");
    let items = text.lines().filter(|l| l.starts_with("- [")).count();
    assert_eq!(
        more_count(text),
        Some(50 - items),
        "{}",
        text.lines().last().unwrap()
    );
}

// ---- Discord (discord.com/developers/docs/resources/message#embed-object-embed-limits) ----

/// Embed limits: title 256, description 4096, at most 25 fields of name 256 and value 1024
/// (neither empty), footer 2048, author name 256, all of them together 6000; and no mention
/// parsed (`allowed_mentions.parse` empty, resources/message#allowed-mentions-object).
fn check_discord(msg: &Value) -> Vec<String> {
    assert_eq!(keys(msg), set(&["embeds", "allowed_mentions"]));
    assert_eq!(msg["allowed_mentions"], serde_json::json!({ "parse": [] }));
    let embeds = msg["embeds"].as_array().unwrap();
    assert_eq!(embeds.len(), 1);
    let embed = &embeds[0];
    assert!(keys(embed).is_subset(&set(&[
        "title",
        "description",
        "color",
        "timestamp",
        "fields"
    ])));
    Timestamp::parse_rfc3339(str_of(embed, "timestamp")).unwrap();
    assert!(embed["color"].as_u64().unwrap() <= 0xFF_FFFF);
    let title = str_of(embed, "title");
    assert!((1..=256).contains(&len(title)));
    let mut total = len(title);
    let mut texts = vec![title.to_owned()];
    if let Some(d) = embed.get("description") {
        let d = d.as_str().unwrap();
        assert!((1..=4096).contains(&len(d)));
        total += len(d);
        texts.push(d.to_owned());
    }
    let fields = embed["fields"].as_array().unwrap();
    assert!(fields.len() <= 25);
    for f in fields {
        assert_eq!(keys(f), set(&["name", "value", "inline"]));
        let (name, value) = (str_of(f, "name"), str_of(f, "value"));
        assert!((1..=256).contains(&len(name)), "{name}");
        assert!((1..=1024).contains(&len(value)), "{}", len(value));
        total += len(name) + len(value);
        texts.extend([name.to_owned(), value.to_owned()]);
    }
    assert!(total <= 6000, "{total}");
    texts
}

#[test]
fn discord_follows_embed_limits_and_escapes_user_text() {
    for e in events() {
        check_discord(&body(Format::Discord, &e));
    }
    for t in &corpus() {
        let msg = body(Format::Discord, &hostile(t));
        let embed = &msg["embeds"][0];
        let title = str_of(embed, "title");
        assert_reads_as(&markdown_shown(title), &format!("{t} is out of office"));
        let item = embed["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["inline"] == false)
            .unwrap();
        assert_reads_as(&markdown_shown(str_of(item, "name")), t);
        let description = str_of(embed, "description");
        let headline = description.split("\n\n").next().unwrap();
        if !t.contains("\n\n") {
            let inner = headline
                .strip_prefix("\\#️⃣ **")
                .unwrap()
                .strip_suffix("**")
                .unwrap();
            assert_reads_as(&markdown_shown(inner), t);
        }
    }
}

#[test]
fn discord_says_how_many_items_it_left_out() {
    let msg = body(Format::Discord, &largest());
    let fields = msg["embeds"][0]["fields"].as_array().unwrap();
    let items = fields.iter().filter(|f| f["inline"] == false).count() - 1;
    let last = fields.last().unwrap();
    assert_eq!(str_of(last, "name"), "More");
    assert_eq!(more_count(str_of(last, "value")), Some(50 - items));
    assert!(items >= 1);
}

// ---- Teams: Workflows webhook with an Adaptive Card
// (learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-reference,
// adaptivecards.io/explorer) ----

/// A message of one Adaptive Card attachment; the whole request within 28 KB. Collects every
/// `TextRun`'s text and panics on a `TextBlock` (which would parse Markdown) anywhere.
fn check_teams(msg: &Value, raw_len: usize) -> Vec<String> {
    assert!(raw_len <= 28_000, "{raw_len} bytes");
    assert_eq!(str_of(msg, "type"), "message");
    let attachments = msg["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1);
    let a = &attachments[0];
    assert_eq!(
        str_of(a, "contentType"),
        "application/vnd.microsoft.card.adaptive"
    );
    let card = &a["content"];
    assert_eq!(str_of(card, "type"), "AdaptiveCard");
    assert_eq!(
        str_of(card, "$schema"),
        "http://adaptivecards.io/schemas/adaptive-card.json"
    );
    let version: f64 = str_of(card, "version").parse().unwrap();
    assert!(
        (1.2..=1.5).contains(&version),
        "RichTextBlock needs 1.2; Teams renders ≤ 1.5"
    );
    let mut runs = Vec::new();
    for block in card["body"].as_array().unwrap() {
        assert_eq!(str_of(block, "type"), "RichTextBlock", "{block}");
        for run in block["inlines"].as_array().unwrap() {
            assert_eq!(str_of(run, "type"), "TextRun");
            assert!(keys(run).is_subset(&set(&[
                "type",
                "text",
                "weight",
                "size",
                "isSubtle",
                "selectAction"
            ])));
            if let Some(action) = run.get("selectAction") {
                assert_eq!(str_of(action, "type"), "Action.OpenUrl");
                assert!(str_of(action, "url").starts_with("https://"));
            }
            runs.push(str_of(run, "text").to_owned());
        }
    }
    runs
}

#[test]
fn teams_sends_one_adaptive_card_within_28_kb_with_user_text_verbatim() {
    for e in events() {
        let r = render(Format::Teams, &e, &DELIVERY);
        check_teams(&serde_json::from_slice(&r.body).unwrap(), r.body.len());
    }
    for t in &corpus() {
        let r = render(Format::Teams, &hostile(t), &DELIVERY);
        let runs = check_teams(&serde_json::from_slice(&r.body).unwrap(), r.body.len());
        // TextRuns are never parsed as Markdown: the text goes in as typed.
        assert!(
            runs.iter()
                .any(|r| reads_as(r, &format!("{t} is out of office"))),
            "{runs:?}"
        );
        assert!(runs.iter().any(|r| reads_as(r, t)));
    }
    let r = render(Format::Teams, &largest(), &DELIVERY);
    let runs = check_teams(&serde_json::from_slice(&r.body).unwrap(), r.body.len());
    let items = runs.iter().filter(|r| r.starts_with('題')).count();
    assert_eq!(more_count(runs.last().unwrap()), Some(50 - items));
}

// ---- json: the documented payload, signed as GitHub signs its webhooks ----

/// HMAC-SHA256 by its definition (RFC 2104), independent of the `hmac` crate.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::digest([pad(0x36), message.to_vec()].concat());
    Sha256::digest([pad(0x5c), inner.to_vec()].concat()).to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_reference_hmac_is_right() {
    // RFC 4231, test case 2.
    assert_eq!(
        hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[test]
fn json_is_the_event_signed_over_the_exact_body() {
    for e in events() {
        let r = render(Format::Json, &e, &DELIVERY);
        let header = |name: &str| {
            r.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
                .unwrap_or_else(|| panic!("no {name}"))
        };
        let want = hex(&hmac_sha256(DELIVERY.secret.unwrap().as_bytes(), &r.body));
        assert_eq!(header("X-StandIn-Signature-256"), format!("sha256={want}"));
        assert_eq!(header("X-StandIn-Delivery"), "d_1");
        assert_eq!(header("X-StandIn-Timestamp"), "1764835200");
        assert_eq!(header("X-StandIn-Event"), e.kind.as_str());
        let back: Event = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(back, e);
        let value: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(value["version"], 1);
    }
    // A changed body no longer matches its signature.
    let r = render(Format::Json, &hostile("x"), &DELIVERY);
    let mut tampered = r.body.clone();
    tampered[10] ^= 1;
    let sig = format!(
        "sha256={}",
        hex(&hmac_sha256(DELIVERY.secret.unwrap().as_bytes(), &tampered))
    );
    assert!(r.headers.iter().all(|(_, v)| *v != sig));
    // Without a secret nothing is signed.
    let unsigned = render(
        Format::Json,
        &hostile("x"),
        &Delivery {
            secret: None,
            ..DELIVERY
        },
    );
    assert!(unsigned
        .headers
        .iter()
        .all(|(n, _)| *n != "X-StandIn-Signature-256"));
    assert_eq!(unsigned.body, r.body);
}

/// Checks `value` against the OpenAPI 3.1 schema `schema` of `doc`: the keywords utoipa
/// writes for these types (`$ref`, `type` with "null", `properties`, `required`, `enum`,
/// `items`, `oneOf`, `minimum`, `maximum`, `format: date-time`, the event id's `pattern`).
/// Unknown properties are refused.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) {
    if let Some(r) = schema.get("$ref") {
        let name = r
            .as_str()
            .unwrap()
            .strip_prefix("#/components/schemas/")
            .unwrap();
        return conforms(doc, &doc["components"]["schemas"][name], value, at);
    }
    if let Some(options) = schema.get("oneOf") {
        let matching = options
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| std::panic::catch_unwind(|| conforms(doc, o, value, at)).is_ok())
            .count();
        assert_eq!(matching, 1, "{at}: {value} against {schema}");
        return;
    }
    if let Some(allowed) = schema.get("enum") {
        assert!(
            allowed.as_array().unwrap().contains(value),
            "{at}: {value} not in {allowed}"
        );
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().map(|t| t.as_str().unwrap()).collect(),
        _ => return,
    };
    let actual = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    assert!(
        types.contains(&actual) || (actual == "integer" && types.contains(&"number")),
        "{at}: {actual} is not {types:?}"
    );
    if let (Some(min), Some(n)) = (schema["minimum"].as_f64(), value.as_f64()) {
        assert!(n >= min, "{at}: {n} < {min}");
    }
    if let (Some(max), Some(n)) = (schema["maximum"].as_f64(), value.as_f64()) {
        assert!(n <= max, "{at}: {n} > {max}");
    }
    match value {
        Value::String(s) if schema["format"] == "date-time" => {
            Timestamp::parse_rfc3339(s).unwrap();
        }
        Value::String(s) if schema["pattern"] == "^ev_[0-9a-f]{32}$" => {
            let hex = s.strip_prefix("ev_").unwrap();
            assert!(
                hex.len() == 32
                    && hex
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
                "{at}: {s}"
            );
        }
        Value::String(_) => assert!(schema.get("pattern").is_none(), "{at}: unchecked pattern"),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                conforms(doc, &schema["items"], item, &format!("{at}[{i}]"));
            }
        }
        Value::Object(fields) => {
            let properties = schema["properties"].as_object().unwrap();
            for name in schema["required"].as_array().into_iter().flatten() {
                assert!(
                    fields.contains_key(name.as_str().unwrap()),
                    "{at}: no {name}"
                );
            }
            for (name, field) in fields {
                let property = properties
                    .get(name)
                    .unwrap_or_else(|| panic!("{at}.{name} is not in the schema"));
                conforms(doc, property, field, &format!("{at}.{name}"));
            }
        }
        _ => {}
    }
}

#[test]
fn the_published_schema_describes_the_json_payload() {
    let doc = serde_json::to_value(standin_server::openapi()).unwrap();
    assert!(str_of(&doc, "openapi").starts_with("3.1"));
    let hook = &doc["webhooks"]["standinEvent"]["post"];
    let schema = &hook["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(schema["$ref"], "#/components/schemas/WebhookEvent");
    for e in events() {
        let r = render(Format::Json, &e, &DELIVERY);
        conforms(&doc, schema, &serde_json::from_slice(&r.body).unwrap(), "$");
        // Each header the request carries is documented, with a pattern it meets.
        for (name, value) in &r.headers {
            let param = hook["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == *name)
                .unwrap_or_else(|| panic!("{name} undocumented"));
            if let Some(kinds) = param["schema"]["enum"].as_array() {
                assert!(kinds.contains(&Value::from(value.as_str())));
            }
            if let Some(pattern) = param["schema"]["pattern"].as_str() {
                let digits = pattern
                    .trim_start_matches("^sha256=")
                    .starts_with("[0-9a-f]{64}");
                let ok = if digits {
                    value.strip_prefix("sha256=").is_some_and(|h| {
                        h.len() == 64
                            && h.bytes()
                                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                    })
                } else {
                    value.bytes().all(|b| b.is_ascii_digit())
                };
                assert!(ok, "{name}: {value} against {pattern}");
            }
        }
    }
}

// ---- The event itself ----

#[test]
fn events_name_hand_offs_with_their_tracker_handle_and_back_at_in_the_zone() {
    let mut d = Declaration::new(Status::Ooo, "Conference", "Asia/Tokyo");
    d.cover = Some("bob".into());
    d.back_at = Some(at("2026-12-07T00:00:00Z"));
    d.items = vec![
        item(
            "https://github.com/acme/api/pull/42",
            "PR",
            "",
            Some("Bob Stone"),
        ),
        item("https://example.com/wiki/plan", "Plan", "", Some("m_bob")),
        item(
            "https://github.com/acme/api/issues/7",
            "Issue",
            "",
            Some("someone gone"),
        ),
    ];
    d.items[0].canonical_ref = "github.com/acme/api/pull/42".into();
    let e = event_of(
        EventKind::OutOfOffice,
        d,
        &[
            (None, "m_bob"),
            (Some("github.com/acme/api/pull/42"), "m_bob"),
            (Some("https://example.com/wiki/plan"), "m_bob"),
        ],
    );
    let pr = e.items[0].handoff.as_ref().unwrap();
    assert_eq!(
        (pr.name.as_str(), pr.handle.as_deref()),
        ("Bob Stone", Some("bstone"))
    );
    assert_eq!(pr.member.as_ref().unwrap().id, "m_bob");
    // Off the trackers there is no handle to give; a name no one holds stays as declared.
    let plan = e.items[1].handoff.as_ref().unwrap();
    assert_eq!(
        (plan.name.as_str(), plan.handle.as_deref()),
        ("Bob Stone", None)
    );
    let gone = e.items[2].handoff.as_ref().unwrap();
    assert_eq!(
        (gone.name.as_str(), gone.member.is_none()),
        ("someone gone", true)
    );
    assert_eq!(e.cover.as_ref().unwrap().name, "Bob Stone");
    let back = e.back_at.as_ref().unwrap();
    assert_eq!(back.local, "2026-12-07T09:00:00+09:00");
    assert_eq!(back.timezone, "Asia/Tokyo");
    assert_eq!(back.utc, at("2026-12-07T00:00:00Z"));
    assert_eq!((e.version, e.member.display_name.as_str()), (1, "Ana Lima"));
    // Every format shows back-at in UTC and in the member's zone.
    for format in [
        Format::Slack,
        Format::Mattermost,
        Format::Discord,
        Format::Teams,
    ] {
        let text = String::from_utf8(render(format, &e, &DELIVERY).body).unwrap();
        assert!(
            text.contains("Mon 7 Dec 2026, 09:00 Asia/Tokyo"),
            "{format:?}: {text}"
        );
        assert!(text.contains("Mon 7 Dec, 00:00 UTC"), "{format:?}: {text}");
    }
}

#[test]
fn event_ids_are_stable_per_kind_and_version() {
    let d = || Declaration::new(Status::Offline, "Done for today", "Europe/Berlin");
    let a = event_of(EventKind::Offline, d(), &[]);
    let b = event_of(EventKind::Offline, d(), &[]);
    let c = event_of(EventKind::Handoff, d(), &[]);
    assert_eq!(a.id, b.id);
    assert_ne!(a.id, c.id);
    assert!(a.id.starts_with("ev_") && a.id.len() == 35, "{}", a.id);
    // A cleared declaration is reported without a status.
    let roster = roster();
    let cleared = MemberState {
        member_id: "m_ana".into(),
        version: 8,
        state: None,
        acks: vec![],
        recipients: vec![],
    };
    let back = Event::new(
        EventKind::Back,
        "t_core",
        &roster[0],
        &cleared,
        &roster,
        at("2026-12-04T09:00:00Z"),
    );
    assert_eq!((back.status, back.items.len()), (None, 0));
    assert_ne!(back.id, a.id);
    for format in Format::ALL {
        assert!(!render(format, &back, &DELIVERY).body.is_empty());
    }
    let slack = body(Format::Slack, &back);
    assert_eq!(
        str_of(&slack["blocks"][0]["text"], "text"),
        "Ana Lima is back"
    );
}

/// docs/slack-sample.json is exactly what Slack gets for `Event::sample`: the README's picture
/// is rendered from it (tests/e2e/slack-sample.test.mjs). Written when missing or with
/// UPDATE_SCREENSHOTS=1, like the README's screenshots.
#[test]
fn the_documented_slack_sample_is_the_real_output() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/slack-sample.json");
    let sample = Event::sample(at("2026-12-04T08:00:00Z"));
    let want = serde_json::to_string_pretty(&body(Format::Slack, &sample)).unwrap() + "\n";
    let update = std::env::var("UPDATE_SCREENSHOTS").as_deref() == Ok("1");
    if update || !std::path::Path::new(path).exists() {
        std::fs::write(path, &want).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        want,
        "docs/slack-sample.json is stale: UPDATE_SCREENSHOTS=1 cargo test -p standin-server \
         --test webhook_formats, then node --test tests/e2e/slack-sample.test.mjs"
    );
}

/// How each format fits the largest declaration (printed with `-- --nocapture`): its body's
/// size and how many of the 50 items it shows; every chat format has to cut, the json one none.
#[test]
fn the_largest_declaration_per_format() {
    let e = largest();
    for format in Format::ALL {
        let r = render(format, &e, &DELIVERY);
        let text = String::from_utf8(r.body.clone()).unwrap();
        let shown = text.matches("github.com/acme/api/pull/").count();
        let left_out = text.rfind("… ").and_then(|i| more_count(&text[i..]));
        println!(
            "{format:?}: {} bytes, {shown} item links, left out: {left_out:?}",
            r.body.len()
        );
        match format {
            Format::Json => assert!(left_out.is_none() && shown == 100, "url and key per item"),
            _ => assert_eq!(left_out, Some(50 - shown), "{format:?}"),
        }
    }
}
