//! Logging in, hardened against guessing: failed log-ins throttled per account and per client
//! address, a bound on the password hashes running at once, and the same work for usernames
//! that do not exist.
//!
//! The numbers (defaults of the `login_*` settings):
//! - **Per account**: the 5th failed log-in within 15 minutes locks that account's log-in for
//!   15 minutes, the next lockout 30, doubling up to a day (lockouts are remembered for a day
//!   after the last failure). While locked, every attempt, the right password included, answers
//!   429 `too_many_attempts` with `Retry-After`, without hashing anything. A successful log-in
//!   clears the count of that account only. Unknown usernames are counted the same way, so a 429
//!   tells nothing about whether an account exists.
//! - **Per address** (the TCP peer; with `trusted_proxy`, the last entry of `X-Forwarded-For`;
//!   IPv6 per /64): 30 failures within 15 minutes, over all accounts, lock the address the same
//!   way. A success does not clear it: logging in to one's own account does not buy more guesses
//!   at others.
//! - Attempts in flight count against what is left of a budget, so concurrent guesses cannot
//!   overshoot it (they get 429 with `Retry-After: 1`).
//! - **Hashing** (log-in and sign-up): at most max(2, cores) argon2 hashes at once (each takes
//!   19 MiB), on blocking threads; a request waits at most 2 s for its turn, then answers 503
//!   with `Retry-After`. The blocking task holds the permit itself, so a request dropped while
//!   its hash runs does not free the slot early: memory does not grow with concurrency.
//! - **Unknown usernames** are verified against a dummy hash made once per context with the same
//!   parameters (`domain::accounts::verify_login`), so they cost what a known one does.
//!
//! The throttles' state is kept in the database (`login_throttles`, `db::throttles`), so that
//! several `serve` processes sharing it count the same failures, honour the same lockouts and
//! the same attempts in flight, and a restart forgets nothing. It costs writes, but only as
//! many as password hashes: a key that is locked out is refused on a read, and an attempt is
//! counted (one write to begin it, one to end it) only once it holds its turn at hashing, so
//! the writes go no faster than the hashes do. The bound on hashes at once is per process: it
//! bounds one machine's memory and cores.

use crate::{
    config::Settings,
    context::AppContext,
    db,
    domain::{accounts as rules, throttle::Policy},
    error::{Error, ErrorKind, Result},
};
use std::{
    net::IpAddr,
    sync::{Arc, OnceLock},
    time::Duration,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a request waits for a turn at hashing before it answers 503.
pub const HASH_WAIT: Duration = Duration::from_secs(2);
/// Longest lockout.
const MAX_LOCKOUT: Duration = Duration::from_secs(24 * 3600);
/// The kinds of throttle key (`login_throttles.kind`).
const ACCOUNT: &str = "account";
const ADDRESS: &str = "address";
/// Usernames longer than names can be are cut to this for their throttle key.
const MAX_KEY_CHARS: usize = 64;

/// Hashes at once on a machine with `cores` cores.
pub fn hash_permits(cores: usize) -> usize {
    cores.max(2)
}

/// A bound on the password hashes running at once.
pub struct HashGate {
    permits: Arc<Semaphore>,
    size: usize,
    wait: Duration,
}

impl HashGate {
    pub fn new(size: usize, wait: Duration) -> Self {
        let size = size.max(1);
        HashGate {
            permits: Arc::new(Semaphore::new(size)),
            size,
            wait,
        }
    }

    /// Sized from this machine's cores.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        HashGate::new(hash_permits(cores), HASH_WAIT)
    }

    /// Hashes allowed at once.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Hashes free now.
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }

    /// Runs `work` on a blocking thread once a turn is free; 503 when none is within the wait.
    pub async fn run<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        HashGate::run_in(self.turn().await?, work).await
    }

    /// Waits for a turn at hashing; 503 when none is free within the wait.
    pub async fn turn(&self) -> Result<OwnedSemaphorePermit> {
        tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| busy())?
            .map_err(Error::internal)
    }

    /// Runs `work` on a blocking thread in a turn taken with [`HashGate::turn`].
    pub async fn run_in<T, F>(permit: OwnedSemaphorePermit, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let out = tokio::task::spawn_blocking(move || {
            let _turn = permit;
            work()
        })
        .await?;
        Ok(out)
    }
}

fn busy() -> Error {
    Error::new(
        ErrorKind::Unavailable,
        "busy",
        "too many log-ins at once, try again shortly",
    )
    .with_retry_after(2)
}

/// What an `AppContext` keeps for log-ins: the throttles' policies (their state is in the
/// database), the hash gate, the dummy hash.
pub struct LoginGuards {
    accounts: Policy,
    addresses: Policy,
    hashing: HashGate,
    dummy: OnceLock<String>,
}

