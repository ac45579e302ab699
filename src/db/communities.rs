//! Communities and their members: `communities` and `community_members`.

use super::{
    accounts::{claim_name, Person},
    now,
    schema::{communities, community_members, persons},
    DbConn, DbUrl,
};
use crate::{
    domain::communities::{Charter, CommunityFields, MembershipPolicy, Role, Visibility},
    domain::search::Terms,
    error::{Error, Result},
};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize, serde::Deserialize)]
#[diesel(table_name = communities)]
pub struct Community {
    pub id: i64,
    #[diesel(deserialize_as = String)]
    pub ap_id: DbUrl,
    pub name: String,
    pub title: String,
    pub summary_md: String,
    pub summary_html: String,
    pub purpose: String,
    pub domain: String,
    pub practice: String,
    pub meeting_cadence: String,
    pub code_of_conduct_md: String,
    pub code_of_conduct_html: String,
    pub membership_policy: String,
    pub visibility: String,
    pub posting_restricted_to_mods: bool,
    pub questions: String,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub public_key: String,
    /// Never serialized: events carry actors without their keys.
    #[serde(skip)]
    pub private_key: Option<String>,
    pub local: bool,
    pub published: NaiveDateTime,
    pub updated: Option<NaiveDateTime>,
    pub last_refreshed_at: NaiveDateTime,
    /// Who may schedule events: `members` or `moderators`.
    #[serde(default = "members")]
    pub events_by: String,
    /// JSON list of the Group ids this community says it also is (`alsoKnownAs`).
    #[serde(default = "no_aliases")]
    pub also_known_as: String,
    /// The Group id it moved to (`movedTo`): it takes no new posts.
    #[serde(default)]
    pub moved_to: Option<String>,
}

fn no_aliases() -> String {
    "[]".into()
}

fn members() -> String {
    "members".into()
}

impl Community {
    pub fn policy(&self) -> MembershipPolicy {
        MembershipPolicy::parse(&self.membership_policy).unwrap_or(MembershipPolicy::Approval)
    }

    pub fn visibility(&self) -> Visibility {
        Visibility::parse(&self.visibility).unwrap_or(Visibility::Private)
    }

    /// The Group ids it says it also is.
    pub fn aliases(&self) -> Vec<String> {
        serde_json::from_str(&self.also_known_as).unwrap_or_default()
    }

    pub fn questions(&self) -> Vec<String> {
        serde_json::from_str(&self.questions).unwrap_or_default()
    }

    /// The editable fields as the domain sees them.
    pub fn fields(&self) -> CommunityFields {
        CommunityFields {
            title: self.title.clone(),
            summary: self.summary_md.clone(),
            charter: Charter {
                purpose: self.purpose.clone(),
                domain: self.domain.clone(),
                practice: self.practice.clone(),
                meeting_cadence: self.meeting_cadence.clone(),
                code_of_conduct: self.code_of_conduct_md.clone(),
            },
            membership_policy: self.policy(),
            visibility: self.visibility(),
            posting_restricted_to_mods: self.posting_restricted_to_mods,
            questions: self.questions(),
        }
    }
}

/// The stored form of validated fields, with markdown rendered once on write.
#[derive(AsChangeset, Insertable)]
#[diesel(table_name = communities)]
struct FieldRow<'a> {
    title: &'a str,
    summary_md: &'a str,
    summary_html: String,
    purpose: &'a str,
    domain: &'a str,
    practice: &'a str,
    meeting_cadence: &'a str,
    code_of_conduct_md: &'a str,
    code_of_conduct_html: String,
    membership_policy: &'a str,
    visibility: &'a str,
    posting_restricted_to_mods: bool,
    questions: String,
}

