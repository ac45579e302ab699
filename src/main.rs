//! The `copse` command: load settings, start tracing, and run a subcommand. All the work is in
//! the library.

use clap::{Parser, Subcommand};
use copse::{
    actions::{self, accounts::Origin, admin::By},
    config::Settings,
    db,
    domain::accounts::NewAccount,
    server,
};
use std::{io::BufRead, path::PathBuf, process::ExitCode};

#[derive(Parser)]
#[command(
    name = "copse",
    version,
    about = "A federated server for communities of practice"
)]
struct Cli {
    /// TOML settings file (default: none; see config/defaults.toml). Also COPSE_CONFIG.
    #[arg(long, global = true, env = "COPSE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrates the database first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Deliver outgoing activities without serving HTTP. Several workers may share one
    /// PostgreSQL database (run `serve` with `delivery_in_serve = false` then); SQLite runs one.
    Worker,
    /// Administration.
    #[command(subcommand)]
    Admin(Admin),
    /// Settings.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Ask a running instance whether it is ready (exit 0) or not (exit 1): for container and
    /// service-manager health checks.
    Health {
        /// Default: `/readyz` on the `bind` address (127.0.0.1 when it binds every address).
        #[arg(long)]
        url: Option<String>,
    },
}

#[derive(Subcommand)]
enum Admin {
    /// Create an account. The password is read from standard input (one line) or prompted for.
    CreateUser {
        name: String,
        #[arg(long)]
        email: String,
        /// Make the account an instance administrator.
        #[arg(long)]
        admin: bool,
    },
    /// Approve an account that signed up while registration mode is `approval`.
    ApproveUser { name: String },
    /// List local accounts (a table), or only the registrations waiting for approval.
    Users {
        #[arg(long)]
        pending: bool,
        /// Only names containing this.
        #[arg(long)]
        name: Option<String>,
    },
    /// Suspend an account: its sessions end and it cannot log in; what it wrote stays.
    Suspend {
        name: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Lift an account's suspension.
    Unsuspend { name: String },
    /// Make an account an instance administrator (with --remove: take the rights away).
    #[command(name = "make-admin")]
    Promote {
        name: String,
        #[arg(long)]
        remove: bool,
    },
    /// Outgoing deliveries per instance: pending, retrying, dead; and instances skipped.
    Queue,
    /// Send a test mail to ADDRESS now (through `smtp_url`, or into `mail_dir` without it) and
    /// say whether it went.
    #[command(name = "mail-test")]
    MailTest { address: String },
    /// Queue the digests due now (or at --at, an RFC 3339 time: to send a period's digests by
    /// hand) and publish the federated digests due; the running instance's mail job sends them.
    Digests {
        #[arg(long)]
        at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Take the health figures' snapshots of today (or of --at DATE, YYYY-MM-DD: counted as of
    /// that day's midnight, UTC) that are not there yet: every local community's and the
    /// instance's.
    #[command(name = "health-snapshot")]
    HealthSnapshot {
        #[arg(long)]
        at: Option<chrono::NaiveDate>,
    },
    /// Print a one-time link (valid an hour) with which the account NAME sets a new password;
    /// nothing is mailed. Using it ends every session of the account.
    #[command(name = "reset-password")]
    ResetPassword { name: String },
    /// Write a consistent copy of the SQLite database to FILE while the instance serves, and
    /// check it. (PostgreSQL: use pg_dump.)
    Backup { file: PathBuf },
    /// Put the backup FILE in place of the SQLite database. Stop copse first; the database it
    /// replaces is kept as `<file>.before-restore`.
    Restore {
        file: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
    /// Rebuild the full-text search indexes (threads and communities) from the stored rows,
    /// with a progress bar. The index follows every write by itself; this is for an index
    /// suspected stale or damaged. Writers wait while it runs; readers do not.
    Reindex,
    /// Write an archive of the local community NAME into the new folder DIR: `archive.json`
    /// (everything `import-community` needs) and a static HTML site that reads without copse.
    #[command(name = "export-community")]
    ExportCommunity { name: String, dir: PathBuf },
    /// Restore the archive in DIR (or its archive.json) as a new local community owned by the
    /// account --owner, all or nothing; it lists the archived Group as an alias, so that the old
    /// community can then move here.
    #[command(name = "import-community")]
    ImportCommunity {
        dir: PathBuf,
        #[arg(long)]
        owner: String,
        /// The new community's name (default: the archived one).
        #[arg(long)]
        name: Option<String>,
    },
    /// Copy this SQLite instance into a new, empty PostgreSQL database (URL given with --to),
    /// then compare row counts. Stop copse first; the SQLite file is left as it was.
    #[command(name = "move-db")]
    MoveDb {
        /// The target, e.g. postgres://copse:PASSWORD@localhost/copse
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print every setting with its default value, as TOML.
    Defaults,
    /// Print the settings in effect (file and environment applied).
    Show,
}

/// glibc's allocator, before any thread starts: blocks of 1 MiB and more are mapped on their own
/// and returned when freed (a fixed threshold; glibc would otherwise raise it to the size of the
/// largest block freed, so each password hash's 19 MiB stayed resident in every arena that made
/// one: idle 107 → 65 MiB after a sign-up and a log-in), and at most one arena per core.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let arenas = i32::try_from(cores).unwrap_or(i32::MAX);
    // SAFETY: mallopt only sets allocator parameters; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    if let Command::Config(ConfigCommand::Defaults) = cli.command {
        print!("{}", Settings::defaults_toml());
        return ExitCode::SUCCESS;
    }
    let settings = match Settings::load(cli.config.as_deref(), std::env::vars()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("copse: invalid settings: {e}");
            return ExitCode::from(2);
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&settings.log));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match settings.log_format {
        copse::config::LogFormat::Text => logs.init(),
        copse::config::LogFormat::Json => logs.json().with_current_span(true).init(),
    }
    if !matches!(cli.command, Command::Config(_)) {
        // Which database a command opens, so that one run from another folder (or without the
        // settings file) cannot silently work on a second database.
        eprintln!("copse: database {}", settings.database_description());
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("copse: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("copse: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            server::start(settings, None)
                .await?
                .run_until_signalled()
                .await
        }
        Command::Migrate => {
            let applied = tokio::task::spawn_blocking(move || {
                let mut conn = db::ConnectionManager::new(&settings).connect_once()?;
                db::run_migrations(&mut conn)
            })
            .await??;
            println!("{} migration(s) applied", applied.len());
            for name in applied {
                println!("  {name}");
            }
            Ok(())
        }
        Command::Admin(Admin::CreateUser { name, email, admin }) => {
            let password = read_password()?;
            let input = NewAccount::parse(&name, &email, &password)
                .map_err(|e| anyhow::anyhow!(e.message))?;
            let ctx = server::context(settings).await?;
            let account = actions::accounts::create(&ctx, input, Origin::Operator { admin })
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            println!(
                "created {}{} ({})",
                account.person.name,
                if admin { " (admin)" } else { "" },
                account.person.ap_id
            );
            Ok(())
        }
        Command::Worker => server::run_worker(settings).await,
        Command::Admin(Admin::Queue) => {
            let ctx = server::context(settings).await?;
            let report = actions::delivery::queue_report(&ctx)
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            print!("{}", report.as_table());
            Ok(())
        }
        Command::Admin(Admin::MailTest { address }) => {
            let said = copse::mail::send_test(&settings, &address)
                .await
                .map_err(|e| anyhow::anyhow!(e))?;
            println!("{said}");
            Ok(())
        }
        Command::Admin(Admin::Digests { at }) => {
            let ctx = server::context(settings).await?;
            let at = at.unwrap_or_else(chrono::Utc::now);
            let report = copse::jobs::digests::run_at(&ctx, at)
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            let published = copse::jobs::digests::publish_federated(&ctx, at)
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            println!(
                "digests at {at}: {} queued, {} empty (not sent), {} already queued; \
                 {published} federated digest(s) published",
                report.queued, report.empty, report.already
            );
            Ok(())
        }
        Command::Admin(Admin::HealthSnapshot { at }) => {
            let ctx = server::context(settings).await?;
            let day = at.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let report = copse::jobs::health::snapshot(&ctx, day)
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            println!(
                "health snapshots of {day}: {} stored, {} already there",
                report.stored, report.already
            );
            Ok(())
        }
        Command::Admin(Admin::ExportCommunity { name, dir }) => {
            let ctx = server::context(settings).await?;
            let archive = copse::views::archive::export(&ctx, &name)
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            let written = copse::feeds::archive_site::write(&dir, &archive)
                .map_err(|e| anyhow::anyhow!(e.message))?;
            println!(
                "archived {name} into {}: {} thread(s), {} reply(ies); open index.html to read it",
                dir.display(),
                written.threads,
                written.replies
            );
            Ok(())
        }
        Command::Admin(Admin::ImportCommunity { dir, owner, name }) => {
            let ctx = server::context(settings).await?;
            let archive =
                copse::feeds::archive_site::read(&dir).map_err(|e| anyhow::anyhow!(e.message))?;
            let owner = ctx
                .db(move |conn| db::accounts::account_by_name(conn, &owner))
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?
                .ok_or_else(|| anyhow::anyhow!("no local account by that --owner name"))?;
            let done = actions::archive::import(&ctx, archive, &owner, name)
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            println!(
                "imported {} ({}): {} thread(s) and {} reply(ies) stored, {} thread(s) taken over \
                 from the old community",
                done.community.name, done.community.ap_id, done.threads, done.replies, done.adopted
            );
            Ok(())
        }
        Command::Admin(Admin::ResetPassword { name }) => {
            let ctx = server::context(settings).await?;
            let link = actions::account_mail::reset_link_for(&ctx, &name)
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            println!("a one-time link for {name} to set a new password (valid for an hour):");
            println!("{link}");
            Ok(())
        }
        Command::Admin(Admin::ApproveUser { name }) => {
            let ctx = server::context(settings).await?;
            let lookup = name.clone();
            let found = ctx
                .write(move |conn| db::accounts::approve_account(conn, &lookup))
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            anyhow::ensure!(found, "no account named {name}");
            println!("approved {name}");
            Ok(())
        }
        Command::Admin(Admin::Users { pending, name }) => {
            let ctx = server::context(settings).await?;
            let filter = db::accounts::AccountFilter {
                pending,
                name_part: name,
            };
            let mut page = 1;
            loop {
                let listed = actions::admin::list(&ctx, By::Operator, filter.clone(), page)
                    .await
                    .map_err(|e| anyhow::anyhow!(e.message))?;
                print!("{}", users_table(&listed.accounts, page == 1));
                if !listed.has_next() {
                    println!("{} account(s)", listed.total);
                    return Ok(());
                }
                page += 1;
            }
        }
        Command::Admin(Admin::Suspend { name, reason }) => {
            let ctx = server::context(settings).await?;
            actions::admin::suspend(&ctx, By::Operator, &name, reason.as_deref())
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            println!("suspended {name}: its sessions have ended and it cannot log in");
            Ok(())
        }
        Command::Admin(Admin::Unsuspend { name }) => {
            let ctx = server::context(settings).await?;
            actions::admin::unsuspend(&ctx, By::Operator, &name)
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            println!("unsuspended {name}: it can log in again");
            Ok(())
        }
        Command::Admin(Admin::Promote { name, remove }) => {
            let ctx = server::context(settings).await?;
            actions::admin::set_admin(&ctx, By::Operator, &name, !remove)
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            if remove {
                println!("{name} is no longer an administrator");
            } else {
                println!("{name} is an administrator");
            }
            Ok(())
        }
        Command::Admin(Admin::Backup { file }) => {
            let checked =
                tokio::task::spawn_blocking(move || db::backup::backup(&settings, &file)).await??;
            println!("backup written and checked: {}", describe(&checked));
            Ok(())
        }
        Command::Admin(Admin::Restore { file, force }) => {
            let target = db::backup::database_file(&settings)?;
            anyhow::ensure!(
                force || !target.exists(),
                "{} exists: stop copse, then run again with --force to replace it",
                target.display()
            );
            let (checked, kept) =
                tokio::task::spawn_blocking(move || db::backup::restore(&settings, &file))
                    .await??;
            println!("restored into {}: {}", target.display(), describe(&checked));
            if let Some(kept) = kept {
                println!("the database it replaced is kept as {}", kept.display());
            }
            Ok(())
        }
        Command::Admin(Admin::Reindex) => {
            let indexed = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
                let mut conn = db::ConnectionManager::new(&settings)
                    .connect_once()
                    .map_err(|e| anyhow::anyhow!("connecting to the database: {e}"))?;
                db::run_migrations(&mut conn)?;
                let mut bars = ProgressBars::default();
                Ok(db::search::reindex(&mut conn, &mut |p| bars.reindex(p))?)
            })
            .await??;
            for (index, rows) in indexed {
                println!("{index}: {rows} indexed");
            }
            Ok(())
        }
        Command::Admin(Admin::MoveDb { to }) => {
            let counted = tokio::task::spawn_blocking(move || {
                let mut bars = ProgressBars::default();
                db::move_db::move_to_postgres(&settings, &to, &mut |p| bars.show(p))
            })
            .await??;
            println!("{:<22} {:>10} {:>10}", "table", "SQLite", "PostgreSQL");
            for c in &counted {
                let mark = if c.source == c.target {
                    ""
                } else {
                    "  DIFFERS"
                };
                println!("{:<22} {:>10} {:>10}{mark}", c.table, c.source, c.target);
            }
            let differing: Vec<_> = counted.iter().filter(|c| c.source != c.target).collect();
            anyhow::ensure!(
                differing.is_empty(),
                "row counts differ in {} table(s): do not use the copy",
                differing.len()
            );
            println!("moved: every table has the same number of rows on both sides");
            Ok(())
        }
        Command::Config(ConfigCommand::Show) => {
            print!("{}", toml::to_string(&settings.redacted())?);
            Ok(())
        }
        Command::Health { url } => {
            let url = url.unwrap_or_else(|| {
                let bind = settings.bind.replace("0.0.0.0", "127.0.0.1");
                format!("http://{}/readyz", bind.replace("[::]", "[::1]"))
            });
            let client = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(5))
                .build()?;
            let response = client.get(&url).send().await?;
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            anyhow::ensure!(status.is_success(), "{url}: {status} {body}");
            println!("{url}: {status} {body}");
            Ok(())
        }
        Command::Config(ConfigCommand::Defaults) => Ok(()),
    }
}

