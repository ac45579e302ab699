//! `/c/{name}` and `/c/{name}@{host}`: a community's page (charter, moderators, members count,
//! pinned threads first, then its threads sorted and paged) with what the reader may do there:
//! join, apply with answers to the joining questions, accept an invitation, leave, or log in
//! first; and the `join` and `leave` forms behind it. A remote community known here is read from
//! what is stored; one not known yet is resolved on a signed-in reader's first visit.

use super::{
    flash,
    form::{reshown_status, Form, FormError},
    frame::Frame,
    html, not_found, see_other, shared_reader, through_cache,
};
use crate::{
    actions,
    context::RequestData,
    db::{
        self,
        accounts::Person,
        communities::Community,
        posts::{ListedPost, PostOrder},
    },
    domain::{
        communities::{may_edit, MembershipPolicy, Visibility},
        names::handle,
    },
    error::{Error, ErrorKind},
    views,
};
use actix_web::{http::StatusCode, web, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "community.html", config = "src/web/askama.toml")]
struct CommunityPage {
    frame: Frame,
    c: Community,
    /// `name` for a local community, `name@host` for a remote one: its address is `/c/{path}`.
    path: String,
    /// `name@host`.
    handle: String,
    /// Not shown for a private community (nor who moderates it): only its charter is public.
    members: Option<i64>,
    moderators: Vec<Person>,
    /// Pinned threads (first page only), then the sorted page: to those who may read them.
    pinned: Vec<ThreadLine>,
    threads: Option<Vec<ThreadLine>>,
    /// The sort shown (`new`, `top`, `active`) and the link to the next page, if any.
    sort: &'static str,
    next: Option<String>,
    you: You,
    questions: Vec<String>,
    /// Answers typed into a refused application.
    answers: Vec<String>,
    may_edit: bool,
    /// A member's digest choice for this community (`default` or a frequency), for its form.
    digest: Option<String>,
    /// Whether the weekly digest is published, for the owner's form (local public communities).
    federated: Option<bool>,
    /// The latest weekly digest a remote community sent: (title, sanitized HTML).
    received_digest: Option<(String, String)>,
    /// Its typed links to other communities, grouped by relation (public, like the charter).
    links: Vec<(&'static str, Vec<super::links::LinkLine>)>,
    /// Whether the reader owns it (and so may change its links).
    owns: bool,
    error: FormError,
}

impl CommunityPage {
    /// The digest menu: (value, label, selected).
    fn digest_options(&self) -> Vec<(&'static str, &'static str, bool)> {
        let chosen = self.digest.as_deref().unwrap_or("default");
        [
            ("default", "as in my settings"),
            ("off", "off"),
            ("daily", "daily"),
            ("weekly", "weekly"),
            ("monthly", "monthly"),
        ]
        .into_iter()
        .map(|(v, l)| (v, l, v == chosen))
        .collect()
    }
}

/// Where the reader stands with the community: what its page offers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum You {
    SignedOut,
    Stranger,
    Invited,
    Pending,
    Member,
    Owner,
    Banned,
}

/// One thread in a list (a community's page, or the home page's recent threads).
pub struct ThreadLine {
    pub id: i64,
    pub title: String,
    pub author: String,
    /// The community's `name@host` and its page's path after `/c/`.
    pub community: String,
    pub community_path: String,
    pub published: String,
    pub comments: i64,
    pub score: i64,
    pub pinned: bool,
    pub locked: bool,
    /// In a community's listing, the other communities the thread is in ("also in"): its home
    /// when that is another, and those it is shared into, as `(handle, path after /c/)`.
    pub also_in: Vec<(String, String)>,
}

impl ThreadLine {
    /// The line in the listing of the community `here` (its handle), with "also in" from
    /// `shared` (`views::posts::also_in`).
    pub fn listed(
        l: ListedPost,
        our_host: &str,
        here: &str,
        shared: &mut views::posts::AlsoIn,
    ) -> ThreadLine {
        let shared = shared.remove(&l.post.id).unwrap_or_default();
        let mut line = ThreadLine::of(l, our_host);
        let others = std::iter::once(line.community.clone())
            .chain(shared.iter().map(|s| handle(&s.name, &s.ap_id, our_host)));
        line.also_in = others
            .filter(|h| h != here)
            .map(|h| (h.clone(), path_of(&h, our_host)))
            .collect();
        line
    }

