//! Settings: one serde struct with defaults, layered as defaults < file < `COPSE_*` environment,
//! and validated before anything starts.

use figment::{
    providers::{Format, Serialized, Toml},
    Figment,
};
use serde::{Deserialize, Serialize};
use std::{net::SocketAddr, path::Path};

/// Who may open an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistrationMode {
    /// Anyone may register and log in at once.
    Open,
    /// Accounts wait for an admin (`copse admin approve-user`) before they can log in.
    Approval,
    /// Only admins create accounts (`copse admin create-user`).
    Closed,
}

/// The scheme of our ids and links. `auto`: `http` when `insecure_federation` is on or the
/// hostname is `localhost` or `*.localhost` (a development instance without TLS), else `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    Auto,
    Https,
    Http,
}

/// Who may create communities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommunityCreation {
    Anyone,
    Admins,
}

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per line (`timestamp`, `level`, `target`, `fields`, `span`), for log
    /// collectors (Loki, Elasticsearch, journald's JSON export).
    Json,
}

/// Whether a new account must confirm its address before it can log in: `auto` (on when
/// `smtp_url` is set, off otherwise: mail written to `mail_dir` reaches nobody), `on` or `off`
/// (`true`/`false` are taken too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confirmation {
    Auto,
    On,
    Off,
}

impl<'de> Deserialize<'de> for Confirmation {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Given {
            Flag(bool),
            Word(String),
        }
        match Given::deserialize(deserializer)? {
            Given::Flag(true) => Ok(Confirmation::On),
            Given::Flag(false) => Ok(Confirmation::Off),
            Given::Word(w) => match w.as_str() {
                "auto" => Ok(Confirmation::Auto),
                "on" | "true" => Ok(Confirmation::On),
                "off" | "false" => Ok(Confirmation::Off),
                _ => Err(serde::de::Error::custom(format!(
                    "`{w}`: expected auto, on or off"
                ))),
            },
        }
    }
}