impl LoginGuards {
    pub fn new(settings: &Settings) -> Self {
        let span =
            |secs: u64| chrono::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 1000));
        let policy = |limit| Policy {
            limit,
            window: span(settings.login_failure_window_secs),
            lockout: span(settings.login_lockout_secs),
            max_lockout: span(MAX_LOCKOUT.as_secs().max(settings.login_lockout_secs)),
        };
        LoginGuards {
            accounts: policy(settings.login_failures_per_account),
            addresses: policy(settings.login_failures_per_address),
            hashing: HashGate::for_this_machine(),
            dummy: OnceLock::new(),
        }
    }

    /// The bound on password hashes (sign-up uses it too).
    pub fn hashing(&self) -> &HashGate {
        &self.hashing
    }

    /// The hash unknown usernames are verified against, made on first use (on a blocking
    /// thread: call it from one). Every log-in calls it first, so the one that makes it costs
    /// the same whether its username exists or not.
    fn dummy_hash(&self) -> &str {
        self.dummy
            .get_or_init(|| rules::dummy_hash().unwrap_or_default())
    }
}

/// One log-in attempt admitted by both throttles (and counted in flight by both); ends as
/// failed, succeeded, or (dropped) released.
struct Attempt {
    ctx: AppContext,
    account: String,
    address: String,
    ended: bool,
}

/// How an attempt ends, for each of its two keys.
#[derive(Clone, Copy)]
enum End {
    Failed,
    Succeeded,
    Released,
}

impl Attempt {
    /// Admits an attempt and takes its turn at hashing: 429 while either key is locked out (a
    /// read, no write) or its budget is used up by failures and attempts in flight, 503 when
    /// no turn at hashing is free in time.
    async fn begin(
        ctx: &AppContext,
        username: &str,
        client: Option<IpAddr>,
    ) -> Result<(Attempt, OwnedSemaphorePermit)> {
        let (account, address) = (account_key(username), address_key(client));
        let (a, b) = (account.clone(), address.clone());
        let (by_account, by_address) = ctx
            .db(move |conn| {
                Ok((
                    db::throttles::get(conn, ACCOUNT, &a)?,
                    db::throttles::get(conn, ADDRESS, &b)?,
                ))
            })
            .await?;
        let now = db::now();
        if let Some(wait) = by_address.locked(now).or(by_account.locked(now)) {
            return Err(throttled(wait));
        }
        let turn = ctx.login().hashing().turn().await?;
        let (a, b) = (account.clone(), address.clone());
        let (pa, pb) = (ctx.login().accounts, ctx.login().addresses);
        let admitted = ctx
            .write(move |conn| {
                let now = db::now();
                if let Err(wait) =
                    db::throttles::update(conn, ADDRESS, &b, &pb, |e| e.begin(&pb, now))?
                {
                    return Ok(Err(wait));
                }
                if let Err(wait) =
                    db::throttles::update(conn, ACCOUNT, &a, &pa, |e| e.begin(&pa, now))?
                {
                    db::throttles::update(conn, ADDRESS, &b, &pb, |e| e.released())?;
                    return Ok(Err(wait));
                }
                Ok(Ok(()))
            })
            .await?;
        admitted.map_err(throttled)?;
        let attempt = Attempt {
            ctx: ctx.clone(),
            account,
            address,
            ended: false,
        };
        Ok((attempt, turn))
    }

    /// Counts a failure against both keys.
    async fn failed(mut self) -> Result<()> {
        self.ended = true;
        end(
            &self.ctx,
            &self.account,
            &self.address,
            End::Failed,
            End::Failed,
        )
        .await
    }

    /// Clears the account's failures; the address keeps its own.
    async fn succeeded(mut self) -> Result<()> {
        self.ended = true;
        end(
            &self.ctx,
            &self.account,
            &self.address,
            End::Succeeded,
            End::Released,
        )
        .await
    }
}

/// Ends an attempt for its account and its address, in one write. The rows are locked address
/// first, as `Attempt::begin` locks them: two transactions never wait for each other's row.
async fn end(
    ctx: &AppContext,
    account: &str,
    address: &str,
    for_account: End,
    for_address: End,
) -> Result<()> {
    let (a, b) = (account.to_string(), address.to_string());
    let (pa, pb) = (ctx.login().accounts, ctx.login().addresses);
    ctx.write(move |conn| {
        let now = db::now();
        for (kind, key, policy, how) in [
            (ADDRESS, &b, pb, for_address),
            (ACCOUNT, &a, pa, for_account),
        ] {
            db::throttles::update(conn, kind, key, &policy, |e| match how {
                End::Failed => e.failed(&policy, now),
                End::Succeeded => e.succeeded(),
                End::Released => e.released(),
            })?;
        }
        Ok(())
    })
    .await
}

impl Drop for Attempt {
    /// An attempt that ended in an error: it no longer counts in flight (written in the
    /// background; if that fails, it stops counting when its lease runs out).
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (ctx, account, address) =
            (self.ctx.clone(), self.account.clone(), self.address.clone());
        runtime.spawn(async move {
            if let Err(e) = end(&ctx, &account, &address, End::Released, End::Released).await {
                tracing::warn!("releasing a log-in attempt: {e:?}");
            }
        });
    }
}

