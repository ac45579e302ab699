//! The scene of the trust-boundary tests (issue 10): a home instance with local users and
//! communities, an honest third-party copse instance whose community a home user follows, and an
//! attacker's own server (`origin::Origin`) with a followed Group, an unfollowed one and a person.
//! `fingerprint` is everything an inbound activity could change at home, to assert that nothing
//! changed.

use crate::{
    helpers::{eventually, TestApp},
    origin::{Actor, Origin},
    signing::{community_key, person_key, Key, SignedPost},
};
use copse::db::schema::{
    comments, community_bans, community_members, posts, reports, tombstones, votes,
};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

pub struct Scene {
    /// The instance under attack: alice owns `lab` (public, open) and `secret` (private);
    /// bob is a member of `lab` and follows `town` on `third` and `evil` on `origin`.
    pub home: TestApp,
    pub alice: String,
    pub bob: String,
    /// An honest copse instance: tom owns `town`.
    pub third: TestApp,
    pub tom_token: String,
    /// The attacker's server: Groups `evil` (followed by bob) and `shadow` (stored at home by
    /// an anonymous resolve, followed by nobody), and the person `mal`.
    pub origin: Origin,
    pub evil: Actor,
    pub shadow: Actor,
    pub mal: Actor,
    /// Keys of actors whose servers we run: tom, bob, and the `town` Group.
    pub tom: Actor,
    pub bob_actor: Actor,
    pub town: Actor,
}

async fn actor_of(app: &TestApp, name: &str, community: bool) -> Actor {
    let (id, key) = if community {
        community_key(app, name).await
    } else {
        person_key(app, name).await
    };
    Actor { id, key }
}