impl<'a> FieldRow<'a> {
    fn new(f: &'a CommunityFields) -> Result<Self> {
        use crate::domain::content::markdown_to_html;
        Ok(FieldRow {
            title: &f.title,
            summary_md: &f.summary,
            summary_html: markdown_to_html(&f.summary),
            purpose: &f.charter.purpose,
            domain: &f.charter.domain,
            practice: &f.charter.practice,
            meeting_cadence: &f.charter.meeting_cadence,
            code_of_conduct_md: &f.charter.code_of_conduct,
            code_of_conduct_html: markdown_to_html(&f.charter.code_of_conduct),
            membership_policy: f.membership_policy.as_str(),
            visibility: f.visibility.as_str(),
            posting_restricted_to_mods: f.posting_restricted_to_mods,
            questions: serde_json::to_string(&f.questions)?,
        })
    }
}

/// Actor fields of a new local community.
pub struct NewLocalCommunity<'a> {
    pub ap_id: &'a str,
    pub name: &'a str,
    pub inbox_url: &'a str,
    pub shared_inbox_url: &'a str,
    pub followers_url: &'a str,
}

/// Inserts a local community and its owner's membership, in the caller's transaction.
pub fn insert_local(
    conn: &mut DbConn,
    actor: &NewLocalCommunity<'_>,
    fields: &CommunityFields,
    owner: &Person,
) -> Result<Community> {
    claim_name(conn, actor.name, "community")?;
    let ts = now();
    diesel::insert_into(communities::table)
        .values((
            communities::ap_id.eq(actor.ap_id),
            communities::name.eq(actor.name),
            FieldRow::new(fields)?,
            communities::inbox_url.eq(actor.inbox_url),
            communities::shared_inbox_url.eq(actor.shared_inbox_url),
            communities::followers_url.eq(actor.followers_url),
            // No key pair yet: `actions::keys` makes it on first need.
            communities::public_key.eq(""),
            communities::local.eq(true),
            communities::published.eq(ts),
            communities::last_refreshed_at.eq(ts),
        ))
        .execute(conn)?;
    let community = by_ap_id(conn, actor.ap_id)?.ok_or_else(|| Error::not_found("community"))?;
    diesel::insert_into(community_members::table)
        .values((
            community_members::community_id.eq(community.id),
            community_members::person_id.eq(owner.id),
            community_members::role.eq(Role::Owner.as_str()),
            community_members::state.eq("active"),
            community_members::created_at.eq(ts),
        ))
        .execute(conn)?;
    super::members::record_change(conn, community.id, owner.id, false, true)?;
    Ok(community)
}

/// Stores new validated fields and bumps `updated`.
pub fn update_fields(conn: &mut DbConn, id: i64, fields: &CommunityFields) -> Result<Community> {
    diesel::update(communities::table.find(id))
        .set((FieldRow::new(fields)?, communities::updated.eq(Some(now()))))
        .execute(conn)?;
    communities::table
        .find(id)
        .select(Community::as_select())
        .first(conn)
        .map_err(Error::from)
}

pub fn by_ap_id(conn: &mut DbConn, ap_id: &str) -> Result<Option<Community>> {
    Ok(communities::table
        .filter(communities::ap_id.eq(ap_id))
        .select(Community::as_select())
        .first(conn)
        .optional()?)
}

/// The community `reference` (`name`, `name@host`) names among those stored here, without
/// asking another server (`federation::resolve` does that).
pub fn by_reference(
    conn: &mut DbConn,
    reference: &str,
    our_host: &str,
) -> Result<Option<Community>> {
    match reference.split_once('@') {
        Some((name, host)) if host != our_host => remote_by_handle(conn, name, host),
        Some((name, _)) => local_by_name(conn, name),
        None => local_by_name(conn, reference),
    }
}

pub fn local_by_name(conn: &mut DbConn, name: &str) -> Result<Option<Community>> {
    Ok(communities::table
        .filter(communities::local.eq(true))
        .filter(communities::name.eq(name))
        .select(Community::as_select())
        .first(conn)
        .optional()?)
}

/// A page of the local directory ordered by name, after `after` (exclusive). Private
/// communities appear only to their members (`viewer`).
/// Which communities a listing or a count covers; the read gate decides it for each viewer
/// (`views::gate::Gate::scope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Public communities only.
    Public,
    /// Public ones and those this person is an active member of.
    PublicAndMemberOf(i64),
    /// Every community.
    All,
}

