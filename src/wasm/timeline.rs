//! The follow-the-sun timeline in the popup's Team view: `crate::timeline` decides the
//! geometry and describes the SVG; this module creates it with `createElementNS` (tags and
//! attribute names from that closed description, text as text) and redraws it when the team
//! cache changes. Id: `timeline` (a `figure` in `extension/popup.html`, with its caption).

use super::dom;
use super::ext::{ExtError, Stored};
use super::zone::Zone;
use crate::connect::Connection;
use crate::store::{CONNECTION_KEY, TEAM_KEY};
use crate::team::TeamCache;
use crate::timeline::{timeline, SvgNode};
use std::rc::Rc;
use web_sys::Element;

const SVG_NS: &str = "http://www.w3.org/2000/svg";

fn svg(node: &SvgNode) -> Option<Element> {
    let element = dom::document()
        .create_element_ns(Some(SVG_NS), node.tag)
        .ok()?;
    for (name, value) in &node.attrs {
        let _ = element.set_attribute(name, value);
    }
    if let Some(text) = &node.text {
        element.set_text_content(Some(text));
    }
    for child in &node.children {
        if let Some(child) = svg(child) {
            let _ = element.append_child(&child);
        }
    }
    Some(element)
}

/// Draws the Team view's timeline and keeps it current.
pub async fn mount(zone: Rc<Zone>) -> Result<(), ExtError> {
    dom::watch_local(&[TEAM_KEY, CONNECTION_KEY], move |stored| {
        draw(&zone, stored)
    })
    .await
}

fn draw(zone: &Zone, stored: &Stored) {
    let Some(figure) = dom::by_id("timeline") else {
        return;
    };
    let Some(caption) = dom::slot(&figure, "caption") else {
        return;
    };
    let connected: Option<Connection> = stored.get(CONNECTION_KEY).ok().flatten();
    let cache: TeamCache = stored.or_default(TEAM_KEY);
    if connected.is_none() || cache.members.is_empty() {
        figure.replace_children_with_node_1(&caption);
        dom::set_hidden("timeline", true);
        return;
    }
    let picture = timeline(&cache, dom::now(), zone, &dom::zone_of).to_svg();
    caption.set_text_content(Some(&format!(
        "Working hours today, in your time ({})",
        zone.name()
    )));
    match svg(&picture) {
        Some(drawing) => figure.replace_children_with_node_2(&drawing, &caption),
        None => figure.replace_children_with_node_1(&caption),
    }
    dom::set_hidden("timeline", false);
}
