//! A real browser for the page tests: headless Chromium driven over WebDriver (fantoccini and
//! Debian's `chromedriver`), one driver process per test, with axe-core run inside the page to
//! check WCAG 2.1 A/AA, and a mode with JavaScript turned off. Without Chromium the tests say so
//! and skip, except under `CI=true` (`.ci/run` installs it).

mod accounts;
mod admin;
mod attachments;
mod communities;
mod digests;
mod events;
mod federated;
mod health;
mod journey;
mod library;
mod links;
mod moderation;
mod moving;
mod notifications;
mod pages;
mod password_reset;
mod polls;
mod resources;
mod screenshots;
mod search;
mod sharing;
mod surveys;
mod threads;

use fantoccini::{wd::Capabilities, Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::{
    net::TcpListener,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The WCAG levels axe checks: 2.0 and 2.1, A and AA.
const WCAG_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// Whether the page's own scripts run. Every form must work with them off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scripts {
    On,
    Off,
}

/// One headless Chromium behind its own chromedriver. Call `close` at the end of a test; if a
/// test panics first, dropping it kills the driver and the browser it started.
pub struct Browser {
    client: Option<Client>,
    driver: Child,
    scripts: Scripts,
    _profile: tempfile::TempDir,
}

/// axe-core's browser build, from `tests/browser` (`npm ci` there installs the pinned version).
fn axe_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules/axe-core/axe.min.js")
}

/// None (after saying why) when Chromium, its driver or axe-core is missing. Under CI a
/// missing browser is a failure, never a silent skip.
fn installed() -> Option<String> {
    let axe = axe_path();
    let missing: Vec<String> = [Path::new(CHROMIUM), Path::new(CHROMEDRIVER), axe.as_path()]
        .iter()
        .filter(|p| !p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        return match std::fs::read_to_string(&axe) {
            Ok(source) => Some(source),
            Err(e) => panic!("reading {}: {e}", axe.display()),
        };
    }
    let why = format!(
        "{} missing; install with `apt-get install chromium chromium-driver` and \
         `(cd tests/browser && npm ci)`",
        missing.join(", ")
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}; CI=true, so the browser tests may not be skipped");
    }
    eprintln!("skipping a browser test: {why}");
    None
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Chromium's flags: headless, and nothing that reaches out to the network on its own (this
/// machine's closed network refuses those connections, and they slow the start).
fn capabilities(profile: &Path, scripts: Scripts) -> Capabilities {
    let mut args = vec![
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--window-size=1280,900".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    if scripts == Scripts::Off {
        args.push("--blink-settings=scriptEnabled=false".into());
    }
    let mut options = json!({"binary": CHROMIUM, "args": args});
    if scripts == Scripts::Off {
        options["prefs"] = json!({"profile.managed_default_content_settings.javascript": 2});
    }
    let mut caps = Capabilities::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert("goog:chromeOptions".into(), options);
    caps
}

