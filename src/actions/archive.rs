//! Importing a community archive: `import` stores an [`Archive`] (read from the database by
//! `views::archive`) as a new local community on this instance, in one transaction, keeping
//! every thread and reply under its original id and listing the old Group in `alsoKnownAs` (so
//! the old one can then `Move` to it).

use crate::{
    context::AppContext,
    db::{
        self,
        accounts::Account,
        archive::{adopt_post, import_comment, import_post, person_for, Kept},
        communities::Community,
        posts::{NewComment, NewPost},
        DbConn,
    },
    domain::{
        archive::{Archive, ArchivedThread},
        communities as rules, content,
    },
    error::{Error, ErrorKind, Result},
};
use std::collections::HashMap;

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