    pub fn of(l: ListedPost, our_host: &str) -> ThreadLine {
        let community = handle(&l.community.name, &l.community.ap_id, our_host);
        ThreadLine {
            id: l.post.id,
            author: handle(&l.author.name, &l.author.ap_id, our_host),
            community_path: path_of(&community, our_host),
            community,
            published: l.post.published.format("%Y-%m-%d").to_string(),
            comments: l.comment_count,
            score: l.post.score,
            pinned: l.post.pinned,
            locked: l.post.locked,
            title: l.post.title,
            also_in: Vec::new(),
        }
    }
}

/// The path after `/c/` of a community with handle `name@host`: `name` on this instance.
pub fn path_of(handle: &str, our_host: &str) -> String {
    match handle.split_once('@') {
        Some((name, host)) if host == our_host => name.to_string(),
        _ => handle.to_string(),
    }
}

/// `?sort=` and `?cursor=` of a community page.
#[derive(serde::Deserialize, Default)]
pub struct ThreadQuery {
    sort: Option<String>,
    cursor: Option<String>,
}

/// How many threads a community page lists.
const THREADS_PER_PAGE: i64 = 20;

/// The community `/c/{reference}` names: a local name, or `name@host` of a remote one stored
/// here (resolved through its server first when `resolve` and not stored yet). None if unknown.
pub async fn by_reference(
    data: &RequestData,
    reference: &str,
    resolve: bool,
) -> Result<Option<Community>, Error> {
    let our_host = data.settings().hostname.clone();
    let lookup = reference.to_string();
    let stored = data
        .db(move |conn| db::communities::by_reference(conn, &lookup, &our_host))
        .await?;
    if stored.is_some() || !resolve || !reference.contains('@') {
        return Ok(stored);
    }
    match actions::communities::look_up(data, reference).await {
        Ok(c) => Ok(Some(c)),
        Err(e) if matches!(e.kind, ErrorKind::NotFound | ErrorKind::BadRequest) => Ok(None),
        Err(e) if e.field.is_some() => Ok(None),
        Err(e) => Err(e),
    }
}

/// A community's page. Signed-out readers get it through the read cache, at the community's
/// version (its id and counter, read with it in one hop).
pub async fn page(
    data: RequestData,
    frame: Frame,
    name: web::Path<String>,
    query: web::Query<ThreadQuery>,
) -> Result<HttpResponse, Error> {
    let reference = name.into_inner();
    if let Some((name, host)) = reference.split_once('@') {
        if host == data.settings().hostname {
            return Ok(see_other(&format!("/c/{name}")));
        }
    }
    let query = query.into_inner();
    let key = format!(
        "/c/{reference}?sort={}&cursor={}",
        query.sort.as_deref().unwrap_or_default(),
        query.cursor.as_deref().unwrap_or_default()
    );
    let shown = Shown {
        query,
        error: FormError::none(),
        answers: Vec::new(),
        status: StatusCode::OK,
    };
    if !shared_reader(&frame) {
        return show(&data, frame, &reference, shown).await;
    }
    let (our_host, lookup) = (data.settings().hostname.clone(), reference.clone());
    let version = data
        .db(
            move |conn| match db::communities::by_reference(conn, &lookup, &our_host)? {
                Some(c) => Ok(Some((c.id, db::versions::community(conn, c.id)?))),
                None => Ok(None),
            },
        )
        .await?;
    let Some(version) = version else {
        return show(&data, frame, &reference, shown).await;
    };
    let page = show(&data, frame, &reference, shown);
    through_cache(&data, key, version, page).await
}

/// What a community page shows besides the community: the list asked for, and a refused form.
struct Shown {
    query: ThreadQuery,
    error: FormError,
    answers: Vec<String>,
    status: StatusCode,
}

