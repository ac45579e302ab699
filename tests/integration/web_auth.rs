//! The web UI's foundation over real HTTP, with a cookie-keeping client standing in for a
//! browser: sign-up, log-in (the session cookie and its attributes), settings, log-out, CSRF,
//! flash messages and HTML error pages.

use crate::helpers::{TestApp, PASSWORD};
use reqwest::{header::HeaderMap, StatusCode};
use serde_json::json;

/// A browser: keeps cookies, does not follow redirects (the tests look at them), and says where
/// its form posts come from, as browsers do (`Origin` of the page).
struct Browser {
    client: reqwest::Client,
    base: String,
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }

    fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The form token in the page.
    fn csrf_token(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self.body.find(marker).expect("a form token") + marker.len();
        let len = self.body[start..].find('"').expect("end of token");
        self.body[start..start + len].to_string()
    }

    fn assert_html(&self, status: StatusCode) {
        assert_eq!(self.status, status, "{}", self.body);
        assert!(
            self.header("content-type").starts_with("text/html"),
            "{}: {}",
            self.header("content-type"),
            self.body
        );
        assert!(self
            .header("content-security-policy")
            .contains("default-src 'none'"));
        assert!(self.body.contains("<main id=\"main\">"), "{}", self.body);
    }
}

const SESSION: &str = "__Host-copse_session";
const FORM: &str = "application/x-www-form-urlencoded";

impl Browser {
    fn new(app: &TestApp) -> Browser {
        Browser::with_origin(app, Some(&app.base))
    }

    fn with_origin(app: &TestApp, origin: Option<&str>) -> Browser {
        let mut headers = HeaderMap::new();
        if let Some(origin) = origin {
            headers.insert("origin", origin.parse().expect("origin"));
        }
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .pool_idle_timeout(std::time::Duration::from_secs(1))
            .build()
            .expect("client");
        Browser {
            client,
            base: app.base.clone(),
        }
    }

