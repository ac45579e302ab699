//! Archiving a community: `export` gathers a local community's profile, threads, replies and
//! their authors into an [`Archive`]; `import` stores one as a new local community on this
//! instance, in one transaction, keeping every thread and reply under its original id and
//! listing the old Group in `alsoKnownAs` (so the old one can then `Move` to it).

use crate::{
    context::AppContext,
    db::{
        self,
        accounts::{Account, Person},
        archive::{adopt_post, import_comment, import_post, person_for, Kept},
        communities::Community,
        posts::{Comment, NewComment, NewPost, Post},
        DbConn,
    },
    domain::{
        archive::{Archive, ArchivedComment, ArchivedCommunity, ArchivedPerson, ArchivedThread},
        communities as rules, content,
    },
    error::{Error, ErrorKind, Result},
};
use std::collections::HashMap;

/// Everything of the local community `name` an archive holds. Deleted and removed threads and
/// replies are left out; a kept reply whose parent was left out answers the nearest kept one.
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

/// [`export`] for the community's owner (the API's and the move page's download).
pub async fn export_for(data: &AppContext, owner: &Account, name: &str) -> Result<Archive> {
    let (person_id, lookup) = (owner.person.id, name.to_string());
    data.db(move |conn| {
        let c = db::communities::local_by_name(conn, &lookup)?
            .ok_or_else(|| Error::not_found(format_args!("community `{lookup}`")))?;
        let role = db::communities::role_of(conn, c.id, person_id)?;
        crate::domain::links::may_link(role)
    })
    .await?;
    export(data, name).await
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

/// What an import stored.
#[derive(Debug)]
pub struct Imported {
    pub community: Community,
    pub threads: usize,
    pub replies: usize,
    /// Threads this instance had already stored from the old community (it followed it), now
    /// the new community's.
    pub adopted: usize,
}

/// Stores `archive` as the new local community `name` (default: the archive's name) owned by
/// `owner`. All or nothing: a bad archive, a taken name, or a thread stored here under another
/// community leaves the database as it was.
pub async fn import(
    ctx: &AppContext,
    archive: Archive,
    owner: &Account,
    name: Option<String>,
) -> Result<Imported> {
    archive.check()?;
    let fields = archive.fields()?;
    let name = name.unwrap_or_else(|| archive.community.name.clone());
    rules::validate_community_name(&name)?;
    let founding = super::communities::Founding::new(ctx, name);
    let owner = owner.person.clone();
    ctx.write(move |conn| {
        let old = db::communities::by_ap_id(conn, &archive.community.ap_id)?;
        if old.as_ref().is_some_and(|o| o.local) {
            return Err(Error::new(
                ErrorKind::Conflict,
                "archived_here",
                "the archived community is on this instance: it needs no import",
            ));
        }
        let c = founding.insert(conn, &fields, &owner)?;
        let c = db::communities::set_aliases(
            conn,
            c.id,
            std::slice::from_ref(&archive.community.ap_id),
        )?;
        let mut people = HashMap::new();
        for p in &archive.people {
            people.insert(p.ap_id.as_str(), person_for(conn, p)?.id);
        }
        let old_id = old.map(|o| o.id);
        let mut imported = Imported {
            community: c,
            threads: 0,
            replies: 0,
            adopted: 0,
        };
        for t in &archive.threads {
            store_thread(conn, t, &people, old_id, &mut imported)?;
        }
        Ok(imported)
    })
    .await
}

fn store_thread(
    conn: &mut DbConn,
    t: &ArchivedThread,
    people: &HashMap<&str, i64>,
    old_id: Option<i64>,
    imported: &mut Imported,
) -> Result<()> {
    let community_id = imported.community.id;
    let post_id = match db::posts::post_by_ap_id(conn, &t.ap_id)? {
        Some(stored) if Some(stored.community_id) == old_id => {
            adopt_post(conn, stored.id, community_id)?;
            imported.adopted += 1;
            stored.id
        }
        Some(_) => return Err(elsewhere(&t.ap_id)),
        None => {
            let (title, body) = crate::domain::posts::parse_post(&t.title, &t.body)?;
            let new = NewPost {
                ap_id: Some(&t.ap_id),
                community_id,
                author_id: people[t.author.as_str()],
                title: &title,
                body_md: &body,
                body_html: &content::markdown_to_html(&body),
                published: Some(t.published),
            };
            let kept = Kept {
                updated: t.updated,
                score: t.score,
                locked: t.locked,
                pinned: t.pinned,
            };
            imported.threads += 1;
            import_post(conn, &new, &kept)?.id
        }
    };
    let mut ids: HashMap<&str, i64> = HashMap::new();
    for r in &t.comments {
        let parent_id = r.parent.as_deref().map(|p| ids[p]);
        let id = match db::posts::comment_by_ap_id(conn, &r.ap_id)? {
            Some(stored) if stored.post_id == post_id => stored.id,
            Some(_) => return Err(elsewhere(&r.ap_id)),
            None => {
                let body = crate::domain::posts::parse_comment(&r.body)?;
                let new = NewComment {
                    ap_id: Some(&r.ap_id),
                    post_id,
                    parent_id,
                    author_id: people[r.author.as_str()],
                    body_md: &body,
                    body_html: &content::markdown_to_html(&body),
                    published: Some(r.published),
                };
                let kept = Kept {
                    updated: r.updated,
                    score: r.score,
                    locked: false,
                    pinned: false,
                };
                imported.replies += 1;
                import_comment(conn, &new, &kept)?.id
            }
        };
        ids.insert(&r.ap_id, id);
    }
    Ok(())
}

fn elsewhere(ap_id: &str) -> Error {
    Error::new(
        ErrorKind::Conflict,
        "stored_elsewhere",
        format!("{ap_id} is stored here already, in another community"),
    )
}
