//! A cookie-keeping HTTP client standing in for a browser, for the web UI's tests over real
//! HTTP (`web_auth`, `web_csrf`): it keeps cookies, does not follow redirects, and sends the
//! `Origin` a browser would.

use crate::helpers::{TestApp, PASSWORD};
use reqwest::{header::HeaderMap, StatusCode};

/// A browser: keeps cookies, does not follow redirects (the tests look at them), and says where
/// its form posts come from, as browsers do (`Origin` of the page).
pub(crate) struct Browser {
    pub(crate) client: reqwest::Client,
    pub(crate) base: String,
}

pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Page {
    pub(crate) fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }

    pub(crate) fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }

    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The form token in the page.
    pub(crate) fn csrf_token(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self.body.find(marker).expect("a form token") + marker.len();
        let len = self.body[start..].find('"').expect("end of token");
        self.body[start..start + len].to_string()
    }

    pub(crate) fn assert_html(&self, status: StatusCode) {
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

pub(crate) const SESSION: &str = "__Host-copse_session";
pub(crate) const FORM: &str = "application/x-www-form-urlencoded";

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Browser {
        Browser::with_origin(app, Some(&app.base))
    }

    pub(crate) fn with_origin(app: &TestApp, origin: Option<&str>) -> Browser {
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

    pub(crate) async fn page(res: reqwest::Response) -> Page {
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.text().await.expect("body");
        Page {
            status,
            headers,
            body,
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Page {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .header("accept", "text/html")
            .send()
            .await
            .expect("request");
        Browser::page(res).await
    }

    pub(crate) async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.post_with(path, form, &[]).await
    }

    pub(crate) async fn post_with(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
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
    pub(crate) async fn log_in(&self, name: &str) -> String {
        let page = self
            .post("/login", &[("username", name), ("password", PASSWORD)])
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        session_token(&page)
    }
}

pub(crate) fn session_token(page: &Page) -> String {
    let cookie = page.cookie(SESSION).expect("a session cookie");
    let value = cookie[SESSION.len() + 1..].split(';').next().unwrap_or("");
    value.to_string()
}
