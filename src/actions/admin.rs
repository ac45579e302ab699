//! Instance administration of local accounts: listing them, approving or rejecting pending
//! registrations, suspending and unsuspending, granting and removing administrator rights. Done
//! by an administrator (pages and API) or by the operator on the command line.
//!
//! Suspension is local: a suspended account cannot log in (403 `account_suspended`), its
//! sessions and bearer tokens end at once, and what it wrote stays. Nothing is sent to other
//! instances. The rules that keep an instance administrable: no one suspends or demotes
//! themselves, an administrator is demoted before being suspended, and the last active
//! administrator is never demoted. Rejecting a registration deletes the never-used account and
//! frees its name.

use crate::{
    context::AppContext,
    db::{
        self,
        accounts::{Account, AccountFilter},
        DbConn,
    },
    domain::{accounts::may_administer, content},
    error::{Error, ErrorKind, Result},
};

/// Accounts on one page of a listing.
pub const PAGE_SIZE: i64 = 50;
/// Longest suspension reason.
pub const MAX_REASON: usize = 500;

/// Who acts.
#[derive(Clone, Copy)]
pub enum By<'a> {
    /// A signed-in account, which must be an administrator.
    Admin(&'a Account),
    /// The operator on the command line (no account; the database is theirs already).
    Operator,
}

impl By<'_> {
    fn check(&self) -> Result<()> {
        match self {
            By::Admin(account) => may_administer(account.user.is_admin),
            By::Operator => Ok(()),
        }
    }
}

/// One page of a listing of local accounts.
pub struct AccountPage {
    pub accounts: Vec<Account>,
    /// Accounts the filter lets through, on every page.
    pub total: i64,
    /// 1-based.
    pub page: i64,
}

impl AccountPage {
    pub fn has_next(&self) -> bool {
        self.page * PAGE_SIZE < self.total
    }
}

/// The local accounts `filter` lets through, `PAGE_SIZE` a page (`page` 1-based).
pub async fn list(
    ctx: &AppContext,
    by: By<'_>,
    filter: AccountFilter,
    page: i64,
) -> Result<AccountPage> {
    by.check()?;
    let page = page.max(1);
    let offset = (page - 1).saturating_mul(PAGE_SIZE);
    ctx.db(move |conn| {
        Ok(AccountPage {
            accounts: db::accounts::list_accounts(conn, &filter, offset, PAGE_SIZE)?,
            total: db::accounts::count_accounts(conn, &filter)?,
            page,
        })
    })
    .await
}

fn find(conn: &mut DbConn, name: &str) -> Result<Account> {
    db::accounts::account_by_name(conn, name)?
        .ok_or_else(|| Error::not_found(format_args!("an account named `{name}`")))
}

/// Suspends `name`: its sessions end, it cannot log in; what it wrote stays. An administrator
/// is demoted first (409); no one suspends themselves (422). Suspending a suspended account
/// changes nothing.
pub async fn suspend(
    ctx: &AppContext,
    by: By<'_>,
    name: &str,
    reason: Option<&str>,
) -> Result<Account> {
    by.check()?;
    let reason = reason
        .map(|r| content::plain_line("reason", r, 0, MAX_REASON))
        .transpose()?
        .filter(|r| !r.is_empty());
    let (name, by_id) = (name.to_string(), admin_id(by));
    ctx.write(move |conn| {
        let account = find(conn, &name)?;
        if by_id == Some(account.user.id) {
            return Err(Error::new(
                ErrorKind::Unprocessable,
                "not_yourself",
                "you cannot suspend yourself",
            ));
        }
        if account.user.is_admin {
            return Err(Error::new(
                ErrorKind::Conflict,
                "is_admin",
                format!("{name} is an administrator: remove their administrator rights first"),
            ));
        }
        if account.user.suspended_at.is_none() {
            db::accounts::set_suspension(conn, account.user.id, Some(reason))?;
            db::accounts::delete_sessions(conn, account.user.id)?;
        }
        find(conn, &name)
    })
    .await
}

/// Lifts the suspension of `name`: it can log in again.
pub async fn unsuspend(ctx: &AppContext, by: By<'_>, name: &str) -> Result<Account> {
    by.check()?;
    let name = name.to_string();
    ctx.write(move |conn| {
        let account = find(conn, &name)?;
        db::accounts::set_suspension(conn, account.user.id, None)?;
        find(conn, &name)
    })
    .await
}

/// Makes `name` an administrator or takes the rights away. Only approved, unsuspended accounts
/// become administrators (409); no one demotes themselves (422), and the last active
/// administrator stays one (409).
pub async fn set_admin(ctx: &AppContext, by: By<'_>, name: &str, admin: bool) -> Result<Account> {
    by.check()?;
    let (name, by_id) = (name.to_string(), admin_id(by));
    ctx.write(move |conn| {
        let account = find(conn, &name)?;
        if account.user.is_admin == admin {
            return Ok(account);
        }
        if admin && (!account.user.approved || account.user.suspended_at.is_some()) {
            return Err(Error::new(
                ErrorKind::Conflict,
                "not_active",
                format!("{name} is pending or suspended: approve or unsuspend the account first"),
            ));
        }
        if !admin && by_id == Some(account.user.id) {
            return Err(Error::new(
                ErrorKind::Unprocessable,
                "not_yourself",
                "you cannot remove your own administrator rights; ask another administrator",
            ));
        }
        if !admin && db::accounts::count_active_admins(conn)? <= 1 {
            return Err(Error::new(
                ErrorKind::Conflict,
                "last_admin",
                format!("{name} is the last administrator: make another one first"),
            ));
        }
        db::accounts::set_admin(conn, account.user.id, admin)?;
        find(conn, &name)
    })
    .await
}

/// The pending account `name`, or 409 when it is approved already.
fn pending(conn: &mut DbConn, name: &str) -> Result<Account> {
    let account = find(conn, name)?;
    if account.user.approved {
        return Err(Error::new(
            ErrorKind::Conflict,
            "not_pending",
            format!("{name} is not waiting for approval"),
        ));
    }
    Ok(account)
}

/// Approves a pending registration: the account can log in.
pub async fn approve(ctx: &AppContext, by: By<'_>, name: &str) -> Result<Account> {
    by.check()?;
    let name = name.to_string();
    ctx.write(move |conn| {
        pending(conn, &name)?;
        db::accounts::approve_account(conn, &name)?;
        find(conn, &name)
    })
    .await
}

/// Rejects a pending registration: the account, never used, is deleted and its name freed.
pub async fn reject(ctx: &AppContext, by: By<'_>, name: &str) -> Result<()> {
    by.check()?;
    let name = name.to_string();
    ctx.write(move |conn| {
        let account = pending(conn, &name)?;
        db::accounts::delete_account(conn, &account)
    })
    .await
}

fn admin_id(by: By<'_>) -> Option<i64> {
    match by {
        By::Admin(account) => Some(account.user.id),
        By::Operator => None,
    }
}
