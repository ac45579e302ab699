//! `TestApp`: a real copse instance on port 0 with a fresh database (a SQLite file, or a new
//! PostgreSQL database when `COPSE_TEST_POSTGRES_URL` is set), and typed helpers to drive it.

use copse::{config::Settings, server::Server};
use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::net::TcpListener;

/// Set to a server URL (e.g. `postgres://postgres@127.0.0.1:5432`) to run every test on
/// PostgreSQL, each in a database of its own.
pub const POSTGRES_ENV: &str = "COPSE_TEST_POSTGRES_URL";

pub fn postgres_server() -> Option<String> {
    std::env::var(POSTGRES_ENV)
        .ok()
        .filter(|v| !v.is_empty())
        .map(|v| v.trim_end_matches('/').to_string())
}

/// A database for one test; removed when dropped.
pub enum TestDb {
    Sqlite(#[allow(dead_code)] tempfile::TempDir, String),
    Postgres { server: String, name: String },
}

impl TestDb {
    pub fn new() -> TestDb {
        match postgres_server() {
            Some(server) => TestDb::postgres_on(server),
            None => TestDb::sqlite(),
        }
    }

    /// A new, empty database on the PostgreSQL server at `server`.
    pub fn postgres_on(server: String) -> TestDb {
        TestDb::postgres_from(server, None)
    }

    /// A new database on `server`, a copy of `template` or empty.
    fn postgres_from(server: String, template: Option<&str>) -> TestDb {
        let name = format!("copse_test_{}", uuid::Uuid::new_v4().simple());
        copse::db::init_openssl();
        let mut conn = PgConnection::establish(&format!("{server}/postgres"))
            .unwrap_or_else(|e| panic!("connecting to {server}: {e}"));
        let from = template
            .map(|t| format!(" TEMPLATE {t}"))
            .unwrap_or_default();
        diesel::sql_query(format!("CREATE DATABASE {name}{from}"))
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("creating database {name}: {e}"));
        TestDb::Postgres { server, name }
    }

    /// A database with every migration applied, copied from the pass's template
    /// (`db_template`): what an instance finds after its first start, without running the
    /// migrations again for each instance.
    pub fn migrated() -> TestDb {
        match postgres_server() {
            Some(server) => {
                let template = crate::db_template::postgres_template(&server);
                TestDb::postgres_from(server, Some(&template))
            }
            None => {
                let db = TestDb::sqlite();
                std::fs::copy(crate::db_template::sqlite_template(), db.url())
                    .expect("copying the template");
                db
            }
        }
    }

