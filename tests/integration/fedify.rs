//! A third-party implementation as peer: `tests/fedify/peer.mjs`, a small server built on the
//! Fedify framework (Node), follows a copse community, receives what the community announces,
//! replies to a post, opens a post by mentioning the community and answers an event with a
//! `Join`, receiving the organizer's `Accept`; following two communities, it gets a thread posted
//! in both once from each community and each reply once. Its HTTP signatures, JSON-LD
//! handling and delivery are Fedify's own, so this pins interoperability with an implementation
//! that shares none of our code.
//!
//! The peer is driven over its standard streams: it writes one JSON event per line on stdout
//! (`ready`, `community`, `accepted`, `received`, `sent`, `error`) and reads JSON commands on
//! stdin (`reply`, `mention`, `quit`). Fedify hands an activity to the peer's listeners only after
//! verifying its HTTP signature, so every `received` event also says Fedify accepted ours; every
//! `sent` event says copse answered 2xx to Fedify's signed delivery. The peer needs
//! `(cd tests/fedify && npm ci)`; without it the test is skipped, except when `CI` is set, where
//! it fails.

use crate::helpers::{eventually, TestApp};
use futures::FutureExt;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::{
    panic::AssertUnwindSafe,
    path::{Path, PathBuf},
    process::Stdio,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    process::{Child, ChildStdin, Command},
    sync::mpsc,
    task::JoinHandle,
    time::Instant,
};

/// How long one step of the peer may take (its first step includes starting Node).
const STEP: Duration = Duration::from_secs(20);

const INSTALL: &str = "(cd tests/fedify && npm ci --no-audit --no-fund)";

fn peer_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fedify")
}

/// The Node 22 binary the `node` npm package installs, or None (after saying why) when the peer
/// is not installed. Under CI a missing peer is a failure, never a silent skip.
fn installed_node() -> Option<PathBuf> {
    let dir = peer_dir();
    let node = dir.join("node_modules/.bin/node");
    if node.exists()
        && dir
            .join("node_modules/@fedify/fedify/package.json")
            .exists()
    {
        return Some(node);
    }
    let why = format!(
        "the Fedify peer is not installed ({} is missing); install it with `{INSTALL}`",
        node.display()
    );
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{why}; CI is set, so this test may not be skipped");
    }
    eprintln!("skipping the Fedify interoperability test: {why}");
    None
}

/// The running peer: its events so far, and its stderr for failure messages.
struct Peer {
    child: Child,
    stdin: ChildStdin,
    events: mpsc::UnboundedReceiver<Value>,
    seen: Vec<Value>,
    stderr: Arc<Mutex<String>>,
    stderr_task: Option<JoinHandle<()>>,
}

