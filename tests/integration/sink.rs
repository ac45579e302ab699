//! A stand-in for remote inboxes we do not run copse on: an HTTP server on loopback that records
//! every activity delivered to `/inbox/{name}` and answers as the test tells it to (a status,
//! optionally `Retry-After`), per activity, after a delay if told to.

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::Value;
use std::{
    net::TcpListener,
    sync::{Arc, Mutex},
};

/// One delivery as the sink saw it.
#[derive(Debug, Clone)]
pub struct Received {
    #[allow(dead_code)]
    pub inbox: String,
    pub body: Value,
    pub status: u16,
}

impl Received {
    /// The type of the activity, and of what it wraps (`Announce/Create`, `Announce/Page`).
    pub fn kinds(&self) -> String {
        let outer = self.body["type"].as_str().unwrap_or("?");
        match self.body["object"]["type"].as_str() {
            Some(inner) => format!("{outer}/{inner}"),
            None => outer.to_string(),
        }
    }

    /// The id of the post or comment the activity is about, however deeply wrapped.
    pub fn object_id(&self) -> String {
        let mut v = &self.body;
        for _ in 0..4 {
            match &v["object"] {
                Value::String(s) => return s.clone(),
                o @ Value::Object(m) if m.contains_key("object") => v = o,
                Value::Object(m) => return m["id"].as_str().unwrap_or_default().to_string(),
                _ => break,
            }
        }
        String::new()
    }
}

/// Decides the answer to a delivery: (status, Retry-After seconds).
pub type Rule = Arc<dyn Fn(&Received) -> (u16, Option<u64>) + Send + Sync>;

type State = (
    Arc<Mutex<Vec<Received>>>,
    Arc<Mutex<Rule>>,
    Arc<Mutex<std::time::Duration>>,
);

pub struct Sink {
    pub port: u16,
    log: Arc<Mutex<Vec<Received>>>,
    rule: Arc<Mutex<Rule>>,
    delay: Arc<Mutex<std::time::Duration>>,
    handle: actix_web::dev::ServerHandle,
}

async fn receive(request: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut received = Received {
        inbox: request.path().to_string(),
        body,
        status: 0,
    };
    let rule = state.1.lock().unwrap().clone();
    let (status, retry_after) = rule(&received);
    received.status = status;
    state.0.lock().unwrap().push(received);
    // Logged on arrival; answered after the delay (a slow inbox: the delivery stays in flight).
    let delay = *state.2.lock().unwrap();
    tokio::time::sleep(delay).await;
    let mut response = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
    if let Some(secs) = retry_after {
        response.insert_header(("Retry-After", secs.to_string()));
    }
    response.finish()
}

impl Sink {
    /// A sink answering 202 to everything.
    pub async fn start() -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let rule: Arc<Mutex<Rule>> = Arc::new(Mutex::new(Arc::new(|_| (202, None))));
        let delay = Arc::new(Mutex::new(std::time::Duration::ZERO));
        let state = web::Data::new((log.clone(), rule.clone(), delay.clone()));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .route("/inbox/{name}", web::post().to(receive))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Sink {
            port,
            log,
            rule,
            delay,
            handle,
        }
    }

    /// Answers every delivery only after `delay`.
    pub fn answer_after(&self, delay: std::time::Duration) {
        *self.delay.lock().unwrap() = delay;
    }

    pub fn answer(&self, rule: impl Fn(&Received) -> (u16, Option<u64>) + Send + Sync + 'static) {
        *self.rule.lock().unwrap() = Arc::new(rule);
    }

    pub fn inbox(&self, name: &str) -> String {
        format!("http://localhost:{}/inbox/{name}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}
