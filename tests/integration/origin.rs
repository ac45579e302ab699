//! An attacker's own server on loopback: serves whatever documents a test puts at a path
//! (actors with keys made here, posts and comments saying anything) and keeps what is posted to
//! it. Activities are signed with its actors' keys by `signing::SignedPost`.

use crate::signing::Key;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

type Docs = Arc<Mutex<HashMap<String, Value>>>;

pub struct Origin {
    pub base: String,
    docs: Docs,
    received: Arc<Mutex<Vec<Value>>>,
    handle: actix_web::dev::ServerHandle,
}

/// An actor served by an `Origin`: its id and its signing key.
#[derive(Clone)]
pub struct Actor {
    pub id: String,
    pub key: Key,
}

impl Origin {
    pub async fn start() -> Origin {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let docs: Docs = Arc::default();
        let received: Arc<Mutex<Vec<Value>>> = Arc::default();
        let (served, inbox) = (docs.clone(), received.clone());
        let server = HttpServer::new(move || {
            let (served, inbox) = (served.clone(), inbox.clone());
            App::new().default_service(web::to(move |request: HttpRequest, body: web::Bytes| {
                let (served, inbox) = (served.clone(), inbox.clone());
                async move {
                    if request.method() == actix_web::http::Method::POST {
                        let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                        inbox.lock().expect("inbox").push(value);
                        return HttpResponse::Accepted().finish();
                    }
                    let path = match request.path() {
                        "/.well-known/webfinger" => webfinger_path(request.query_string()),
                        other => other.to_string(),
                    };
                    let doc = served.lock().expect("docs").get(&path).cloned();
                    let doc = match (request.path(), doc) {
                        ("/.well-known/webfinger", Some(actor)) => Some(json!({
                            "subject": request.query_string().trim_start_matches("resource=")
                                .replace("%3A", ":").replace("%40", "@"),
                            "links": [{"rel": "self", "type": "application/activity+json",
                                "href": actor["id"]}],
                        })),
                        (_, doc) => doc,
                    };
                    match doc {
                        Some(doc) => HttpResponse::Ok()
                            .content_type("application/activity+json")
                            .body(doc.to_string()),
                        None => HttpResponse::NotFound().finish(),
                    }
                }
            }))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Origin {
            base: format!("http://localhost:{port}"),
            docs,
            received,
            handle,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Serves `doc` at `path` from now on.
    pub fn put(&self, path: &str, doc: Value) {
        self.docs
            .lock()
            .expect("docs")
            .insert(path.to_string(), doc);
    }

    /// The document served at `path`, if any.
    pub fn doc(&self, path: &str) -> Option<Value> {
        self.docs.lock().expect("docs").get(path).cloned()
    }

    /// What was posted to any of its inboxes.
    pub fn received(&self) -> Vec<Value> {
        self.received.lock().expect("inbox").clone()
    }

    fn actor(&self, kind: &str, path: &str, name: &str) -> Actor {
        let (public, private) = crate::key_stock::pair();
        let id = self.url(path);
        self.put(
            path,
            json!({
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": id, "type": kind, "preferredUsername": name, "name": name,
                "inbox": format!("{id}/inbox"), "outbox": format!("{id}/outbox"),
                "followers": format!("{id}/followers"),
                "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": public},
            }),
        );
        Actor {
            key: Key {
                id: format!("{id}#main-key"),
                pem: private,
            },
            id,
        }
    }

    /// A `Person` at `/u/{name}`.
    pub fn person(&self, name: &str) -> Actor {
        self.actor("Person", &format!("/u/{name}"), name)
    }

    /// An `Application` at `path`, as Gancio publishes its calendar (`/federation/u/relay`).
    pub fn application(&self, path: &str, name: &str) -> Actor {
        self.actor("Application", path, name)
    }

    /// A `Group` at `/c/{name}`.
    pub fn group(&self, name: &str) -> Actor {
        self.actor("Group", &format!("/c/{name}"), name)
    }
}

/// The path of the actor a WebFinger query (`resource=acct:NAME@HOST`) names: a Group at
/// `/c/NAME`, else a Person at `/u/NAME` (the test puts no two actors under one name).
fn webfinger_path(query: &str) -> String {
    let name = query
        .split('&')
        .find_map(|p| p.strip_prefix("resource="))
        .map(|r| r.replace("%3A", ":").replace("%40", "@"))
        .and_then(|r| r.strip_prefix("acct:").map(str::to_string))
        .and_then(|r| r.split('@').next().map(str::to_string))
        .unwrap_or_default();
    if name == "evil" || name == "shadow" || name.starts_with("group") {
        format!("/c/{name}")
    } else {
        format!("/u/{name}")
    }
}

impl Drop for Origin {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}