async fn show(
    data: &RequestData,
    frame: Frame,
    reference: &str,
    shown: Shown,
) -> Result<HttpResponse, Error> {
    let (sort, order) = match shown.query.sort.as_deref() {
        None | Some("new") => ("new", PostOrder::New),
        Some("top") => ("top", PostOrder::Top),
        Some("active") => ("active", PostOrder::Active),
        Some(_) => {
            return Err(Error::invalid_field(
                "sort",
                "sort threads by `new`, `top` or `active`",
            ))
        }
    };
    let after = shown
        .query
        .cursor
        .as_deref()
        .map(views::posts::parse_cursor)
        .transpose()?;
    let signed_in = frame.account.is_some();
    let Some(c) = by_reference(data, reference, signed_in).await? else {
        return not_found(data, format!("The community {reference}"));
    };
    let (gate, viewer) = (data.gate().clone(), frame.viewer());
    let user = frame.account.as_ref().map(|a| a.user.id);
    let community = c.clone();
    let (you, may_edit, digest, content, links) = data
        .db(move |conn| {
            let c = community;
            let links = db::links::of(conn, c.id)?;
            let membership = match viewer.person_id() {
                None => None,
                Some(person) => Some(db::bans::membership(conn, c.id, person)?),
            };
            let role = membership.and_then(|m| m.standing.role);
            let sight = gate.sight_with_role(conn, &viewer, &c, role)?;
            let you = match membership {
                None => You::SignedOut,
                Some(m) => standing(&c, m),
            };
            let may_edit = c.local && may_edit(sight.role, viewer.is_admin()).is_ok();
            let digest = match (you, user) {
                (You::Member | You::Owner, Some(user)) => {
                    let choice = views::digests::community_choice(conn, user, c.id)?;
                    let federated = match you == You::Owner
                        && c.local
                        && c.visibility() == Visibility::Public
                    {
                        true => Some(views::digests::federates(conn, c.id)?),
                        false => None,
                    };
                    Some((
                        choice.map_or("default", |f| f.as_str()).to_string(),
                        federated,
                    ))
                }
                _ => None,
            };
            if !sight.content {
                return Ok((you, may_edit, digest, None, links));
            }
            let received = views::digests::received(conn, &gate, &viewer, &c)?;
            let members = db::communities::count_members(conn, c.id)?;
            let moderators = db::communities::moderators(conn, c.id)?;
            let pinned = match after {
                None => db::posts::pinned_listed(conn, c.id)?,
                Some(_) => Vec::new(),
            };
            let threads = views::posts::community_page(conn, c.id, order, after, THREADS_PER_PAGE)?;
            let shared = views::posts::also_in(conn, pinned.iter().chain(&threads.posts))?;
            Ok((
                you,
                may_edit,
                digest,
                Some((members, moderators, pinned, threads, received, shared)),
                links,
            ))
        })
        .await?;
    let host = data.settings().hostname.clone();
    let handle = handle(&c.name, &c.ap_id, &host);
    let path = path_of(&handle, &host);
    let (members, moderators, pinned, threads, next, received_digest) = match content {
        None => (None, Vec::new(), Vec::new(), None, None, None),
        Some((members, moderators, pinned, page, received, mut shared)) => {
            let next = page
                .next_cursor
                .as_ref()
                .map(|cursor| format!("/c/{path}?sort={sort}&cursor={cursor}"));
            let threads = page
                .posts
                .into_iter()
                .filter(|l| !l.post.pinned)
                .map(|l| ThreadLine::listed(l, &host, &handle, &mut shared))
                .collect();
            let pinned = pinned
                .into_iter()
                .map(|l| ThreadLine::listed(l, &host, &handle, &mut shared));
            let members = Some(members);
            let threads = Some(threads);
            (
                members,
                moderators,
                pinned.collect(),
                threads,
                next,
                received,
            )
        }
    };
    let page = CommunityPage {
        frame,
        questions: c.questions(),
        answers: shown.answers,
        c,
        path,
        handle,
        members,
        moderators,
        pinned,
        threads,
        sort,
        next,
        you,
        may_edit,
        federated: digest.as_ref().and_then(|(_, f)| *f),
        received_digest,
        digest: digest.map(|(d, _)| d),
        links: super::links::groups(links, &host),
        owns: you == You::Owner && may_edit,
        error: shown.error,
    };
    html(shown.status, &page)
}