/// Every setting of an instance. `config/defaults.toml` is generated from `Settings::default()`
/// (`copse config defaults`) and a test keeps the two equal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Public host name (with port if not 443/80) that ids and WebFinger use.
    pub hostname: String,
    /// `auto`, `https` or `http`: the scheme of every id and link we make. Ids are fixed when
    /// an object is created: changing `hostname` or `scheme` later breaks federation for
    /// everything made before.
    pub scheme: Scheme,
    /// Address the HTTP server listens on.
    pub bind: String,
    /// A SQLite file path (or `sqlite://path`), or a `postgres://` / `postgresql://` URL. A
    /// relative SQLite path is relative to the settings file's folder when there is one (so
    /// every command run with that file opens the same database), else to the working directory.
    pub database_url: String,
    /// Connections in the pool. On SQLite they serve reads only: writes go through one writer
    /// thread with a connection of its own.
    pub database_pool_size: u32,
    /// How long a SQLite write waits for a lock before the request fails with 503.
    pub sqlite_busy_timeout_ms: u64,
    /// Development and tests only: plain http, explicit ports and loopback/private addresses
    /// for federation. Never turn this on for an instance on the internet.
    pub insecure_federation: bool,
    /// `open`, `approval` or `closed`.
    pub registration_mode: RegistrationMode,
    /// `anyone` or `admins`.
    pub community_creation: CommunityCreation,
    /// Days a login token stays valid.
    pub session_ttl_days: u32,
    /// After this many failed log-ins of one account within `login_failure_window_secs`, its
    /// log-in is locked (429, even with the right password) for `login_lockout_secs`, doubling
    /// with each further lockout.
    pub login_failures_per_account: u32,
    /// The same per client address (IPv6: per /64), over all accounts: after this many
    /// failures within the window the address is locked out like an account.
    pub login_failures_per_address: u32,
    /// The window, in seconds, in which failed log-ins are counted.
    pub login_failure_window_secs: u64,
    /// The first lockout, in seconds; each further lockout of the same account or address
    /// doubles it, up to a day.
    pub login_lockout_secs: u64,
    /// True only when copse is reached through a reverse proxy of yours that sets
    /// `X-Forwarded-For`: the client address is then the header's last entry (the address the
    /// proxy saw). False: the TCP peer address, and the header is ignored (a client could forge
    /// it).
    pub trusted_proxy: bool,
    /// Largest JSON body the client API accepts, in bytes (413 above it).
    pub api_body_limit_bytes: usize,
    /// HTTP worker threads (0: one per core).
    pub http_workers: usize,
    /// Log filter in `tracing` syntax; `RUST_LOG` wins when set.
    pub log: String,
    /// `text` (default) or `json`: one JSON object per log line.
    pub log_format: LogFormat,
    /// Instances (`host` or `host:port`) we exchange nothing with: their activities are refused
    /// (403), nothing is fetched from or sent to them. A list, or one comma-separated string
    /// (`COPSE_BLOCKED_INSTANCES=a.example,b.example:8443`). An entry without a port covers
    /// every port of that host.
    #[serde(deserialize_with = "list")]
    pub blocked_instances: Vec<String>,
    /// When not empty, the only instances we federate with (same form as `blocked_instances`).
    #[serde(deserialize_with = "list")]
    pub allowed_instances: Vec<String>,
    /// Deliver outgoing activities from `copse serve` (false: leave it to `copse worker`
    /// processes sharing the database).
    pub delivery_in_serve: bool,
    /// Deliveries in flight at once, over all instances.
    pub delivery_concurrency: usize,
    /// Deliveries in flight at once to one instance.
    pub delivery_per_instance: usize,
    /// First wait before retrying a failed delivery, in seconds; it doubles with each try.
    pub delivery_retry_base_secs: u64,
    /// Longest wait between two tries, in seconds.
    pub delivery_retry_max_secs: u64,
    /// After this many seconds of failing, a delivery is given up (dead, shown to admins).
    pub delivery_give_up_after_secs: u64,
    /// After failing this many seconds, an instance is skipped until its backoff expires or it
    /// contacts us.
    pub instance_unreachable_after_secs: u64,
    /// On SIGTERM or Ctrl-C, how many seconds running requests and deliveries get to finish
    /// before the process exits anyway.
    pub shutdown_grace_secs: u64,
    /// A local poll's new results (`Update(Question)`) go out at most once in this many
    /// seconds; the polls job looks this often.
    pub poll_results_secs: u64,
    /// The IANA time zone a new event's form starts with (e.g. `Europe/Berlin`); each event
    /// keeps its own zone.
    pub default_timezone: String,
    /// How many occurrences of a meeting series are materialized ahead as events (0 to 100).
    pub series_horizon_occurrences: u16,
    /// How many days ahead occurrences of a series are materialized (1 to 730); the next one
    /// always is, however far.
    pub series_horizon_days: i64,
    /// Outgoing mail server, empty for none (mail is then written to `mail_dir`):
    /// `smtp://user:password@host:587?tls=required` (STARTTLS), `smtps://user:password@host:465`
    /// (implicit TLS), `smtp://host:25` (no TLS: a relay on this machine only).
    pub smtp_url: String,
    /// The `From` of every mail, e.g. `Copse <copse@example.org>`. Empty: `copse <noreply@HOST>`.
    pub mail_from: String,
    /// Where mail goes when `smtp_url` is empty: one `.eml` file per message. Empty: a `mail`
    /// folder beside the SQLite file (on PostgreSQL, beside the settings file). A relative path
    /// is relative to the settings file's folder.
    pub mail_dir: String,
    /// `auto`, `on` or `off`: whether a new account confirms its address before it can log in
    /// (`auto`: on when `smtp_url` is set).
    pub require_email_confirmation: Confirmation,
    /// First wait before retrying a mail the server did not take, in seconds; it doubles with
    /// each try, up to an hour.
    pub mail_retry_base_secs: u64,
    /// After failing this many seconds, a mail is given up (dead, counted at `/metrics`).
    pub mail_give_up_after_secs: u64,
    /// Memory for cached pages of signed-out readers (public thread and community pages), in
    /// MiB; 0 turns the cache off (docs/PERFORMANCE.md, "What is cached").
    pub read_cache_mib: u64,
    /// Where library files are kept (one file per distinct content, named by its SHA-256).
    /// Empty: a `files` folder beside the SQLite file (on PostgreSQL, `files` in the working
    /// folder). Back it up with the database (docs/DEPLOYMENT.md).
    pub files_dir: String,
    /// The largest file a library upload may be, in bytes (413 beyond).
    pub upload_max_bytes: u64,
}

