//! `iosxe-bench`: the built runner against Keeper's reference script, side by side.
//!
//! Starts the IOS XE simulator once (admin with a type-0 password, so the device's own
//! cost per request is negligible), then runs, alternating, `iosxe-rotate` and
//! `python3 update-cisco-user.py` on the same kind of payload and device, N times each,
//! and prints medians, min/max and the ratio runner/reference for wall time, CPU time
//! (user+sys, from `wait4`) and peak RSS, plus the runner's own breakdown (`--timings`)
//! and the TLS handshakes per rotation. Scenarios: a type-0 password (the reference
//! script's own path), a type-9 secret (runner only: the reference script sends a
//! password, which the device refuses for a secret user), and both again with an added
//! per-request device latency.
//!
//! Usage: `cargo run --release -p iosxe-bench -- [--runs N] [--latency-ms MS]
//! [--runner PATH] [--reference PATH]`

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use iosxe_sim::{Credential, Faults, SimConfig, Simulator, User};
use serde_json::json;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ADMIN_PASSWORD: &str = "Bench-Adm1n-pw";

struct Args {
    runs: usize,
    latency_ms: u64,
    runner: PathBuf,
    reference: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut args = Args {
        runs: 20,
        latency_ms: 100,
        runner: target_dir(root).join("release/iosxe-rotate"),
        reference: root.join("../shared/reference/update-cisco-user.py"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--runs" => args.runs = value()?.parse().map_err(|_| "--runs: a number")?,
            "--latency-ms" => {
                args.latency_ms = value()?.parse().map_err(|_| "--latency-ms: a number")?
            }
            "--runner" => args.runner = value()?.into(),
            "--reference" => args.reference = value()?.into(),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(args)
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// One process run: wall time, CPU time, peak RSS, exit code and stderr.
struct Sample {
    wall: Duration,
    cpu: Duration,
    rss_kib: u64,
    code: i32,
    stderr: String,
}

// The child is reaped with `wait4` (for its rusage), not `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run_process(program: &Path, args: &[&str], stdin: &str) -> Sample {
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
    let mut input = child.stdin.take().unwrap();
    let _ = writeln!(input, "{stdin}");
    drop(input);
    let mut stderr = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut err, &mut stderr);
    }
    // wait4 gives this child's own CPU time and peak RSS.
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; `status` and `usage` are valid for writes.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert!(pid > 0, "wait4 failed");
    let wall = start.elapsed();
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Sample {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        rss_kib: usage.ru_maxrss as u64,
        code: if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        },
        stderr,
    }
}

fn payload(endpoint: &str, fingerprint: &str, user: &str, new: &str, old: &str) -> String {
    let records = json!([{"uid": "adm", "title": "Cisco Authentication Record", "login": "admin",
        "password": ADMIN_PASSWORD, "host_endpoint": endpoint, "tls_fingerprint": fingerprint}]);
    STANDARD.encode(
        json!({"providerRecordUid": "p", "resourceRecordUid": "r", "userRecordUid": "u",
               "user": user, "newPassword": new, "oldPassword": old,
               "records": STANDARD.encode(records.to_string())})
        .to_string(),
    )
}

/// Runner breakdown parsed from `--timings`.
#[derive(Default)]
struct Breakdown {
    ready: Vec<f64>,
    rotation: Vec<f64>,
    verify: Vec<f64>,
}

impl Breakdown {
    fn add(&mut self, stderr: &str) {
        let Some(line) = stderr.lines().find(|l| l.contains("timings:")) else {
            return;
        };
        let field = |name: &str| -> Option<f64> {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
        };
        self.ready.extend(field("ready_ms"));
        self.rotation.extend(field("rotation_ms"));
        self.verify.extend(field("verify_ms"));
    }
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn min_max(values: &[f64]) -> (f64, f64) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (min, max)
}

struct Series {
    name: &'static str,
    samples: Vec<Sample>,
    handshakes: usize,
}

