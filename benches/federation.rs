//! Federation benchmarks, on the real copse library over real HTTP on loopback with real
//! signatures: inbox ingest, fan-out to 1,000 instances, delivery after `kill -9`, and reads
//! (a community's listing and a thread), a weekly digest run, and a library page's history
//! and diffs; `compare` runs ingest and reads on both engines in one go, with ratios to the
//! previous run.
//!
//! ```sh
//! cargo bench --bench federation -- ingest [--postgres] [--n N]
//! cargo bench --bench federation -- fanout [--postgres] [--n INSTANCES]
//! cargo bench --bench federation -- crash  [--postgres] [--n INSTANCES]
//! cargo bench --bench federation -- listing [--postgres] [--n POSTS] [--votes V] [--levels 16,64]
//! cargo bench --bench federation -- digests [--postgres] [--n MEMBERS] [--communities C] [--posts P]
//! cargo bench --bench federation -- library [--postgres] [--n REVISIONS] [--reps R]
//! cargo bench --bench federation -- compare [--n POSTS] [--secs S] [--ingest N]
//! ```
//!
//! Results are printed as Markdown; `docs/PERFORMANCE.md` keeps the latest ones. PostgreSQL is
//! `COPSE_BENCH_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432`), with a fresh
//! database per instance, dropped afterwards, reached without TLS unless
//! `COPSE_BENCH_POSTGRES_PARAMS` says otherwise (default `?sslmode=disable`). `sink` is internal: the stand-in for many remote
//! instances, run as a child process so that its CPU and memory are not counted as copse's.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "federation/compare.rs"]
mod compare;
#[path = "federation/crash.rs"]
mod crash;
#[path = "federation/digests.rs"]
mod digests;
#[path = "federation/fanout.rs"]
mod fanout;
#[path = "federation/ingest.rs"]
mod ingest;
#[path = "federation/library.rs"]
mod library;
#[path = "federation/listing.rs"]
mod listing;
#[path = "federation/sink.rs"]
mod sink;

use copse::{config::Settings, server::Server};
use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::{json, Value};
use std::{
    net::TcpListener,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// The command line after `--`.
pub struct Args {
    pub mode: String,
    pub postgres: bool,
    pub n: Option<usize>,
    /// Options a mode reads itself (`--workers 2`, `--dead 1`, …).
    pub extra: Vec<(String, String)>,
}

impl Args {
    fn parse() -> Args {
        let mut args = Args {
            mode: String::new(),
            postgres: false,
            n: None,
            extra: Vec::new(),
        };
        let mut it = std::env::args().skip(1);
        while let Some(arg) = it.next() {
            match arg.as_str() {
                // `cargo bench` passes `--bench` to every bench binary.
                "--bench" => {}
                "--postgres" => args.postgres = true,
                "--n" => args.n = it.next().and_then(|v| v.parse().ok()),
                flag if flag.starts_with("--") => {
                    let value = it.next().unwrap_or_default();
                    args.extra
                        .push((flag.trim_start_matches("--").into(), value));
                }
                mode if args.mode.is_empty() => args.mode = mode.to_string(),
                other => panic!("unexpected argument {other}"),
            }
        }
        args
    }

    /// A numeric option given as `--name VALUE`, or `default`.
    pub fn number(&self, name: &str, default: usize) -> usize {
        self.extra
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(default)
    }

    pub fn engine(&self) -> &'static str {
        if self.postgres {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }
}

fn main() {
    let args = Args::parse();
    if args.mode == "sink" {
        sink::child_main(&args);
        return;
    }
    raise_fd_limit();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        match args.mode.as_str() {
            "ingest" => {
                ingest::run(&args).await;
            }
            "fanout" => fanout::run(&args).await,
            "crash" => crash::run(&args).await,
            "listing" => {
                listing::run(&args).await;
            }
            "compare" => compare::run(&args).await,
            "digests" => digests::run(&args).await,
            "library" => library::run(&args).await,
            _ => eprintln!(
                "usage: cargo bench --bench federation -- <ingest|fanout|crash|listing|digests|library|compare> [--postgres] [--n N]"
            ),
        }
    });
    // Servers' threads may still be winding down; the numbers are printed.
    std::process::exit(0);
}