/// A list from TOML, or a comma-separated string from the environment.
fn list<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        OneOrMany::Many(v) => v,
    })
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            hostname: "localhost:8080".into(),
            scheme: Scheme::Auto,
            bind: "127.0.0.1:8080".into(),
            database_url: "data/copse.db".into(),
            database_pool_size: 8,
            sqlite_busy_timeout_ms: 5000,
            insecure_federation: false,
            registration_mode: RegistrationMode::Open,
            community_creation: CommunityCreation::Anyone,
            session_ttl_days: 30,
            login_failures_per_account: 5,
            login_failures_per_address: 30,
            login_failure_window_secs: 15 * 60,
            login_lockout_secs: 15 * 60,
            trusted_proxy: false,
            api_body_limit_bytes: 256 * 1024,
            http_workers: 0,
            log: "info".into(),
            log_format: LogFormat::Text,
            blocked_instances: Vec::new(),
            allowed_instances: Vec::new(),
            delivery_in_serve: true,
            delivery_concurrency: 64,
            delivery_per_instance: 4,
            delivery_retry_base_secs: 60,
            delivery_retry_max_secs: 24 * 3600,
            delivery_give_up_after_secs: 3 * 24 * 3600,
            instance_unreachable_after_secs: 24 * 3600,
            shutdown_grace_secs: 30,
            poll_results_secs: 180,
            default_timezone: "UTC".into(),
            series_horizon_occurrences: 3,
            series_horizon_days: 90,
            smtp_url: String::new(),
            mail_from: String::new(),
            mail_dir: String::new(),
            require_email_confirmation: Confirmation::Auto,
            mail_retry_base_secs: 60,
            mail_give_up_after_secs: 2 * 24 * 3600,
            read_cache_mib: 32,
            files_dir: String::new(),
            upload_max_bytes: 10 * 1024 * 1024,
        }
    }
}

