//! The trust matrix (issue 10): every activity type the inbox accepts × how it arrives × whom it
//! claims as actor, with the expected outcome written in one table (`expected`). The match is
//! exhaustive, so a new activity type cannot be added to `Kind` without deciding its row.
//! Every case acts on fresh objects in `town` (the honest community on `third`), and checks the
//! answer and whether anything at home changed.

use crate::{
    origin::Actor,
    trust_scene::{create, Scene, PUBLIC},
};
use copse::federation::activities::InboxActivity;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Create,
    Update,
    Delete,
    Like,
    Dislike,
    Undo,
    Lock,
    Add,
    Remove,
    Block,
    Flag,
    Follow,
    Accept,
    Reject,
}

const KINDS: [Kind; 14] = [
    Kind::Create,
    Kind::Update,
    Kind::Delete,
    Kind::Like,
    Kind::Dislike,
    Kind::Undo,
    Kind::Lock,
    Kind::Add,
    Kind::Remove,
    Kind::Block,
    Kind::Flag,
    Kind::Follow,
    Kind::Accept,
    Kind::Reject,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arrival {
    /// Sent by the attacker's person (`mal`), signed with his key.
    Direct,
    /// Announced by `town`, the community the object is in.
    OwnCommunity,
    /// Announced by `evil`, a Group a home member follows, unrelated to the object.
    UnrelatedGroup,
    /// Announced by `shadow`, a Group stored at home that nobody follows.
    UnfollowedGroup,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Claim {
    /// bob, a home user.
    Local,
    /// A remote person who is neither the signer nor on the announcing Group's server.
    ThirdParty,
    /// The signer himself (direct), or a person of the announcing Group's own server.
    GroupMember,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// 200, and something changed at home.
    Applied,
    /// 202, nothing changed.
    Ignored,
    /// This status, nothing changed.
    Refused(u16),
}

/// THE TABLE.
fn expected(kind: Kind, arrival: Arrival, claim: Claim) -> Expect {
    use {Arrival::*, Claim::*, Expect::*, Kind::*};
    match (arrival, claim) {
        // The key is not the claimed actor's.
        (Direct, Local | ThirdParty) => Refused(401),
        (UnfollowedGroup, _) => Refused(403),
        // A Group vouches only for its own community; our own users' activities never come
        // from outside.
        (UnrelatedGroup, _) | (OwnCommunity, Local) => Ignored,
        (OwnCommunity, ThirdParty | GroupMember) => match kind {
            Create | Update | Delete | Like | Dislike | Undo | Lock | Add | Remove | Block => {
                Applied
            }
            // Not activities copse takes from an announce.
            Flag | Follow | Accept | Reject => Ignored,
        },
        (Direct, GroupMember) => match kind {
            // Into a remote community that never announced it.
            Create => Refused(403),
            // His own post, his own vote, his report, his joining an open community.
            Update | Delete | Like | Dislike | Undo | Flag | Follow => Applied,
            // Not a moderator of `town`.
            Lock | Add | Remove | Block => Refused(403),
            // A person cannot answer a Follow of a community.
            Accept | Reject => Refused(400),
        },
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Create => "Create",
        Kind::Update => "Update",
        Kind::Delete => "Delete",
        Kind::Like => "Like",
        Kind::Dislike => "Dislike",
        Kind::Undo => "Undo",
        Kind::Lock => "Lock",
        Kind::Add => "Add",
        Kind::Remove => "Remove",
        Kind::Block => "Block",
        Kind::Flag => "Flag",
        Kind::Follow => "Follow",
        Kind::Accept => "Accept",
        Kind::Reject => "Reject",
    }
}

/// What one case acts on.
struct Target {
    actor: Actor,
    /// A fresh post in `town` by the claimed actor, and its object.
    post: String,
    page: Value,
    /// A vote by the claimed actor on that post, already applied (for Undo).
    vote: Value,
    /// bob's Follow of `town` (for Accept and Reject).
    follow: Value,
    /// A fresh person (for Block).
    victim: String,
}

fn id_on(actor: &str, what: &str) -> String {
    format!("{actor}/{what}/{}", uuid::Uuid::new_v4())
}

fn activity(kind: Kind, scene: &Scene, t: &Target) -> Value {
    let actor = t.actor.id.as_str();
    let town = scene.town.id.as_str();
    let base = |kind: &str| json!({"id": id_on(actor, &kind.to_lowercase()), "type": kind, "actor": actor});
    let mut a = base(kind_name(kind));
    let object = match kind {
        Kind::Create => {
            let page = if actor == scene.mal.id {
                scene.mal_page(town, "a new post")
            } else {
                json!({
                    "id": id_on(actor, "post"), "type": "Page", "attributedTo": actor,
                    "name": "a new post", "content": "<p>new</p>", "to": [town, PUBLIC],
                    "audience": town,
                })
            };
            return create(actor, page);
        }
        Kind::Update => {
            let mut page = t.page.clone();
            page["content"] = json!("<p>edited</p>");
            page["source"] = Value::Null;
            page["updated"] =
                json!((chrono::Utc::now() + chrono::Duration::seconds(5)).to_rfc3339());
            page
        }
        Kind::Undo => t.vote.clone(),
        Kind::Block => {
            a["target"] = json!(town);
            json!(t.victim)
        }
        Kind::Add | Kind::Remove => {
            a["target"] = json!(format!("{town}/featured"));
            json!(t.post)
        }
        Kind::Flag => {
            a["summary"] = json!("spam");
            json!(t.post)
        }
        Kind::Follow => json!(scene.home.url("/c/lab")),
        Kind::Accept | Kind::Reject => t.follow.clone(),
        Kind::Delete | Kind::Like | Kind::Dislike | Kind::Lock => json!(t.post),
    };
    a["object"] = object;
    a
}

/// Every kind in the table parses as an activity the inbox handles (not the catch-all).
#[test]
fn every_kind_is_one_the_inbox_handles() {
    for kind in KINDS {
        let mut a = json!({"id": "https://a.example/x", "type": kind_name(kind),
            "actor": "https://a.example/u/a", "object": "https://b.example/p/1",
            "target": "https://b.example/c/g/featured"});
        if matches!(kind, Kind::Create | Kind::Update) {
            a["object"] = json!({"id": "https://a.example/p/1", "type": "Page",
                "attributedTo": "https://a.example/u/a", "to": ["https://b.example/c/g"]});
        }
        if kind == Kind::Undo {
            a["object"] = json!({"id": "https://a.example/l", "type": "Like",
                "actor": "https://a.example/u/a", "object": "https://b.example/p/1"});
        }
        if matches!(kind, Kind::Accept | Kind::Reject) {
            a["object"] = json!({"id": "https://b.example/f", "type": "Follow",
                "actor": "https://b.example/u/b", "object": "https://a.example/u/a"});
        }
        let parsed = InboxActivity::parse(&a).expect("parses");
        assert!(
            !matches!(parsed, InboxActivity::Other(_)),
            "{kind:?} is not handled"
        );
    }
}

impl Scene {
    /// The claimed actor for an arrival.
    fn claimed(&self, arrival: Arrival, claim: Claim) -> Actor {
        match (arrival, claim) {
            (_, Claim::Local) => self.bob_actor.clone(),
            (Arrival::OwnCommunity, Claim::GroupMember) => self.tom.clone(),
            (Arrival::OwnCommunity, Claim::ThirdParty) => self.mal.clone(),
            (_, Claim::ThirdParty) => self.tom.clone(),
            (_, Claim::GroupMember) => self.mal.clone(),
        }
    }

    async fn fresh_post(&self, actor: &Actor, n: usize) -> String {
        let title = format!("case {n}");
        if actor.id == self.tom.id {
            self.tom_post(&title).await
        } else if actor.id == self.mal.id {
            self.mal_post(&title).await
        } else {
            self.bob_post(&title).await
        }
    }

    /// A vote by `actor` on `post`, applied the honest way.
    async fn vote(&self, actor: &Actor, post: &str) -> Value {
        let like = json!({"id": id_on(&actor.id, "like"), "type": "Like", "actor": actor.id, "object": post});
        if actor.id == self.bob_actor.id {
            let id = self.post_id(post).await;
            let (status, body) = self
                .home
                .post(
                    &format!("/api/v1/posts/{id}/vote"),
                    Some(&self.bob),
                    json!({"score": 1}),
                )
                .await;
            assert!(status.is_success(), "{body}");
        } else {
            let (status, body) = self.announce(&self.town, like.clone()).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        like
    }
}

async fn bob_follow_of_town(scene: &Scene) -> Value {
    let town = scene.town.id.clone();
    let follow_id = scene
        .home
        .context()
        .db(move |conn| {
            let bob = copse::db::accounts::local_person_by_name(conn, "bob")?.expect("bob");
            let town = copse::db::communities::by_ap_id(conn, &town)?.expect("town");
            Ok(copse::db::members::get(conn, town.id, bob.id)?.and_then(|m| m.follow_id))
        })
        .await
        .expect("query")
        .expect("follow id");
    json!({"id": follow_id, "type": "Follow", "actor": scene.bob_actor.id, "object": scene.town.id})
}

#[tokio::test]
async fn every_activity_every_arrival_every_claimed_actor() {
    let scene = Scene::new().await;
    let follow = bob_follow_of_town(&scene).await;
    let mut failures = Vec::new();
    let mut n = 0;
    for kind in KINDS {
        for arrival in [
            Arrival::Direct,
            Arrival::OwnCommunity,
            Arrival::UnrelatedGroup,
            Arrival::UnfollowedGroup,
        ] {
            for claim in [Claim::Local, Claim::ThirdParty, Claim::GroupMember] {
                n += 1;
                let actor = scene.claimed(arrival, claim);
                let post = scene.fresh_post(&actor, n).await;
                let page = page_of(&scene, &post, &actor);
                let vote = match kind {
                    Kind::Undo => scene.vote(&actor, &post).await,
                    _ => Value::Null,
                };
                if kind == Kind::Remove {
                    let pin = json!({"id": id_on(&scene.tom.id, "add"), "type": "Add",
                        "actor": scene.tom.id, "object": post,
                        "target": format!("{}/featured", scene.town.id)});
                    let (status, body) = scene.announce(&scene.town, pin).await;
                    assert_eq!(status, StatusCode::OK, "pinning: {body}");
                }
                let victim = match kind {
                    Kind::Block => scene.origin.person(&format!("victim{n}")).id,
                    _ => String::new(),
                };
                let target = Target {
                    actor,
                    post,
                    page,
                    vote,
                    follow: follow.clone(),
                    victim,
                };
                let activity = activity(kind, &scene, &target);
                let before = scene.fingerprint().await;
                let (status, body) = match arrival {
                    Arrival::Direct => scene.send(&activity, &scene.mal.key).await,
                    Arrival::OwnCommunity => scene.announce(&scene.town, activity).await,
                    Arrival::UnrelatedGroup => scene.announce(&scene.evil, activity).await,
                    Arrival::UnfollowedGroup => scene.announce(&scene.shadow, activity).await,
                };
                let changed = scene.fingerprint().await != before;
                let got = match (status.as_u16(), changed) {
                    (200, true) => Some(Expect::Applied),
                    (202, false) => Some(Expect::Ignored),
                    (s, false) if s >= 400 => Some(Expect::Refused(s)),
                    _ => None,
                };
                let want = expected(kind, arrival, claim);
                if got != Some(want) {
                    failures.push(format!(
                        "{kind:?} × {arrival:?} × {claim:?}: expected {want:?}, got {status} (changed: {changed}) {body}"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The post's object as its author's server would send it.
fn page_of(scene: &Scene, post: &str, actor: &Actor) -> Value {
    json!({
        "id": post, "type": "Page", "attributedTo": actor.id, "name": "edited title",
        "content": "<p>body</p>", "to": [scene.town.id, PUBLIC], "audience": scene.town.id,
    })
}
