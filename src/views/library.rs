//! The library as a viewer sees it, through the read gate (a private community's pages only to
//! its members): the tree of a community's pages, one page, its history, one old revision, and
//! the diff between two revisions; each with whether the viewer may edit.

use super::gate::{Gate, Sight, Viewer};
use crate::{
    context::AppContext,
    db::{
        self,
        communities::Community,
        library::{Page, PageLine, Revision, RevisionLine},
        library_links::{self, LinkedPage},
        library_resources::Resource,
        DbConn,
    },
    domain::{
        communities::Role,
        library::{self as rules, DiffLine, EditBy},
        names,
    },
    error::Result,
};

/// What a viewer may do in a library they may read.
pub struct Access {
    pub role: Option<Role>,
    pub edit_by: EditBy,
    /// Whether they may create and edit pages (a local community, and the rights allow it).
    pub may_edit: bool,
    /// Whether they may set the edit rights (its moderators).
    pub moderates: bool,
}

/// Whether `person_id` may edit `community`'s pages under its setting: 403 otherwise.
pub fn edit_rights(conn: &mut DbConn, community: &Community, person_id: i64) -> Result<()> {
    let role = db::communities::role_of(conn, community.id, person_id)?;
    let edit_by = db::library::edit_by(conn, community.id)?;
    let named =
        edit_by == EditBy::Editors && db::library::is_editor(conn, community.id, person_id)?;
    rules::may_edit(edit_by, role, named)
}

/// The viewer's access to `community`'s library, or None when the gate hides its content.
pub fn access(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    community: &Community,
) -> Result<Option<Access>> {
    let sight = gate.sight(conn, viewer, community)?;
    access_in_sight(conn, sight, viewer, community)
}

/// [`access`] for a viewer whose sight of `community` the gate has already given.
fn access_in_sight(
    conn: &mut DbConn,
    sight: Sight,
    viewer: &Viewer,
    community: &Community,
) -> Result<Option<Access>> {
    if !sight.content {
        return Ok(None);
    }
    let edit_by = db::library::edit_by(conn, community.id)?;
    let may_edit = match viewer.person_id() {
        Some(p) if community.local => {
            let named =
                edit_by == EditBy::Editors && db::library::is_editor(conn, community.id, p)?;
            rules::may_edit(edit_by, sight.role, named).is_ok()
        }
        _ => false,
    };
    Ok(Some(Access {
        role: sight.role,
        edit_by,
        may_edit,
        moderates: community.local && sight.role.is_some_and(Role::moderates),
    }))
}

/// A page in the tree, with how deep it sits (0: at the top).
pub struct TreeLine {
    pub depth: usize,
    pub page: PageLine,
}

/// A community's library: its pages as a tree of sections.
pub struct Library {
    pub access: Access,
    pub tree: Vec<TreeLine>,
}

/// The tree of `lines`: each page under its parent, siblings by title; a page whose parent is
/// missing goes to the top.
pub fn tree(lines: Vec<PageLine>) -> Vec<TreeLine> {
    let ids: Vec<i64> = lines.iter().map(|l| l.id).collect();
    let is_root = |l: &PageLine| l.parent_id.is_none_or(|p| !ids.contains(&p));
    let mut out = Vec::with_capacity(lines.len());
    let mut placed = vec![false; lines.len()];
    let mut stack: Vec<(usize, usize)> = lines
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, l)| is_root(l))
        .map(|(i, _)| (i, 0))
        .collect();
    while let Some((i, depth)) = stack.pop() {
        if std::mem::replace(&mut placed[i], true) {
            continue;
        }
        let id = lines[i].id;
        stack.extend(
            lines
                .iter()
                .enumerate()
                .rev()
                .filter(|(j, l)| l.parent_id == Some(id) && !placed[*j])
                .map(|(j, _)| (j, depth + 1)),
        );
        out.push((i, depth));
    }
    let mut lines: Vec<Option<PageLine>> = lines.into_iter().map(Some).collect();
    out.into_iter()
        .filter_map(|(i, depth)| lines[i].take().map(|page| TreeLine { depth, page }))
        .collect()
}

