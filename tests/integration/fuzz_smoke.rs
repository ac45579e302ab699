//! Every fuzz target's checks (fuzz/checks.rs), run in the test suite: over the committed seeds
//! and a fixed number of deterministic mutations of them (bytes flipped, inserted, removed,
//! spliced; a seeded generator, so a failure reproduces). Guided fuzzing with libFuzzer is
//! `fuzz/run SECONDS` (docs/SECURITY.md); this keeps every target exercised on every CI run
//! without building the instrumented binaries.

#[path = "../../fuzz/checks.rs"]
mod checks;

use std::path::Path;

/// Mutations per target: enough to reach the checks' branches, bounded so the run stays short.
const MUTATIONS: usize = 4_000;

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| std::fs::read(e.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    seeds.push(Vec::new());
    seeds
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that matter to the parsers under test.
const INTERESTING: &[&[u8]] = &[
    b"\0",
    b"<",
    b">",
    b"\"",
    b"'",
    b"=",
    b",",
    b":",
    b"@",
    b".",
    b"/",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b"javascript:",
    b"<script>",
    b"onerror=",
    b"SHA-256=",
    b"keyId=",
    b"headers=",
    b"%00",
    b"\xe2\x80\xae",
    b"\xe2\x80\x8b",
    b"xn--",
    b"::ffff:",
    b"127.0.0.1",
    b"..",
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(5) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                data.splice(at..at, piece.iter().copied());
            }
            2 if !data.is_empty() => {
                let end = (at + 1 + rng.below(8)).min(data.len());
                data.drain(at.min(end)..end);
            }
            3 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                data.splice(at..at, other[from..].iter().copied());
            }
            _ => data.insert(at, rng.next() as u8),
        }
    }
    data
}

fn run(target: &str, check: fn(&[u8])) {
    let seeds = seeds(target);
    assert!(seeds.len() > 1, "no seeds for {target}");
    for seed in &seeds {
        check(seed);
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ target.len() as u64);
    for _ in 0..MUTATIONS {
        let input = mutate(&mut rng, &seeds);
        let outcome = std::panic::catch_unwind(|| check(&input));
        assert!(
            outcome.is_ok(),
            "{target} failed on {:?}",
            String::from_utf8_lossy(&input)
        );
    }
}

#[test]
fn signature_header() {
    run("signature_header", checks::signature_header);
}

#[test]
fn digest() {
    run("digest", checks::digest);
}

#[test]
fn activity() {
    run("activity", checks::activity);
}

#[test]
fn sanitize_html() {
    run("sanitize_html", checks::sanitize_html);
}

#[test]
fn host() {
    run("host", checks::host);
}

#[test]
fn webfinger() {
    run("webfinger", checks::webfinger);
}
