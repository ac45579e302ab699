//! Polls: a local person's vote in a remote poll (`Create(Note)` with the option as `name`, to
//! the poll's author, as Mastodon sends it), and a local poll's results (the author's
//! `Update(Question)`, forwarded like an edit and also sent to the remote voters' instances).

use super::{community_and, forward, gone, member_inboxes, person, send, Plan};
use crate::{
    db::{self, posts::PostOrComment},
    domain::changes::Change,
    error::Error,
    federation::{
        activities::{announce::Announced, create::Create, editing::Update},
        objects::post::{ObjectKind, PostJson},
    },
};
use activitypub_federation::{
    kinds::{
        activity::{CreateType, UpdateType},
        public,
    },
    traits::{Actor, Object},
};
use serde_json::Value;
use url::Url;

pub(super) async fn plan(change: Change, data: &Plan<'_>) -> Result<(), Error> {
    match change {
        Change::PollVoteCast { vote_id } => vote_cast(vote_id, data).await,
        Change::PollResults { post_id } => results(post_id, data).await,
        _ => Ok(()),
    }
}

async fn vote_cast(vote_id: i64, data: &Plan<'_>) -> Result<(), Error> {
    let found = data
        .db(move |conn| {
            let Some((note_id, post_id, option, voter_id)) = db::polls::vote(conn, vote_id)? else {
                return Ok(None);
            };
            Ok(db::posts::post(conn, post_id)?.map(|p| (note_id, p, option, voter_id)))
        })
        .await?;
    let Some((note_id, post, option, voter_id)) = found else {
        gone::<()>("poll vote", vote_id);
        return Ok(());
    };
    let (Some(voter), Some(author)) = (
        person(data, voter_id).await?,
        person(data, post.author_id).await?,
    ) else {
        return Ok(());
    };
    let note = PostJson {
        kind: ObjectKind::Note,
        id: Url::parse(&note_id)?,
        attributed_to: Value::String(voter.ap_id.to_string()),
        to: vec![author.ap_id.0.clone()],
        cc: vec![],
        audience: None,
        name: Some(option),
        content: None,
        media_type: None,
        source: None,
        summary: None,
        in_reply_to: Some(post.ap_id.0.clone()),
        tag: vec![],
        attachment: vec![],
        sensitive: None,
        comments_enabled: None,
        published: None,
        updated: None,
        event: Default::default(),
        question: Default::default(),
    };
    let create = Create {
        actor: voter.ap_id.0.clone().into(),
        object: note,
        kind: CreateType::Create,
        id: Url::parse(&data.new_activity_id("create"))?,
        to: vec![author.ap_id.0.clone()],
        cc: vec![],
        audience: None,
    };
    let inbox = Url::parse(&author.inbox_url)?;
    send(create, &voter, vec![inbox], data).await
}

async fn results(post_id: i64, data: &Plan<'_>) -> Result<(), Error> {
    let Some(post) = data.db(move |conn| db::posts::post(conn, post_id)).await? else {
        gone::<()>("poll", post_id);
        return Ok(());
    };
    if post.deleted {
        return Ok(());
    }
    let Some((community, author)) = community_and(data, post.community_id, post.author_id).await?
    else {
        return Ok(());
    };
    let object = PostOrComment::Post(post).into_json(data).await?;
    let update = Update {
        actor: author.ap_id.0.clone().into(),
        object,
        kind: UpdateType::Update,
        id: Url::parse(&data.new_activity_id("update"))?,
        to: vec![public()],
        cc: vec![community.ap_id.0.clone()],
        audience: Some(community.ap_id.0.clone()),
    };
    // Voters from instances the community does not reach (Mastodon) hear of the results too.
    let members = match community.local {
        true => member_inboxes(&community, &author, data).await?,
        false => vec![community.shared_inbox_or_inbox()],
    };
    let voters: Vec<Url> = data
        .db(move |conn| db::polls::remote_voter_inboxes(conn, post_id))
        .await?
        .iter()
        .filter_map(|i| Url::parse(i).ok())
        .filter(|i| !members.contains(i))
        .collect();
    if !voters.is_empty() {
        send(update.clone(), &author, voters, data).await?;
    }
    forward(update, Announced::Update, &community, &author, data).await
}
