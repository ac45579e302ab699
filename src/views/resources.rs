//! The library's resources as a viewer sees them, through the read gate (a private
//! community's links and files only to its members): the community's list, with what the viewer
//! may do, and one file to download.

use super::{
    gate::{Gate, Viewer},
    library::{access, Access},
};
use crate::{
    db::{self, communities::Community, library::PageLine, library_resources::Resource, DbConn},
    domain::communities::Role,
    error::Result,
};

/// A community's resources as shown.
pub struct Resources {
    pub access: Access,
    pub items: Vec<Resource>,
    /// The pages a new resource may go with.
    pub pages: Vec<PageLine>,
}

/// The list, or None when the gate hides the community's content.
pub fn list(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    community: &Community,
) -> Result<Option<Resources>> {
    let Some(access) = access(conn, gate, viewer, community)? else {
        return Ok(None);
    };
    let items = db::library_resources::of_community(conn, community.id)?;
    let pages = match access.may_edit {
        true => db::library::pages(conn, community.id)?,
        false => Vec::new(),
    };
    Ok(Some(Resources {
        access,
        items,
        pages,
    }))
}

/// Whether the viewer may remove `resource`: whoever added it, or a moderator.
pub fn may_remove(access: &Access, viewer: &Viewer, resource: &Resource) -> bool {
    let moderates = access.role.is_some_and(Role::moderates);
    viewer.person_id() == Some(resource.added_by) || moderates || viewer.is_admin()
}

/// Where a file is downloaded (a path on this instance).
pub fn download_path(community: &str, r: &Resource) -> String {
    let name = r.file_name.as_deref().unwrap_or("file");
    let name: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    format!(
        "/c/{community}/library/files/{}/{}",
        r.id,
        name.replace('+', "%20")
    )
}

/// The file `id` of the community, when the viewer may read it (None: missing or hidden).
pub fn file(
    conn: &mut DbConn,
    gate: &Gate,
    viewer: &Viewer,
    community: &Community,
    id: i64,
) -> Result<Option<Resource>> {
    if !gate.sight(conn, viewer, community)?.content {
        return Ok(None);
    }
    Ok(db::library_resources::by_id(conn, community.id, id)?.filter(|r| r.sha256.is_some()))
}