impl Scene {
    pub async fn new() -> Scene {
        let home = TestApp::spawn().await;
        let alice = home.user("alice").await;
        let bob = home.user("bob").await;
        for (name, extra) in [
            ("lab", json!({})),
            ("secret", json!({"visibility": "private"})),
        ] {
            let (status, body) = home.community(&alice, name, extra).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let (status, body) = home
            .post("/api/v1/communities/lab/join", Some(&bob), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let third = TestApp::spawn().await;
        let tom_token = third.user("tom").await;
        let (status, body) = third.community(&tom_token, "town", json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        home.join_remote(&bob, "bob", &third, "town").await;

        let origin = Origin::start().await;
        let evil = origin.group("evil");
        let shadow = origin.group("shadow");
        let mal = origin.person("mal");
        let scene = Scene {
            tom: actor_of(&third, "tom", false).await,
            bob_actor: actor_of(&home, "bob", false).await,
            town: actor_of(&third, "town", true).await,
            home,
            alice,
            bob,
            third,
            tom_token,
            origin,
            evil,
            shadow,
            mal,
        };
        scene.follow_evil().await;
        let (status, body) = scene.resolve(&scene.shadow.id).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        scene
    }

    /// bob joins `evil`: home's Follow reaches the origin, which answers with a signed Accept.
    async fn follow_evil(&self) {
        let (status, body) = self.resolve(&self.evil.id).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let reference = format!(
            "/api/v1/communities/{}/join",
            body["handle"].as_str().expect("handle")
        );
        let (status, body) = self.home.post(&reference, Some(&self.bob), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{reference}: {body}");
        let follow = eventually("bob's Follow reaches the origin", || async {
            self.origin
                .received()
                .into_iter()
                .find(|a| a["type"] == "Follow" && a["object"] == self.evil.id.as_str())
        })
        .await;
        let accept = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/accept/{}", self.evil.id, uuid::Uuid::new_v4()),
            "type": "Accept", "actor": self.evil.id, "object": follow,
        });
        let (status, body) = self.send(&accept, &self.evil.key).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let state = self.home.membership_state("bob", &self.evil.id).await;
        assert_eq!(state.as_deref(), Some("active"));
    }

    /// An anonymous `/resolve` at home.
    pub async fn resolve(&self, q: &str) -> (StatusCode, Value) {
        let url = reqwest::Url::parse_with_params(&self.home.url("/api/v1/resolve"), [("q", q)])
            .expect("url");
        let response = self.home.client.get(url).send().await.expect("send");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Sends an activity to home's shared inbox, signed with `key`.
    pub async fn send(&self, activity: &Value, key: &Key) -> (StatusCode, Value) {
        SignedPost::new(activity, key).send(&self.home).await
    }

    /// `activity` wrapped in an Announce by `group`, signed with its key.
    pub async fn announce(&self, group: &Actor, activity: Value) -> (StatusCode, Value) {
        let announce = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/announce/{}", group.id, uuid::Uuid::new_v4()),
            "type": "Announce", "actor": group.id, "object": activity,
            "to": [PUBLIC], "cc": [format!("{}/followers", group.id)],
        });
        self.send(&announce, &group.key).await
    }

    /// A post by alice in `lab` (or `secret`): its id at home.
    pub async fn alice_post(&self, community: &str, title: &str) -> String {
        let (status, post) = self
            .home
            .post(
                &format!("/api/v1/communities/{community}/posts"),
                Some(&self.alice),
                json!({"title": title, "body": "the original body"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        post["actor_id"].as_str().expect("actor_id").to_string()
    }

    /// A post by tom in `town`, once home has it.
    pub async fn tom_post(&self, title: &str) -> String {
        let (status, post) = self
            .third
            .post(
                "/api/v1/communities/town/posts",
                Some(&self.tom_token),
                json!({"title": title, "body": "tom's body"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        let id = post["actor_id"].as_str().expect("actor_id").to_string();
        eventually("home has tom's post", || async {
            self.stored(&id).await.then_some(())
        })
        .await;
        id
    }

    /// A post by bob (a home user) in `town`.
    pub async fn bob_post(&self, title: &str) -> String {
        let town = format!("town@{}", self.third.hostname);
        let (status, post) = self
            .home
            .post(
                &format!("/api/v1/communities/{town}/posts"),
                Some(&self.bob),
                json!({"title": title, "body": "bob's body"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        post["actor_id"].as_str().expect("actor_id").to_string()
    }

    /// A Page by mal on the origin addressed to `community`, served there (not yet at home).
    pub fn mal_page(&self, community: &str, title: &str) -> Value {
        let path = format!("/p/{}", uuid::Uuid::new_v4());
        let page = json!({
            "id": self.origin.url(&path), "type": "Page", "attributedTo": self.mal.id,
            "name": title, "content": "<p>mal's body</p>",
            "to": [community, PUBLIC], "audience": community,
            "published": chrono::Utc::now().to_rfc3339(),
        });
        self.origin.put(&path, page.clone());
        page
    }

    /// A post by mal in `town`, stored at home as `town` announces it.
    pub async fn mal_post(&self, title: &str) -> String {
        let page = self.mal_page(&self.town.id, title);
        let id = page["id"].as_str().expect("id").to_string();
        let (status, body) = self.announce(&self.town, create(&self.mal.id, page)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(self.stored(&id).await, "town's announce stores mal's post");
        id
    }

    /// Whether home holds a post or comment with this id.
    pub async fn stored(&self, ap_id: &str) -> bool {
        let id = ap_id.to_string();
        self.home
            .context()
            .db(move |conn| {
                Ok(copse::db::posts::post_by_ap_id(conn, &id)?.is_some()
                    || copse::db::posts::comment_by_ap_id(conn, &id)?.is_some())
            })
            .await
            .expect("query")
    }

    /// The local id at home of the post with this ActivityPub id.
    pub async fn post_id(&self, ap_id: &str) -> i64 {
        let id = ap_id.to_string();
        self.home
            .context()
            .db(move |conn| copse::db::posts::post_by_ap_id(conn, &id))
            .await
            .expect("query")
            .expect("post")
            .id
    }

    /// Everything at home that an inbound activity could change.
    pub async fn fingerprint(&self) -> String {
        fingerprint(&self.home).await
    }
}

/// A `Create` of `object` by `actor`, with an id on the actor's host.
pub fn create(actor: &str, object: Value) -> Value {
    let mut create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}/create/{}", uuid::Uuid::new_v4()),
        "type": "Create", "actor": actor, "to": object["to"].clone(),
    });
    if !object["cc"].is_null() {
        create["cc"] = object["cc"].clone();
    }
    create["object"] = object;
    create
}

/// Posts, comments, votes, memberships, bans, reports and tombstones of `app`, as text.
pub async fn fingerprint(app: &TestApp) -> String {
    app.context()
        .db(|conn| {
            let posts: Vec<(String, String, String, bool, bool, bool, bool)> = posts::table
                .select((
                    posts::ap_id,
                    posts::title,
                    posts::body_md,
                    posts::locked,
                    posts::deleted,
                    posts::pinned,
                    posts::removed,
                ))
                .order(posts::ap_id)
                .load(conn)?;
            let comments: Vec<(String, String, bool, bool)> = comments::table
                .select((
                    comments::ap_id,
                    comments::body_md,
                    comments::deleted,
                    comments::removed,
                ))
                .order(comments::ap_id)
                .load(conn)?;
            let votes: Vec<(i64, String, i32)> = votes::table
                .select((votes::person_id, votes::object_ap_id, votes::score))
                .order((votes::person_id, votes::object_ap_id))
                .load(conn)?;
            let members: Vec<(i64, i64, String, String)> = community_members::table
                .select((
                    community_members::community_id,
                    community_members::person_id,
                    community_members::role,
                    community_members::state,
                ))
                .order((community_members::community_id, community_members::person_id))
                .load(conn)?;
            let bans: Vec<(i64, i64)> = community_bans::table
                .select((community_bans::community_id, community_bans::person_id))
                .order((community_bans::community_id, community_bans::person_id))
                .load(conn)?;
            let reports: Vec<(String, i64)> = reports::table
                .select((reports::object_ap_id, reports::reporter_id))
                .order(reports::id)
                .load(conn)?;
            let tombstones: Vec<String> = tombstones::table
                .select(tombstones::ap_id)
                .order(tombstones::ap_id)
                .load(conn)?;
            Ok(format!(
                "posts {posts:?}\ncomments {comments:?}\nvotes {votes:?}\nmembers {members:?}\nbans {bans:?}\nreports {reports:?}\ntombstones {tombstones:?}"
            ))
        })
        .await
        .expect("fingerprint")
}
