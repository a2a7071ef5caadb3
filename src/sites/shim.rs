//! The content script's generic shim, re-enacted over parsed HTML for native tests: runs a
//! [`ScanPlan`] exactly as documented in the module docs of `sites` and returns the descriptors
//! the shim would send: [`scan`] groups identical ones as the shim does, [`scan_each`] does not.

use std::collections::HashMap;

use scraper::{ElementRef, Html, Selector};

use super::{Descriptor, ScanPlan};

pub fn scan(html: &str, plan: &ScanPlan) -> Vec<Descriptor> {
    grouped(scan_each(html, plan))
}

/// One descriptor per element and rule.
pub fn scan_each(html: &str, plan: &ScanPlan) -> Vec<Descriptor> {
    let doc = Html::parse_document(html);
    let mut seen = HashMap::new();
    let mut out = Vec::new();
    for rule in &plan.rules {
        let selector = Selector::parse(rule.selector).expect("rule selectors parse");
        let inner = rule.inner.as_ref().map(|i| {
            (
                Selector::parse(i.selector).expect("inner selectors parse"),
                &i.attrs,
            )
        });
        for el in doc.select(&selector) {
            let next = seen.len();
            let index = *seen.entry(el.id()).or_insert(next);
            let text = rule.text.then(|| {
                let all: String = el.text().collect();
                all.trim().chars().take(plan.text_limit).collect()
            });
            let inner = inner
                .as_ref()
                .and_then(|(sel, attrs)| el.select(sel).next().map(|i| read(i, attrs)))
                .unwrap_or_default();
            out.push(Descriptor {
                rule: rule.id.to_owned(),
                index: u32::try_from(index).expect("fewer than 2^32 elements"),
                attrs: read(el, &rule.attrs),
                text,
                inner,
                also: Vec::new(),
            });
        }
    }
    out
}

fn read(el: ElementRef, attrs: &[&str]) -> Vec<(String, String)> {
    attrs
        .iter()
        .filter_map(|a| el.value().attr(a).map(|v| ((*a).to_owned(), v.to_owned())))
        .collect()
}

/// Identical descriptors once, with the other elements' indices in `also` (`grouped` in
/// extension/content.js).
fn grouped(each: Vec<Descriptor>) -> Vec<Descriptor> {
    type Key = (
        String,
        Vec<(String, String)>,
        Option<String>,
        Vec<(String, String)>,
    );
    let mut first: HashMap<Key, usize> = HashMap::new();
    let mut out: Vec<Descriptor> = Vec::new();
    for d in each {
        let key = (
            d.rule.clone(),
            d.attrs.clone(),
            d.text.clone(),
            d.inner.clone(),
        );
        match first.get(&key) {
            Some(&at) => out[at].also.push(d.index),
            None => {
                first.insert(key, out.len());
                out.push(d);
            }
        }
    }
    out
}