/// Where a signed-in reader stands with `c`.
fn standing(c: &Community, m: db::bans::Membership) -> You {
    match m.standing.role {
        _ if m.standing.banned => You::Banned,
        _ if m.pending => You::Pending,
        Some(crate::domain::communities::Role::Owner) => You::Owner,
        Some(_) => You::Member,
        None if c.local && m.invited => You::Invited,
        None => You::Stranger,
    }
}

impl CommunityPage {
    /// The address of the community's RSS feed: public communities only (a private one's
    /// answers 404, whoever asks).
    fn feed(&self) -> Option<String> {
        (self.c.visibility() == Visibility::Public).then(|| format!("/feeds/c/{}.xml", self.path))
    }

    fn policy(&self) -> &'static str {
        self.c.policy().as_str()
    }

    fn approval(&self) -> bool {
        self.c.policy() == MembershipPolicy::Approval
    }

    /// The answer typed to question `i` in a refused application.
    fn answer(&self, i: &usize) -> &str {
        self.answers.get(*i).map_or("", String::as_str)
    }
}

/// The `join` form: `answers`, once per joining question (in their order).
pub async fn join(
    data: RequestData,
    name: web::Path<String>,
    Form {
        frame,
        session,
        data: fields,
    }: Form<Vec<(String, String)>>,
) -> Result<HttpResponse, Error> {
    let reference = name.into_inner();
    let Some(c) = by_reference(&data, &reference, false).await? else {
        return not_found(&data, format!("The community {reference}"));
    };
    let answers: Vec<String> = fields
        .into_iter()
        .filter(|(k, _)| k == "answers")
        .map(|(_, v)| v)
        .collect();
    let questions = c.questions().len();
    let blank = answers.iter().take(questions).any(|a| a.trim().is_empty());
    let outcome = if c.local && c.policy() == MembershipPolicy::Approval && blank {
        Err(Error::invalid_field(
            "answers",
            format_args!("answer all {questions} joining question(s)"),
        ))
    } else {
        actions::membership::join(&data, &session.account, c.clone(), answers.clone()).await
    };
    let done = match outcome {
        Ok(actions::membership::Standing::Active) => format!("You joined {}.", c.title),
        Ok(actions::membership::Standing::Pending) if c.local => format!(
            "Your application to {} was sent; a moderator will decide on it.",
            c.title
        ),
        Ok(actions::membership::Standing::Pending) => format!(
            "You asked to join {}; you are a member once its server accepts.",
            c.title
        ),
        Err(e) => return refused(&data, frame, &reference, "join", e, answers).await,
    };
    Ok(flash::redirect(&data, &format!("/c/{reference}"), &done))
}

/// The `leave` form (also withdraws an application).
pub async fn leave(
    data: RequestData,
    name: web::Path<String>,
    form: Form<Vec<(String, String)>>,
) -> Result<HttpResponse, Error> {
    let reference = name.into_inner();
    let Some(c) = by_reference(&data, &reference, false).await? else {
        return not_found(&data, format!("The community {reference}"));
    };
    let title = c.title.clone();
    match actions::membership::leave(&data, &form.session.account, c).await {
        Ok(()) => Ok(flash::redirect(
            &data,
            &format!("/c/{reference}"),
            &format!("You left {title}."),
        )),
        Err(e) => refused(&data, form.frame, &reference, "leave", e, Vec::new()).await,
    }
}

/// A refused `join` or `leave`: the community page again with the message in its form and the
/// refusal's status (403 banned or invite-only, 422 missing answers), or the error page.
async fn refused(
    data: &RequestData,
    frame: Frame,
    reference: &str,
    form: &'static str,
    e: Error,
    answers: Vec<String>,
) -> Result<HttpResponse, Error> {
    let Some(status) = reshown_status(&e) else {
        return Err(e);
    };
    let shown = Shown {
        query: ThreadQuery::default(),
        error: FormError::of(form, &e),
        answers,
        status,
    };
    show(data, frame, reference, shown).await
}
