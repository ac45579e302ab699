//! The library's writes: creating a page, saving a revision (from the revision the editor
//! started from: a later save by someone else is merged when the two touch different lines, and
//! otherwise answered with a conflict, never overwritten), restoring an old revision (as a new
//! one), and the community's edit rights (moderators only).

use crate::{
    context::AppContext,
    db::{
        self,
        accounts::Account,
        communities::Community,
        library::{Page, PageWrite, Revision},
        DbConn,
    },
    domain::{
        citations::citations,
        content,
        library::{self as rules, EditBy, PageText},
    },
    error::{Error, ErrorKind, Result},
    views::{
        gate::{Gate, Viewer},
        library::edit_rights,
    },
};

/// What a save did.
pub enum Saved {
    /// A new revision (or none, when nothing changed).
    Saved(Page),
    /// Another save came first; both were merged into a new revision.
    Merged(Page),
    /// Another save came first and touched the same lines: nothing was written.
    Conflict(Box<Conflict>),
}

/// A refused save: the revision the editor started from, the latest one, and what they wrote.
pub struct Conflict {
    pub page: Page,
    pub base: Revision,
    pub latest: Revision,
    pub mine: PageText,
}

fn not_found() -> Error {
    Error::not_found("page")
}

pub(crate) fn local_only(community: &Community) -> Result<()> {
    if community.local {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Unprocessable,
        "remote_community",
        "a community's pages are written on its own instance",
    ))
}

/// Checks that `account` may read and edit `community`'s pages (the read gate first: 404 when
/// it may not read them).
pub(crate) fn may_write(
    conn: &mut DbConn,
    gate: &Gate,
    account_person: i64,
    is_admin: bool,
    community: &Community,
) -> Result<()> {
    let viewer = Viewer::person(account_person, is_admin);
    gate.sight(conn, &viewer, community)?.or_else(not_found)?;
    db::bans::ensure_not_banned(conn, community.id, account_person)?;
    edit_rights(conn, community, account_person)
}

fn page_of(conn: &mut DbConn, community: &Community, slug: &str) -> Result<Page> {
    db::library::by_slug(conn, community.id, slug)?.ok_or_else(not_found)
}

/// A new page, its first revision by `account`; `parent` is the slug of its section's page
/// (empty: at the top of the tree).
pub async fn create(
    ctx: &AppContext,
    account: &Account,
    community: Community,
    slug: &str,
    parent: &str,
    text: PageText,
) -> Result<Page> {
    local_only(&community)?;
    let new = NewPage::new(ctx, account, &community, slug, parent, text)?;
    ctx.write(move |conn| {
        let gate = new.gate.clone();
        may_write(conn, &gate, new.person, new.admin, &community)?;
        new.insert(conn, &community, None)
    })
    .await
}

/// A page about to be made: its address, text and maker.
pub(crate) struct NewPage {
    gate: Gate,
    person: i64,
    admin: bool,
    base: String,
    slug: String,
    ap_id: url::Url,
    parent: String,
    text: PageText,
}

impl NewPage {
    pub(crate) fn new(
        ctx: &AppContext,
        account: &Account,
        community: &Community,
        slug: &str,
        parent: &str,
        text: PageText,
    ) -> Result<NewPage> {
        let slug = rules::slug(slug, &text.title)?;
        let mut ap_id = url::Url::parse(&ctx.url("/c/"))
            .map_err(|e| Error::internal(anyhow::anyhow!("base url: {e}")))?;
        ap_id
            .path_segments_mut()
            .map_err(|_| Error::internal(anyhow::anyhow!("base url has no path")))?
            .pop_if_empty()
            .extend([community.name.as_str(), "library", slug.as_str()]);
        Ok(NewPage {
            gate: ctx.gate().clone(),
            person: account.person.id,
            admin: account.user.is_admin,
            base: ctx.url(""),
            slug,
            ap_id,
            parent: parent.trim().to_string(),
            text,
        })
    }