/// A database for one instance: a SQLite file in a temporary folder, or a new PostgreSQL
/// database, dropped with this value.
pub enum BenchDb {
    Sqlite(#[allow(dead_code)] tempfile::TempDir, String),
    Postgres { server: String, name: String },
}

impl BenchDb {
    pub fn new(postgres: bool) -> BenchDb {
        if !postgres {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("copse.db").display().to_string();
            return BenchDb::Sqlite(dir, path);
        }
        let server = std::env::var("COPSE_BENCH_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
            .trim_end_matches('/')
            .to_string();
        let name = format!("copse_bench_{}", uuid::Uuid::new_v4().simple());
        copse::db::init_openssl();
        let mut conn = PgConnection::establish(&format!("{server}/postgres"))
            .unwrap_or_else(|e| panic!("connecting to {server}: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .expect("create database");
        BenchDb::Postgres { server, name }
    }

    pub fn url(&self) -> String {
        match self {
            BenchDb::Sqlite(_, path) => path.clone(),
            BenchDb::Postgres { server, name } => format!("{server}/{name}{}", pg_params()),
        }
    }
}

/// What copse's PostgreSQL address ends with: `COPSE_BENCH_POSTGRES_PARAMS`, by default
/// `?sslmode=disable`. The server is on loopback, as on a socket or a compose network, where
/// TLS buys nothing; Debian's PostgreSQL turns `ssl` on, and libpq's `prefer` then encrypts
/// every round trip (15–25 % of the ingest rate here: docs/PERFORMANCE.md).
fn pg_params() -> String {
    std::env::var("COPSE_BENCH_POSTGRES_PARAMS").unwrap_or_else(|_| "?sslmode=disable".into())
}

impl Drop for BenchDb {
    fn drop(&mut self) {
        if let BenchDb::Postgres { server, name } = self {
            if let Ok(mut conn) = PgConnection::establish(&format!("{server}/postgres")) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

/// Settings for an instance on `localhost:PORT`, as the integration tests use them.
pub fn settings(db: &BenchDb, port: u16) -> Settings {
    Settings {
        hostname: format!("localhost:{port}"),
        bind: format!("127.0.0.1:{port}"),
        database_url: db.url(),
        insecure_federation: true,
        http_workers: 1,
        log: "warn".into(),
        ..Settings::default()
    }
}

/// A copse instance in this process.
pub struct Instance {
    pub server: Server,
    pub hostname: String,
    pub base: String,
    pub client: reqwest::Client,
    #[allow(dead_code)]
    pub db: BenchDb,
}

impl Instance {
    pub async fn spawn(postgres: bool, adjust: impl FnOnce(&mut Settings)) -> Instance {
        let db = BenchDb::new(postgres);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mut settings = settings(&db, port);
        adjust(&mut settings);
        let server = copse::server::start(settings, Some(listener))
            .await
            .expect("start copse");
        Instance {
            server,
            hostname: format!("localhost:{port}"),
            base: format!("http://localhost:{port}"),
            client: reqwest::Client::new(),
            db,
        }
    }

    pub fn context(&self) -> copse::context::AppContext {
        self.server.context.clone()
    }

    pub async fn stop(self) {
        self.server.context.stop_background();
        self.server.stop().await;
    }
}

/// The client API of an instance, in process or not.
pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
}

pub const PASSWORD: &str = "a long enough password";

impl Api {
    pub fn of(instance: &Instance) -> Api {
        Api {
            base: instance.base.clone(),
            client: instance.client.clone(),
        }
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut request = self.client.post(format!("{}{path}", self.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Registers `name` and returns a session token.
    pub async fn user(&self, name: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/accounts",
                None,
                json!({"username": name, "email": format!("{name}@example.org"), "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, 201, "register {name}: {body}");
        let (status, body) = self
            .post(
                "/api/v1/sessions",
                None,
                json!({"username": name, "password": PASSWORD}),
            )
            .await;
        assert_eq!(status, 201, "login {name}: {body}");
        body["token"].as_str().expect("token").to_string()
    }

    /// Creates an open, public community.
    pub async fn community(&self, token: &str, name: &str) {
        let body = json!({"name": name, "title": format!("The {name} community")});
        let (status, body) = self.post("/api/v1/communities", Some(token), body).await;
        assert_eq!(status, 201, "community {name}: {body}");
    }

    /// Posts in a local community; returns the post as the API renders it.
    pub async fn new_post(&self, token: &str, community: &str, title: &str) -> Value {
        let (status, post) = self
            .post(
                &format!("/api/v1/communities/{community}/posts"),
                Some(token),
                json!({"title": title}),
            )
            .await;
        assert_eq!(status, 201, "post: {post}");
        post
    }
}

/// Stores a remote person (as a fetch of its actor would) with its inbox.
pub fn store_remote_person(
    conn: &mut copse::db::DbConn,
    ap_id: &str,
    inbox_url: &str,
) -> copse::error::Result<copse::db::accounts::Person> {
    use copse::db::accounts;
    accounts::upsert_remote_person(
        conn,
        &accounts::RemotePerson {
            ap_id: ap_id.to_string(),
            name: ap_id.rsplit('/').next().unwrap_or("m").to_string(),
            display_name: None,
            summary_html: None,
            inbox_url: inbox_url.to_string(),
            shared_inbox_url: None,
            public_key: "unused".into(),
            published: None,
        },
    )
}

/// Stores `inbox_url`'s person as an active member of local community `community`, as if its
/// Follow had been accepted (what `remote_member` in the delivery tests does).
pub fn store_remote_member(
    conn: &mut copse::db::DbConn,
    community: &str,
    ap_id: &str,
    inbox_url: &str,
) -> copse::error::Result<()> {
    use copse::db;
    let person = store_remote_person(conn, ap_id, inbox_url)?;
    let c = db::communities::local_by_name(conn, community)?.expect("community");
    db::members::put(conn, c.id, person.id, db::members::ACTIVE, None, None)?;
    Ok(())
}

/// CPU time (user + system) of this process, or of the calling thread.
pub fn cpu_time(thread: bool) -> Duration {
    let who = if thread {
        libc::RUSAGE_THREAD
    } else {
        libc::RUSAGE_SELF
    };
    let usage = rusage(who);
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Peak resident set of this process, in MiB (`ru_maxrss`).
pub fn peak_rss_mib() -> f64 {
    rusage(libc::RUSAGE_SELF).ru_maxrss as f64 / 1024.0
}

fn rusage(who: libc::c_int) -> libc::rusage {
    // SAFETY: getrusage only writes the struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut usage);
        usage
    }
}

/// Peak resident set of another process (`VmHWM`), in MiB.
pub fn child_peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// CPU time (user + system) of another process, from `/proc/PID/stat`.
pub fn child_cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at `) `.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Some(Duration::from_millis(ticks * 1000 / hz))
}

/// The `p`-th percentile (0–100) of sorted samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// Wall-clock nanoseconds since the epoch: comparable between this process and the sink.
pub fn epoch_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos()
}

pub fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// The load average and core count, printed with every result.
pub fn machine_line() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "cores: {cores}, load average before: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}

/// Raises the soft limit of open files to the hard limit: a thousand instances need a few
/// thousand sockets.
fn raise_fd_limit() {
    // SAFETY: getrlimit/setrlimit only read and write the struct given.
    unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}
