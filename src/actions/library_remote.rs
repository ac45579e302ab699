//! The library's writes that arrive over federation: a remote member's edit of a local page
//! (the same rights as a local editor, and a stale base refused, never merged), and a remote
//! community's page as its Group announced it (kept read-only, newest revision wins).

use super::library::saved;
use crate::{
    context::AppContext,
    db::{self, attachments::Owner, communities::Community, library::PageWrite},
    domain::{
        content,
        library::{self as rules, PageText},
    },
    error::{Error, ErrorKind, Result},
};

/// What a remote member's edit did.
#[derive(Debug, PartialEq, Eq)]
pub enum RemoteEdit {
    /// Saved as this revision.
    Saved(i64),
    /// The text was the page's already: nothing written.
    Unchanged,
}

/// Saves the edit of local page `page_ap_id` by remote person `person_id`, written from
/// revision `base`. Refused (nothing written) when the person may not read the community (404,
/// as if the page did not exist), may not edit its pages (403 `may_not_edit_library`, or
/// banned), when the page moved past `base` (409
/// `stale_base`: the editor must start again from the latest revision), or when it is not a
/// page of a local community (404).
pub async fn remote_edit(
    ctx: &AppContext,
    person_id: i64,
    page_ap_id: String,
    text: PageText,
    base: i64,
) -> Result<RemoteEdit> {
    let (url, gate) = (ctx.url(""), ctx.gate().clone());
    ctx.write(move |conn| {
        let page =
            db::library::by_ap_id(conn, &page_ap_id)?.ok_or_else(|| Error::not_found("page"))?;
        let community = db::communities::by_id(conn, page.community_id)?
            .filter(|c| c.local)
            .ok_or_else(|| Error::not_found("page"))?;
        // As a local editor: the read gate first (a private community's page is missing to a
        // non-member), then bans and the edit rights.
        super::library::may_write(conn, &gate, person_id, false, &community)?;
        if base != page.revision {
            return Err(Error::new(
                ErrorKind::Conflict,
                "stale_base",
                format!(
                    "the edit was written from revision {base}; the page is at revision {}",
                    page.revision
                ),
            ));
        }
        if text.title == page.title && text.body == page.body_md {
            return Ok(RemoteEdit::Unchanged);
        }
        let html = content::markdown_to_html(&text.body);
        let write = PageWrite {
            title: &text.title,
            body_md: &text.body,
            body_html: &html,
            summary: &text.summary,
            restored_from: None,
            editor_id: person_id,
            at: db::now(),
        };
        if !db::library::save_revision(conn, page.id, base, &write)? {
            return Err(Error::new(
                ErrorKind::Conflict,
                "stale_base",
                "another save came first: start again from the latest revision",
            ));
        }
        super::library::cite(conn, &url, page.id, &text.body)?;
        let page = db::library::by_id(conn, page.id)?.ok_or_else(|| Error::not_found("page"))?;
        saved(conn, &page)?;
        Ok(RemoteEdit::Saved(page.revision))
    })
    .await
}

/// A page of remote `community` as its Group announced it.
pub struct Announced {
    pub ap_id: String,
    pub text: PageText,
    pub revision: i64,
    pub editor_id: i64,
    /// The page's resources as its Group sent them (`attachment`), bounded.
    pub attachments: Vec<crate::domain::attachments::Attachment>,
}

/// Keeps `page` of remote `community`: a new page (at the top of its library, under a slug
/// from its address), or the stored one moved to the announced revision. An older or equal
/// revision than the stored one changes nothing (announces may come out of order); a page
/// whose address is another community's, or whose slug is taken here, is refused. The page's
/// attachments are replaced with the revision, in the same write.
pub async fn keep_remote(ctx: &AppContext, community: Community, page: Announced) -> Result<()> {
    ctx.write(move |conn| {
        let html = content::markdown_to_html(&page.text.body);
        let write = PageWrite {
            title: &page.text.title,
            body_md: &page.text.body,
            body_html: &html,
            summary: &page.text.summary,
            restored_from: None,
            editor_id: page.editor_id,
            at: db::now(),
        };
        match db::library::by_ap_id(conn, &page.ap_id)? {
            Some(stored) if stored.community_id != community.id => {
                Err(Error::forbidden("this page belongs to another community"))
            }
            Some(stored) if stored.revision >= page.revision => Ok(()),
            Some(stored) => {
                db::library::keep_revision(conn, stored.id, page.revision, &write)?;
                db::attachments::replace(conn, Owner::Page(stored.id), &page.attachments)
            }
            None => {
                let last = page.ap_id.rsplit('/').next().unwrap_or_default();
                let slug = rules::slug(last, &page.text.title)?;
                if db::library::by_slug(conn, community.id, &slug)?.is_some() {
                    return Err(Error::new(
                        ErrorKind::Conflict,
                        "slug_taken",
                        "this library already has a page at that address",
                    ));
                }
                let at = (community.id, None, slug.as_str(), page.ap_id.as_str());
                let id = db::library::insert_numbered(conn, at, None, page.revision, &write)?.id;
                db::attachments::add(conn, Owner::Page(id), &page.attachments)
            }
        }
    })
    .await
}
