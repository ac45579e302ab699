//! The stand-in for many remote instances: one actix server listening on many loopback ports
//! (instances are told apart by host and port), answering 202 to every delivery, plus "dead"
//! ports that accept connections and never answer. It runs as a child process (this binary,
//! mode `sink`) and reports each delivery on stdout as `R PORT EPOCH_NANOS KIND ID`.

use crate::Args;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::Value;
use std::{
    io::{BufRead, Write},
    net::TcpListener,
    process::Stdio,
    sync::{mpsc, Arc, Mutex},
};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// One delivery as the sink saw it.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub port: u16,
    pub at_nanos: u128,
    /// `Announce/Create`, `Announce/Page`, …
    pub kind: String,
    pub activity_id: String,
}

/// The sink child, seen from the benchmark.
pub struct Sink {
    pub child: Child,
    pub healthy: Vec<u16>,
    pub dead: Vec<u16>,
    receipts: Arc<Mutex<Vec<Receipt>>>,
}

impl Sink {
    /// Starts a sink with `healthy` answering ports and `dead` silent ones.
    pub async fn start(healthy: usize, dead: usize) -> Sink {
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .args(["sink", "--healthy", &healthy.to_string()])
            .args(["--dead", &dead.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("sink starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let (mut ports, mut dead_ports) = (Vec::new(), Vec::new());
        while let Some(line) = lines.next_line().await.expect("sink output") {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("PORTS") => ports = words.map(|w| w.parse().expect("port")).collect(),
                Some("DEAD") => dead_ports = words.map(|w| w.parse().expect("port")).collect(),
                Some("READY") => break,
                _ => {}
            }
        }
        let receipts = Arc::new(Mutex::new(Vec::new()));
        let log = receipts.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(receipt) = parse(&line) {
                    log.lock().unwrap().push(receipt);
                }
            }
        });
        Sink {
            child,
            healthy: ports,
            dead: dead_ports,
            receipts,
        }
    }

    pub fn receipts(&self) -> Vec<Receipt> {
        self.receipts.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.receipts.lock().unwrap().len()
    }

    pub fn peak_rss_mib(&self) -> Option<f64> {
        crate::child_peak_rss_mib(self.child.id()?)
    }
}

fn parse(line: &str) -> Option<Receipt> {
    let mut words = line.split_whitespace();
    if words.next()? != "R" {
        return None;
    }
    Some(Receipt {
        port: words.next()?.parse().ok()?,
        at_nanos: words.next()?.parse().ok()?,
        kind: words.next()?.to_string(),
        activity_id: words.next()?.to_string(),
    })
}

type Out = web::Data<Mutex<mpsc::Sender<String>>>;

async fn receive(request: HttpRequest, body: web::Bytes, out: Out) -> HttpResponse {
    let at = crate::epoch_nanos();
    let port = request
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit(':').next())
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or(0);
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let outer = json["type"].as_str().unwrap_or("?");
    let kind = match json["object"]["type"].as_str() {
        Some(inner) => format!("{outer}/{inner}"),
        None => outer.to_string(),
    };
    let id = json["id"].as_str().unwrap_or("?");
    let _ = out
        .lock()
        .unwrap()
        .send(format!("R {port} {at} {kind} {id}\n"));
    HttpResponse::Accepted().finish()
}

/// The child: binds, prints its ports, serves until its stdin closes.
pub fn child_main(args: &Args) {
    let healthy: Vec<TcpListener> = (0..args.number("healthy", 1))
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind"))
        .collect();
    // Bound and listening, never accepted: connections complete in the kernel's backlog and
    // requests are never answered, as a hung instance does.
    let dead: Vec<TcpListener> = (0..args.number("dead", 0))
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind"))
        .collect();
    let port = |l: &TcpListener| l.local_addr().expect("addr").port().to_string();
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        while let Ok(line) = rx.recv() {
            let _ = stdout.write_all(line.as_bytes());
            while let Ok(more) = rx.try_recv() {
                let _ = stdout.write_all(more.as_bytes());
            }
            let _ = stdout.flush();
        }
    });
    let ports: Vec<String> = healthy.iter().map(port).collect();
    let dead_ports: Vec<String> = dead.iter().map(port).collect();
    tx.send(format!("PORTS {}\n", ports.join(" "))).unwrap();
    tx.send(format!("DEAD {}\n", dead_ports.join(" "))).unwrap();
    // Ends the child when the benchmark closes our stdin (or dies).
    std::thread::spawn(|| {
        for _ in std::io::stdin().lock().lines() {}
        std::process::exit(0);
    });
    let workers = args.number("workers", 1);
    actix_web::rt::System::new().block_on(async move {
        let out: Out = web::Data::new(Mutex::new(tx.clone()));
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(out.clone())
                .default_service(web::post().to(receive))
        })
        .workers(workers)
        .backlog(1024)
        .disable_signals();
        for listener in healthy {
            server = server.listen(listener).expect("listen");
        }
        let running = server.run();
        tx.send("READY\n".into()).unwrap();
        let _ = running.await;
        drop(dead);
    });
}