    /// Inserts it (after the caller checked the rights), with what it cites.
    pub(crate) fn insert(
        &self,
        conn: &mut DbConn,
        community: &Community,
        from_post: Option<i64>,
    ) -> Result<Page> {
        let slug = &self.slug;
        if db::library::by_slug(conn, community.id, slug)?.is_some() {
            let mut taken = Error::new(
                ErrorKind::Conflict,
                "slug_taken",
                format!("slug: this library already has a page at “{slug}”"),
            );
            taken.field = Some("slug".into());
            return Err(taken);
        }
        let parent_id = match self.parent.as_str() {
            "" => None,
            p => {
                let section = db::library::by_slug(conn, community.id, p)?
                    .ok_or_else(|| Error::invalid_field("parent", "no such page here"))?;
                if depth(conn, &section)? >= rules::MAX_DEPTH {
                    return Err(Error::invalid_field(
                        "parent",
                        format_args!("sections go at most {} deep", rules::MAX_DEPTH),
                    ));
                }
                Some(section.id)
            }
        };
        let text = &self.text;
        let html = content::markdown_to_html(&text.body);
        let write = PageWrite {
            title: &text.title,
            body_md: &text.body,
            body_html: &html,
            summary: &text.summary,
            restored_from: None,
            editor_id: self.person,
            at: db::now(),
        };
        let page = db::library::insert(
            conn,
            community.id,
            parent_id,
            slug,
            self.ap_id.as_str(),
            from_post,
            &write,
        )?;
        cite(conn, &self.base, page.id, &text.body)?;
        saved(conn, &page)?;
        // Pages that named this address before it existed cite it from now on.
        let address = format!("/c/{}/library/{slug}", community.name);
        for (id, body) in db::library_links::mentioning(conn, &address)? {
            if id != page.id {
                cite(conn, &self.base, id, &body)?;
            }
        }
        Ok(page)
    }
}

/// Records what a page's latest text cites (`base`: this instance's URL).
pub(crate) fn cite(conn: &mut DbConn, base: &str, page_id: i64, body: &str) -> Result<()> {
    let found = db::library_links::targets(conn, page_id, &citations(body, base))?;
    db::library_links::set(conn, page_id, &found)
}

/// Records the page's new revision for federation (`Change::PageSaved`), in the write's
/// transaction.
pub(crate) fn saved(conn: &mut DbConn, page: &Page) -> Result<()> {
    let change = crate::domain::changes::Change::PageSaved {
        page_id: page.id,
        revision: page.revision,
    };
    db::outbox::emit(conn, &change)
}

/// How many ancestors `page` has, plus one (bounded).
fn depth(conn: &mut DbConn, page: &Page) -> Result<usize> {
    let (mut n, mut parent) = (1, page.parent_id);
    while let Some(id) = parent.filter(|_| n <= rules::MAX_DEPTH) {
        n += 1;
        parent = db::library::by_id(conn, id)?.and_then(|p| p.parent_id);
    }
    Ok(n)
}

fn someone_else_saved() -> Error {
    Error::new(
        ErrorKind::Conflict,
        "edit_conflict",
        "someone saved this page at the same moment: open it again and make your change",
    )
}