/// Narrows a boxed query whose FROM includes `communities` to the communities in `scope`.
macro_rules! in_scope {
    ($query:expr, $scope:expr) => {{
        let query = $query;
        match $scope {
            Scope::All => query,
            Scope::Public => query.filter(communities::visibility.eq(Visibility::Public.as_str())),
            Scope::PublicAndMemberOf(person) => {
                let member_of = community_members::table
                    .filter(community_members::person_id.eq(person))
                    .filter(community_members::state.eq("active"))
                    .select(community_members::community_id);
                query.filter(
                    communities::visibility
                        .eq(Visibility::Public.as_str())
                        .or(communities::id.eq_any(member_of)),
                )
            }
        }
    }};
}
pub(crate) use in_scope;

/// A page of local communities by name, within `scope`.
pub fn directory_page(
    conn: &mut DbConn,
    after: Option<&str>,
    limit: i64,
    scope: Scope,
) -> Result<Vec<Community>> {
    let mut query = communities::table
        .filter(communities::local.eq(true))
        .order(communities::name.asc())
        .limit(limit)
        .select(Community::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(communities::name.gt(after.to_string()));
    }
    Ok(in_scope!(query, scope).load(conn)?)
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// What a directory page lists: this instance's communities (by name) or the remote ones known
/// here (by actor id, since names repeat across instances).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directory {
    Local,
    Remote,
}

/// A directory page within `scope`: `limit` communities after `after` (a name for `Local`, an
/// actor id for `Remote`), those whose name, title, summary or charter holds the words of `q`
/// (the search index, `db::search`), or whose name contains `q` (any case; `LIKE` over
/// `lower()` on both engines, with `%` and `_` in `q` taken literally).
pub fn search_page(
    conn: &mut DbConn,
    which: Directory,
    q: Option<&str>,
    after: Option<&str>,
    limit: i64,
    scope: Scope,
) -> Result<Vec<Community>> {
    let mut query = communities::table
        .filter(communities::local.eq(which == Directory::Local))
        .limit(limit)
        .select(Community::as_select())
        .into_boxed();
    query = match (which, after) {
        (Directory::Local, Some(a)) => query.filter(communities::name.gt(a.to_string())),
        (Directory::Remote, Some(a)) => query.filter(communities::ap_id.gt(a.to_string())),
        (_, None) => query,
    };
    query = match which {
        Directory::Local => query.order(communities::name.asc()),
        Directory::Remote => query.order(communities::ap_id.asc()),
    };
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        // Its words through the search index, or a part of its name (a handle being typed).
        let escaped = q
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let matches = super::search::community_matches(conn, &Terms::parse(q));
        query = query.filter(
            lower(communities::name)
                .like(format!("%{escaped}%"))
                .escape('\\')
                .or(matches),
        );
    }
    Ok(in_scope!(query, scope).load(conn)?)
}

/// These communities, in the order of `ids` (one missing is left out).
pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<Community>> {
    let mut found: Vec<Community> = communities::table
        .filter(communities::id.eq_any(ids))
        .select(Community::as_select())
        .load(conn)?;
    found.sort_by_key(|c| ids.iter().position(|id| *id == c.id));
    Ok(found)
}

/// A remote community known here by its handle's parts (`name@host`, `host` with its port if
/// any), without asking its server.
pub fn remote_by_handle(conn: &mut DbConn, name: &str, host: &str) -> Result<Option<Community>> {
    let named: Vec<Community> = communities::table
        .filter(communities::local.eq(false))
        .filter(communities::name.eq(name))
        .select(Community::as_select())
        .load(conn)?;
    Ok(named
        .into_iter()
        .find(|c| crate::domain::names::instance_of(&c.ap_id).as_deref() == Some(host)))
}