impl Peer {
    async fn start(node: &Path, copse: &str, community: &str) -> Peer {
        let mut child = Command::new(node)
            .arg("peer.mjs")
            .args(["--copse", copse, "--community", community, "--port", "0"])
            .current_dir(peer_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", node.display()));
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let stderr_pipe = child.stderr.take().expect("stderr");

        let (tx, events) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let event = serde_json::from_str(&line).unwrap_or_else(
                    |_| json!({"event": "error", "step": "stdout", "message": line}),
                );
                if tx.send(event).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let stderr_task = tokio::spawn(async move {
            let mut lines = BufReader::new(stderr_pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let mut all = sink.lock().expect("stderr");
                all.push_str(&line);
                all.push('\n');
            }
        });
        Peer {
            child,
            stdin,
            events,
            seen: Vec::new(),
            stderr,
            stderr_task: Some(stderr_task),
        }
    }

    /// Waits (at most `STEP`) for an event matching `wanted`, among those already seen or still
    /// to come. An `error` event, the peer's exit or the time limit fail the test.
    async fn wait(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(event) = self.seen.iter().find(|e| wanted(e)) {
            return event.clone();
        }
        let deadline = Instant::now() + STEP;
        loop {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(event)) => {
                    self.seen.push(event.clone());
                    if event["event"] == "error" {
                        self.fail(&format!("the peer failed while waiting for {what}"))
                            .await;
                    }
                    if wanted(&event) {
                        return event;
                    }
                }
                Ok(None) => {
                    self.fail(&format!("the peer exited while waiting for {what}"))
                        .await
                }
                Err(_) => {
                    self.fail(&format!("timed out after {STEP:?} waiting for {what}"))
                        .await
                }
            }
        }
    }

    /// Runs a bounded check on the copse side (`eventually`), adding the peer's output to its
    /// failure.
    async fn within<T>(&mut self, check: impl std::future::Future<Output = T>) -> T {
        match AssertUnwindSafe(check).catch_unwind().await {
            Ok(value) => value,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                self.fail(&message).await
            }
        }
    }

    async fn send(&mut self, command: Value) {
        let line = format!("{command}\n");
        let written = async {
            self.stdin.write_all(line.as_bytes()).await?;
            self.stdin.flush().await
        }
        .await;
        if let Err(e) = written {
            self.fail(&format!("writing {command} to the peer: {e}"))
                .await;
        }
    }

    async fn fail(&mut self, why: &str) -> ! {
        // A peer that has stopped still has its last words in the pipes.
        while let Ok(event) = self.events.try_recv() {
            self.seen.push(event);
        }
        if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(500), self.child.wait()).await
        {
            if let Some(task) = self.stderr_task.take() {
                let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
            }
        }
        let events: Vec<String> = self.seen.iter().map(Value::to_string).collect();
        let stderr = self.stderr.lock().expect("stderr").clone();
        panic!(
            "{why}\n--- peer events ---\n{}\n--- peer stderr ---\n{stderr}",
            events.join("\n")
        );
    }

    async fn quit(mut self) {
        self.send(json!({"cmd": "quit"})).await;
        match tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await {
            Ok(Ok(status)) if status.success() => {}
            Ok(status) => self.fail(&format!("the peer quit with {status:?}")).await,
            Err(_) => self.fail("the peer did not quit").await,
        }
    }
}

fn announce_of(event: &Value, object_type: &str) -> bool {
    event["event"] == "received"
        && event["type"] == "Announce"
        && event["objectType"] == object_type
}

