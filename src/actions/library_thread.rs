//! From thread to page: a page of the thread's community made from its post and the replies
//! chosen, each quoted with its author, date and a link back, by someone who may edit the
//! library; the thread then shows the page it became.

use super::library::{local_only, may_write, NewPage};
use crate::{
    context::AppContext,
    db::{self, accounts::Account, library::Page, DbConn},
    domain::{citations::quoted, library::PageText},
    error::{Error, Result},
    views::{
        gate::{State, Target, Viewer},
        library::author_handle,
    },
};

/// At most this many replies are quoted in one page.
pub const MAX_REPLIES: usize = 200;

/// What the maker chose: the page's title, slug and section, and which replies to quote.
pub struct Choice {
    pub title: String,
    pub slug: String,
    pub parent: String,
    pub replies: Vec<i64>,
}

/// Makes a page of thread `post_id`'s community from its post and `choice.replies` (replies
/// of this thread that are not deleted or removed, in the thread's order; others are refused).
pub async fn make_page(
    ctx: &AppContext,
    account: &Account,
    post_id: i64,
    choice: Choice,
) -> Result<Page> {
    if choice.replies.len() > MAX_REPLIES {
        return Err(Error::invalid_field(
            "replies",
            format_args!("at most {MAX_REPLIES} replies go in one page"),
        ));
    }
    let (gate, host) = (ctx.gate().clone(), ctx.settings().hostname.clone());
    let viewer = Viewer::person(account.person.id, account.user.is_admin);
    let found = ctx
        .db(move |conn| gate.content(conn, Target::Post(post_id), State::Visible, &viewer))
        .await?;
    let community = found.community;
    local_only(&community)?;
    let post = found.post;
    let summary = format!("Made from the thread “{}”", truncate(&post.title));
    let body = ctx
        .db(move |conn| quote_thread(conn, &host, &post, &choice.replies))
        .await?;
    let text = PageText::parse(&choice.title, &body, &summary)?;
    let new = NewPage::new(ctx, account, &community, &choice.slug, &choice.parent, text)?;
    let (person, admin) = (account.person.id, account.user.is_admin);
    let gate = ctx.gate().clone();
    ctx.write(move |conn| {
        may_write(conn, &gate, person, admin, &community)?;
        new.insert(conn, &community, Some(post_id))
    })
    .await
}

fn truncate(s: &str) -> String {
    s.chars().take(200).collect()
}

/// The post and the chosen replies as quotes (one statement per reply and author: bounded by
/// `MAX_REPLIES`).
fn quote_thread(
    conn: &mut DbConn,
    host: &str,
    post: &db::posts::Post,
    replies: &[i64],
) -> Result<String> {
    let handle = |conn: &mut DbConn, id: i64| -> Result<String> {
        Ok(db::accounts::person_by_id(conn, id)?
            .map(|p| author_handle(host, &p.name, p.ap_id.as_str(), p.local))
            .unwrap_or_default())
    };
    let date = |at: chrono::NaiveDateTime| at.format("%-d %b %Y").to_string();
    let mut chosen = Vec::with_capacity(replies.len());
    for id in replies {
        let reply = db::posts::comment(conn, *id)?
            .filter(|c| c.post_id == post.id && !c.deleted && !c.removed)
            .ok_or_else(|| {
                Error::invalid_field("replies", format_args!("{id} is not a reply here"))
            })?;
        if !chosen.iter().any(|c: &db::posts::Comment| c.id == reply.id) {
            chosen.push(reply);
        }
    }
    chosen.sort_by_key(|c| (c.published, c.id));
    let author = handle(conn, post.author_id)?;
    let mut body = quoted(
        &post.body_md,
        &author,
        &date(post.published),
        &format!("/post/{}", post.id),
    );
    for c in chosen {
        let author = handle(conn, c.author_id)?;
        let link = format!("/post/{}#comment-{}", post.id, c.id);
        body.push('\n');
        body.push_str(&quoted(&c.body_md, &author, &date(c.published), &link));
    }
    Ok(body)
}