impl Series {
    fn values(&self, f: impl Fn(&Sample) -> f64) -> Vec<f64> {
        self.samples.iter().map(f).collect()
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn print_series(series: &[&Series]) {
    println!(
        "  {:<10} {:>5} {:>22} {:>22} {:>16} {:>11} {:>6}",
        "",
        "runs",
        "wall ms med (min-max)",
        "cpu ms med (min-max)",
        "peak RSS MiB med",
        "handshakes",
        "exit0"
    );
    for s in series {
        let wall = s.values(|x| ms(x.wall));
        let cpu = s.values(|x| ms(x.cpu));
        let rss = s.values(|x| x.rss_kib as f64 / 1024.0);
        let (wmin, wmax) = min_max(&wall);
        let (cmin, cmax) = min_max(&cpu);
        let ok = s.samples.iter().filter(|x| x.code == 0).count();
        println!(
            "  {:<10} {:>5} {:>8.1} ({:>5.1}-{:>6.1}) {:>8.1} ({:>5.1}-{:>6.1}) {:>16.1} {:>11.1} {:>6}",
            s.name,
            s.samples.len(),
            median(&wall),
            wmin,
            wmax,
            median(&cpu),
            cmin,
            cmax,
            median(&rss),
            s.handshakes as f64 / s.samples.len().max(1) as f64,
            ok
        );
    }
}

fn ratio(a: &Series, b: &Series) {
    let r = |f: &dyn Fn(&Sample) -> f64| median(&a.values(f)) / median(&b.values(f));
    println!(
        "  ratio runner/reference (medians): wall {:.3}, cpu {:.3}, peak RSS {:.3}",
        r(&|x| ms(x.wall)),
        r(&|x| ms(x.cpu)),
        r(&|x| x.rss_kib as f64)
    );
}

fn print_breakdown(b: &Breakdown) {
    let (rmin, rmax) = min_max(&b.ready);
    println!(
        "  runner breakdown (medians): component ready {:.2} ms (min {:.2}, max {:.2}) after main(); rotation {:.1} ms, of which verification {:.1} ms",
        median(&b.ready),
        rmin,
        rmax,
        median(&b.rotation),
        median(&b.verify)
    );
}

/// Runs one scenario: alternating runner and (optionally) reference runs on `user`.
fn scenario(args: &Args, sim: &Simulator, user: &str, with_reference: bool) {
    let mut runner = Series {
        name: "runner",
        samples: Vec::new(),
        handshakes: 0,
    };
    let mut reference = Series {
        name: "reference",
        samples: Vec::new(),
        handshakes: 0,
    };
    let mut breakdown = Breakdown::default();
    let mut current = "Start-pw-0".to_string();
    for i in 0..args.runs {
        let next = format!("Runner-pw-{i}");
        let line = payload(&sim.endpoint(), &sim.fingerprint(), user, &next, &current);
        let before = sim.handshakes();
        let sample = run_process(&args.runner, &["--timings"], &line);
        runner.handshakes += sim.handshakes() - before;
        breakdown.add(&sample.stderr);
        if sample.code == 0 {
            current = next;
        } else if i == 0 {
            eprintln!("runner failed: {}", sample.stderr);
        }
        runner.samples.push(sample);

        if with_reference {
            let next = format!("Reference-pw-{i}");
            let line = payload(&sim.endpoint(), &sim.fingerprint(), user, &next, &current);
            let before = sim.handshakes();
            let sample = run_process(
                Path::new("python3"),
                &[args.reference.to_str().unwrap()],
                &line,
            );
            reference.handshakes += sim.handshakes() - before;
            if sim.running().users[user].accepts(&next) {
                current = next;
            }
            reference.samples.push(sample);
        }
    }
    if with_reference {
        print_series(&[&runner, &reference]);
        ratio(&runner, &reference);
    } else {
        print_series(&[&runner]);
    }
    print_breakdown(&breakdown);
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("iosxe-bench: {e}");
            std::process::exit(2);
        }
    };
    for (what, path) in [
        ("runner", &args.runner),
        ("reference script", &args.reference),
    ] {
        if !path.exists() {
            eprintln!(
                "iosxe-bench: no {what} at {} (build with `cargo build --release`, or pass --runner/--reference)",
                path.display()
            );
            std::process::exit(2);
        }
    }
    let probe = Command::new("python3")
        .args(["-c", "import requests"])
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("iosxe-bench: the reference script needs `requests`: pip install requests");
        std::process::exit(2);
    }
    let secret = iosxe_sim::type9_hash("Start-pw-0");
    let sim = Simulator::start(SimConfig {
        users: vec![
            ("admin".into(), User::admin(ADMIN_PASSWORD)),
            (
                "netops".into(),
                User {
                    privilege: Some(5),
                    password: Some(Credential {
                        encryption: "0".into(),
                        value: "Start-pw-0".into(),
                    }),
                    ..User::default()
                },
            ),
            (
                "secops".into(),
                User {
                    privilege: Some(5),
                    secret: Some(Credential {
                        encryption: "9".into(),
                        value: secret,
                    }),
                    ..User::default()
                },
            ),
        ],
        ..SimConfig::default()
    })
    .expect("simulator starts");
    println!(
        "iosxe-bench: {} runs per series on {} CPUs; runner {}; reference {}",
        args.runs,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        args.runner.display(),
        args.reference.display()
    );

    println!("\n[1] type-0 password (the reference script's path), device latency 0 ms");
    scenario(&args, &sim, "netops", true);
    println!(
        "\n[2] type-9 secret (runner only: the reference script cannot rotate a secret), latency 0 ms"
    );
    scenario(&args, &sim, "secops", false);

    sim.set_faults(Faults {
        delay: Duration::from_millis(args.latency_ms),
        ..Faults::default()
    });
    let slow = Args {
        runs: args.runs.div_ceil(4).max(3),
        ..args
    };
    println!(
        "\n[3] type-0 password, device latency {} ms per request",
        slow.latency_ms
    );
    scenario(&slow, &sim, "netops", true);
    println!(
        "\n[4] type-9 secret, device latency {} ms per request (runner only)",
        slow.latency_ms
    );
    scenario(&slow, &sim, "secops", false);
}
