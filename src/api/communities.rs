//! `/communities`: the directory, creating, reading and editing communities.

use super::extract::{ApiJson, Auth, MaybeAuth};
use crate::{
    actions,
    context::AppContext,
    db::{self, communities::Community},
    domain::communities::{
        Charter, CharterChanges, CommunityChanges, CommunityFields, MembershipPolicy, Role,
        Visibility,
    },
    error::{Error, ErrorBody},
    views::gate::Viewer,
};
use actix_web::{web, HttpResponse};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCommunity {
    /// Lowercase letters, digits and `_`, 1–30 characters; shares one namespace with user names.
    pub name: String,
    pub title: String,
    /// Markdown.
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub charter: Charter,
    /// Default `open`.
    pub membership_policy: Option<MembershipPolicy>,
    /// Default `public`.
    pub visibility: Option<Visibility>,
    #[serde(default)]
    pub posting_restricted_to_mods: bool,
    /// Up to 5 questions applicants answer.
    #[serde(default)]
    pub questions: Vec<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateCommunity {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub charter: Option<CharterChanges>,
    pub membership_policy: Option<MembershipPolicy>,
    pub visibility: Option<Visibility>,
    pub posting_restricted_to_mods: Option<bool>,
    pub questions: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct CommunityView {
    pub name: String,
    /// `name@host`.
    pub handle: String,
    /// ActivityPub id of the Group actor.
    pub actor_id: String,
    pub title: String,
    /// Markdown source.
    pub summary: String,
    /// Sanitised HTML.
    pub summary_html: String,
    pub charter: Charter,
    pub code_of_conduct_html: String,
    pub membership_policy: MembershipPolicy,
    pub visibility: Visibility,
    pub posting_restricted_to_mods: bool,
    pub questions: Vec<String>,
    /// Active members. Absent for a private community unless the caller is a member (or an
    /// admin of this instance, for its own communities).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_count: Option<i64>,
    /// The caller's role, if a member.
    pub your_role: Option<Role>,
    pub published: DateTime<Utc>,
    pub updated: Option<DateTime<Utc>>,
    /// Its typed links to other communities.
    pub links: Vec<super::links::CommunityLinkView>,
    /// The Group ids it says it also is (`alsoKnownAs`).
    pub also_known_as: Vec<String>,
    /// The Group id it moved to, if it moved: it takes no new posts.
    pub moved_to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CommunityPage {
    pub items: Vec<CommunityView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DirectoryQuery {
    /// 1–100, default 20.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

pub(crate) async fn view(
    ctx: &AppContext,
    community: Community,
    viewer: Viewer,
) -> Result<CommunityView, Error> {
    let shown = community.clone();
    let gate = ctx.gate().clone();
    let (member_count, your_role, links) = ctx
        .db(move |conn| {
            let sight = gate.sight(conn, &viewer, &shown)?;
            let count = sight
                .content
                .then(|| db::communities::count_members(conn, shown.id))
                .transpose()?;
            Ok((count, sight.role, db::links::of(conn, shown.id)?))
        })
        .await?;
    let fields = community.fields();
    let also_known_as = community.aliases();
    Ok(CommunityView {
        handle: super::handle(ctx, &community.name, &community.ap_id),
        name: community.name,
        actor_id: community.ap_id.to_string(),
        title: fields.title,
        summary: fields.summary,
        summary_html: community.summary_html,
        charter: fields.charter,
        code_of_conduct_html: community.code_of_conduct_html,
        membership_policy: fields.membership_policy,
        visibility: fields.visibility,
        posting_restricted_to_mods: fields.posting_restricted_to_mods,
        questions: fields.questions,
        member_count,
        your_role,
        published: community.published.and_utc(),
        updated: community.updated.map(|u| u.and_utc()),
        links: super::links::link_views(ctx, links),
        also_known_as,
        moved_to: community.moved_to,
    })
}

/// Create a community; the caller becomes its owner.
#[utoipa::path(post, path = "/api/v1/communities", tag = "communities",
    operation_id = "create_community",
    request_body = CreateCommunity, security(("bearer" = [])),
    responses((status = 201, body = CommunityView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    ApiJson(body): ApiJson<CreateCommunity>,
) -> Result<HttpResponse, Error> {
    let fields = CommunityFields {
        title: body.title,
        summary: body.summary,
        charter: body.charter,
        membership_policy: body.membership_policy.unwrap_or(MembershipPolicy::Open),
        visibility: body.visibility.unwrap_or(Visibility::Public),
        posting_restricted_to_mods: body.posting_restricted_to_mods,
        questions: body.questions,
    };
    let community = actions::communities::create(&ctx, &account, body.name, fields).await?;
    let view = view(&ctx, community, super::viewer(Some(&account))).await?;
    Ok(HttpResponse::Created().json(view))
}

/// The directory of local communities, by name. Private ones are listed only to members.
#[utoipa::path(get, path = "/api/v1/communities", tag = "communities", params(DirectoryQuery),
    operation_id = "list_communities", security((), ("bearer" = [])),
    responses((status = 200, body = CommunityPage), (status = 400, body = ErrorBody)))]
pub async fn list(
    ctx: web::Data<AppContext>,
    MaybeAuth(account): MaybeAuth,
    query: web::Query<DirectoryQuery>,
) -> Result<HttpResponse, Error> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(Error::invalid_field("limit", "must be between 1 and 100"));
    }
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let viewer = super::viewer(account.as_ref());
    let scope = ctx.gate().scope(&viewer);
    let mut rows = ctx
        .db(move |conn| db::communities::directory_page(conn, after.as_deref(), limit + 1, scope))
        .await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|c| encode_cursor(&c.name))
    } else {
        None
    };
    let mut items = Vec::with_capacity(rows.len());
    for community in rows {
        items.push(view(&ctx, community, viewer.clone()).await?);
    }
    Ok(HttpResponse::Ok().json(CommunityPage { items, next_cursor }))
}