pub fn library(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    community: &Community,
) -> Result<Option<Library>> {
    let Some(access) = access(conn, gate, viewer, community)? else {
        return Ok(None);
    };
    let tree = tree(db::library::pages(conn, community.id)?);
    Ok(Some(Library { access, tree }))
}

/// One page as shown.
pub struct PageRead {
    pub access: Access,
    pub page: Page,
    /// The last editor's handle.
    pub editor: String,
    pub parent: Option<PageLine>,
    pub children: Vec<PageLine>,
    /// The pages that cite it, of the libraries the viewer may read.
    pub linked_from: Vec<LinkedPage>,
    /// The links and files attached to it.
    pub resources: Vec<Resource>,
    /// A remote community's page: the resources its home sent with it (read-only).
    pub attachments: Vec<crate::domain::attachments::Attachment>,
}

fn person_handle(conn: &mut DbConn, host: &str, id: i64) -> Result<String> {
    Ok(db::accounts::person_by_id(conn, id)?
        .map(|p| author_handle(host, &p.name, p.ap_id.as_str(), p.local))
        .unwrap_or_default())
}

/// `name` for a local person, `name@host` for a remote one.
pub fn author_handle(host: &str, name: &str, ap_id: &str, local: bool) -> String {
    match (local, url::Url::parse(ap_id)) {
        (false, Ok(url)) => names::handle(name, &url, host),
        _ => name.to_string(),
    }
}

/// The page `slug` of a library the viewer may read (None: missing or hidden).
fn found(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    community: &Community,
    slug: &str,
) -> Result<Option<(Access, Page)>> {
    let Some(access) = access(conn, gate, viewer, community)? else {
        return Ok(None);
    };
    Ok(db::library::by_slug(conn, community.id, slug)?.map(|p| (access, p)))
}

pub fn page(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    host: &str,
    community: &Community,
    slug: &str,
) -> Result<Option<PageRead>> {
    let Some((access, page)) = found(conn, gate, viewer, community, slug)? else {
        return Ok(None);
    };
    let editor = person_handle(conn, host, page.last_editor_id)?;
    let all = db::library::pages(conn, community.id)?;
    let parent = all.iter().find(|l| Some(l.id) == page.parent_id).cloned();
    let children = all
        .into_iter()
        .filter(|l| l.parent_id == Some(page.id))
        .collect();
    let linked_from =
        library_links::linked_from(conn, library_links::PAGE, page.id, gate.scope(viewer))?;
    let resources = db::library_resources::of_page(conn, page.id)?;
    let attachments = match community.local {
        true => Vec::new(),
        false => db::attachments::of_page(conn, page.id)?,
    };
    Ok(Some(PageRead {
        attachments,
        access,
        page,
        editor,
        parent,
        children,
        linked_from,
        resources,
    }))
}

/// How many revisions a history page lists (older ones on the next page, as MediaWiki does).
pub const HISTORY_PAGE: i64 = 100;
/// The most an API reader may ask for at once.
pub const HISTORY_MAX: i64 = 500;

/// A page's history: one page of it.
pub struct History {
    pub access: Access,
    pub page: Page,
    /// Newest first.
    pub revisions: Vec<RevisionLine>,
    /// The `before` of the next (older) page, when there is one.
    pub older: Option<i64>,
}

/// Statements: fixed, whatever the number of revisions. `before`: list revisions numbered
/// below it (the newest when None); `limit` is bounded by `HISTORY_MAX`.
pub fn history(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    community: &Community,
    slug: &str,
    before: Option<i64>,
    limit: i64,
) -> Result<Option<History>> {
    let Some((access, page)) = found(conn, gate, viewer, community, slug)? else {
        return Ok(None);
    };
    let limit = limit.clamp(1, HISTORY_MAX);
    let revisions = db::library::history(conn, page.id, before, limit)?;
    let older = revisions
        .last()
        .filter(|last| revisions.len() as i64 == limit && last.number > 1)
        .map(|last| last.number);
    Ok(Some(History {
        access,
        page,
        revisions,
        older,
    }))
}