fn throttled(wait: chrono::Duration) -> Error {
    let wait = wait.to_std().unwrap_or(Duration::from_secs(1));
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    Error::too_many("too many failed log-ins; try again later", secs)
}

/// Usernames are lowercase; the key is bounded whatever was sent.
fn account_key(username: &str) -> String {
    username
        .chars()
        .take(MAX_KEY_CHARS)
        .collect::<String>()
        .to_lowercase()
}

/// IPv4 addresses as they are; IPv6 by their /64 (what one host or site usually holds).
pub fn address_key(client: Option<IpAddr>) -> String {
    match client.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "unknown".to_string(),
    }
}

/// Checks a username and password and opens a session; returns the bearer token. `client` is
/// the address the request came from (see `api::extract::client_address`).
pub async fn log_in(
    ctx: &AppContext,
    username: String,
    password: String,
    client: Option<IpAddr>,
) -> Result<String> {
    let (attempt, turn) = Attempt::begin(ctx, &username, client).await?;
    let account = ctx
        .db(move |conn| db::accounts::account_by_name(conn, &username))
        .await?;
    let stored = account.as_ref().map(|a| a.user.password_hash.clone());
    let verifier = ctx.clone();
    let ok = HashGate::run_in(turn, move || {
        let dummy = verifier.login().dummy_hash();
        rules::verify_login(stored.as_deref(), dummy, &password)
    })
    .await?;
    let Some(account) = account.filter(|_| ok) else {
        attempt.failed().await?;
        return Err(Error::new(
            ErrorKind::Unauthorized,
            "bad_credentials",
            "wrong username or password",
        ));
    };
    attempt.succeeded().await?;
    if !account.user.approved {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "account_pending",
            "this account is waiting for approval by an administrator",
        ));
    }
    if account.user.suspended_at.is_some() {
        return Err(Error::new(
            ErrorKind::Forbidden,
            "account_suspended",
            "this account is suspended by an administrator",
        ));
    }
    if crate::actions::account_mail::must_confirm(ctx.settings(), &account) {
        return Err(crate::actions::account_mail::refuse_unconfirmed(ctx, account).await);
    }
    open_session(ctx, account.user.id).await
}

/// Opens a new session for an account whose password was checked (or that was just created);
/// returns its token.
pub async fn open_session(ctx: &AppContext, user_id: i64) -> Result<String> {
    let (token, token_hash) = rules::new_token();
    let expires = db::now() + chrono::Duration::days(i64::from(ctx.settings().session_ttl_days));
    ctx.write(move |conn| db::accounts::insert_session(conn, &token_hash, user_id, expires))
        .await?;
    Ok(token)
}

/// Checks the password of a signed-in account before a sensitive change (a new password),
/// counted by the same throttles as log-ins: a stolen session cannot guess it faster than a
/// log-in form could. A wrong one is 400 naming `current_password`.
pub async fn check_current_password(
    ctx: &AppContext,
    account: &db::accounts::Account,
    password: String,
    client: Option<IpAddr>,
) -> Result<()> {
    let (attempt, turn) = Attempt::begin(ctx, &account.person.name, client).await?;
    let stored = account.user.password_hash.clone();
    let ok = HashGate::run_in(turn, move || rules::verify_password(&password, &stored)).await?;
    if !ok {
        attempt.failed().await?;
        return Err(Error::invalid_field(
            "current_password",
            "is not your password",
        ));
    }
    attempt.succeeded().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_at_once_follow_the_cores_with_a_floor_of_two() {
        assert_eq!(hash_permits(1), 2);
        assert_eq!(hash_permits(2), 2);
        assert_eq!(hash_permits(16), 16);
        let gate = HashGate::for_this_machine();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(gate.size(), cores.max(2));
    }

    #[tokio::test]
    async fn the_gate_runs_no_more_than_its_size_and_refuses_after_the_wait() {
        let gate = Arc::new(HashGate::new(2, Duration::from_millis(50)));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = Arc::new(std::sync::Mutex::new(hold));
        let mut running = Vec::new();
        for _ in 0..2 {
            let (gate, hold) = (gate.clone(), hold.clone());
            running.push(tokio::spawn(async move {
                gate.run(move || {
                    let _ = hold.lock().map(|h| h.recv());
                })
                .await
            }));
        }
        while gate.available() > 0 {
            tokio::task::yield_now().await;
        }
        let third = gate.run(|| ()).await;
        let refused = third.err().map(|e| (e.kind, e.retry_after));
        assert_eq!(refused, Some((ErrorKind::Unavailable, Some(2))));
        for _ in 0..2 {
            let _ = release.send(());
        }
        for task in running {
            assert!(matches!(task.await, Ok(Ok(()))));
        }
        assert_eq!(gate.available(), 2);
        assert!(gate.run(|| ()).await.is_ok(), "free again");
    }

    #[test]
    fn addresses_are_keyed_per_host_and_per_ipv6_64() {
        let key = |s: &str| address_key(s.parse().ok());
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff::1"), "2001:db8:1:2::/64");
        assert_eq!(address_key(None), "unknown");
    }
}
