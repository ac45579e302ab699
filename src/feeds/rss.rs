//! RSS 2.0 documents (the `rss` crate): a channel of threads, each item with its title, a link
//! to its thread page here, its author (`dc:creator`, as `name@host`), its community
//! (`category`), its date, its ActivityPub id as `guid` and its sanitized HTML body.

use crate::{context::AppContext, db::posts::ListedPost, domain::names::handle};
use rss::{
    extension::{dublincore::DublinCoreExtension, Extension},
    Category, Channel, Guid, Item,
};
use std::collections::BTreeMap;

/// What a feed is about, besides its items.
pub struct About {
    pub title: String,
    /// The page of what the feed follows (a community's, a person's, the home page).
    pub page: String,
    pub description: String,
    /// The feed's own address (its `atom:link rel="self"`).
    pub address: String,
}

/// The feed's XML. Its build date is its newest item's, so an unchanged feed reads the same
/// (and keeps its `ETag`).
pub fn document(ctx: &AppContext, about: About, threads: Vec<ListedPost>) -> String {
    let host = &ctx.settings().hostname;
    let last = threads
        .iter()
        .map(|l| {
            l.post
                .updated
                .unwrap_or(l.post.published)
                .max(l.post.published)
        })
        .max();
    let channel = Channel {
        title: about.title,
        link: about.page,
        description: about.description,
        generator: Some(format!("copse {}", env!("CARGO_PKG_VERSION"))),
        last_build_date: last.map(rfc2822),
        extensions: self_link(&about.address),
        namespaces: BTreeMap::from([("atom".into(), "http://www.w3.org/2005/Atom".into())]),
        items: threads.into_iter().map(|l| item(ctx, host, l)).collect(),
        ..Channel::default()
    };
    channel.to_string()
}

fn item(ctx: &AppContext, host: &str, l: ListedPost) -> Item {
    Item {
        title: Some(l.post.title),
        link: Some(ctx.url(&format!("/post/{}", l.post.id))),
        description: Some(l.post.body_html),
        categories: vec![Category {
            name: handle(&l.community.name, &l.community.ap_id, host),
            domain: None,
        }],
        guid: Some(Guid {
            value: l.post.ap_id.to_string(),
            // An ActivityPub id: it names the post, it need not be a page.
            permalink: false,
        }),
        pub_date: Some(rfc2822(l.post.published)),
        dublin_core_ext: Some(DublinCoreExtension {
            creators: vec![handle(&l.author.name, &l.author.ap_id, host)],
            ..DublinCoreExtension::default()
        }),
        ..Item::default()
    }
}

/// `<atom:link rel="self" href="…" type="application/rss+xml"/>`, which RSS validators ask for.
fn self_link(address: &str) -> rss::extension::ExtensionMap {
    let link = Extension {
        name: "atom:link".into(),
        attrs: BTreeMap::from([
            ("href".into(), address.into()),
            ("rel".into(), "self".into()),
            ("type".into(), super::CONTENT_TYPE_BARE.into()),
        ]),
        ..Extension::default()
    };
    BTreeMap::from([("atom".into(), BTreeMap::from([("link".into(), vec![link])]))])
}

fn rfc2822(t: chrono::NaiveDateTime) -> String {
    t.and_utc().to_rfc2822()
}
