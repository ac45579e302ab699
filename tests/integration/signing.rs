//! Hand-made signed requests for the hostile-input tests: draft-cavage signatures computed here
//! with the actor's real RSA key (read from its instance's database), so that each test chooses
//! exactly which headers are signed, what `Date` says and what `Digest` claims.

use crate::helpers::TestApp;
use base64::{engine::general_purpose::STANDARD as BASE64, Engine};
use openssl::{hash::MessageDigest, pkey::PKey, sign::Signer};
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// A signing key: its `keyId` and the private key PEM.
#[derive(Clone)]
pub struct Key {
    pub id: String,
    pub pem: String,
}

/// The key of local person `name` on `app`, and the person's actor id.
pub async fn person_key(app: &TestApp, name: &str) -> (String, Key) {
    let lookup = name.to_string();
    let person = app
        .context()
        .db(move |conn| copse::db::accounts::local_person_by_name(conn, &lookup))
        .await
        .expect("query")
        .expect("person");
    // Its key pair, made now if it has none yet (as its first delivery would).
    let person = copse::actions::keys::person(&app.context(), person)
        .await
        .expect("key pair");
    let actor = person.ap_id.to_string();
    let key = Key {
        id: format!("{actor}#main-key"),
        pem: person.private_key.expect("local key"),
    };
    (actor, key)
}

/// The key of local community `name` on `app`, and the community's actor id.
pub async fn community_key(app: &TestApp, name: &str) -> (String, Key) {
    let lookup = name.to_string();
    let community = app
        .context()
        .db(move |conn| copse::db::communities::local_by_name(conn, &lookup))
        .await
        .expect("query")
        .expect("community");
    let community = copse::actions::keys::community(&app.context(), community)
        .await
        .expect("key pair");
    let actor = community.ap_id.to_string();
    let key = Key {
        id: format!("{actor}#main-key"),
        pem: community.private_key.expect("local key"),
    };
    (actor, key)
}

/// An HTTP date `offset_secs` from now.
pub fn http_date(offset_secs: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(offset_secs))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

pub fn sha256_digest(body: &[u8]) -> String {
    format!("SHA-256={}", BASE64.encode(Sha256::digest(body)))
}

/// A POST to an inbox, signed as the fields say; `new` gives Mastodon's choice of headers.
#[derive(Clone)]
pub struct SignedPost {
    /// `post` (the default) or `get`.
    pub method: &'static str,
    pub path: String,
    pub body: Vec<u8>,
    /// Sent instead of `body` (the signature and Digest stay those of `body`).
    pub sent_body: Option<Vec<u8>>,
    pub key: Key,
    pub algorithm: Option<String>,
    pub signed: Vec<String>,
    pub date: Option<String>,
    pub digest: Option<String>,
    pub created: Option<i64>,
}

impl SignedPost {
    pub fn new(activity: &Value, key: &Key) -> Self {
        let body = activity.to_string().into_bytes();
        SignedPost {
            method: "post",
            path: "/inbox".into(),
            digest: Some(sha256_digest(&body)),
            body,
            sent_body: None,
            key: key.clone(),
            algorithm: Some("rsa-sha256".into()),
            signed: ["(request-target)", "host", "date", "digest"]
                .map(String::from)
                .to_vec(),
            date: Some(http_date(0)),
            created: None,
        }
    }

    /// A GET of `path`, signed as Mastodon signs its fetches: `(request-target) host date`, no
    /// Digest.
    pub fn get(path: &str, key: &Key) -> Self {
        SignedPost {
            method: "get",
            path: path.into(),
            body: Vec::new(),
            sent_body: None,
            key: key.clone(),
            algorithm: Some("rsa-sha256".into()),
            signed: ["(request-target)", "host", "date"]
                .map(String::from)
                .to_vec(),
            date: Some(http_date(0)),
            digest: None,
            created: None,
        }
    }

    /// Sends the GET to `app` asking for ActivityPub JSON; status and JSON body.
    pub async fn fetch(&self, app: &TestApp) -> (StatusCode, Value) {
        let mut request = reqwest::Client::new()
            .get(app.url(&self.path))
            .header("accept", "application/activity+json")
            .header("signature", self.signature_header(&app.hostname));
        if let Some(date) = &self.date {
            request = request.header("date", date);
        }
        let response = request.send().await.expect("send");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Signs only these headers.
    pub fn signing(mut self, names: &[&str]) -> Self {
        self.signed = names.iter().map(|n| n.to_string()).collect();
        self
    }

    /// The `Signature` header for a request to `host`.
    pub fn signature_header(&self, host: &str) -> String {
        let lines: Vec<String> = self
            .signed
            .iter()
            .map(|name| match name.as_str() {
                "(request-target)" => format!("(request-target): {} {}", self.method, self.path),
                "(created)" => format!("(created): {}", self.created.unwrap_or_default()),
                "host" => format!("host: {host}"),
                "date" => format!("date: {}", self.date.clone().unwrap_or_default()),
                "digest" => format!("digest: {}", self.digest.clone().unwrap_or_default()),
                "content-type" => "content-type: application/activity+json".to_string(),
                other => format!("{other}: "),
            })
            .collect();
        let pkey = PKey::private_key_from_pem(self.key.pem.as_bytes()).expect("key");
        let mut signer = Signer::new(MessageDigest::sha256(), &pkey).expect("signer");
        signer.update(lines.join("\n").as_bytes()).expect("sign");
        let signature = BASE64.encode(signer.sign_to_vec().expect("sign"));
        let mut header = format!("keyId=\"{}\"", self.key.id);
        if let Some(alg) = &self.algorithm {
            header.push_str(&format!(",algorithm=\"{alg}\""));
        }
        if let Some(created) = self.created {
            header.push_str(&format!(",created={created}"));
        }
        header.push_str(&format!(
            ",headers=\"{}\",signature=\"{signature}\"",
            self.signed.join(" ")
        ));
        header
    }

    /// Sends it to `app`; status and JSON body (`Null` when not JSON).
    pub async fn send(&self, app: &TestApp) -> (StatusCode, Value) {
        // A connection of its own: a pooled keep-alive connection that the server is closing
        // just then fails as IncompleteMessage (seen under load), which is not what is tested.
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .expect("client");
        let body = self.sent_body.clone().unwrap_or_else(|| self.body.clone());
        let response = crate::helpers::send_again_on_408(|| {
            let mut request = client
                .post(app.url(&self.path))
                .header("content-type", "application/activity+json")
                .header("signature", self.signature_header(&app.hostname));
            if let Some(date) = &self.date {
                request = request.header("date", date);
            }
            if let Some(digest) = &self.digest {
                request = request.header("digest", digest);
            }
            request.body(body.clone())
        })
        .await;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}