/// Which database engine a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Settings {
    /// These settings with secrets masked, for printing (`copse config show`): the password in
    /// the database and SMTP URLs is replaced by `***`.
    pub fn redacted(&self) -> Settings {
        let mut shown = self.clone();
        shown.database_url = redact_url(&self.database_url);
        shown.smtp_url = redact_url(&self.smtp_url);
        shown
    }

    /// Whether new accounts confirm their address before logging in.
    pub fn email_confirmation_required(&self) -> bool {
        match self.require_email_confirmation {
            Confirmation::On => true,
            Confirmation::Off => false,
            Confirmation::Auto => !self.smtp_url.trim().is_empty(),
        }
    }

    /// The folder mail is written to when there is no SMTP server (see `mail_dir`).
    pub fn mail_folder(&self) -> std::path::PathBuf {
        let folder = if !self.mail_dir.is_empty() {
            Path::new(&self.mail_dir).to_path_buf()
        } else {
            match self.sqlite_path().and_then(Path::parent) {
                Some(parent) => parent.join("mail"),
                None => Path::new("mail").to_path_buf(),
            }
        };
        std::path::absolute(&folder).unwrap_or(folder)
    }

    /// The folder library files are kept in (see `files_dir`).
    pub fn files_folder(&self) -> std::path::PathBuf {
        let folder = if !self.files_dir.is_empty() {
            Path::new(&self.files_dir).to_path_buf()
        } else {
            match self.sqlite_path().and_then(Path::parent) {
                Some(parent) => parent.join("files"),
                None => Path::new("files").to_path_buf(),
            }
        };
        std::path::absolute(&folder).unwrap_or(folder)
    }

    /// The `From` of our mail: `mail_from`, or `copse <noreply@HOST>`.
    pub fn mail_sender(&self) -> String {
        if self.mail_from.trim().is_empty() {
            let host = self.hostname.split(':').next().unwrap_or(&self.hostname);
            format!("copse <noreply@{host}>")
        } else {
            self.mail_from.trim().to_string()
        }
    }

    /// Defaults, then the TOML file (if any), then `COPSE_*` variables from `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, String> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(format!("config file {} does not exist", file.display()));
            }
            figment = figment.merge(Toml::file(file));
        }
        let known = Settings::keys();
        let overrides: figment::value::Dict = env
            .into_iter()
            .filter_map(|(k, v)| {
                let key = k.strip_prefix("COPSE_")?.to_ascii_lowercase();
                known.contains(&key).then(|| (key, parse_env_value(&v)))
            })
            .collect();
        figment = figment.merge(Serialized::defaults(overrides));
        let mut settings: Settings = figment.extract().map_err(|e| {
            let key = e.path.join(".");
            if key.is_empty() {
                e.to_string()
            } else {
                format!("setting `{key}`: {}", e.kind)
            }
        })?;
        if let Some(folder) = file.and_then(Path::parent) {
            settings.database_url = settings.sqlite_url_under(folder);
            if settings.mail_dir.is_empty() && settings.backend() == Backend::Postgres {
                settings.mail_dir = "mail".into();
            }
            if !settings.mail_dir.is_empty() && Path::new(&settings.mail_dir).is_relative() {
                let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
                settings.mail_dir = folder.join(&settings.mail_dir).display().to_string();
            }
        }
        settings.validate()?;
        Ok(settings)
    }

    /// The database URL with a relative SQLite path made absolute under `folder` (or under the
    /// working directory when `folder` is itself relative).
    fn sqlite_url_under(&self, folder: &Path) -> String {
        let Some(path) = self.sqlite_path().filter(|p| p.is_relative()) else {
            return self.database_url.clone();
        };
        let prefix = &self.database_url[..self.database_url.len() - path.as_os_str().len()];
        let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
        format!("{prefix}{}", folder.join(path).display())
    }

    /// The file of a SQLite database (`path`, `sqlite://path` or `sqlite:path`); None on
    /// PostgreSQL.
    pub fn sqlite_path(&self) -> Option<&Path> {
        (self.backend() == Backend::Sqlite).then(|| {
            let url = &self.database_url;
            Path::new(
                url.strip_prefix("sqlite://")
                    .or_else(|| url.strip_prefix("sqlite:"))
                    .unwrap_or(url),
            )
        })
    }

    /// Which database this is, for people: a SQLite file as an absolute path (and whether it
    /// is yet to be created), a PostgreSQL URL without its password.
    pub fn database_description(&self) -> String {
        match self.sqlite_path() {
            Some(path) => {
                let shown = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
                let new = if path.exists() { "" } else { " (new)" };
                format!("SQLite {}{new}", shown.display())
            }
            None => match url::Url::parse(&self.database_url) {
                Ok(_) => format!("PostgreSQL {}", redact_url(&self.database_url)),
                Err(_) => "PostgreSQL (an unparsable URL)".into(),
            },
        }
    }

    /// The names of every setting, as in the TOML file.
    pub fn keys() -> Vec<String> {
        match toml::Value::try_from(Settings::default()) {
            Ok(toml::Value::Table(table)) => table.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// The TOML text of the defaults (what `config/defaults.toml` holds).
    pub fn defaults_toml() -> String {
        let body = toml::to_string(&Settings::default()).unwrap_or_default();
        format!(
            "# copse settings and their defaults. Generated by `copse config defaults`;\n\
             # every key can also be set from the environment as COPSE_<KEY> (upper case).\n\n{body}"
        )
    }

    /// Checks every value; the error names the key.
    pub fn validate(&self) -> Result<(), String> {
        crate::domain::names::parse_hostname(&self.hostname)
            .map_err(|e| format!("setting `hostname`: {e}"))?;
        self.bind
            .parse::<SocketAddr>()
            .map_err(|e| format!("setting `bind`: {e} (expected address:port)"))?;
        if self.database_url.trim().is_empty() {
            return Err("setting `database_url`: must not be empty".into());
        }
        if self.series_horizon_occurrences > 100 || !(1..=730).contains(&self.series_horizon_days) {
            return Err(
                "settings `series_horizon_occurrences` (0 to 100) and `series_horizon_days` (1 to 730)"
                    .to_string(),
            );
        }
        crate::domain::events::parse_zone(&self.default_timezone)
            .map_err(|_| "setting `default_timezone`: not a known IANA time zone".to_string())?;
        if self.database_pool_size == 0 {
            return Err("setting `database_pool_size`: must be at least 1".into());
        }
        if self.session_ttl_days == 0 {
            return Err("setting `session_ttl_days`: must be at least 1".into());
        }
        for (key, list) in [
            ("blocked_instances", &self.blocked_instances),
            ("allowed_instances", &self.allowed_instances),
        ] {
            for entry in list {
                crate::domain::names::parse_hostname(entry)
                    .map_err(|e| format!("setting `{key}`: {e}"))?;
            }
        }
        crate::mail::check_settings(self)?;
        if !(1024..=(4u64 << 30)).contains(&self.upload_max_bytes) {
            return Err("setting `upload_max_bytes`: must be between 1024 and 4 GiB".into());
        }
        if self.api_body_limit_bytes < 1024 {
            return Err("setting `api_body_limit_bytes`: must be at least 1024".into());
        }
        for (key, value) in [
            (
                "login_failures_per_account",
                u64::from(self.login_failures_per_account),
            ),
            (
                "login_failures_per_address",
                u64::from(self.login_failures_per_address),
            ),
            ("login_failure_window_secs", self.login_failure_window_secs),
            ("login_lockout_secs", self.login_lockout_secs),
            ("delivery_concurrency", self.delivery_concurrency as u64),
            ("delivery_per_instance", self.delivery_per_instance as u64),
            ("delivery_retry_base_secs", self.delivery_retry_base_secs),
            ("delivery_retry_max_secs", self.delivery_retry_max_secs),
            ("mail_retry_base_secs", self.mail_retry_base_secs),
        ] {
            if value == 0 {
                return Err(format!("setting `{key}`: must be at least 1"));
            }
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        if self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://")
        {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// The scheme of our ids and links: the `scheme` setting, or when `auto`, `http` for a
    /// development instance (insecure federation, or a `localhost` name) and `https` otherwise.
    pub fn scheme(&self) -> &'static str {
        let host = self
            .hostname
            .rsplit_once(':')
            .filter(|(_, port)| port.parse::<u16>().is_ok())
            .map_or(self.hostname.as_str(), |(host, _)| host)
            .to_ascii_lowercase();
        let local = host == "localhost" || host.ends_with(".localhost");
        match self.scheme {
            Scheme::Https => "https",
            Scheme::Http => "http",
            Scheme::Auto if self.insecure_federation || local => "http",
            Scheme::Auto => "https",
        }
    }

    /// The absolute URL of a path on this instance.
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{}", self.scheme(), self.hostname, path)
    }
}

/// Environment values are strings; booleans and numbers are given their TOML type so that
/// `COPSE_INSECURE_FEDERATION=true` and `COPSE_HTTP_WORKERS=2` deserialize.
fn parse_env_value(raw: &str) -> figment::value::Value {
    raw.parse::<figment::value::Value>()
        .unwrap_or_else(|_| figment::value::Value::from(raw.to_string()))
}

/// `url` with its password (if it is a URL with one) replaced by `***`.
fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}
