//! Creating and editing communities.

use crate::{
    context::AppContext,
    db::{self, accounts::Account, communities::Community, communities::NewLocalCommunity},
    domain::{
        changes::Change,
        communities::{self as rules, CommunityChanges, CommunityFields},
    },
    error::{Error, Result},
};

/// Creates a local community owned by `owner`.
pub async fn create(
    ctx: &AppContext,
    owner: &Account,
    name: String,
    fields: CommunityFields,
) -> Result<Community> {
    rules::may_create(ctx.settings(), owner.user.is_admin)?;
    rules::validate_community_name(&name)?;
    let fields = fields.validated()?;
    let founding = Founding::new(ctx, name);
    let owner = owner.person.clone();
    ctx.write(move |conn| founding.insert(conn, &fields, &owner))
        .await
}

/// A new local community's name and addresses, made before its write.
pub(crate) struct Founding {
    name: String,
    ap_id: String,
    inbox: String,
    followers: String,
    shared_inbox: String,
}

impl Founding {
    pub(crate) fn new(ctx: &AppContext, name: String) -> Founding {
        let ap_id = ctx.community_url(&name);
        Founding {
            inbox: format!("{ap_id}/inbox"),
            followers: format!("{ap_id}/followers"),
            shared_inbox: ctx.url("/inbox"),
            name,
            ap_id,
        }
    }

    /// Inserts the community and its owner's membership, in the caller's transaction.
    pub(crate) fn insert(
        &self,
        conn: &mut db::DbConn,
        fields: &CommunityFields,
        owner: &db::accounts::Person,
    ) -> Result<Community> {
        let actor = NewLocalCommunity {
            ap_id: &self.ap_id,
            name: &self.name,
            inbox_url: &self.inbox,
            shared_inbox_url: &self.shared_inbox,
            followers_url: &self.followers,
        };
        db::communities::insert_local(conn, &actor, fields, owner)
    }
}

/// Applies changes to a local community if `editor` moderates it.
pub async fn update(
    ctx: &AppContext,
    editor: &Account,
    name: String,
    changes: CommunityChanges,
) -> Result<Community> {
    let person_id = editor.person.id;
    let is_admin = editor.user.is_admin;
    let community = ctx
        .write(move |conn| {
            let community = db::communities::local_by_name(conn, &name)?
                .ok_or_else(|| Error::not_found(format_args!("community `{name}`")))?;
            let role = db::communities::role_of(conn, community.id, person_id)?;
            rules::may_edit(role, is_admin)?;
            let fields = community.fields().apply(changes)?;
            let community = db::communities::update_fields(conn, community.id, &fields)?;
            let event = Change::CommunityUpdated {
                community_id: community.id,
                editor_id: Some(person_id),
                unlinked_id: None,
            };
            db::outbox::emit(conn, &event)?;
            Ok(community)
        })
        .await?;
    Ok(community)
}

/// A community by reference: a local name, or `name@host` on another instance (looked up through
/// WebFinger and stored).
pub async fn find(data: &crate::context::RequestData, reference: &str) -> Result<Community> {
    crate::federation::resolve::community(data, reference).await
}

/// A community on any server, from what a person types: a handle (`!name@host`, `name@host`) or
/// the URL of its actor (fetched and stored). A bad handle is 422 on `q`; one that cannot be
/// found, or whose server does not answer, 404.
pub async fn look_up(data: &crate::context::RequestData, query: &str) -> Result<Community> {
    use crate::federation::resolve::{anything, nothing_found, Resolved};
    let query = query.trim();
    if query.starts_with("https://") || query.starts_with("http://") {
        return match anything(data, query).await? {
            Resolved::Community(c) => Ok(*c),
            _ => Err(nothing_found()),
        };
    }
    let handle = query.trim_start_matches('!');
    let well_formed = handle.split_once('@').is_some_and(|(name, host)| {
        !name.is_empty() && !host.is_empty() && !host.contains(['@', '/', ' '])
    });
    if !well_formed {
        return Err(Error::invalid_field(
            "q",
            "a community's handle (!name@host) or the URL of its page",
        ));
    }
    find(data, handle).await
}
