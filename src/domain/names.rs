//! Names of local actors (users and communities share one namespace, so `acct:NAME@host` is never
//! ambiguous) and host names.

use crate::error::{Error, ErrorKind, Result};

/// Longest user or community name.
pub const MAX_NAME_LEN: usize = 30;

/// Names that would collide with routes, well-known accounts or impersonate the instance.
const RESERVED: &[&str] = &[
    "about",
    "actor",
    "admin",
    "admins",
    "administrator",
    "all",
    "api",
    "c",
    "community",
    "communities",
    "copse",
    "inbox",
    "instance",
    "mod",
    "moderator",
    "moderators",
    "modlog",
    "nodeinfo",
    "outbox",
    "postmaster",
    "root",
    "security",
    "settings",
    "shared",
    "site",
    "static",
    "support",
    "system",
    "u",
    "user",
    "users",
    "webmaster",
    "www",
];

/// Checks a user or community name: lowercase ASCII letters, digits and `_`, 1–30 characters,
/// not reserved. Malformed names are 400; reserved ones 422.
pub fn validate_name(field: &str, name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::invalid_field(field, "must not be empty"));
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(Error::invalid_field(
            field,
            format_args!("at most {MAX_NAME_LEN} characters"),
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(Error::invalid_field(
            field,
            "only lowercase letters a-z, digits and _ are allowed",
        ));
    }
    if RESERVED.contains(&name) {
        let mut e = Error::new(
            ErrorKind::Unprocessable,
            "name_reserved",
            format!("{field}: `{name}` is reserved"),
        );
        e.field = Some(field.to_string());
        return Err(e);
    }
    Ok(())
}

/// Parses `host` or `host:port` as configured or as found in a URL, returning the canonical
/// form: lowercase, IDNA (punycode), no trailing dot. Instances are peers by host *and* port.
pub fn parse_hostname(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("must not be empty".into());
    }
    if raw.contains('/') || raw.contains('@') || raw.chars().any(char::is_whitespace) {
        return Err(format!(
            "`{raw}` is not a host name (expected host or host:port)"
        ));
    }
    let url = url::Url::parse(&format!("http://{raw}/"))
        .map_err(|e| format!("`{raw}` is not a host name: {e}"))?;
    let host = url
        .host_str()
        .and_then(canonical_host)
        .ok_or_else(|| format!("`{raw}` has no valid host"))?;
    let explicit_port = raw
        .rsplit_once(':')
        .filter(|(h, p)| !h.ends_with(']') || !p.is_empty())
        .and_then(|(_, p)| p.parse::<u16>().ok());
    Ok(match explicit_port {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// A URL's host without trailing dots, parsed again: trimming can change what it is (`7.7..`
/// is a name, `7.7` the IPv4 address 7.0.0.7; `a.7..` is a name, `a.7` nothing), and the
/// canonical form must be a fixed point. None when the trimmed host is not a host.
fn canonical_host(host: &str) -> Option<String> {
    let trimmed = host.trim_end_matches('.');
    url::Url::parse(&format!("http://{trimmed}/"))
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .filter(|h| !h.is_empty())
}

/// The instance serving `url`, as `host[:port]` in the canonical form of [`parse_hostname`]
/// (the port only when the URL gives one), so that it compares with instance-policy entries
/// and with the ids of the people of that instance.
pub fn instance_of(url: &url::Url) -> Option<String> {
    let host = canonical_host(url.host_str()?)?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// Whether two URLs share an origin: scheme, canonical host and port. The one comparison behind
/// "this object is on its actor's (or its community's) server".
pub fn same_origin(a: &url::Url, b: &url::Url) -> bool {
    a.scheme() == b.scheme() && instance_of(a).is_some() && instance_of(a) == instance_of(b)
}

/// Which of the two instance lists an entry is on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum InstanceList {
    /// Nothing is exchanged with the instance.
    Block,
    /// When the allow-list is not empty, only its instances are federated with.
    Allow,
}

impl InstanceList {
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceList::Block => "block",
            InstanceList::Allow => "allow",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "block" => Some(InstanceList::Block),
            "allow" => Some(InstanceList::Allow),
            _ => None,
        }
    }
}

/// Which instances we federate with, from the block- and allow-lists (the settings' and the
/// administrators'). Instances are `host[:port]`, compared in canonical form (lowercase, IDNA,
/// no trailing dot); an entry without a port covers every port of its host.
#[derive(Debug, Clone, Default)]
pub struct InstancePolicy {
    blocked: Vec<(String, Option<u16>)>,
    allowed: Vec<(String, Option<u16>)>,
}

fn entries(list: &[String]) -> Vec<(String, Option<u16>)> {
    list.iter()
        .filter_map(|e| parse_hostname(e).ok())
        .map(|canonical| match canonical.rsplit_once(':') {
            Some((host, port)) if port.parse::<u16>().is_ok() => {
                (host.to_string(), port.parse().ok())
            }
            _ => (canonical, None),
        })
        .collect()
}

