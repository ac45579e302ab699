//! `/` and `/communities`: the directory (search `?q=` over names, titles, summaries and
//! charters; 20 a page by name; the remote communities known here listed apart), the form that
//! finds a community on another server by handle or URL (`POST /communities/find`), and a
//! signed-in member's home: their communities (applications marked pending) and the newest
//! threads in them.

use super::{
    community::{path_of, ThreadLine},
    form::{reshown_status, Form, FormError},
    frame::Frame,
    html, see_other,
};
use crate::{
    actions,
    context::{AppContext, RequestData},
    db::{
        self,
        communities::{Community, Directory},
    },
    domain::{communities::may_create, names::handle},
    error::Error,
};
use actix_web::{http::StatusCode, web, HttpResponse};
use askama::Template;

/// How many communities a directory page lists, and how many threads the home page shows.
const PER_PAGE: i64 = 20;

#[derive(Template)]
#[template(path = "communities.html", config = "src/web/askama.toml")]
struct DirectoryPage {
    frame: Frame,
    q: String,
    local: Vec<Listed>,
    remote: Vec<Listed>,
    next: Option<String>,
    next_remote: Option<String>,
    may_create: bool,
    /// What was typed into the find form, and why it was refused.
    find: String,
    error: FormError,
}

/// A community as a list shows it.
struct Listed {
    path: String,
    handle: String,
    title: String,
    domain: String,
    pending: bool,
}

impl Listed {
    fn of(c: &Community, our_host: &str, pending: bool) -> Listed {
        let handle = handle(&c.name, &c.ap_id, our_host);
        Listed {
            path: path_of(&handle, our_host),
            handle,
            title: c.title.clone(),
            domain: c.domain.clone(),
            pending,
        }
    }
}

#[derive(Template)]
#[template(path = "home.html", config = "src/web/askama.toml")]
struct HomePage {
    frame: Frame,
    communities: Vec<Listed>,
    threads: Vec<ThreadLine>,
    may_create: bool,
}

/// `?q=`, `?cursor=` (local) and `?remote_cursor=` of the directory.
#[derive(serde::Deserialize, Default)]
pub struct DirectoryQuery {
    q: Option<String>,
    cursor: Option<String>,
    remote_cursor: Option<String>,
}

/// The find form: `q`, a handle or URL (the name `/api/v1/resolve` gives it).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct FindForm {
    q: String,
}

fn creates(ctx: &AppContext, frame: &Frame) -> bool {
    let admin = frame.account.as_ref().map(|a| a.user.is_admin);
    admin.is_some_and(|admin| may_create(ctx.settings(), admin).is_ok())
}

pub async fn directory(
    ctx: web::Data<AppContext>,
    frame: Frame,
    query: web::Query<DirectoryQuery>,
) -> Result<HttpResponse, Error> {
    let page = directory_page(&ctx, frame, query.into_inner(), String::new()).await?;
    html(StatusCode::OK, &page)
}

async fn directory_page(
    ctx: &AppContext,
    frame: Frame,
    query: DirectoryQuery,
    find: String,
) -> Result<DirectoryPage, Error> {
    let scope = ctx.gate().scope(&frame.viewer());
    let q = query.q.unwrap_or_default();
    let (search, cursor, remote_cursor) = (q.clone(), query.cursor, query.remote_cursor);
    let (mut local, mut remote) = ctx
        .db(move |conn| {
            let page = |which, after: &Option<String>, conn: &mut db::DbConn| {
                let after = after.as_deref();
                db::communities::search_page(conn, which, Some(&search), after, PER_PAGE + 1, scope)
            };
            // A page of one list follows the other's first page (or none): each pages on its own.
            let local = match remote_cursor {
                Some(_) => Vec::new(),
                None => page(Directory::Local, &cursor, conn)?,
            };
            let remote = match cursor {
                Some(_) => Vec::new(),
                None => page(Directory::Remote, &remote_cursor, conn)?,
            };
            Ok((local, remote))
        })
        .await?;
    let more = |list: &mut Vec<Community>, key: &str, last: fn(&Community) -> String| {
        if list.len() as i64 <= PER_PAGE {
            return None;
        }
        list.truncate(PER_PAGE as usize);
        let mut link = url::form_urlencoded::Serializer::new(String::new());
        if !q.is_empty() {
            link.append_pair("q", &q);
        }
        list.last()
            .map(|c| format!("/communities?{}", link.append_pair(key, &last(c)).finish()))
    };
    let next = more(&mut local, "cursor", |c| c.name.clone());
    let next_remote = more(&mut remote, "remote_cursor", |c| c.ap_id.to_string());
    let host = &ctx.settings().hostname;
    Ok(DirectoryPage {
        local: local.iter().map(|c| Listed::of(c, host, false)).collect(),
        remote: remote.iter().map(|c| Listed::of(c, host, false)).collect(),
        may_create: creates(ctx, &frame),
        frame,
        q,
        next,
        next_remote,
        find,
        error: FormError::none(),
    })
}

/// `/`: the directory for a visitor; a member's communities and their newest threads otherwise.
pub async fn home(ctx: web::Data<AppContext>, frame: Frame) -> Result<HttpResponse, Error> {
    let Some(person_id) = frame.account.as_ref().map(|a| a.person.id) else {
        return directory(ctx, frame, web::Query(DirectoryQuery::default())).await;
    };
    let scope = ctx.gate().scope(&frame.viewer());
    let (memberships, threads) = ctx
        .db(move |conn| {
            let memberships = db::communities::memberships_of(conn, person_id)?;
            let threads = db::posts::newest(
                conn,
                db::posts::Newest::MemberOf(person_id),
                scope,
                PER_PAGE,
            )?;
            Ok((memberships, threads))
        })
        .await?;
    let host = &ctx.settings().hostname;
    let page = HomePage {
        communities: memberships
            .iter()
            .map(|(c, state)| Listed::of(c, host, state != db::members::ACTIVE))
            .collect(),
        threads: threads
            .into_iter()
            .map(|l| ThreadLine::of(l, host))
            .collect(),
        may_create: creates(&ctx, &frame),
        frame,
    };
    html(StatusCode::OK, &page)
}

/// Finds a community on another server (stored here from then on) and goes to its page; a bad
/// handle (422) or one that cannot be found (404) shows the directory again with the message.
pub async fn find(data: RequestData, form: Form<FindForm>) -> Result<HttpResponse, Error> {
    let Form {
        frame, data: typed, ..
    } = form;
    let e = match actions::communities::look_up(&data, &typed.q).await {
        Ok(c) => {
            let host = &data.settings().hostname;
            let path = path_of(&handle(&c.name, &c.ap_id, host), host);
            return Ok(see_other(&format!("/c/{path}")));
        }
        Err(e) => e,
    };
    let Some(status) = reshown_status(&e) else {
        return Err(e);
    };
    let mut page = directory_page(&data, frame, DirectoryQuery::default(), typed.q).await?;
    page.error = FormError::of("find", &e);
    html(status, &page)
}