    async fn page(res: reqwest::Response) -> Page {
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.text().await.expect("body");
        Page {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, path: &str) -> Page {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .send()
            .await
            .expect("request");
        Browser::page(res).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.post_with(path, form, &[]).await
    }

    async fn post_with(&self, path: &str, form: &[(&str, &str)], headers: &[(&str, &str)]) -> Page {
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .header("content-type", FORM)
            .body(serde_urlencoded::to_string(form).expect("form"));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        Browser::page(req.send().await.expect("request")).await
    }

    /// Logs in through the form; returns the session token from the cookie.
    async fn log_in(&self, name: &str) -> String {
        let page = self
            .post("/login", &[("username", name), ("password", PASSWORD)])
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        session_token(&page)
    }
}

fn session_token(page: &Page) -> String {
    let cookie = page.cookie(SESSION).expect("a session cookie");
    let value = cookie[SESSION.len() + 1..].split(';').next().unwrap_or("");
    value.to_string()
}

#[tokio::test]
async fn signing_up_in_the_browser_logs_in_with_a_secure_http_only_cookie() {
    let app = TestApp::spawn().await;
    let browser = Browser::new(&app);
    let form = browser.get("/signup").await;
    form.assert_html(StatusCode::OK);
    assert!(form.body.contains("<label for=\"username\">"));
    assert!(form.body.contains("<html lang=\"en\">"));
    assert!(form.body.contains("href=\"#main\""), "skip link");
    assert!(!form.body.contains("<script") && !form.body.contains("style="));

    let done = browser
        .post(
            "/signup",
            &[
                ("username", "ada"),
                ("email", "ada@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.header("location"), "/");
    let cookie = done.cookie(SESSION).expect("session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "__Host- cookies have no Domain");

    let home = browser.get("/").await;
    home.assert_html(StatusCode::OK);
    assert!(home.body.contains("href=\"/u/ada\""), "{}", home.body);
    assert!(home.body.contains("Welcome, ada!"), "the flash is shown");
    assert!(home.cookie("copse_flash").is_some(), "and cleared");
    let again = browser.get("/").await;
    assert!(!again.body.contains("Welcome, ada!"), "only once");

    // The cookie's token is an ordinary session: the API takes it as a bearer token.
    let token = session_token(&done);
    let (status, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "ada");
}

#[tokio::test]
async fn logging_in_renews_the_token_and_logging_out_ends_the_session() {
    let app = TestApp::spawn().await;
    app.user("bea").await;
    let browser = Browser::new(&app);
    let first = browser.log_in("bea").await;
    let second = browser.log_in("bea").await;
    assert_ne!(first, second, "a log-in opens a new session");
    let (status, _) = app.get("/api/v1/me", Some(&first)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the one it replaced ended"
    );
    let (status, _) = app.get("/api/v1/me", Some(&second)).await;
    assert_eq!(status, StatusCode::OK);

    let home = browser.get("/").await;
    let token = home.csrf_token();
    let out = browser.post("/logout", &[("csrf_token", &token)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    let removal = out.cookie(SESSION).expect("the cookie is removed");
    assert!(removal.contains("Max-Age=0"), "{removal}");
    let (status, _) = app.get("/api/v1/me", Some(&second)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session is deleted");
    let home = browser.get("/").await;
    assert!(home.body.contains("href=\"/login\""));
    assert!(home.body.contains("You are logged out."));
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_with_401_and_the_message() {
    let app = TestApp::spawn().await;
    app.user("cai").await;
    let browser = Browser::new(&app);
    let page = browser
        .post(
            "/login",
            &[("username", "cai"), ("password", "not the password at all")],
        )
        .await;
    page.assert_html(StatusCode::UNAUTHORIZED);
    assert!(
        page.body.contains("Wrong username or password"),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"cai\""), "the username stays");
    assert!(page.cookie(SESSION).is_none());

    // A sign-up with a weak password: 422, the message next to the field.
    let page = browser
        .post(
            "/signup",
            &[
                ("username", "dee"),
                ("email", "dee@example.org"),
                ("password", "password123"),
            ],
        )
        .await;
    page.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("aria-describedby=\"password-error\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("commonest passwords"));
    assert!(page.body.contains("value=\"dee@example.org\""));
}

#[tokio::test]
async fn failed_log_ins_past_the_limit_answer_429_in_the_form() {
    let app = TestApp::spawn_with(|s| s.login_failures_per_account = 2).await;
    app.user("eve").await;
    let browser = Browser::new(&app);
    for _ in 0..2 {
        let page = browser
            .post(
                "/login",
                &[("username", "eve"), ("password", "wrong wrong wrong")],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let page = browser
        .post("/login", &[("username", "eve"), ("password", PASSWORD)])
        .await;
    page.assert_html(StatusCode::TOO_MANY_REQUESTS);
    assert!(!page.header("retry-after").is_empty());
    assert!(
        page.body.contains("Too many failed log-ins"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn settings_change_the_profile_the_email_and_the_password() {
    let app = TestApp::spawn().await;
    let elsewhere = app.user("fay").await;
    let browser = Browser::new(&app);
    let session = browser.log_in("fay").await;
    let page = browser.get("/settings").await;
    page.assert_html(StatusCode::OK);
    assert!(page.body.contains("fay@example.org"));
    let token = page.csrf_token();

    let saved = browser
        .post(
            "/settings/profile",
            &[
                ("csrf_token", &token),
                ("display_name", "Fay Bell"),
                ("bio", "I keep *bees*."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.header("location"), "/settings");
    let profile = browser.get("/u/fay").await;
    assert!(profile.body.contains("Fay Bell"), "{}", profile.body);
    assert!(profile.body.contains("<em>bees</em>"));
    assert!(profile.body.contains("Your profile was saved."));

    let refused = browser
        .post(
            "/settings/email",
            &[("csrf_token", &token), ("email", "not an address")],
        )
        .await;
    refused.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("aria-describedby=\"email-error\""));
    assert!(
        refused.body.contains("value=\"not an address\""),
        "what was typed stays"
    );
    let changed = browser
        .post(
            "/settings/email",
            &[("csrf_token", &token), ("email", "fay@bees.example")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let (_, me) = app.get("/api/v1/me", Some(&session)).await;
    assert_eq!(me["email"], "fay@bees.example");

    let wrong = browser
        .post(
            "/settings/password",
            &[
                ("csrf_token", &token),
                ("current_password", "not my password"),
                ("password", "a brand new passphrase"),
            ],
        )
        .await;
    wrong.assert_html(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("Is not your password"),
        "{}",
        wrong.body
    );
    let changed = browser
        .post(
            "/settings/password",
            &[
                ("csrf_token", &token),
                ("current_password", PASSWORD),
                ("password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let (status, _) = app.get("/api/v1/me", Some(&elsewhere)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "other sessions end");
    let (status, _) = app.get("/api/v1/me", Some(&session)).await;
    assert_eq!(status, StatusCode::OK, "this one stays");
    let (status, _) = app
        .post(
            "/api/v1/sessions",
            None,
            json!({"username": "fay", "password": "a brand new passphrase"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn cross_origin_posts_and_posts_without_the_form_token_are_refused() {
    let app = TestApp::spawn().await;
    app.user("gus").await;
    let browser = Browser::new(&app);
    browser.log_in("gus").await;
    let token = browser.get("/settings").await.csrf_token();
    let change = [("csrf_token", token.as_str()), ("display_name", "Hijacked")];

    let foreign = browser
        .post_with(
            "/settings/profile",
            &change,
            &[("origin", "http://evil.example")],
        )
        .await;
    foreign.assert_html(StatusCode::FORBIDDEN);
    assert!(
        foreign.body.contains("sent from another site"),
        "{}",
        foreign.body
    );
    let cross_site = browser
        .post_with(
            "/settings/profile",
            &change,
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    cross_site.assert_html(StatusCode::FORBIDDEN);

    let silent = Browser::with_origin(&app, None);
    silent.log_in_without_origin_is_refused().await;

    let no_token = browser
        .post("/settings/profile", &[("display_name", "Hijacked")])
        .await;
    no_token.assert_html(StatusCode::FORBIDDEN);
    assert!(no_token.body.contains("no security token"));
    let wrong_token = browser
        .post(
            "/settings/profile",
            &[("csrf_token", "AAAA"), ("display_name", "Hijacked")],
        )
        .await;
    wrong_token.assert_html(StatusCode::FORBIDDEN);
    let logout = browser.post("/logout", &[]).await;
    logout.assert_html(StatusCode::FORBIDDEN);

    // Typed-in (Sec-Fetch-Site: none) with the token is fine.
    let typed = browser
        .post_with(
            "/settings/profile",
            &[("csrf_token", token.as_str()), ("display_name", "Gus")],
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(typed.status, StatusCode::SEE_OTHER);
    let profile = browser.get("/u/gus").await;
    assert!(!profile.body.contains("Hijacked"));
    assert!(profile.body.contains("Gus"));

    // A log-in posted from another site is refused too (no login CSRF).
    let foreign = Browser::with_origin(&app, Some("http://evil.example"));
    let page = foreign
        .post("/login", &[("username", "gus"), ("password", PASSWORD)])
        .await;
    page.assert_html(StatusCode::FORBIDDEN);
    assert!(page.cookie(SESSION).is_none());
}

impl Browser {
    async fn log_in_without_origin_is_refused(&self) {
        let page = self
            .post("/login", &[("username", "gus"), ("password", PASSWORD)])
            .await;
        page.assert_html(StatusCode::FORBIDDEN);
        assert!(
            page.body.contains("did not say which site"),
            "{}",
            page.body
        );
    }
}

#[tokio::test]
async fn bearer_requests_are_not_subject_to_csrf_and_cookie_api_writes_are() {
    let app = TestApp::spawn().await;
    let token = app.user("hal").await;
    // A form post with a bearer token: no Origin, no form token, accepted.
    let api_client = Browser::with_origin(&app, None);
    let res = api_client
        .client
        .post(app.url("/settings/profile"))
        .bearer_auth(&token)
        .header("content-type", FORM)
        .body("display_name=Hal+by+API")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = (0, app.fetch("/u/hal", "text/html").await.2);
    assert!(html.contains("Hal by API"));

    // The JSON API with the session cookie: a write needs the origin and the X-CSRF-Token.
    let browser = Browser::new(&app);
    browser.log_in("hal").await;
    let form_token = browser.get("/").await.csrf_token();
    let body = json!({"name": "kites", "title": "Kites"});
    let res = browser
        .client
        .post(app.url("/api/v1/communities"))
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let error: serde_json::Value = res.json().await.expect("JSON error");
    assert_eq!(error["error"], "csrf");
    let res = browser
        .client
        .post(app.url("/api/v1/communities"))
        .header("x-csrf-token", &form_token)
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = browser
        .client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK, "reads need no token");
}

#[tokio::test]
async fn page_errors_are_html_pages_with_their_status_and_the_api_stays_json() {
    let app = TestApp::spawn_with(|s| s.api_body_limit_bytes = 4096).await;
    let browser = Browser::new(&app);
    browser
        .get("/no/such/page")
        .await
        .assert_html(StatusCode::NOT_FOUND);
    let missing = browser.get("/c/nobody").await;
    missing.assert_html(StatusCode::NOT_FOUND);
    assert!(missing.body.contains("The community nobody does not exist"));
    browser
        .get("/post/not-a-number")
        .await
        .assert_html(StatusCode::NOT_FOUND);

    let big = "x".repeat(10_000);
    let page = browser
        .post("/login", &[("username", "ivy"), ("password", &big)])
        .await;
    page.assert_html(StatusCode::PAYLOAD_TOO_LARGE);
    let res = browser
        .client
        .post(app.url("/login"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("request");
    Browser::page(res)
        .await
        .assert_html(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    browser
        .post("/logout", &[])
        .await
        .assert_html(StatusCode::UNAUTHORIZED);
    browser
        .get("/logout")
        .await
        .assert_html(StatusCode::NOT_FOUND);
    let settings = browser.get("/settings").await;
    assert_eq!(settings.status, StatusCode::SEE_OTHER);
    assert_eq!(settings.header("location"), "/login");

    let (status, body) = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].is_string(), "the API answers JSON: {body}");
    let (status, body) = app.get("/api/v1/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "unauthorized");
}

#[tokio::test]
async fn sign_up_follows_the_registration_mode() {
    let closed = TestApp::spawn_with(|s| {
        s.registration_mode = copse::config::RegistrationMode::Closed;
    })
    .await;
    let browser = Browser::new(&closed);
    let page = browser.get("/signup").await;
    page.assert_html(StatusCode::OK);
    assert!(page.body.contains("does not accept sign-ups"));
    let refused = browser
        .post(
            "/signup",
            &[
                ("username", "jon"),
                ("email", "jon@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    refused.assert_html(StatusCode::FORBIDDEN);

    let approval = TestApp::spawn_with(|s| {
        s.registration_mode = copse::config::RegistrationMode::Approval;
    })
    .await;
    let browser = Browser::new(&approval);
    let done = browser
        .post(
            "/signup",
            &[
                ("username", "kim"),
                ("email", "kim@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.header("location"), "/login");
    assert!(done.cookie(SESSION).is_none(), "no session while pending");
    let login = browser.get("/login").await;
    assert!(login.body.contains("pending"), "{}", login.body);
    let page = browser
        .post("/login", &[("username", "kim"), ("password", PASSWORD)])
        .await;
    page.assert_html(StatusCode::FORBIDDEN);
    assert!(page.body.contains("waiting for approval"), "{}", page.body);
}

#[tokio::test]
async fn the_stylesheets_are_vendored_and_cached_for_long() {
    let app = TestApp::spawn().await;
    let browser = Browser::new(&app);
    let home = browser.get("/").await;
    let marker = "href=\"/static/pico-2.1.1.classless.min.css\"";
    assert!(home.body.contains(marker), "{}", home.body);
    let start = home
        .body
        .find("href=\"/static/copse.")
        .expect("copse sheet")
        + 6;
    let copse = &home.body[start..start + home.body[start..].find('"').expect("end")];
    for path in ["/static/pico-2.1.1.classless.min.css", copse] {
        let sheet = browser.get(path).await;
        assert_eq!(sheet.status, StatusCode::OK, "{path}");
        assert!(sheet.header("content-type").starts_with("text/css"));
        assert!(sheet.header("cache-control").contains("immutable"));
    }
    let pico = browser.get("/static/pico-2.1.1.classless.min.css").await;
    assert!(pico.body.contains("Pico CSS ✨ v2.1.1"));
    browser
        .get("/static/other.css")
        .await
        .assert_html(StatusCode::NOT_FOUND);
}