/// The communities a person belongs to or has applied to, by title, with the state of each
/// membership (`active` or `pending`).
pub fn memberships_of(conn: &mut DbConn, person_id: i64) -> Result<Vec<(Community, String)>> {
    Ok(communities::table
        .inner_join(community_members::table)
        .filter(community_members::person_id.eq(person_id))
        .order((communities::title.asc(), communities::id.asc()))
        .select((Community::as_select(), community_members::state))
        .load(conn)?)
}

/// The person's active role in the community, if any.
pub fn role_of(conn: &mut DbConn, community_id: i64, person_id: i64) -> Result<Option<Role>> {
    let role: Option<String> = community_members::table
        .filter(community_members::community_id.eq(community_id))
        .filter(community_members::person_id.eq(person_id))
        .filter(community_members::state.eq("active"))
        .select(community_members::role)
        .first(conn)
        .optional()?;
    Ok(role.as_deref().and_then(Role::parse))
}

/// Owner and moderators, owner first.
pub fn moderators(conn: &mut DbConn, community_id: i64) -> Result<Vec<Person>> {
    Ok(moderators_with_roles(conn, community_id)?
        .into_iter()
        .map(|(_, p)| p)
        .collect())
}

/// Owner and moderators with their roles, owner first.
pub fn moderators_with_roles(conn: &mut DbConn, community_id: i64) -> Result<Vec<(Role, Person)>> {
    let rows: Vec<(String, Person)> = community_members::table
        .inner_join(persons::table)
        .filter(community_members::community_id.eq(community_id))
        .filter(community_members::state.eq("active"))
        .filter(community_members::role.eq_any([Role::Owner.as_str(), Role::Moderator.as_str()]))
        .order(community_members::created_at.asc())
        .select((community_members::role, Person::as_select()))
        .load(conn)?;
    let (owners, mods): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .map(|(role, p)| (Role::parse(&role).unwrap_or(Role::Moderator), p))
        .partition(|(role, _)| *role == Role::Owner);
    Ok(owners.into_iter().chain(mods).collect())
}

/// Active members (all roles).
pub fn count_members(conn: &mut DbConn, community_id: i64) -> Result<i64> {
    Ok(community_members::table
        .filter(community_members::community_id.eq(community_id))
        .filter(community_members::state.eq("active"))
        .count()
        .get_result(conn)?)
}

/// Local communities within `scope`.
pub fn count_local(conn: &mut DbConn, scope: Scope) -> Result<i64> {
    let query = communities::table
        .filter(communities::local.eq(true))
        .count()
        .into_boxed();
    Ok(in_scope!(query, scope).get_result(conn)?)
}

/// What we keep of a remote community from its Group document (already sanitised).
#[derive(Debug, Clone)]
pub struct RemoteCommunity {
    /// What the Group's profile fields say of its charter (copse Groups carry it).
    pub charter: Charter,
    pub ap_id: String,
    pub name: String,
    pub title: String,
    pub summary_md: String,
    pub summary_html: String,
    pub membership_policy: MembershipPolicy,
    /// Private when the Group says it is not `discoverable` (how copse marks private
    /// communities): then only its members here see its content.
    pub visibility: Visibility,
    pub posting_restricted_to_mods: bool,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    pub followers_url: Option<String>,
    pub public_key: String,
    pub published: Option<NaiveDateTime>,
    /// The joining questions the Group publishes (copse's `joiningQuestions`).
    pub questions: Vec<String>,
    /// The Group ids it says it also is (`alsoKnownAs`), and where it moved (`movedTo`).
    pub also_known_as: Vec<String>,
    pub moved_to: Option<String>,
}

