//! Hostile peers when copse fetches (issue 5, rows 7, 10, 11 and 14): a forged object inside an
//! `Announce`, private addresses, slow, huge and redirecting peers, endless and cyclic reply
//! chains. The peers are tiny raw HTTP servers on loopback, so each misbehaves exactly so.

use crate::{
    helpers::TestApp,
    hostile_signatures::follow,
    signing::{community_key, Key, SignedPost},
};
use activitypub_federation::fetch::object_id::ObjectId;
use copse::db::{accounts::Person, posts::PostOrComment};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A misbehaving HTTP peer on loopback: answers by path, counts requests.
struct Peer {
    port: u16,
    requests: Arc<AtomicUsize>,
}

impl Peer {
    async fn start() -> Peer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(AtomicUsize::new(0));
        let pem = crate::key_stock::pair().0;
        let counter = requests.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(socket, port, pem.clone()));
            }
        });
        Peer { port, requests }
    }

    fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

async fn serve(mut socket: tokio::net::TcpStream, port: u16, pem: String) {
    let mut buf = vec![0u8; 16 * 1024];
    let Ok(n) = socket.read(&mut buf).await else {
        return;
    };
    let request = String::from_utf8_lossy(&buf[..n]).to_string();
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    let base = format!("http://localhost:{port}");
    let json_response = |body: String| {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/activity+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let note = |id: &str, parent: &str| {
        json!({
            "id": format!("{base}{id}"), "type": "Note", "attributedTo": format!("{base}/u/a"),
            "content": "<p>reply</p>", "inReplyTo": format!("{base}{parent}"),
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
        })
        .to_string()
    };
    match path.as_str() {
        "/slow" => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/activity+json\r\nContent-Length: 100000\r\n\r\n{";
            let _ = socket.write_all(head.as_bytes()).await;
            for _ in 0..600 {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                if socket.write_all(b" ").await.is_err() {
                    return;
                }
            }
        }
        "/big" => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/activity+json\r\nContent-Length: 52428800\r\n\r\n";
            let _ = socket.write_all(head.as_bytes()).await;
            let chunk = vec![b' '; 64 * 1024];
            for _ in 0..800 {
                if socket.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        }
        "/loop" => {
            let head = format!(
                "HTTP/1.1 302 Found\r\nLocation: {base}/loop\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = socket.write_all(head.as_bytes()).await;
        }
        "/u/a" => {
            let person = json!({
                "id": format!("{base}/u/a"), "type": "Person", "preferredUsername": "a",
                "inbox": format!("{base}/u/a/inbox"),
                "publicKey": {"id": format!("{base}/u/a#main-key"), "owner": format!("{base}/u/a"), "publicKeyPem": pem},
            });
            let _ = socket
                .write_all(json_response(person.to_string()).as_bytes())
                .await;
        }
        "/cycle/a" => {
            let body = note("/cycle/a", "/cycle/b");
            let _ = socket.write_all(json_response(body).as_bytes()).await;
        }
        "/cycle/b" => {
            let body = note("/cycle/b", "/cycle/a");
            let _ = socket.write_all(json_response(body).as_bytes()).await;
        }
        chain if chain.starts_with("/note/") => {
            let n: u64 = chain[6..].parse().unwrap_or(0);
            let body = note(chain, &format!("/note/{}", n + 1));
            let _ = socket.write_all(json_response(body).as_bytes()).await;
        }
        _ => {
            let _ = socket
                .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
    }
}

async fn request_data(app: &TestApp) -> copse::context::RequestData {
    copse::federation::config(app.context())
        .await
        .expect("config")
        .to_request_data()
}

#[tokio::test]
async fn slow_huge_and_redirect_looping_peers_are_bounded_and_others_are_still_served() {
    let home = TestApp::spawn().await;
    let owner = home.user("owner").await;
    home.community(&owner, "chess", json!({})).await;
    let peer = Peer::start().await;
    let fetches: Vec<_> = ["/slow", "/big", "/loop"]
        .into_iter()
        .map(|path| {
            let (home_ctx, url) = (home.context(), peer.url(path));
            tokio::spawn(async move {
                let data = copse::federation::config(home_ctx)
                    .await
                    .expect("config")
                    .to_request_data();
                ObjectId::<Person>::parse(&url)
                    .expect("url")
                    .dereference(&data)
                    .await
                    .map(|_| ())
            })
        })
        .collect();
    // An inbox request whose actor is the slow peer: answered (refused) once the fetch gives up.
    let slow_actor = peer.url("/slow");
    let key = Key {
        id: format!("{slow_actor}#main-key"),
        pem: crate::key_stock::pair().1,
    };
    let slow_follow = SignedPost::new(&follow(&slow_actor, &home), &key);
    let inbox = {
        let home_url = home.url("/inbox");
        let hostname = home.hostname.clone();
        let signed = slow_follow.clone();
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let response = client
                .post(home_url)
                .header("content-type", "application/activity+json")
                .header("signature", signed.signature_header(&hostname))
                .header("date", signed.date.clone().unwrap_or_default())
                .header("digest", signed.digest.clone().unwrap_or_default())
                .body(signed.body.clone())
                .send()
                .await
                .expect("send");
            response.status()
        })
    };
    // Meanwhile the instance answers everyone else.
    let other = TestApp::spawn().await;
    let nina = other.user("nina").await;
    other.join_remote(&nina, "nina", &home, "chess").await;
    let (status, _) = home.get("/nodeinfo/2.1", None).await;
    assert_eq!(status, StatusCode::OK);

    for (fetch, path) in fetches.into_iter().zip(["/slow", "/big", "/loop"]) {
        let result = fetch.await.expect("task");
        assert!(result.is_err(), "{path} was accepted");
    }
    let status = inbox.await.expect("task");
    assert!(status.is_client_error(), "inbox answered {status}");
    assert_eq!(
        home.member_handles("chess", None).await.len(),
        2,
        "only nina"
    );
}

#[tokio::test]
async fn endless_and_cyclic_reply_chains_stop_at_the_fetch_budget() {
    let home = TestApp::spawn().await;
    let peer = Peer::start().await;
    for start in ["/note/0", "/cycle/a"] {
        let before = peer.requests();
        let data = request_data(&home).await;
        let got = ObjectId::<PostOrComment>::parse(&peer.url(start))
            .expect("url")
            .dereference(&data)
            .await;
        assert!(got.is_err(), "{start} stored");
        let made = peer.requests() - before;
        assert!(made <= 21, "{start}: {made} requests");
        let id = peer.url(start);
        let stored = home
            .context()
            .db(move |conn| copse::db::posts::comment_by_ap_id(conn, &id))
            .await
            .expect("query");
        assert!(stored.is_none(), "{start} stored");
    }
}

#[tokio::test]
async fn fetches_to_private_and_mapped_addresses_are_refused_without_a_request() {
    // An instance as on the internet: https ids even though its name is localhost.
    let secure = TestApp::spawn_with(|s| {
        s.insecure_federation = false;
        s.scheme = copse::config::Scheme::Https;
    })
    .await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let urls = [
        format!("https://127.0.0.1:{port}/u/a"),
        "https://127.0.0.1/u/a".to_string(),
        "https://10.0.0.1/u/a".to_string(),
        "https://169.254.169.254/latest/meta-data/".to_string(),
        format!("https://[::]:{port}/u/a"),
        "https://[::]/u/a".to_string(),
        format!("https://[::ffff:127.0.0.1]:{port}/u/a"),
        "https://[::ffff:127.0.0.1]/u/a".to_string(),
        format!("https://localhost:{port}/u/a"),
        "https://localhost/u/a".to_string(),
    ];
    let data = request_data(&secure).await;
    for url in &urls {
        let got = ObjectId::<Person>::parse(url)
            .expect("url")
            .dereference(&data)
            .await;
        assert!(got.is_err(), "{url} fetched");
    }
    // As the actor of an activity: refused, nothing stored.
    let owner = secure.user("owner").await;
    secure.community(&owner, "chess", json!({})).await;
    let pem = crate::key_stock::pair().1;
    for url in &urls {
        let key = Key {
            id: format!("{url}#main-key"),
            pem: pem.clone(),
        };
        let mut activity = follow(url, &secure);
        activity["object"] = json!(format!("https://{}/c/chess", secure.hostname));
        let (status, body) = SignedPost::new(&activity, &key).send(&secure).await;
        assert!(status.is_client_error(), "{url}: {status} {body}");
        assert_eq!(secure.member_handles("chess", None).await.len(), 1);
    }
    assert!(
        listener.accept().is_err(),
        "a connection reached the private address"
    );
}

#[tokio::test]
async fn an_announce_embedding_a_forged_third_party_post_stores_nothing() {
    let home = TestApp::spawn().await;
    let forum = TestApp::spawn().await;
    let third = TestApp::spawn().await;
    let boss = forum.user("boss").await;
    forum.community(&boss, "club", json!({})).await;
    let reader = home.user("reader").await;
    home.join_remote(&reader, "reader", &forum, "club").await;
    let carol = third.user("carol").await;
    third.community(&carol, "garden", json!({})).await;
    let (status, real) = third
        .post(
            "/api/v1/communities/garden/posts",
            Some(&carol),
            json!({"title": "Real title", "body": "real body"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{real}");
    let real_url = real["actor_id"].as_str().expect("url").to_string();

    let (club, club_key) = community_key(&forum, "club").await;
    let announce = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("http://{}/activities/announce/{}", forum.hostname, uuid::Uuid::new_v4()),
        "type": "Announce",
        "actor": club,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": real_url, "type": "Page",
            "attributedTo": format!("http://{}/u/carol", third.hostname),
            "name": "FORGED", "content": "<p>FORGED</p>", "to": [club], "audience": club,
        },
    });
    // The origin serves the real post, which is not in `club`: a community vouches only for its
    // own, so neither the forged copy nor the original is stored.
    let (status, body) = SignedPost::new(&announce, &club_key).send(&home).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let lookup = real_url.clone();
    let stored = home
        .context()
        .db(move |conn| copse::db::posts::post_by_ap_id(conn, &lookup))
        .await
        .expect("query");
    assert!(stored.is_none(), "{stored:?}");
}