/// One old revision.
pub struct RevisionRead {
    pub access: Access,
    pub page: Page,
    pub revision: Revision,
    pub author: String,
    pub html: String,
}

pub fn revision(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    host: &str,
    community: &Community,
    slug: &str,
    number: i64,
) -> Result<Option<RevisionRead>> {
    let Some((access, page)) = found(conn, gate, viewer, community, slug)? else {
        return Ok(None);
    };
    let Some(revision) = db::library::revisions(conn, page.id, &[number])?.pop() else {
        return Ok(None);
    };
    let author = person_handle(conn, host, revision.author_id)?;
    let html = crate::domain::content::markdown_to_html(&revision.body_md);
    Ok(Some(RevisionRead {
        access,
        page,
        revision,
        author,
        html,
    }))
}

/// The diff between two revisions of a page.
pub struct DiffRead {
    pub access: Access,
    pub page: Page,
    pub from: Revision,
    pub to: Revision,
    pub lines: Vec<DiffLine>,
}

/// Lines of context kept around each change.
pub const CONTEXT: usize = 3;

/// Statements: fixed (both revisions in one).
pub fn diff(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    community: &Community,
    slug: &str,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<Option<DiffRead>> {
    let Some((access, page)) = found(conn, gate, viewer, community, slug)? else {
        return Ok(None);
    };
    let to = to.unwrap_or(page.revision);
    let from = from.unwrap_or((to - 1).max(1));
    let mut both = db::library::revisions(conn, page.id, &[from, to])?;
    let (Some(to), Some(from)) = (both.pop(), both.pop()) else {
        return Ok(None);
    };
    let lines = rules::diff(&from.body_md, &to.body_md, Some(CONTEXT));
    Ok(Some(DiffRead {
        access,
        page,
        from,
        to,
        lines,
    }))
}

/// `diff` on the database's threads.
pub async fn diff_of(
    ctx: &AppContext,
    viewer: Viewer,
    community: Community,
    slug: String,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<Option<DiffRead>> {
    let gate = ctx.gate().clone();
    ctx.db(move |conn| diff(conn, &gate, &viewer, &community, &slug, from, to))
        .await
}

/// The community a library's address names: a local name, or `name@host` of one known here
/// (never fetched: its library is what this instance holds).
pub async fn community(ctx: &AppContext, reference: &str) -> Result<Option<Community>> {
    let our_host = ctx.settings().hostname.clone();
    let reference = reference.to_string();
    ctx.db(move |conn| match reference.split_once('@') {
        Some((n, host)) if host != our_host => db::communities::remote_by_handle(conn, n, host),
        Some((n, _)) => db::communities::local_by_name(conn, n),
        None => db::communities::local_by_name(conn, &reference),
    })
    .await
}

/// What the library says on a thread or event page: the pages it became, those citing it (of
/// the libraries the viewer may read; a page it became is not listed again as citing it), and
/// whether the viewer may make a page of it.
pub struct PostLinks {
    pub became: Vec<LinkedPage>,
    pub linked_from: Vec<LinkedPage>,
    pub may_make_page: bool,
}

/// Statements: one, and the rights' (one to three) for a signed-in reader. `sight`: the
/// viewer's sight of `community` when the gate has already given it (a thread read has).
pub fn post_links(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    community: &Community,
    post_id: i64,
    sight: Option<Sight>,
) -> Result<PostLinks> {
    let (became, linked_from) = library_links::of_post(conn, post_id, gate.scope(viewer))?;
    let may_make_page = match viewer.person_id() {
        None => false,
        Some(_) => {
            let sight = match sight {
                Some(sight) => sight,
                None => gate.sight(conn, viewer, community)?,
            };
            access_in_sight(conn, sight, viewer, community)?.is_some_and(|a| a.may_edit)
        }
    };
    Ok(PostLinks {
        became,
        linked_from,
        may_make_page,
    })
}
