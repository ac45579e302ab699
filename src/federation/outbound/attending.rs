//! RSVPs from other servers: the event author's `Accept` or `Reject` of a remote person's `Join`.

use super::{person, send, Plan};
use crate::{
    db, domain::changes::Change, error::Error, federation::activities::attending::JoinAnswer,
};
use activitypub_federation::{
    kinds::activity::{AcceptType, RejectType},
    traits::Actor,
};
use url::Url;

pub(super) async fn plan(change: Change, data: &Plan<'_>) -> Result<(), Error> {
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
