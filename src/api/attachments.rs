//! What other servers attached to a post or comment, as the API shows it (`attachments` in
//! `PostView` and `CommentView`).

use crate::domain::attachments::Attachment;
use serde::Serialize;
use utoipa::ToSchema;

/// One attachment a post or comment came with from another server.
#[derive(Serialize, ToSchema)]
pub struct AttachmentView {
    pub url: String,
    /// As sent, as plain text (at most 300 characters); may be empty.
    pub name: String,
    /// As sent when it is one (`image/png`); may be empty.
    pub media_type: String,
}

pub(super) fn attachment_views(list: Vec<Attachment>) -> Vec<AttachmentView> {
    list.into_iter()
        .map(|a| AttachmentView {
            url: a.url,
            name: a.name,
            media_type: a.media_type,
        })
        .collect()
}