impl Browser {
    /// Starts chromedriver on a free port and a browser session in a fresh profile; None when
    /// the browser is not installed (see `installed`).
    pub async fn start(scripts: Scripts) -> Option<Browser> {
        installed()?;
        let profile = tempfile::tempdir().expect("profile dir");
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so that dropping the browser ends Chromium too.
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        let mut browser = Browser {
            client: None,
            driver,
            scripts,
            _profile: profile,
        };
        let caps = capabilities(browser._profile.path(), scripts);
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if started.elapsed() > Duration::from_secs(30) => {
                    panic!("no browser session from chromedriver on port {port}: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        browser.client = Some(client);
        Some(browser)
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("an open session")
    }

    /// Saves what the window shows, 1280×900, as a PNG.
    pub async fn screenshot(&self, file: &Path) {
        let client = self.client();
        client
            .set_window_size(1280, 900)
            .await
            .expect("window size");
        let png = client.screenshot().await.expect("screenshot");
        std::fs::write(file, png).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }

    /// Loads `url` and waits for the page.
    /// Logs `name` in on `app` through the log-in form (the test password); lands on `/`.
    pub async fn log_in(&self, app: &crate::helpers::TestApp, name: &str) {
        self.open(&app.url("/login")).await;
        self.fill("#username", name).await;
        self.fill("#password", crate::helpers::PASSWORD).await;
        self.click("main form button[type=submit]").await;
        assert_eq!(self.path().await, "/");
    }

    pub async fn open(&self, url: &str) {
        self.client()
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    pub async fn title(&self) -> String {
        self.client().title().await.expect("title")
    }

    /// The text a reader sees in the page's `<main>`. A click may still be loading the next
    /// page (its old `<main>` then goes stale): asked again until the text can be read.
    pub async fn main_text(&self) -> String {
        let started = Instant::now();
        loop {
            let read = match self.client().find(Locator::Css("main")).await {
                Ok(main) => main.text().await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match read {
                Ok(text) => return text,
                Err(e) if started.elapsed() > Duration::from_secs(5) => {
                    panic!("reading the page's <main>: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Asserts that the page shows each of `expected` in its `<main>` (waiting up to five
    /// seconds for the page a click leads to).
    pub async fn assert_shows(&self, expected: &[&str]) {
        let started = Instant::now();
        loop {
            let text = self.main_text().await;
            let missing: Vec<&&str> = expected.iter().filter(|w| !text.contains(**w)).collect();
            if missing.is_empty() {
                return;
            }
            if started.elapsed() > Duration::from_secs(5) {
                let url = self.client().current_url().await.expect("url");
                panic!("{url} does not show {missing:?}:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element `css` finds (a link, or a form's button: with scripts off that is how
    /// a form is sent) and, for a link or a button, waits for the page it leads to: until the
    /// clicked element belongs to a page that is gone (at most ten seconds, for a click that
    /// stays on the page). A `<summary>` or an `<option>` is clicked without waiting.
    pub async fn click(&self, css: &str) {
        let element = self
            .client()
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("finding {css}: {e}"));
        let tag = element.tag_name().await.unwrap_or_default();
        let navigates = matches!(tag.to_ascii_lowercase().as_str(), "a" | "button" | "input");
        element
            .clone()
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
        if navigates {
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if element.tag_name().await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }

    /// Replaces the value of the input `css` finds with `text`.
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self
            .client()
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("finding {css}: {e}"));
        input.clear().await.expect("clear");
        input.send_keys(text).await.expect("type");
    }

    /// Chooses the file at `path` in the file input `css` finds.
    pub async fn attach(&self, css: &str, path: &std::path::Path) {
        let input = self
            .client()
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("finding {css}: {e}"));
        input
            .send_keys(&path.display().to_string())
            .await
            .expect("choose the file");
    }

    /// The text of the whole page (header and navigation included).
    pub async fn page_text(&self) -> String {
        self.client()
            .find(Locator::Css("body"))
            .await
            .expect("a <body>")
            .text()
            .await
            .expect("text")
    }

    /// The path of the page shown.
    pub async fn path(&self) -> String {
        self.client()
            .current_url()
            .await
            .expect("url")
            .path()
            .to_string()
    }

    /// Runs axe-core in the page: every WCAG 2.1 A/AA violation, one line each (rule, impact,
    /// help and the elements at fault).
    pub async fn violations(&self) -> Vec<String> {
        assert_eq!(self.scripts, Scripts::On, "axe needs scripts on");
        let client = self.client();
        let url = client.current_url().await.expect("url");
        let axe = installed().expect("axe-core");
        client.execute(&axe, vec![]).await.expect("inject axe");
        let result = client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})
                   .then(r => done({violations: r.violations.map(v => ({
                       id: v.id, impact: v.impact, help: v.help,
                       targets: v.nodes.map(n => n.target.join(' '))}))}))
                   .catch(e => done({error: String(e)}));",
                vec![json!(WCAG_TAGS)],
            )
            .await
            .expect("run axe");
        if let Some(error) = result.get("error") {
            panic!("axe failed on {url}: {error}");
        }
        let violations = result["violations"].as_array().cloned().unwrap_or_default();
        violations.iter().map(describe).collect()
    }

    /// Fails listing every WCAG 2.1 A/AA violation axe finds in the page.
    pub async fn assert_accessible(&self) {
        let listed = self.violations().await;
        let url = self.client().current_url().await.expect("url");
        assert!(
            listed.is_empty(),
            "axe found {} WCAG 2.1 A/AA violation(s) on {url}:\n{}",
            listed.len(),
            listed.join("\n")
        );
    }

    /// Whether scripts actually run in this browser: loads a page whose script retitles it.
    pub async fn scripts_run(&self) -> bool {
        self.open("data:text/html,<title>off</title><script>document.title='on'</script>")
            .await;
        self.title().await == "on"
    }

    /// Ends the session (Chromium exits) and the driver.
    pub async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
    }
}

fn describe(v: &Value) -> String {
    format!(
        "- {} ({}): {} at {}",
        v["id"].as_str().unwrap_or("?"),
        v["impact"].as_str().unwrap_or("?"),
        v["help"].as_str().unwrap_or("?"),
        v["targets"]
    )
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The driver's whole process group: chromedriver and the Chromium it started.
        let group = self.driver.id() as libc::pid_t;
        // SAFETY: kill(2) with a negative pid signals a process group we created.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
        let _ = self.driver.wait();
    }
}
