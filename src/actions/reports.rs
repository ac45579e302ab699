//! Reports: anyone who can read a post or comment may report it to the community's moderators,
//! who list and resolve them. A report about a community on another instance is sent there as a
//! `Flag`; a `Flag` received from another instance is stored like a local report.

use super::editing::Target;
use super::notifications;
use crate::domain::notifications::Kind;
use crate::views::gate::{Reader, Viewer};
use crate::{
    context::AppContext,
    db::{self, accounts::Person, moderation::Report},
    domain::{changes::Change, content, moderation::MAX_REPORT_REASON},
    error::{Error, Result},
};

fn parse_reason(reason: &str) -> Result<String> {
    content::plain_line("reason", reason, 1, MAX_REPORT_REASON)
}

/// A local person reports a post or comment they can read (404 otherwise, as if missing).
pub async fn file(
    ctx: &AppContext,
    reporter: &Person,
    is_admin: bool,
    target: Target,
    reason: &str,
) -> Result<Report> {
    let reason = parse_reason(reason)?;
    let ap_id = ctx.new_activity_id("flag");
    let reporter = reporter.clone();
    let reporter_id = reporter.id;
    let reader = ctx.gate().reader(Viewer::person(reporter_id, is_admin));
    let notifier = ctx.clone();
    let report = ctx
        .write(move |conn| {
            let (object, community) = super::editing::visible(conn, target, &reader)?;
            let (report, _) = db::moderation::insert_report(
                conn,
                &ap_id,
                community.id,
                reporter_id,
                &object,
                &reason,
            )?;
            if !community.local {
                let event = Change::ReportFiled {
                    report_id: report.id,
                    reporter_id: reporter.id,
                    community_id: community.id,
                };
                db::outbox::emit(conn, &event)?;
            }
            let kind = Kind::NewReport;
            notifications::notify_moderators(conn, &notifier, kind, &community, reporter_id)?;
            Ok(report)
        })
        .await?;
    notifications::wake_mail(ctx);
    Ok(report)
}

/// A `Flag` from another instance about content we hold. Reports about something we do not
/// know are refused (404); a repeated Flag is stored once.
pub async fn receive(
    ctx: &AppContext,
    reporter: &Person,
    object_ap_id: String,
    reason: Option<String>,
    activity_id: String,
) -> Result<()> {
    let reason = content::plain_line(
        "summary",
        &content::html_to_text(reason.as_deref().unwrap_or_default()),
        0,
        MAX_REPORT_REASON,
    )?;
    let reporter_id = reporter.id;
    let notifier = ctx.clone();
    ctx.write(move |conn| {
        let target = match db::posts::post_by_ap_id(conn, &object_ap_id)? {
            Some(p) => Target::Post(p.id),
            None => match db::posts::comment_by_ap_id(conn, &object_ap_id)? {
                Some(c) => Target::Comment(c.id),
                None => return Err(Error::not_found("the reported object")),
            },
        };
        let (object, community) = super::editing::visible(conn, target, &Reader::Inbound)?;
        // Nobody reports what they may not read: to them it is as missing as anything unknown.
        let role = db::communities::role_of(conn, community.id, reporter_id)?;
        if !crate::domain::communities::can_read(&community, role, false) {
            return Err(Error::not_found("the reported object"));
        }
        db::bans::ensure_not_banned(conn, community.id, reporter_id)?;
        let (_, new) = db::moderation::insert_report(
            conn,
            &activity_id,
            community.id,
            reporter_id,
            &object,
            &reason,
        )?;
        if new {
            let kind = Kind::NewReport;
            notifications::notify_moderators(conn, &notifier, kind, &community, reporter_id)?;
        }
        Ok(())
    })
    .await?;
    notifications::wake_mail(ctx);
    Ok(())
}

/// A moderator marks a report resolved (or open again).
pub async fn resolve(
    ctx: &AppContext,
    moderator: &Person,
    is_admin: bool,
    report_id: i64,
    resolved: bool,
) -> Result<Report> {
    let moderator_id = moderator.id;
    ctx.write(move |conn| {
        let report = db::moderation::report(conn, report_id)?
            .ok_or_else(|| Error::not_found(format_args!("report {report_id}")))?;
        let community = db::communities::by_id(conn, report.community_id)?
            .ok_or_else(|| Error::not_found("community"))?;
        super::moderators::ensure_moderator(conn, &community, moderator_id, is_admin)?;
        db::moderation::resolve_report(conn, report_id, moderator_id, resolved)?;
        db::moderation::report(conn, report_id)?.ok_or_else(|| Error::not_found("report"))
    })
    .await
}

/// A `Resolve` of a `Flag` from a moderator on another instance (Lemmy sends them): applied when
/// the actor moderates the report's community, or is on the remote community's own host.
pub async fn receive_resolve(ctx: &AppContext, moderator: &Person, flag_id: String) -> Result<()> {
    let moderator_id = moderator.id;
    let moderator_url = moderator.ap_id.0.clone();
    ctx.write(move |conn| {
        let Some(report) = db::moderation::report_by_ap_id(conn, &flag_id)? else {
            return Ok(()); // a report we never had
        };
        let community = db::communities::by_id(conn, report.community_id)?
            .ok_or_else(|| Error::not_found("community"))?;
        let same_host = !community.local
            && moderator_url.host_str() == community.ap_id.host_str()
            && moderator_url.port() == community.ap_id.port();
        if !same_host {
            super::moderators::ensure_moderator(conn, &community, moderator_id, false)?;
        }
        db::moderation::resolve_report(conn, report.id, moderator_id, true)?;
        Ok(())
    })
    .await
}
