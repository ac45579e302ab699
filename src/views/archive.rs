//! A community's archive (`domain::archive`) as read from the database: everything of it for
//! the operator's export, and for a reader only through the read gate and only for its owners.

use crate::{
    context::AppContext,
    db::{
        self,
        accounts::Person,
        communities::Community,
        posts::{Comment, Post},
    },
    domain::archive::{
        Archive, ArchivedComment, ArchivedCommunity, ArchivedPerson, ArchivedThread,
    },
    error::{Error, Result},
    views::gate::Viewer,
};
use std::collections::HashMap;

/// Everything of the local community `name` an archive holds, unchecked (the operator's
/// `copse admin export-community`; readers go through [`for_viewer`]). Deleted and removed
/// threads and replies are left out; a kept reply whose parent was left out answers the nearest
/// kept one.
pub async fn export(ctx: &AppContext, name: &str) -> Result<Archive> {
    let name = name.to_string();
    let source = ctx.url("");
    let host = ctx.settings().hostname.clone();
    ctx.db(move |conn| {
        let c = db::communities::local_by_name(conn, &name)?
            .ok_or_else(|| Error::not_found(format_args!("local community `{name}`")))?;
        let (threads, replies) = db::archive::community_content(conn, c.id)?;
        let replies = kept_replies(replies);
        let mut author_ids: Vec<i64> = threads.iter().map(|t| t.author_id).collect();
        author_ids.extend(replies.iter().map(|(r, _)| r.author_id));
        author_ids.sort_unstable();
        author_ids.dedup();
        let people = db::archive::people(conn, &author_ids)?;
        let moderators = db::communities::moderators(conn, c.id)?;
        let member_count = db::communities::count_members(conn, c.id)?;
        Ok(archive_of(
            (source, &host),
            &c,
            &people,
            &threads,
            &replies,
            &moderators,
            member_count,
        ))
    })
    .await
}

/// [`export`] for a reader of the pages or the API: the read gate first (a private community
/// is missing to outsiders), then the community's owners only (401 signed out, 403 others).
pub async fn for_viewer(ctx: &AppContext, viewer: Viewer, name: &str) -> Result<Archive> {
    let gate = ctx.gate().clone();
    let lookup = name.to_string();
    ctx.db(move |conn| {
        let missing = || Error::not_found(format_args!("community `{lookup}`"));
        let c = db::communities::local_by_name(conn, &lookup)?.ok_or_else(missing)?;
        let role = gate.sight(conn, &viewer, &c)?.or_else(missing)?;
        if viewer.person_id().is_none() {
            return Err(Error::unauthorized("sign in to download an archive"));
        }
        crate::domain::links::may_link(role)
    })
    .await?;
    export(ctx, name).await
}

/// Replies neither deleted nor removed, each with the ActivityPub id of the nearest kept reply
/// above it (None: it answers the thread's post).
fn kept_replies(all: Vec<Comment>) -> Vec<(Comment, Option<i64>)> {
    let by_id: HashMap<i64, &Comment> = all.iter().map(|c| (c.id, c)).collect();
    let gone = |c: &Comment| c.deleted || c.removed;
    let parent_of = |c: &Comment| {
        let mut parent = c.parent_id;
        while let Some(p) = parent.and_then(|id| by_id.get(&id)) {
            if !gone(p) {
                return Some(p.id);
            }
            parent = p.parent_id;
        }
        None
    };
    let kept: Vec<_> = all
        .iter()
        .filter(|c| !gone(c))
        .map(|c| (c.id, parent_of(c)))
        .collect();
    let parents: HashMap<i64, Option<i64>> = kept.into_iter().collect();
    all.into_iter()
        .filter(|c| parents.contains_key(&c.id))
        .map(|c| {
            let parent = parents[&c.id];
            (c, parent)
        })
        .collect()
}

fn archive_of(
    (source, our_host): (String, &str),
    c: &Community,
    people: &[Person],
    threads: &[Post],
    replies: &[(Comment, Option<i64>)],
    moderators: &[Person],
    member_count: i64,
) -> Archive {
    let actor: HashMap<i64, String> = people.iter().map(|p| (p.id, p.ap_id.to_string())).collect();
    let reply_ids: HashMap<i64, String> = replies
        .iter()
        .map(|(r, _)| (r.id, r.ap_id.to_string()))
        .collect();
    let mut by_thread: HashMap<i64, Vec<ArchivedComment>> = HashMap::new();
    for (r, parent) in replies {
        by_thread
            .entry(r.post_id)
            .or_default()
            .push(ArchivedComment {
                ap_id: r.ap_id.to_string(),
                parent: parent.map(|p| reply_ids[&p].clone()),
                author: actor[&r.author_id].clone(),
                body: r.body_md.clone(),
                body_html: r.body_html.clone(),
                published: r.published,
                updated: r.updated,
                score: r.score,
            });
    }
    let fields = c.fields();
    Archive {
        format: crate::domain::archive::FORMAT.to_string(),
        source,
        exported_at: db::now(),
        community: ArchivedCommunity {
            ap_id: c.ap_id.to_string(),
            name: c.name.clone(),
            title: fields.title,
            summary: fields.summary,
            charter: fields.charter,
            membership_policy: fields.membership_policy,
            visibility: fields.visibility,
            posting_restricted_to_mods: fields.posting_restricted_to_mods,
            questions: fields.questions,
            published: c.published,
            moderators: moderators.iter().map(|m| m.ap_id.to_string()).collect(),
            member_count,
            summary_html: c.summary_html.clone(),
        },
        people: people
            .iter()
            .map(|p| archived_person(p, our_host))
            .collect(),
        threads: threads
            .iter()
            .map(|t| ArchivedThread {
                ap_id: t.ap_id.to_string(),
                author: actor[&t.author_id].clone(),
                title: t.title.clone(),
                body: t.body_md.clone(),
                body_html: t.body_html.clone(),
                published: t.published,
                updated: t.updated,
                locked: t.locked,
                pinned: t.pinned,
                score: t.score,
                comments: by_thread.remove(&t.id).unwrap_or_default(),
            })
            .collect(),
    }
}

fn archived_person(p: &Person, our_host: &str) -> ArchivedPerson {
    let handle = match url::Url::parse(p.ap_id.as_str()) {
        Ok(url) => crate::domain::names::handle(&p.name, &url, our_host),
        Err(_) => format!("{}@{our_host}", p.name),
    };
    ArchivedPerson {
        ap_id: p.ap_id.to_string(),
        name: p.name.clone(),
        display_name: p.display_name.clone(),
        handle,
        inbox_url: p.inbox_url.clone(),
    }
}
