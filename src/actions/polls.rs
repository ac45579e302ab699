//! Polls: opening one (a thread through `posts::open_thread`, its options in the same write),
//! voting locally (in a local poll, or in a remote one: then a `PollVoteCast` sends the vote to
//! the poll's author), a remote person's vote (`receive_vote`: refused votes are ignored with a
//! reason, their receipt recorded), and queuing the batched results (`queue_results`).

use crate::{
    context::AppContext,
    db::{
        self,
        accounts::{Account, Person},
        communities::Community,
        members::Receipt,
        posts::Post,
    },
    domain::{changes::Change, communities::can_read, polls as rules, posts::may_post},
    error::{Error, ErrorKind, Result},
    views::gate::{State, Target, Viewer},
};

/// A local member opens a poll: a thread whose post is the question, with its options.
pub async fn create(
    ctx: &AppContext,
    account: &Account,
    community: Community,
    title: &str,
    body: &str,
    poll: rules::PollFields,
    also_in: Vec<Community>,
) -> Result<Post> {
    super::posts::open_thread(
        ctx,
        account,
        community,
        (title, body, also_in),
        may_post,
        move |conn, post| db::polls::insert(conn, post.id, &poll),
    )
    .await
}

/// A local person votes for `choices` (option ids) in the poll of post `post_id`: the poll must
/// be readable to them (the read gate), open, and not voted in before as its kind forbids.
pub async fn vote(
    ctx: &AppContext,
    account: &Account,
    post_id: i64,
    choices: Vec<i64>,
) -> Result<()> {
    let voter = account.person.id;
    let viewer = Viewer::person(voter, account.user.is_admin);
    let gate = ctx.gate().clone();
    let ids: Vec<String> = choices
        .iter()
        .map(|_| ctx.new_activity_id("poll-vote"))
        .collect();
    ctx.write(move |conn| {
        let content = gate.content(conn, Target::Post(post_id), State::Visible, &viewer)?;
        db::bans::ensure_not_banned(conn, content.community.id, voter)?;
        let (poll, options) = db::polls::get(conn, post_id)?.ok_or_else(not_a_poll)?;
        let option_ids: Vec<i64> = options.iter().map(|o| o.id).collect();
        let before = db::polls::chosen_by(conn, post_id, voter)?;
        let now = db::now();
        rules::check_vote(
            poll.multiple,
            poll.closes_at,
            now,
            &choices,
            &option_ids,
            &before,
        )?;
        for (option, ap_id) in choices.iter().zip(&ids) {
            let vote_id = db::polls::insert_vote(conn, post_id, *option, voter, ap_id)?;
            if !content.post.local {
                db::outbox::emit(conn, &Change::PollVoteCast { vote_id })?;
            }
        }
        Ok(())
    })
    .await
}

fn not_a_poll() -> Error {
    Error::new(
        ErrorKind::NotFound,
        "not_a_poll",
        "This thread has no poll.",
    )
}

/// A remote person's vote (`Create(Note)` with the option's `name`, `inReplyTo` the poll) in a
/// local poll. A vote that may not count (unknown poll or option, closed, twice, a banned voter
/// or one who may not read the community) is not an error: the answer is the reason it was
/// ignored, and the receipt is recorded all the same so that a retry changes nothing.
pub async fn receive_vote(
    ctx: &AppContext,
    voter: &Person,
    poll_ap_id: String,
    option_name: String,
    note_id: String,
    receipt: Option<Receipt>,
) -> Result<Option<&'static str>> {
    let voter = voter.id;
    ctx.write(move |conn| {
        let ignored = count_remote_vote(conn, voter, &poll_ap_id, &option_name, &note_id)?;
        if let Some(receipt) = &receipt {
            receipt.record(conn)?;
        }
        Ok(ignored)
    })
    .await
}

fn count_remote_vote(
    conn: &mut db::DbConn,
    voter: i64,
    poll_ap_id: &str,
    option_name: &str,
    note_id: &str,
) -> Result<Option<&'static str>> {
    let Some(post) = db::posts::post_by_ap_id(conn, poll_ap_id)?.filter(|p| p.local) else {
        return Ok(Some("not_our_poll"));
    };
    let Some((poll, options)) = db::polls::get(conn, post.id)? else {
        return Ok(Some("not_a_poll"));
    };
    if post.deleted || post.removed {
        return Ok(Some("poll_withdrawn"));
    }
    let community = db::posts::thread_community(conn, post.id)?;
    if db::bans::ensure_not_banned(conn, community.id, voter).is_err() {
        return Ok(Some("banned"));
    }
    let role = db::communities::role_of(conn, community.id, voter)?;
    if !can_read(&community, role, false) {
        return Ok(Some("members_only"));
    }
    let Some(option) = options.iter().find(|o| o.name == option_name) else {
        return Ok(Some("unknown_option"));
    };
    let option_ids: Vec<i64> = options.iter().map(|o| o.id).collect();
    let before = db::polls::chosen_by(conn, post.id, voter)?;
    let checked = rules::check_vote(
        poll.multiple,
        poll.closes_at,
        db::now(),
        &[option.id],
        &option_ids,
        &before,
    );
    if let Err(e) = checked {
        tracing::info!("a remote vote in poll {} is ignored: {}", post.id, e.code);
        return Ok(Some(e.code));
    }
    db::polls::insert_vote(conn, post.id, option.id, voter, note_id)?;
    Ok(None)
}

/// Queues the results of the local polls that are due (changed and not sent for
/// `poll_results_secs`, or just closed): one `PollResults` change each, in one write with the
/// marks that keep them from going again. Answers how many were queued.
pub async fn queue_results(ctx: &AppContext) -> Result<usize> {
    let gap = chrono::Duration::seconds(ctx.settings().poll_results_secs.max(1) as i64);
    ctx.write(move |conn| {
        let now = db::now();
        let due = db::polls::due(conn, now, gap, 200)?;
        for post_id in &due {
            db::polls::mark_sent(conn, *post_id, now)?;
            db::outbox::emit(conn, &Change::PollResults { post_id: *post_id })?;
        }
        Ok(due.len())
    })
    .await
}

/// A remote poll's new counts, from its author's `Update(Question)`: applied to a poll the
/// author wrote.
pub async fn receive_results(
    ctx: &AppContext,
    author: &Person,
    poll_ap_id: String,
    poll: rules::ReceivedPoll,
) -> Result<()> {
    let author = author.id;
    ctx.write(move |conn| {
        let Some(post) = db::posts::post_by_ap_id(conn, &poll_ap_id)? else {
            return Ok(());
        };
        if post.local || post.author_id != author {
            return Ok(());
        }
        db::polls::save_received(conn, post.id, &poll)
    })
    .await
}
