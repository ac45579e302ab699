//! Mail: the transport (an SMTP server through a connection pool, or, with no `smtp_url`, one
//! `.eml` file per message in `mail_dir`), building a message from a queued row (text + HTML,
//! `Message-ID` made from the row, `List-Unsubscribe` when the row has a link), and the
//! templates of each mail (`mail::templates`), the one-click unsubscribe links
//! (`mail::unsubscribe`). What to send is queued by `actions/` in the
//! transaction of its cause (`db::mail`); `jobs::mail` sends it.

pub mod templates;
pub mod unsubscribe;

use crate::{config::Settings, db::mail::QueuedMail};
use lettre::{
    message::{
        header::{HeaderName, HeaderValue},
        Mailbox, MultiPart, SinglePart,
    },
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use std::{path::PathBuf, time::Duration};

/// How long one SMTP conversation may take before it counts as failed (and is retried).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Checks the mail settings (`config::Settings::validate` calls this).
pub fn check_settings(settings: &Settings) -> Result<(), String> {
    let url = settings.smtp_url.trim();
    if !url.is_empty() {
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            return Err("setting `smtp_url`: must start with smtp:// or smtps://".into());
        }
        AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("setting `smtp_url`: {e}"))?;
    }
    settings
        .mail_sender()
        .parse::<Mailbox>()
        .map_err(|e| format!("setting `mail_from`: {e} (expected `Name <address>`)"))?;
    if settings.mail_give_up_after_secs == 0 {
        return Err("setting `mail_give_up_after_secs`: must be at least 1".into());
    }
    Ok(())
}

/// Where mail goes.
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No SMTP server: each message is written as `<folder>/<Message-ID's local part>.eml`.
    Folder(PathBuf),
}

/// Why a message was not sent.
#[derive(Debug)]
pub struct SendError {
    /// The server refused it for good (a 5xx answer, or an address that cannot be written):
    /// retrying would not help.
    pub permanent: bool,
    pub message: String,
}

impl SendError {
    fn permanent(message: impl std::fmt::Display) -> Self {
        SendError {
            permanent: true,
            message: message.to_string(),
        }
    }
}

impl Mailer {
    /// The SMTP pool of `smtp_url`, else the folder `mail_dir`. Must run inside the runtime
    /// (the pool starts its clean-up task).
    pub fn from_settings(settings: &Settings) -> Result<Mailer, String> {
        let url = settings.smtp_url.trim();
        if url.is_empty() {
            return Ok(Mailer::Folder(settings.mail_folder()));
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("setting `smtp_url`: {e}"))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Mailer::Smtp(transport))
    }

    /// Where this mailer sends, for the log (never the SMTP password).
    pub fn describe(&self, settings: &Settings) -> String {
        match self {
            Mailer::Smtp(_) => format!("SMTP server {}", settings.redacted().smtp_url),
            Mailer::Folder(folder) => format!(
                "no smtp_url set: mail is written to {} (one .eml file per message), not sent",
                folder.display()
            ),
        }
    }

    /// Sends one queued mail. Sending the same row again sends the same message (same
    /// `Message-ID`, `Date` and boundary; in the folder, the same file).
    pub async fn send(&self, settings: &Settings, mail: &QueuedMail) -> Result<(), SendError> {
        let message = build(settings, mail).map_err(SendError::permanent)?;
        match self {
            Mailer::Smtp(transport) => match transport.send(message).await {
                Ok(_) => Ok(()),
                Err(e) => Err(SendError {
                    permanent: e.is_permanent(),
                    message: e.to_string(),
                }),
            },
            Mailer::Folder(folder) => {
                let file = folder.join(format!("{}.eml", local_id(mail)));
                let bytes = message.formatted();
                let folder = folder.clone();
                tokio::task::spawn_blocking(move || write_atomically(&folder, &file, &bytes))
                    .await
                    .map_err(|e| SendError {
                        permanent: false,
                        message: e.to_string(),
                    })?
                    .map_err(|e| SendError {
                        permanent: false,
                        message: format!("writing to the mail folder: {e}"),
                    })
            }
        }
    }
}

/// Writes `bytes` to `file` through a temporary file in the same folder, so the file is whole
/// or absent.
fn write_atomically(
    folder: &std::path::Path,
    file: &std::path::Path,
    bytes: &[u8],
) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    let partial = file.with_extension("eml.partial");
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, file)
}

/// The left part of a mail's `Message-ID`: the row's id and when it was queued (so a database
/// started afresh on the same host never repeats one).
fn local_id(mail: &QueuedMail) -> String {
    format!(
        "copse.mail.{}.{}",
        mail.id,
        mail.created_at.and_utc().timestamp()
    )
}

/// `<copse.mail.ID.QUEUED@HOST>`.
pub fn message_id(settings: &Settings, mail: &QueuedMail) -> String {
    let host = settings
        .hostname
        .split(':')
        .next()
        .unwrap_or(&settings.hostname);
    format!("<{}@{host}>", local_id(mail))
}

/// The whole message of a queued row: multipart/alternative, text first, then HTML.
pub fn build(settings: &Settings, mail: &QueuedMail) -> Result<Message, String> {
    let from: Mailbox = settings
        .mail_sender()
        .parse()
        .map_err(|e| format!("mail_from: {e}"))?;
    let to: Mailbox = mail
        .recipient
        .parse()
        .map_err(|e| format!("recipient {}: {e}", mail.recipient))?;
    let queued = std::time::UNIX_EPOCH
        + Duration::from_secs(u64::try_from(mail.created_at.and_utc().timestamp()).unwrap_or(0));
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .date(queued)
        .message_id(Some(message_id(settings, mail)));
    if let Some(link) = &mail.unsubscribe_url {
        // RFC 8058: a POST to the link unsubscribes without a further page.
        builder = builder
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{link}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ));
    }
    let body = MultiPart::alternative()
        .boundary(format!("copse-{}", local_id(mail)))
        .singlepart(SinglePart::plain(mail.text_body.clone()))
        .singlepart(SinglePart::html(mail.html_body.clone()));
    builder.multipart(body).map_err(|e| e.to_string())
}

/// `copse admin mail-test ADDRESS`: sends the test mail at once (not through the queue) and
/// says where it went, or why it did not.
pub async fn send_test(settings: &Settings, to: &str) -> Result<String, String> {
    let to = crate::domain::accounts::parse_email(to).map_err(|e| e.message)?;
    let composed = templates::mail_test(settings, None).map_err(|e| e.message)?;
    let mail = QueuedMail {
        id: 0,
        recipient: to.clone(),
        kind: composed.kind.into(),
        subject: composed.subject,
        text_body: composed.text,
        html_body: composed.html,
        unsubscribe_url: None,
        attempts: 0,
        created_at: crate::db::now(),
    };
    let mailer = Mailer::from_settings(settings)?;
    mailer
        .send(settings, &mail)
        .await
        .map_err(|e| format!("not sent to {to}: {}", e.message))?;
    Ok(match &mailer {
        Mailer::Smtp(_) => format!("the SMTP server took the test mail for {to}"),
        Mailer::Folder(folder) => format!(
            "no smtp_url set: the test mail for {to} was written to {}",
            folder.display()
        ),
    })
}