/// Saves what `account` wrote, starting from revision `base`, as the page's next revision.
pub async fn edit(
    ctx: &AppContext,
    account: &Account,
    community: Community,
    slug: &str,
    text: PageText,
    base: i64,
) -> Result<Saved> {
    local_only(&community)?;
    let (gate, person, admin) = (ctx.gate().clone(), account.person.id, account.user.is_admin);
    let (slug, url) = (slug.to_string(), ctx.url(""));
    ctx.write(move |conn| {
        may_write(conn, &gate, person, admin, &community)?;
        let page = page_of(conn, &community, &slug)?;
        if base < 1 || base > page.revision {
            return Err(Error::invalid_field(
                "base_revision",
                format_args!("this page has revisions 1 to {}", page.revision),
            ));
        }
        let at = db::now();
        if base == page.revision {
            if text.title == page.title && text.body == page.body_md {
                return Ok(Saved::Saved(page));
            }
            let html = content::markdown_to_html(&text.body);
            let write = PageWrite {
                title: &text.title,
                body_md: &text.body,
                body_html: &html,
                summary: &text.summary,
                restored_from: None,
                editor_id: person,
                at,
            };
            if !db::library::save_revision(conn, page.id, base, &write)? {
                return Err(someone_else_saved());
            }
            cite(conn, &url, page.id, &text.body)?;
            let page = page_of(conn, &community, &slug)?;
            saved(conn, &page)?;
            return Ok(Saved::Saved(page));
        }
        let mut found = db::library::revisions(conn, page.id, &[base, page.revision])?;
        let (Some(latest), Some(base_rev)) = (found.pop(), found.pop()) else {
            return Err(Error::internal(anyhow::anyhow!(
                "revisions of page {} missing",
                page.id
            )));
        };
        let title = merged_title(&base_rev.title, &text.title, &latest.title);
        let body = rules::merge(&base_rev.body_md, &text.body, &latest.body_md);
        let (Some(title), Some(body)) = (title, body) else {
            return Ok(Saved::Conflict(Box::new(Conflict {
                page,
                base: base_rev,
                latest,
                mine: text,
            })));
        };
        let html = content::markdown_to_html(&body);
        let write = PageWrite {
            title: &title,
            body_md: &body,
            body_html: &html,
            summary: &text.summary,
            restored_from: None,
            editor_id: person,
            at,
        };
        if !db::library::save_revision(conn, page.id, page.revision, &write)? {
            return Err(someone_else_saved());
        }
        cite(conn, &url, page.id, &body)?;
        let page = page_of(conn, &community, &slug)?;
        saved(conn, &page)?;
        Ok(Saved::Merged(page))
    })
    .await
}

/// Both sides' title: the one changed, or None when both changed it differently.
fn merged_title(base: &str, mine: &str, theirs: &str) -> Option<String> {
    match (mine == base, theirs == base) {
        (true, _) => Some(theirs.to_string()),
        (false, true) => Some(mine.to_string()),
        (false, false) => (mine == theirs).then(|| mine.to_string()),
    }
}

/// Makes revision `number` the page's text again, as a new revision.
pub async fn restore(
    ctx: &AppContext,
    account: &Account,
    community: Community,
    slug: &str,
    number: i64,
) -> Result<Page> {
    local_only(&community)?;
    let (gate, person, admin) = (ctx.gate().clone(), account.person.id, account.user.is_admin);
    let (slug, url) = (slug.to_string(), ctx.url(""));
    ctx.write(move |conn| {
        may_write(conn, &gate, person, admin, &community)?;
        let page = page_of(conn, &community, &slug)?;
        let old = db::library::revisions(conn, page.id, &[number])?
            .pop()
            .ok_or_else(|| Error::invalid_field("revision", "no such revision of this page"))?;
        if number == page.revision {
            return Err(Error::invalid_field(
                "revision",
                "this is already the page's latest revision",
            ));
        }
        let html = content::markdown_to_html(&old.body_md);
        let summary = format!("Restored revision {number}");
        let write = PageWrite {
            title: &old.title,
            body_md: &old.body_md,
            body_html: &html,
            summary: &summary,
            restored_from: Some(number),
            editor_id: person,
            at: db::now(),
        };
        if !db::library::save_revision(conn, page.id, page.revision, &write)? {
            return Err(someone_else_saved());
        }
        cite(conn, &url, page.id, &old.body_md)?;
        let page = page_of(conn, &community, &slug)?;
        saved(conn, &page)?;
        Ok(page)
    })
    .await
}

/// Sets who may edit the community's pages, and the named editors (local names), by one of
/// its moderators.
pub async fn set_rights(
    ctx: &AppContext,
    account: &Account,
    community: Community,
    edit_by: EditBy,
    editors: Vec<String>,
) -> Result<()> {
    local_only(&community)?;
    let gate = ctx.gate().clone();
    let viewer = Viewer::person(account.person.id, account.user.is_admin);
    ctx.write(move |conn| {
        gate.moderates(conn, &viewer, &community)?;
        let mut ids = Vec::new();
        for name in editors.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            let person = db::accounts::local_person_by_name(conn, name)?.ok_or_else(|| {
                Error::invalid_field("editors", format_args!("no one here is named {name}"))
            })?;
            if !ids.contains(&person.id) {
                ids.push(person.id);
            }
        }
        db::library::set_rights(conn, community.id, edit_by, &ids)
    })
    .await
}
