//! Bans from communities (`community_bans`) and a person's standing in a community: banned or
//! not, and their role as an active member, read together where an action needs both.

use super::{
    accounts::Person,
    communities::Community,
    members::ACTIVE,
    now,
    schema::{community_members, persons},
    DbConn,
};
use crate::{domain::communities::Role, error::Result};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Bans a person from a community (replacing an earlier ban) and ends their membership.
pub fn ban(
    conn: &mut DbConn,
    community_id: i64,
    person_id: i64,
    reason: Option<&str>,
    expires_at: Option<NaiveDateTime>,
) -> Result<()> {
    use super::schema::community_bans as b;
    diesel::delete(b::table.find((community_id, person_id))).execute(conn)?;
    diesel::insert_into(b::table)
        .values((
            b::community_id.eq(community_id),
            b::person_id.eq(person_id),
            b::reason.eq(reason),
            b::expires_at.eq(expires_at),
            b::created_at.eq(now()),
        ))
        .execute(conn)?;
    super::members::remove(conn, community_id, person_id)?;
    Ok(())
}

/// Lifts a ban; false if there was none.
pub fn unban(conn: &mut DbConn, community_id: i64, person_id: i64) -> Result<bool> {
    use super::schema::community_bans as b;
    Ok(diesel::delete(b::table.find((community_id, person_id))).execute(conn)? > 0)
}

/// Whether a ban is in force now.
pub fn is_banned(conn: &mut DbConn, community_id: i64, person_id: i64) -> Result<bool> {
    use super::schema::community_bans as b;
    let expires: Option<Option<NaiveDateTime>> = b::table
        .find((community_id, person_id))
        .select(b::expires_at)
        .first(conn)
        .optional()?;
    Ok(match expires {
        None => false,
        Some(None) => true,
        Some(Some(at)) => at > now(),
    })
}

/// A person's standing in a community as two scalar subqueries for a `select`: whether a ban
/// is in force now (NULL when there is none), and their role as an active member.
macro_rules! standing_of {
    ($community_id:expr, $person_id:expr) => {{
        use super::schema::community_bans as b;
        let banned = b::table
            .filter(b::community_id.eq($community_id))
            .filter(b::person_id.eq($person_id))
            .select(b::expires_at.is_null().or(b::expires_at.gt(now())))
            .single_value();
        let role = community_members::table
            .filter(community_members::community_id.eq($community_id))
            .filter(community_members::person_id.eq($person_id))
            .filter(community_members::state.eq(ACTIVE))
            .select(community_members::role)
            .single_value();
        (banned, role)
    }};
}

/// The person's role in the community (None when not an active member), in one statement with
/// the check of [`ensure_not_banned`]: 403 `banned` when they are banned from it.
pub fn role_unless_banned(
    conn: &mut DbConn,
    community_id: i64,
    person_id: i64,
) -> Result<Option<Role>> {
    standing(conn, community_id, person_id)?.role_unless_banned()
}

/// The person's [`Standing`] in the community, in one statement.
pub fn standing(conn: &mut DbConn, community_id: i64, person_id: i64) -> Result<Standing> {
    let (banned, role) = standing_of!(community_id, person_id);
    let (banned, role): (Option<bool>, Option<String>) =
        diesel::select((banned, role)).get_result(conn)?;
    Ok(Standing::of(banned, role))
}

/// Where a person stands with a community, as its page shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    /// A ban in force, and their role as an active member.
    pub standing: Standing,
    /// A membership not active yet (an application, or a Follow its server has not accepted).
    pub pending: bool,
    /// Whether they hold an invitation to it.
    pub invited: bool,
}

/// [`Membership`] in one statement: the [`Standing`], a membership not yet active, and an
/// invitation.
pub fn membership(conn: &mut DbConn, community_id: i64, person_id: i64) -> Result<Membership> {
    use super::schema::invitations;
    let (banned, role) = standing_of!(community_id, person_id);
    let pending = diesel::dsl::exists(
        community_members::table
            .filter(community_members::community_id.eq(community_id))
            .filter(community_members::person_id.eq(person_id))
            .filter(community_members::state.ne(ACTIVE)),
    );
    let invited = diesel::dsl::exists(invitations::table.find((community_id, person_id)));
    let (banned, role, pending, invited): (Option<bool>, Option<String>, bool, bool) =
        diesel::select((banned, role, pending, invited)).get_result(conn)?;
    Ok(Membership {
        standing: Standing::of(banned, role),
        pending,
        invited,
    })
}