/// One community: a local one by name, or a remote one by `name@host` (answered from what is
/// stored when it is known here, so while its server is down too; looked up otherwise).
#[utoipa::path(get, path = "/api/v1/communities/{name}", tag = "communities",
    operation_id = "get_community", security((), ("bearer" = [])),
    params(("name" = String, Path, description = "community name, or name@host")),
    responses((status = 200, body = CommunityView), (status = 404, body = ErrorBody)))]
pub async fn get(
    data: crate::context::RequestData,
    MaybeAuth(account): MaybeAuth,
    name: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let reference = name.into_inner();
    // `name@host`: a remote community, from what is stored when it is known.
    let community = match reference.contains('@') {
        true => actions::communities::find(&data, &reference).await?,
        false => find(&data, reference).await?,
    };
    let view = view(&data, community, super::viewer(account.as_ref())).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Edit a community (owner and moderators). Only the fields given change.
#[utoipa::path(patch, path = "/api/v1/communities/{name}", tag = "communities",
    params(("name" = String, Path, description = "community name")),
    request_body = UpdateCommunity, security(("bearer" = [])),
    responses((status = 200, body = CommunityView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn update(
    ctx: web::Data<AppContext>,
    Auth(account): Auth,
    name: web::Path<String>,
    ApiJson(body): ApiJson<UpdateCommunity>,
) -> Result<HttpResponse, Error> {
    let changes = CommunityChanges {
        title: body.title,
        summary: body.summary,
        charter: body.charter,
        membership_policy: body.membership_policy,
        visibility: body.visibility,
        posting_restricted_to_mods: body.posting_restricted_to_mods,
        questions: body.questions,
    };
    let community =
        actions::communities::update(&ctx, &account, name.into_inner(), changes).await?;
    let view = view(&ctx, community, super::viewer(Some(&account))).await?;
    Ok(HttpResponse::Ok().json(view))
}

async fn find(ctx: &AppContext, name: String) -> Result<Community, Error> {
    ctx.db(move |conn| {
        db::communities::local_by_name(conn, &name)?
            .ok_or_else(|| Error::not_found(format_args!("community `{name}`")))
    })
    .await
}

fn encode_cursor(name: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(name)
}

fn decode_cursor(cursor: &str) -> Result<String, Error> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| Error::invalid_field("cursor", "not a cursor returned by this API"))
}
