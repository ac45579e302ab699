//! A real SMTP server for the tests (mailin-embedded), in this process on a loopback port: copse
//! talks SMTP to it over TCP, and the tests read what it received, parsed as MIME (mailparse).
//! It can be told to refuse mail for a while (451 to every recipient, as greylisting does, so
//! the sender retries).

use mailin_embedded::{response, Handler, Response, Server, SslConfig};
use std::{
    net::TcpListener,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent (headers and body).
    pub data: Vec<u8>,
}

impl Received {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }

    pub fn parsed(&self) -> mailparse::ParsedMail<'_> {
        mailparse::parse_mail(&self.data).expect("a MIME message")
    }

    /// A header of the message, decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        use mailparse::MailHeaderMap;
        self.parsed().headers.get_first_value(name)
    }

    /// The decoded body of the part whose type is `mime` (`text/plain`, `text/html`).
    pub fn part(&self, mime: &str) -> String {
        let parsed = self.parsed();
        parsed
            .subparts
            .iter()
            .find(|p| p.ctype.mimetype == mime)
            .unwrap_or_else(|| panic!("no {mime} part in {}", self.text()))
            .get_body()
            .expect("decoded body")
    }

    /// The first `http…` link in the text part that contains `path`.
    pub fn link(&self, path: &str) -> String {
        self.part("text/plain")
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(path))
            .unwrap_or_else(|| panic!("no link to {path} in {}", self.text()))
            .to_string()
    }
}

#[derive(Clone)]
struct Recorder {
    received: Arc<Mutex<Vec<Received>>>,
    refusing: Arc<AtomicBool>,
    current: Option<Received>,
}

impl Handler for Recorder {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Received {
            from: from.to_string(),
            to: to.to_vec(),
            data: Vec::new(),
        });
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(current) = &mut self.current {
            current.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let Some(message) = self.current.take() else {
            return response::INTERNAL_ERROR;
        };
        self.received.lock().unwrap().push(message);
        response::OK
    }

    fn rcpt(&mut self, _to: &str) -> Response {
        // Refusing: 451 to every recipient, as a greylisting server does.
        if self.refusing.load(Ordering::SeqCst) {
            return response::INTERNAL_ERROR;
        }
        response::OK
    }
}

/// A running SMTP server (its thread lives as long as the test process).
pub struct SmtpServer {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    refusing: Arc<AtomicBool>,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let refusing = Arc::new(AtomicBool::new(false));
        let recorder = Recorder {
            received: received.clone(),
            refusing: refusing.clone(),
            current: None,
        };
        let mut server = Server::new(recorder);
        server
            .with_name("smtp.test")
            .with_ssl(SslConfig::None)
            .expect("no TLS")
            .with_num_threads(2)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpServer {
            port,
            received,
            refusing,
        }
    }

    /// The `smtp_url` of this server (plain SMTP on loopback).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// While true, every recipient is answered 451 (a transient failure).
    pub fn refuse(&self, refusing: bool) {
        self.refusing.store(refusing, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `n` messages arrived (or fails after 15 s), and returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        crate::helpers::eventually(&format!("{n} mail(s) received"), || async {
            let got = self.received();
            (got.len() >= n).then_some(got)
        })
        .await
    }

    /// The messages received for `address`.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .collect()
    }
}