/// What a received thread's write reads before it writes, in one statement: the id of the post
/// stored under `ap_id` if there is one, whether that id is tombstoned, and the author's
/// [`Standing`] in the community.
pub fn post_and_standing(
    conn: &mut DbConn,
    ap_id: &str,
    community_id: i64,
    person_id: i64,
) -> Result<(Option<i64>, bool, Standing)> {
    use super::schema::{posts, tombstones};
    let post = posts::table
        .filter(posts::ap_id.eq(ap_id))
        .select(posts::id)
        .single_value();
    let tombstoned = diesel::dsl::exists(tombstones::table.find(ap_id));
    let (banned, role) = standing_of!(community_id, person_id);
    let (post, tombstoned, banned, role): (Option<i64>, bool, Option<bool>, Option<String>) =
        diesel::select((post, tombstoned, banned, role)).get_result(conn)?;
    Ok((post, tombstoned, Standing::of(banned, role)))
}

/// The community of the thread holding an object (a post or a comment, by its ActivityPub id)
/// and the person's [`Standing`] in it, in one statement (a received vote reads both); None when
/// no post or comment here has that id.
pub fn thread_community_standing(
    conn: &mut DbConn,
    object_ap_id: &str,
    person_id: i64,
) -> Result<Option<(Community, Standing)>> {
    use super::schema::{comments, communities, community_bans as b, posts};
    // The post with that id, or the post holding the comment with it (`single_value` takes
    // the first row: one id names one object).
    let community_of = || {
        let of_comment = comments::table
            .filter(comments::ap_id.eq(object_ap_id))
            .select(comments::post_id)
            .single_value();
        posts::table
            .filter(
                posts::ap_id
                    .eq(object_ap_id)
                    .or(posts::id.nullable().eq(of_comment)),
            )
            .select(posts::community_id)
            .single_value()
    };
    let banned = b::table
        .filter(b::community_id.nullable().eq(community_of()))
        .filter(b::person_id.eq(person_id))
        .select(b::expires_at.is_null().or(b::expires_at.gt(now())))
        .single_value();
    let role = community_members::table
        .filter(
            community_members::community_id
                .nullable()
                .eq(community_of()),
        )
        .filter(community_members::person_id.eq(person_id))
        .filter(community_members::state.eq(ACTIVE))
        .select(community_members::role)
        .single_value();
    let found: Option<(Community, Option<bool>, Option<String>)> = communities::table
        .filter(communities::id.nullable().eq(community_of()))
        .select((Community::as_select(), banned, role))
        .first(conn)
        .optional()?;
    Ok(found.map(|(community, banned, role)| (community, Standing::of(banned, role))))
}

/// Whether a person is banned from a community now, and their role in it if an active member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub banned: bool,
    pub role: Option<Role>,
}

impl Standing {
    /// From the two subqueries' answers: a ban in force (NULL: none), the active role's name.
    fn of(banned: Option<bool>, role: Option<String>) -> Standing {
        Standing {
            banned: banned == Some(true),
            role: role.as_deref().and_then(Role::parse),
        }
    }

    /// The role, or 403 `banned` (as [`role_unless_banned`]).
    pub fn role_unless_banned(self) -> Result<Option<Role>> {
        match self.banned {
            true => Err(banned_error()),
            false => Ok(self.role),
        }
    }
}

fn banned_error() -> crate::error::Error {
    crate::error::Error::new(
        crate::error::ErrorKind::Forbidden,
        "banned",
        "you are banned from this community",
    )
}

/// 403 `banned` when the person is banned from the community.
pub fn ensure_not_banned(conn: &mut DbConn, community_id: i64, person_id: i64) -> Result<()> {
    if is_banned(conn, community_id, person_id)? {
        return Err(banned_error());
    }
    Ok(())
}

/// A ban in the community's list.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::community_bans)]
pub struct Ban {
    pub person_id: i64,
    pub reason: Option<String>,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// The bans in force in a community, newest first, with the banned people.
pub fn bans(conn: &mut DbConn, community_id: i64, limit: i64) -> Result<Vec<(Ban, Person)>> {
    use super::schema::community_bans as b;
    Ok(b::table
        .inner_join(persons::table.on(persons::id.eq(b::person_id)))
        .filter(b::community_id.eq(community_id))
        .filter(b::expires_at.is_null().or(b::expires_at.gt(now())))
        .order((b::created_at.desc(), b::person_id.desc()))
        .limit(limit)
        .select((Ban::as_select(), Person::as_select()))
        .load(conn)?)
}
