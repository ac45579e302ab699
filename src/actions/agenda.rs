//! An event's agenda, beside its description and its notes: the organizers write it before the
//! meeting (members propose items as comments on the event's thread). It goes out as part of the
//! event's `content` (an `Update(Event)`).

use crate::{
    actions::events::{not_organizer, organizes, visible},
    context::AppContext,
    db::{self, accounts::Person},
    domain::{changes::Change, content, events as rules, posts as post_rules},
    error::{Error, ErrorKind, Result},
    views::gate::Viewer,
};

/// An organizer sets the agenda (markdown) of an event that has not begun.
pub async fn set(ctx: &AppContext, organizer: &Person, post_id: i64, agenda: &str) -> Result<()> {
    let agenda = content::text_block("agenda", agenda, post_rules::MAX_BODY)?;
    let html = content::markdown_to_html(&agenda);
    let (gate, viewer) = (ctx.gate().clone(), Viewer::person(organizer.id, false));
    let organizer_id = organizer.id;
    ctx.write(move |conn| {
        let (found, event) = visible(conn, &gate, &viewer, post_id)?;
        if !organizes(conn, &found, organizer_id)? {
            return Err(not_organizer());
        }
        if event.starts_at <= rules::now() {
            return Err(Error::new(
                ErrorKind::Conflict,
                "started",
                "the agenda is set before the meeting; afterwards, write the notes",
            ));
        }
        if event.agenda_md == agenda {
            return Ok(());
        }
        db::events::set_agenda(conn, post_id, &agenda, &html)?;
        let p = &found.post;
        db::posts::edit_post(conn, p.id, &p.title, &p.body_md, &p.body_html, db::now())?;
        db::outbox::emit(
            conn,
            &Change::ContentEdited {
                object_ap_id: p.ap_id.to_string(),
                community_id: found.community.id,
                author_id: p.author_id,
                activity_id: None,
            },
        )
    })
    .await
}
