//! RSVPs across servers: the event author's `Accept` or `Reject` of a remote person's `Join` of
//! a local event, and a local person's `Join` or `Leave` of a remote event (to its author).

use super::{person, send, Plan};
use crate::{
    db,
    domain::changes::Change,
    error::Error,
    federation::activities::attending::{EventRef, Join, JoinAnswer, Leave},
};
use activitypub_federation::{
    kinds::activity::{AcceptType, JoinType, LeaveType, RejectType},
    traits::Actor,
};
use url::Url;

pub(super) async fn plan(change: Change, data: &Plan<'_>) -> Result<(), Error> {
    if let Change::EventJoinSent {
        post_id,
        person_id,
        join_id,
        leave,
    } = change
    {
        return join_remote(post_id, person_id, join_id, leave, data).await;
    }
    let Change::EventAnswered {
        post_id,
        person_id,
        join_id,
        accepted,
    } = change
    else {
        return Ok(());
    };
    let Some(to) = person(data, person_id).await? else {
        return Ok(());
    };
    let Some(post) = data.db(move |conn| db::posts::post(conn, post_id)).await? else {
        tracing::info!("outbox: event {post_id} is gone; its answer is not sent");
        return Ok(());
    };
    let Some(author) = person(data, post.author_id).await? else {
        return Ok(());
    };
    let (object, recipients) = (Url::parse(&join_id)?, vec![to.ap_id.0.clone()]);
    let inboxes = vec![to.shared_inbox_or_inbox()];
    if accepted {
        let id = Url::parse(&data.new_activity_id("accept"))?;
        let answer = JoinAnswer {
            actor: author.ap_id.0.clone(),
            object,
            kind: AcceptType::Accept,
            id,
            to: recipients,
        };
        send(answer, &author, inboxes, data).await
    } else {
        let id = Url::parse(&data.new_activity_id("reject"))?;
        let answer = JoinAnswer {
            actor: author.ap_id.0.clone(),
            object,
            kind: RejectType::Reject,
            id,
            to: recipients,
        };
        send(answer, &author, inboxes, data).await
    }
}

/// A local person's `Join` (or `Leave`) of a remote event, to the event's author.
async fn join_remote(
    post_id: i64,
    person_id: i64,
    join_id: String,
    leave: bool,
    data: &Plan<'_>,
) -> Result<(), Error> {
    let Some(from) = person(data, person_id).await? else {
        return Ok(());
    };
    let Some(post) = data.db(move |conn| db::posts::post(conn, post_id)).await? else {
        tracing::info!("outbox: event {post_id} is gone; the Join is not sent");
        return Ok(());
    };
    let Some(author) = person(data, post.author_id).await? else {
        return Ok(());
    };
    let (object, to) = (
        EventRef::Id(post.ap_id.0.clone()),
        vec![author.ap_id.0.clone()],
    );
    let inboxes = vec![author.shared_inbox_or_inbox()];
    if leave {
        let activity = Leave {
            actor: from.ap_id.0.clone().into(),
            object,
            kind: LeaveType::Leave,
            id: Url::parse(&data.new_activity_id("leave"))?,
            to: Some(to),
        };
        return send(activity, &from, inboxes, data).await;
    }
    let activity = Join {
        actor: from.ap_id.0.clone().into(),
        object,
        kind: JoinType::Join,
        id: Url::parse(&join_id)?,
        to: Some(to),
        participation_message: None,
    };
    send(activity, &from, inboxes, data).await
}