impl InstancePolicy {
    pub fn new(blocked: &[String], allowed: &[String]) -> Self {
        InstancePolicy {
            blocked: entries(blocked),
            allowed: entries(allowed),
        }
    }

    /// Whether we may exchange anything with the instance serving `url`.
    pub fn permits(&self, url: &url::Url) -> bool {
        let Some(host) = url.host_str().and_then(canonical_host) else {
            return false;
        };
        // `https://h/` is port 443: an entry `h:443` covers it.
        let port = url.port_or_known_default();
        let matches = |(h, p): &(String, Option<u16>)| *h == host && (p.is_none() || *p == port);
        if self.blocked.iter().any(matches) {
            return false;
        }
        self.allowed.is_empty() || self.allowed.iter().any(matches)
    }
}

/// `name@host` of an actor: the host (and port) of its id, so local and remote actors read
/// alike; `our_host` for an id without one.
pub fn handle(name: &str, ap_id: &url::Url, our_host: &str) -> String {
    match (ap_id.host_str(), ap_id.port()) {
        (Some(h), Some(p)) => format!("{name}@{h}:{p}"),
        (Some(h), None) => format!("{name}@{h}"),
        (None, _) => format!("{name}@{our_host}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rules() {
        assert!(validate_name("name", "garden_club_2").is_ok());
        assert!(validate_name("name", "").is_err());
        assert!(validate_name("name", "Garden").is_err());
        assert!(validate_name("name", "a-b").is_err());
        assert!(validate_name("name", &"a".repeat(31)).is_err());
        assert!(validate_name("name", &"a".repeat(30)).is_ok());
        let reserved = validate_name("name", "admin").err().map(|e| e.kind);
        assert_eq!(reserved, Some(ErrorKind::Unprocessable));
    }

    #[test]
    fn instance_policy_matches_host_and_port() {
        let url = |s: &str| url::Url::parse(s).ok();
        let p = InstancePolicy::new(&["EXAMPLE.com.".into(), "localhost:8001".into()], &[]);
        assert!(!url("https://example.com/u/a").is_some_and(|u| p.permits(&u)));
        assert!(!url("https://Example.COM:8443/u/a").is_some_and(|u| p.permits(&u)));
        assert!(!url("https://example.com./u/a").is_some_and(|u| p.permits(&u)));
        assert!(!url("http://localhost:8001/u/a").is_some_and(|u| p.permits(&u)));
        assert!(url("http://localhost:8002/u/a").is_some_and(|u| p.permits(&u)));
        assert!(url("https://other.example/u/a").is_some_and(|u| p.permits(&u)));
        let only = InstancePolicy::new(&[], &["friends.example".into()]);
        assert!(url("https://friends.example/c/x").is_some_and(|u| only.permits(&u)));
        assert!(!url("https://strangers.example/c/x").is_some_and(|u| only.permits(&u)));
        let idn = InstancePolicy::new(&["bücher.example".into()], &[]);
        assert!(!url("https://xn--bcher-kva.example/").is_some_and(|u| idn.permits(&u)));
    }

    #[test]
    fn an_instance_is_its_host_and_port() {
        let of = |s: &str| url::Url::parse(s).ok().as_ref().and_then(instance_of);
        assert_eq!(
            of("https://Example.COM./u/a").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            of("https://example.com:443/u/a").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            of("http://localhost:8001/u/a").as_deref(),
            Some("localhost:8001")
        );
        assert_eq!(
            of("https://bücher.example/").as_deref(),
            parse_hostname("bücher.example").ok().as_deref()
        );
    }

    #[test]
    fn hostnames_are_canonical() {
        assert_eq!(parse_hostname("EXAMPLE.com.").as_deref(), Ok("example.com"));
        assert_eq!(
            parse_hostname("localhost:8080").as_deref(),
            Ok("localhost:8080")
        );
        assert_eq!(
            parse_hostname("bücher.example").as_deref(),
            Ok("xn--bcher-kva.example")
        );
        assert!(parse_hostname("").is_err());
        assert!(parse_hostname("a b").is_err());
        assert!(parse_hostname("http://x/").is_err());
        assert!(parse_hostname("host:99999").is_err());
        // Found by fuzzing (fuzz/host): trimming the dots must not leave a different host.
        assert_eq!(parse_hostname("7.7..").as_deref(), Ok("7.0.0.7"));
        let p = InstancePolicy::new(&["7.7..".into()], &[]);
        assert!(!url::Url::parse("http://7.7../").is_ok_and(|u| p.permits(&u)));
        assert!(!url::Url::parse("http://7.0.0.7/").is_ok_and(|u| p.permits(&u)));
        assert!(parse_hostname("pr..7..").is_err());
        let https = InstancePolicy::new(&["example.com:443".into()], &[]);
        assert!(!url::Url::parse("https://example.com/").is_ok_and(|u| https.permits(&u)));
        assert!(url::Url::parse("https://example.com:8443/").is_ok_and(|u| https.permits(&u)));
    }
}