/// Local accounts as a plain table (with its header when `header`).
fn users_table(accounts: &[db::accounts::Account], header: bool) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if header {
        let _ = writeln!(
            out,
            "{:<30} {:<40} {:<10} {:<6} {:<19}",
            "name", "email", "state", "admin", "signed up (UTC)"
        );
    }
    for a in accounts {
        let state = match (a.user.approved, a.user.suspended_at.is_some()) {
            (_, true) => "suspended",
            (false, false) => "pending",
            (true, false) => "active",
        };
        let _ = writeln!(
            out,
            "{:<30} {:<40} {:<10} {:<6} {}",
            a.person.name,
            a.user.email,
            state,
            if a.user.is_admin { "yes" } else { "no" },
            a.user.created_at.format("%Y-%m-%d %H:%M:%S")
        );
    }
    out
}

/// One progress bar per table on standard error, drawn only when it is a terminal.
#[derive(Default)]
struct ProgressBars(Option<indicatif::ProgressBar>);

impl ProgressBars {
    fn show(&mut self, progress: db::move_db::Progress) {
        use db::move_db::Progress;
        use std::io::IsTerminal;
        match progress {
            Progress::Table { table, rows } => {
                if let Some(done) = self.0.take() {
                    done.finish();
                }
                let bar = if std::io::stderr().is_terminal() {
                    indicatif::ProgressBar::new(rows)
                } else {
                    indicatif::ProgressBar::hidden()
                };
                if let Ok(style) = indicatif::ProgressStyle::with_template(
                    "{prefix:<22} [{bar:30}] {pos}/{len} rows",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar.set_prefix(table);
                self.0 = Some(bar);
            }
            Progress::Copied(done) => {
                if let Some(bar) = &self.0 {
                    bar.set_position(done);
                }
            }
        }
    }
}

impl ProgressBars {
    fn reindex(&mut self, progress: db::search::Progress) {
        use db::search::Progress;
        self.show(match progress {
            Progress::Index { index, rows } => db::move_db::Progress::Table { table: index, rows },
            Progress::Indexed(done) => db::move_db::Progress::Copied(done),
        });
    }
}

impl Drop for ProgressBars {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish();
        }
    }
}

/// What a checked backup holds, in one line.
fn describe(c: &db::backup::Checked) -> String {
    format!(
        "{} bytes, {} migrations, {} accounts, {} communities, {} posts",
        c.bytes, c.migrations, c.accounts, c.communities, c.posts
    )
}

/// One line from standard input when it is not a terminal; otherwise a hidden prompt.
fn read_password() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Again: ")?;
        anyhow::ensure!(first == again, "the passwords differ");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}
