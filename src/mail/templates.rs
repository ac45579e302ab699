//! The mails copse sends, each an askama pair in `src/mail/templates`: `NAME.txt` (plain text,
//! not escaped) and `NAME.html` (escaped, extending `layout.html`), rendered together into a
//! [`Composed`] mail when it is queued. docs/MAIL.md shows one of each.

use crate::{config::Settings, error::Result};
use askama::Template;

/// A mail rendered and ready to queue (`db::mail::enqueue`).
#[derive(Debug, Clone)]
pub struct Composed {
    /// What it is, for the queue and the log: `confirm_email`, `password_reset`, …
    pub kind: &'static str,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Set on everything that is not about the account's security: sent as `List-Unsubscribe`
    /// with `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058) and linked in the
    /// footer.
    pub unsubscribe: Option<String>,
}

/// Declares the text and HTML templates of one mail, with the fields every mail has
/// (`subject`, `instance`, `unsubscribe`, `about_account`: account security, which the footer
/// says is sent whatever one's mail settings) and its own.
macro_rules! mail_templates {
    ($text:ident = $text_path:literal, $html:ident = $html_path:literal,
     { $($field:ident: $ty:ty),* $(,)? }) => {
        #[derive(Template)]
        #[template(path = $text_path, config = "src/mail/askama.toml")]
        struct $text<'a> {
            #[allow(dead_code)]
            subject: &'a str,
            instance: &'a str,
            unsubscribe: Option<&'a str>,
            about_account: bool,
            $($field: $ty),*
        }

        #[derive(Template)]
        #[template(path = $html_path, config = "src/mail/askama.toml")]
        struct $html<'a> {
            subject: &'a str,
            instance: &'a str,
            unsubscribe: Option<&'a str>,
            about_account: bool,
            $($field: $ty),*
        }
    };
}

mail_templates!(ConfirmText = "confirm_email.txt", ConfirmHtml = "confirm_email.html",
    { name: &'a str, link: &'a str, hours: i64, change: bool });
mail_templates!(ResetText = "password_reset.txt", ResetHtml = "password_reset.html",
    { name: &'a str, link: &'a str, minutes: i64 });
mail_templates!(ChangedText = "email_changed.txt", ChangedHtml = "email_changed.html",
    { name: &'a str, new_address: &'a str, settings_link: &'a str, pending: bool });
mail_templates!(NotificationText = "notification.txt", NotificationHtml = "notification.html",
    { name: &'a str, sentence: &'a str, link: &'a str, excerpt: Option<&'a str>,
      notifications_link: &'a str, settings_link: &'a str });
mail_templates!(TestText = "mail_test.txt", TestHtml = "mail_test.html", {});
mail_templates!(DigestText = "digest.txt", DigestHtml = "digest.html",
    { name: &'a str, frequency: &'a str, parts: &'a [DigestPart<'a>], settings_link: &'a str });

/// One community of a digest, with its own unsubscribe link (when there is one).
pub struct DigestPart<'a> {
    pub section: &'a crate::views::digests::Section,
    pub unsubscribe: Option<String>,
}

/// Renders one mail's pair of templates, built by `$make` from the common fields.
macro_rules! compose {
    ($settings:expr, $kind:literal, $subject:expr, $unsubscribe:expr, $text:ident, $html:ident,
     { $($field:ident: $value:expr),* $(,)? }) => {{
        let subject: String = $subject;
        let instance = $settings.hostname.as_str();
        let unsubscribe: Option<String> = $unsubscribe;
        let about_account = !matches!($kind, "mail_test" | "notification" | "digest");
        let text = $text {
            subject: &subject,
            instance,
            unsubscribe: unsubscribe.as_deref(),
            about_account,
            $($field: $value),*
        }
        .render()
        .map_err(anyhow::Error::from)?;
        let html = $html {
            subject: &subject,
            instance,
            unsubscribe: unsubscribe.as_deref(),
            about_account,
            $($field: $value),*
        }
        .render()
        .map_err(anyhow::Error::from)?;
        Ok(Composed { kind: $kind, subject, text, html, unsubscribe })
    }};
}

/// "Confirm your address": at sign-up (`change` false) or for a new address (`change` true),
/// sent to the address to confirm.
pub fn confirm_email(
    settings: &Settings,
    name: &str,
    link: &str,
    hours: i64,
    change: bool,
) -> Result<Composed> {
    compose!(settings, "confirm_email",
        format!("Confirm your address on {}", settings.hostname), None,
        ConfirmText, ConfirmHtml, { name: name, link: link, hours: hours, change: change })
}

/// "Reset your password": the one-time link, valid `minutes`.
pub fn password_reset(
    settings: &Settings,
    name: &str,
    link: &str,
    minutes: i64,
) -> Result<Composed> {
    compose!(settings, "password_reset",
        format!("Reset your password on {}", settings.hostname), None,
        ResetText, ResetHtml, { name: name, link: link, minutes: minutes })
}

/// "Your address was changed" (or, `pending`, "asked to be changed"), sent to the OLD address.
pub fn email_changed(
    settings: &Settings,
    name: &str,
    new_address: &str,
    pending: bool,
) -> Result<Composed> {
    let settings_link = settings.url("/settings");
    compose!(settings, "email_changed",
        if pending {
            format!("The address of your account on {} is changing", settings.hostname)
        } else {
            format!("The address of your account on {} was changed", settings.hostname)
        },
        None,
        ChangedText, ChangedHtml,
        { name: name, new_address: new_address, settings_link: &settings_link, pending: pending })
}

/// The message of `copse admin mail-test` (with `unsubscribe`, it shows the footer and headers
/// of mail one may unsubscribe from).
pub fn mail_test(settings: &Settings, unsubscribe: Option<String>) -> Result<Composed> {
    compose!(
        settings,
        "mail_test",
        format!("Test message from {}", settings.hostname),
        unsubscribe,
        TestText,
        TestHtml,
        {}
    )
}

/// A notification (`actions::notifications`): its sentence, a link to what it is about, the
/// text of a reply or mention, and the one-click unsubscribe link of notification mail.
pub fn notification(
    settings: &Settings,
    name: &str,
    sentence: &str,
    link: &str,
    excerpt: Option<&str>,
    unsubscribe: String,
) -> Result<Composed> {
    let notifications_link = settings.url("/notifications");
    let settings_link = settings.url("/settings#mail");
    let subject: String = sentence.chars().take(150).collect();
    compose!(settings, "notification", subject, Some(unsubscribe),
        NotificationText, NotificationHtml,
        { name: name, sentence: sentence, link: link, excerpt: excerpt,
          notifications_link: &notifications_link, settings_link: &settings_link })
}

/// A member's digest (`frequency`: "weekly", …) of the communities in `parts`; `unsubscribe`
/// turns every digest off.
pub fn digest(
    settings: &Settings,
    name: &str,
    frequency: &str,
    parts: &[DigestPart<'_>],
    unsubscribe: Option<String>,
) -> Result<Composed> {
    let settings_link = settings.url("/settings/digests");
    let subject = match parts {
        [one] => format!("Your {frequency} digest: {}", one.section.roundup.title),
        _ => format!("Your {frequency} digest of {} communities", parts.len()),
    };
    compose!(settings, "digest", subject, unsubscribe, DigestText, DigestHtml,
        { name: name, frequency: frequency, parts: parts, settings_link: &settings_link })
}