    /// A SQLite file in a new temporary folder, whatever the test pass.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("copse.db").display().to_string();
        TestDb::Sqlite(dir, path)
    }

    pub fn url(&self) -> String {
        match self {
            TestDb::Sqlite(_, path) => path.clone(),
            TestDb::Postgres { server, name } => format!("{server}/{name}"),
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, TestDb::Sqlite(..))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { server, name } = self {
            if let Ok(mut conn) = PgConnection::establish(&format!("{server}/postgres")) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

/// Settings for a test instance on `localhost:PORT`.
/// The client tests talk to instances with. It keeps no idle connections: a request sent on a
/// kept connection just as actix gives up on it fails (`IncompleteMessage` when actix closed it
/// after 5 s idle; `UnexpectedMessage` when actix's answer to a slow first request, a `408`,
/// arrived on a connection the pool held idle, seen on the loaded CI machine), and a new
/// loopback connection per request costs the tests nothing they measure.
pub fn test_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client")
}

/// Sends the request `make` builds, again (up to twice) when the server answered `408`. A `408` is
/// the server's invitation to send the request again (RFC 9110, 15.5.9): actix gives it, before
/// any handler ran, when a worker did not read a new connection's request within 5 s, seen on a
/// loaded 2-core CI machine (as the answer, or arriving as `UnexpectedMessage` while the request
/// was being written). Nothing was applied, so a signed activity may be sent again too.
pub async fn send_again_on_408(make: impl Fn() -> reqwest::RequestBuilder) -> reqwest::Response {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match make().send().await {
            Ok(res) if res.status() == StatusCode::REQUEST_TIMEOUT && attempt < 3 => {}
            Ok(res) => return res,
            Err(e) if attempt < 3 && format!("{e:?}").contains("UnexpectedMessage") => {}
            Err(e) => panic!("request: {e:?}"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

pub fn test_settings(db: &TestDb, port: u16) -> Settings {
    Settings {
        hostname: format!("localhost:{port}"),
        bind: format!("127.0.0.1:{port}"),
        database_url: db.url(),
        insecure_federation: true,
        http_workers: 1,
        // Never the working directory (the default on PostgreSQL): a folder of the test's own.
        mail_dir: std::env::temp_dir()
            .join(format!(
                "copse-test-mail-{port}-{}",
                uuid::Uuid::new_v4().simple()
            ))
            .display()
            .to_string(),
        files_dir: std::env::temp_dir()
            .join(format!(
                "copse-test-files-{port}-{}",
                uuid::Uuid::new_v4().simple()
            ))
            .display()
            .to_string(),
        ..Settings::default()
    }
}

pub struct TestApp {
    pub server: Option<Server>,
    pub base: String,
    pub hostname: String,
    pub client: reqwest::Client,
    pub db: TestDb,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// Starts an instance after `adjust` has changed its settings.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        TestApp::spawn_on(TestDb::migrated(), adjust).await
    }

    pub async fn spawn_on(db: TestDb, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mut settings = test_settings(&db, port);
        adjust(&mut settings);
        let server =
            copse::server::start_with(settings, Some(listener), crate::key_stock::source())
                .await
                .expect("start server");
        TestApp {
            server: Some(server),
            base: format!("http://localhost:{port}"),
            hostname: format!("localhost:{port}"),
            client: test_client(),
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request with an optional token and JSON body; returns status and JSON body
    /// (`Value::Null` when the body is not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let res = send_again_on_408(|| {
            let mut req = self.client.request(method.clone(), self.url(path));
            if let Some(token) = token {
                req = req.bearer_auth(token);
            }
            if let Some(body) = &body {
                req = req.json(body);
            }
            req
        })
        .await;
        let status = res.status();
        let text = res.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// Sends raw bytes with a content type.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let res = self
            .client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// GET with an Accept header; returns status, content type and body text.
    pub async fn fetch(&self, path: &str, accept: &str) -> (StatusCode, String, String) {
        let res = self
            .client
            .get(self.url(path))
            .header("accept", accept)
            .send()
            .await
            .expect("request");
        let status = res.status();
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, ct, res.text().await.expect("body"))
    }

    pub async fn activity_json(&self, path: &str) -> Value {
        let (status, ct, body) = self.fetch(path, "application/activity+json").await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        assert!(
            ct.starts_with("application/activity+json"),
            "content type {ct}"
        );
        serde_json::from_str(&body).expect("JSON")
    }

    /// Registers `name` (email `name@example.org`, a fixed good password) and returns its token.
    pub async fn user(&self, name: &str) -> String {
        let (status, body) = self.register(name).await;
        assert_eq!(status, StatusCode::CREATED, "register {name}: {body}");
        self.login(name).await
    }

    pub async fn register(&self, name: &str) -> (StatusCode, Value) {
        self.post(
            "/api/v1/accounts",
            None,
            json!({"username": name, "email": format!("{name}@example.org"), "password": PASSWORD}),
        )
        .await
    }

    pub async fn login(&self, name: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/sessions",
                None,
                json!({"username": name, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "login {name}: {body}");
        body["token"].as_str().expect("token").to_string()
    }

    /// Creates a community with a title and the given extra fields.
    pub async fn community(&self, token: &str, name: &str, extra: Value) -> (StatusCode, Value) {
        let mut body = json!({"name": name, "title": format!("The {name} community")});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        self.post("/api/v1/communities", Some(token), body).await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            // Sends the stop command at once; the workers wind down on their own.
            server.context.stop_background();
            drop(server.handle().stop(false));
        }
    }
}

pub const PASSWORD: &str = "a long enough password";

/// Asserts a JSON error response: status, code and (when given) field.
#[track_caller]
pub fn assert_error(
    got: &(StatusCode, Value),
    status: StatusCode,
    code: &str,
    field: Option<&str>,
) {
    assert_eq!(got.0, status, "body: {}", got.1);
    assert_eq!(got.1["error"], code, "body: {}", got.1);
    assert!(
        got.1["message"].as_str().is_some_and(|m| !m.is_empty()),
        "message: {}",
        got.1
    );
    if let Some(field) = field {
        assert_eq!(got.1["field"], field, "body: {}", got.1);
    }
}

/// Polls `check` until it returns `Some`, for effects that travel between instances
/// asynchronously; panics with `what` after 15 s.
pub async fn eventually<T, F, Fut>(what: &str, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    eventually_for(what, std::time::Duration::from_secs(15), check).await
}

/// Like [`eventually`], with a longer or shorter deadline (a deadline is a bound on waiting,
/// never a measurement).
pub async fn eventually_for<T, F, Fut>(what: &str, limit: std::time::Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

impl TestApp {
    pub fn context(&self) -> copse::context::AppContext {
        self.server.as_ref().expect("running").context.clone()
    }

    /// The membership state (`active`/`pending`) of local user `user` in community `actor_id`
    /// as this instance stores it, or None.
    pub async fn membership_state(&self, user: &str, community_actor_id: &str) -> Option<String> {
        let (user, community) = (user.to_string(), community_actor_id.to_string());
        self.context()
            .db(move |conn| {
                let person = copse::db::accounts::local_person_by_name(conn, &user)?;
                let community = copse::db::communities::by_ap_id(conn, &community)?;
                Ok(match (person, community) {
                    (Some(p), Some(c)) => {
                        copse::db::members::get(conn, c.id, p.id)?.map(|m| m.state)
                    }
                    _ => None,
                })
            })
            .await
            .expect("query")
    }

    /// Handles of a community's active members, as this instance lists them.
    pub async fn member_handles(&self, community: &str, token: Option<&str>) -> Vec<String> {
        let (status, page) = self
            .get(
                &format!("/api/v1/communities/{community}/members?limit=100"),
                token,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|m| m["handle"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

impl TestApp {
    /// `user` (logged in with `token`) joins `community` hosted on `home`, and this waits until
    /// the community's Accept has arrived.
    pub async fn join_remote(&self, token: &str, user: &str, home: &TestApp, community: &str) {
        let remote = format!("{community}@{}", home.hostname);
        let (status, body) = self
            .post(
                &format!("/api/v1/communities/{remote}/join"),
                Some(token),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let group = format!("http://{}/c/{community}", home.hostname);
        eventually("the membership is accepted", || async {
            (self.membership_state(user, &group).await.as_deref() == Some("active")).then_some(())
        })
        .await;
    }
}

/// The post titled `title` in `community` (a local name or `name@host`) as `app` lists it.
pub async fn find_post(app: &TestApp, community: &str, title: &str) -> Option<Value> {
    let (_, page) = app
        .get(&format!("/api/v1/communities/{community}/posts"), None)
        .await;
    page["items"]
        .as_array()?
        .iter()
        .find(|p| p["title"] == title)
        .cloned()
}