/// Inserts or refreshes a remote community by id. Never touches local communities.
pub fn upsert_remote(conn: &mut DbConn, c: &RemoteCommunity) -> Result<Community> {
    let ts = now();
    let changes = (
        communities::name.eq(&c.name),
        communities::title.eq(&c.title),
        communities::summary_md.eq(&c.summary_md),
        communities::summary_html.eq(&c.summary_html),
        communities::membership_policy.eq(c.membership_policy.as_str()),
        communities::visibility.eq(c.visibility.as_str()),
        communities::posting_restricted_to_mods.eq(c.posting_restricted_to_mods),
        communities::inbox_url.eq(&c.inbox_url),
        communities::shared_inbox_url.eq(&c.shared_inbox_url),
        communities::followers_url.eq(&c.followers_url),
        communities::public_key.eq(&c.public_key),
        communities::last_refreshed_at.eq(ts),
        communities::purpose.eq(&c.charter.purpose),
        communities::domain.eq(&c.charter.domain),
        communities::practice.eq(&c.charter.practice),
        communities::meeting_cadence.eq(&c.charter.meeting_cadence),
        communities::questions.eq(serde_json::to_string(&c.questions)?),
    );
    match by_ap_id(conn, &c.ap_id)? {
        Some(existing) if existing.local => {
            return Err(crate::error::Error::new(
                crate::error::ErrorKind::BadRequest,
                "local_object",
                "a remote document claims a local id",
            ))
        }
        Some(existing) => {
            diesel::update(communities::table.find(existing.id))
                .set((changes, communities::updated.eq(Some(ts))))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(communities::table)
                .values((
                    changes,
                    communities::ap_id.eq(&c.ap_id),
                    communities::code_of_conduct_md.eq(""),
                    communities::code_of_conduct_html.eq(""),
                    communities::local.eq(false),
                    communities::published.eq(c.published.unwrap_or(ts)),
                ))
                .execute(conn)?;
        }
    }
    let stored = by_ap_id(conn, &c.ap_id)?.ok_or_else(|| Error::not_found("community"))?;
    // A move is never undone by a later document that does not repeat it.
    let moved_to = c.moved_to.clone().or(stored.moved_to);
    diesel::update(communities::table.find(stored.id))
        .set((
            communities::also_known_as.eq(serde_json::to_string(&c.also_known_as)?),
            communities::moved_to.eq(moved_to),
        ))
        .execute(conn)?;
    by_id(conn, stored.id)?.ok_or_else(|| Error::not_found("community"))
}

/// Stores a local community's first key pair unless one is stored already (`actions::keys`).
pub fn set_keys_if_absent(conn: &mut DbConn, id: i64, public: &str, private: &str) -> Result<()> {
    diesel::update(
        communities::table
            .find(id)
            .filter(communities::local.eq(true))
            .filter(communities::public_key.eq("")),
    )
    .set((
        communities::public_key.eq(public),
        communities::private_key.eq(private),
    ))
    .execute(conn)?;
    Ok(())
}

pub fn by_id(conn: &mut DbConn, id: i64) -> Result<Option<Community>> {
    Ok(communities::table
        .find(id)
        .select(Community::as_select())
        .first(conn)
        .optional()?)
}

/// Sets the Group ids a local community says it also is (`alsoKnownAs`).
pub fn set_aliases(conn: &mut DbConn, id: i64, aliases: &[String]) -> Result<Community> {
    diesel::update(communities::table.find(id))
        .set(communities::also_known_as.eq(serde_json::to_string(aliases)?))
        .execute(conn)?;
    by_id(conn, id)?.ok_or_else(|| Error::not_found("community"))
}

/// Marks a community moved to the Group `target`.
pub fn set_moved_to(conn: &mut DbConn, id: i64, target: &str) -> Result<()> {
    diesel::update(communities::table.find(id))
        .set(communities::moved_to.eq(Some(target)))
        .execute(conn)?;
    Ok(())
}

/// The local people who are active members of a community (moved with it).
pub fn local_active_members(conn: &mut DbConn, community_id: i64) -> Result<Vec<i64>> {
    Ok(community_members::table
        .inner_join(persons::table)
        .filter(community_members::community_id.eq(community_id))
        .filter(community_members::state.eq(super::members::ACTIVE))
        .filter(persons::local.eq(true))
        .select(persons::id)
        .load(conn)?)
}