#[tokio::test]
async fn a_fedify_peer_follows_receives_announces_replies_and_posts_by_mention() {
    let Some(node) = installed_node() else {
        return;
    };
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    let (status, body) = app
        .community(
            &owner,
            "gardeners",
            json!({"membership_policy": "open", "visibility": "public"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let group = format!("http://{}/c/gardeners", app.hostname);

    // The peer finds the community by WebFinger, fetches the Group and follows it.
    let mut peer = Peer::start(&node, &app.base, "gardeners").await;
    let ready = peer
        .wait("the peer to listen", |e| e["event"] == "ready")
        .await;
    let actor = ready["actor"].as_str().expect("actor").to_string();
    let peer_handle = format!("peer@localhost:{}", ready["port"]);
    let found = peer
        .wait("the peer to resolve the community", |e| {
            e["event"] == "community"
        })
        .await;
    assert_eq!(found["id"], group.as_str());
    assert_eq!(found["subject"], format!("acct:gardeners@{}", app.hostname));
    assert_eq!(found["name"], "The gardeners community");
    peer.wait("copse to accept the peer's Follow", |e| {
        e["event"] == "accepted"
    })
    .await;
    let (status, members) = app
        .get("/api/v1/communities/gardeners/members?limit=100", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{members}");
    let member = members["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["actor_id"] == actor.as_str())
        .unwrap_or_else(|| panic!("the peer is not a member: {members}"));
    assert_eq!(member["handle"], peer_handle.as_str());
    let followers = app.activity_json("/c/gardeners/followers").await;
    assert_eq!(followers["totalItems"], 2, "the owner and the peer");

    // A local post reaches the peer in both forms: Announce(Create(Page)) and Announce(Page).
    let (status, post) = app
        .post(
            "/api/v1/communities/gardeners/posts",
            Some(&owner),
            json!({"title": "Seed swap on Saturday", "body": "Bring **seeds** to share."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let page = post["actor_id"].as_str().expect("actor_id").to_string();
    let wrapped = peer
        .wait("Announce(Create(Page)) of the post", |e| {
            announce_of(e, "Create") && e["innerType"] == "Page" && e["innerId"] == page.as_str()
        })
        .await;
    assert_eq!(wrapped["actor"], group.as_str());
    assert_eq!(wrapped["innerName"], "Seed swap on Saturday");
    let bare = peer
        .wait("Announce(Page) of the post", |e| {
            announce_of(e, "Page") && e["objectId"] == page.as_str()
        })
        .await;
    assert_eq!(bare["actor"], group.as_str());
    assert_eq!(bare["objectName"], "Seed swap on Saturday");

    // A local comment reaches the peer as Announce(Create(Note)).
    let post_id = post["id"].as_i64().expect("id");
    let (status, comment) = app
        .post(
            &format!("/api/v1/posts/{post_id}/comments"),
            Some(&owner),
            json!({"body": "Doors open at ten."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    let note = comment["actor_id"].as_str().expect("actor_id").to_string();
    let announced = peer
        .wait("Announce(Create(Note)) of the comment", |e| {
            announce_of(e, "Create") && e["innerType"] == "Note" && e["innerId"] == note.as_str()
        })
        .await;
    assert_eq!(announced["actor"], group.as_str());
    assert!(
        announced["innerContent"]
            .as_str()
            .is_some_and(|c| c.contains("Doors open at ten.")),
        "{announced}"
    );

    // The peer's reply to the post becomes a comment.
    let reply = "Count me in, I have spare tomato seeds.";
    peer.send(json!({"cmd": "reply", "inReplyTo": page, "content": reply}))
        .await;
    let sent = peer
        .wait("the peer to deliver its reply", |e| {
            e["event"] == "sent" && e["cmd"] == "reply"
        })
        .await;
    let reply_id = sent["note"].as_str().expect("note").to_string();
    let stored = peer
        .within(eventually(
            "the peer's reply to become a comment",
            || async {
                let (_, tree) = app
                    .get(&format!("/api/v1/posts/{post_id}/comments"), None)
                    .await;
                tree["items"]
                    .as_array()?
                    .iter()
                    .find(|c| c["actor_id"] == reply_id.as_str())
                    .cloned()
            },
        ))
        .await;
    assert_eq!(stored["body"].as_str().map(str::trim), Some(reply));
    assert_eq!(stored["author"], peer_handle.as_str());
    assert_eq!(stored["parent_id"], Value::Null);

    // A public Note mentioning the community opens a post, titled from its first line.
    peer.send(json!({
        "cmd": "mention",
        "content": "Seed library opens in March\nBring envelopes and labels."
    }))
    .await;
    let sent = peer
        .wait("the peer to deliver its mention", |e| {
            e["event"] == "sent" && e["cmd"] == "mention"
        })
        .await;
    let opened_id = sent["note"].as_str().expect("note").to_string();
    let opened = peer
        .within(eventually("the mention to open a post", || async {
            let (_, list) = app
                .get("/api/v1/communities/gardeners/posts?limit=100", None)
                .await;
            list["items"]
                .as_array()?
                .iter()
                .find(|p| p["actor_id"] == opened_id.as_str())
                .cloned()
        }))
        .await;
    assert_eq!(opened["title"], "Seed library opens in March");
    assert_eq!(opened["author"], peer_handle.as_str());
    assert!(
        opened["body"]
            .as_str()
            .is_some_and(|b| b.contains("Bring envelopes and labels.")),
        "{opened}"
    );

    // The peer answers an event going with a Join (Mobilizon's RSVP) and gets the organizer's
    // Accept; copse counts it among the people going.
    let (status, event) = app
        .post(
            "/api/v1/communities/gardeners/events",
            Some(&owner),
            json!({
                "title": "Planting day",
                "starts_at": "2031-04-05T10:00",
                "ends_at": "2031-04-05T13:00",
                "timezone": "Europe/Berlin",
                "capacity": 10,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let event_url = event["actor_id"].as_str().expect("actor_id").to_string();
    let event_id = event["id"].as_i64().expect("id");
    peer.send(json!({"cmd": "join", "event": event_url})).await;
    let sent = peer
        .wait("the peer to deliver its Join", |e| {
            e["event"] == "sent" && e["cmd"] == "join"
        })
        .await;
    let join_id = sent["activity"].as_str().expect("join").to_string();
    let accepted = peer
        .wait("copse's Accept of the Join", |e| {
            e["event"] == "received" && e["type"] == "Accept" && e["objectId"] == join_id.as_str()
        })
        .await;
    assert_eq!(
        accepted["actor"],
        format!("http://{}/u/owner", app.hostname).as_str(),
        "the organizer answers"
    );
    let (_, view) = app
        .get(&format!("/api/v1/events/{event_id}"), Some(&owner))
        .await;
    assert_eq!(view["going"], 1, "{view}");
    assert!(
        view["answers"].as_array().is_some_and(|a| a
            .iter()
            .any(|a| a["person"] == peer_handle.as_str() && a["state"] == "going")),
        "{view}"
    );

    // Comments travel only wrapped in their Create; a bare Announce(Note) never came.
    assert!(
        !peer.seen.iter().any(|e| announce_of(e, "Note")),
        "{:?}",
        peer.seen
    );
    peer.quit().await;
}

/// Cross-posting seen from a peer following two communities of a thread: the thread comes once
/// from each community (its home's `Announce(Create(Page))`, the other's `Announce(Page)`), and
/// each reply once, from its home only.
#[tokio::test]
async fn a_fedify_peer_following_two_communities_gets_a_cross_post_once_from_each() {
    let Some(node) = installed_node() else {
        return;
    };
    let app = TestApp::spawn().await;
    let owner = app.user("owner").await;
    for name in ["gardeners", "orchard"] {
        let (status, body) = app.community(&owner, name, json!({})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let group = |name: &str| format!("http://{}/c/{name}", app.hostname);
    let mut peer = Peer::start(&node, &app.base, "gardeners,orchard").await;
    for name in ["gardeners", "orchard"] {
        let id = group(name);
        peer.wait(&format!("copse to accept the Follow of {name}"), |e| {
            e["event"] == "accepted" && e["actor"] == id.as_str()
        })
        .await;
    }

    let (status, post) = app
        .post(
            "/api/v1/communities/gardeners/posts",
            Some(&owner),
            json!({"title": "Grafting day", "body": "Bring rootstock.", "also_in": ["orchard"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    let page = post["actor_id"].as_str().expect("actor_id").to_string();
    let (home, other) = (group("gardeners"), group("orchard"));
    peer.wait("the home's Announce(Create(Page))", |e| {
        announce_of(e, "Create") && e["innerId"] == page.as_str() && e["actor"] == home.as_str()
    })
    .await;
    peer.wait("orchard's Announce(Page)", |e| {
        announce_of(e, "Page") && e["objectId"] == page.as_str() && e["actor"] == other.as_str()
    })
    .await;

    let post_id = post["id"].as_i64().expect("id");
    // The reply, then a marker reply: once the marker is in, any second delivery of the first
    // has had its time; then count, each thing once from each community.
    let mut notes = Vec::new();
    for body in ["Scions are in the shed.", "A marker sent after the first."] {
        let (status, comment) = app
            .post(
                &format!("/api/v1/posts/{post_id}/comments"),
                Some(&owner),
                json!({"body": body}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{comment}");
        let note = comment["actor_id"].as_str().expect("actor_id").to_string();
        peer.wait(&format!("Announce(Create(Note)) of {body}"), |e| {
            announce_of(e, "Create") && e["innerId"] == note.as_str()
        })
        .await;
        notes.push(note);
    }
    let note = &notes[0];
    tokio::time::sleep(Duration::from_secs(2)).await;
    while let Ok(event) = peer.events.try_recv() {
        peer.seen.push(event);
    }
    let about = |id: &str, actor: &str| {
        peer.seen
            .iter()
            .filter(|e| e["event"] == "received" && e["type"] == "Announce")
            .filter(|e| e["innerId"] == id || e["objectId"] == id)
            .filter(|e| e["actor"] == actor)
            .count()
    };
    assert_eq!(about(&page, &other), 1, "{:?}", peer.seen);
    assert_eq!(about(note, &other), 0, "{:?}", peer.seen);
    assert_eq!(about(note, &home), 1, "{:?}", peer.seen);
    peer.quit().await;
}
