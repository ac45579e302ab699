//! The library's resources: adding a link or a file to a community's library (optionally to
//! one of its pages) by someone its edit rights allow, and removing one (whoever added it, or
//! the community's moderators). A file arrives already staged on disk (`crate::files`); here its
//! type is read from its bytes and, in the write transaction that holds its `library_files`
//! row, it is put in place and its row written: both or neither. A removal deletes the row,
//! then releases the file in a second transaction (removed from disk when nothing names it).

use super::library::{local_only, may_write};
use crate::{
    context::AppContext,
    db::{
        self,
        accounts::Account,
        communities::Community,
        library_resources::{self as rows, NewResource, Resource},
        DbConn,
    },
    domain::{
        communities::Role,
        resources::{self as rules, ResourceText},
    },
    error::{Error, Result},
    files::{Staged, Store},
};

/// Where a new resource goes and what it says.
pub struct Placement {
    /// The page's slug, or empty for the library at large.
    pub page: String,
    pub text: ResourceText,
}

fn page_id(conn: &mut DbConn, community: &Community, slug: &str) -> Result<Option<i64>> {
    match slug.trim() {
        "" => Ok(None),
        slug => db::library::by_slug(conn, community.id, slug)?
            .map(|p| Some(p.id))
            .ok_or_else(|| Error::invalid_field("page", "no such page in this library")),
    }
}

/// Checks that `account` may add resources to `community`'s library (before an upload is
/// read: an outsider's bytes are not written anywhere).
pub async fn may_add(ctx: &AppContext, account: &Account, community: &Community) -> Result<()> {
    local_only(community)?;
    let (gate, person, admin, c) = (
        ctx.gate().clone(),
        account.person.id,
        account.user.is_admin,
        community.clone(),
    );
    ctx.db(move |conn| may_write(conn, &gate, person, admin, &c))
        .await
}

/// Adds a link.
pub async fn add_link(
    ctx: &AppContext,
    account: &Account,
    community: Community,
    url: &str,
    placement: Placement,
) -> Result<Resource> {
    local_only(&community)?;
    let url = rules::link_url(url)?;
    let (gate, person, admin) = (ctx.gate().clone(), account.person.id, account.user.is_admin);
    ctx.write(move |conn| {
        may_write(conn, &gate, person, admin, &community)?;
        let page_id = page_id(conn, &community, &placement.page)?;
        let id = rows::insert(
            conn,
            &NewResource {
                community_id: community.id,
                page_id,
                kind: rows::LINK,
                title: &placement.text.title,
                description: &placement.text.description,
                url: Some(&url),
                sha256: None,
                file_name: None,
                media_type: None,
                size_bytes: None,
                added_by: person,
                created_at: db::now(),
            },
        )?;
        found(conn, community.id, id)
    })
    .await
}

fn found(conn: &mut DbConn, community_id: i64, id: i64) -> Result<Resource> {
    rows::by_id(conn, community_id, id)?.ok_or_else(|| Error::not_found("resource"))
}

/// Adds an uploaded file named `sent_name` by its sender; 415 when its bytes are not of a type
/// the library takes, or disagree with its name.
pub async fn add_file(
    ctx: &AppContext,
    account: &Account,
    community: Community,
    staged: Staged,
    sent_name: &str,
    placement: Placement,
) -> Result<Resource> {
    local_only(&community)?;
    let name = rules::file_name(sent_name)?;
    if staged.size == 0 {
        return Err(Error::invalid_field("file", "the file is empty"));
    }
    let whole = staged.size <= rules::HEAD as u64;
    let media_type = rules::file_type(&staged.head, &name, whole)?;
    let store = Store::of(ctx.settings());
    let (gate, person, admin) = (ctx.gate().clone(), account.person.id, account.user.is_admin);
    ctx.write(move |conn| {
        may_write(conn, &gate, person, admin, &community)?;
        let page_id = page_id(conn, &community, &placement.page)?;
        let (sha256, size) = (staged.sha256.clone(), staged.size as i64);
        let at = db::now();
        rows::take_file(conn, &sha256, size, at)?;
        let id = rows::insert(
            conn,
            &NewResource {
                community_id: community.id,
                page_id,
                kind: rows::FILE,
                title: &placement.text.title,
                description: &placement.text.description,
                url: None,
                sha256: Some(&sha256),
                file_name: Some(&name),
                media_type: Some(media_type),
                size_bytes: Some(size),
                added_by: person,
                created_at: at,
            },
        )?;
        let resource = found(conn, community.id, id)?;
        // Last, so that a failed statement above leaves no file behind (the staged copy is
        // removed when dropped); a failed commit after it leaves an unused file, swept later.
        store.keep(staged)?;
        Ok(resource)
    })
    .await
}

/// Removes a resource: whoever added it may, and the community's moderators (and admins).
pub async fn remove(
    ctx: &AppContext,
    account: &Account,
    community: Community,
    id: i64,
) -> Result<()> {
    local_only(&community)?;
    let (gate, person, admin) = (ctx.gate().clone(), account.person.id, account.user.is_admin);
    let sha256 = ctx
        .write(move |conn| {
            let viewer = crate::views::gate::Viewer::person(person, admin);
            let sight = gate.sight(conn, &viewer, &community)?;
            let resource = match sight.content {
                true => rows::by_id(conn, community.id, id)?,
                false => None,
            }
            .ok_or_else(|| Error::not_found("resource"))?;
            let moderates = admin || sight.role.is_some_and(Role::moderates);
            if resource.added_by != person && !moderates {
                return Err(Error::forbidden(
                    "only whoever added a resource, or the community's moderators, may remove it",
                ));
            }
            rows::delete(conn, id)?;
            Ok(resource.sha256)
        })
        .await?;
    if let Some(sha256) = sha256 {
        release(ctx, sha256).await?;
    }
    Ok(())
}

/// Removes the file of these bytes from disk when no resource names them any more.
pub async fn release(ctx: &AppContext, sha256: String) -> Result<()> {
    let store = Store::of(ctx.settings());
    ctx.write(move |conn| {
        if rows::release_file(conn, &sha256)? {
            store.remove(&sha256)?;
        }
        Ok(())
    })
    .await
}

/// Releases file rows no resource names (left when a removal stopped half-way): a
/// housekeeping pass, at most `limit` files.
pub async fn sweep(ctx: &AppContext, limit: i64) -> Result<usize> {
    let unused = ctx.db(move |conn| rows::unused_files(conn, limit)).await?;
    let n = unused.len();
    for sha256 in unused {
        release(ctx, sha256).await?;
    }
    Ok(n)
}
