//! `iosxe-rotate demo`: a real rotation through the sandbox against the built-in IOS XE
//! simulator on loopback. Same path as a Keeper run: a Keeper-shaped payload line, the
//! embedded component, the egress policy and a pinned TLS certificate. The demo's
//! passwords are random and never printed.

use crate::cli::RunArgs;
use crate::component::{EMBEDDED, Source, sha256_hex};
use crate::outcome::BAD_INPUT;
use crate::sandbox::Call;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use iosxe_sim::{Config, Credential, SimConfig, Simulator, User};
use serde_json::json;
use std::process::ExitCode;

const DEMO_USER: &str = "netops";

pub async fn run() -> ExitCode {
    let admin_password = random_password();
    let old_password = random_password();
    let new_password = random_password();
    let netops = User {
        privilege: Some(5),
        description: Some("NOC operator".into()),
        secret: Some(Credential {
            encryption: "9".into(),
            value: iosxe_sim::type9_hash(&old_password),
        }),
        ..User::default()
    };
    let sim = match Simulator::start(SimConfig {
        users: vec![
            ("admin".into(), User::admin(&admin_password)),
            (DEMO_USER.into(), netops),
        ],
        ..SimConfig::default()
    }) {
        Ok(sim) => sim,
        Err(e) => {
            crate::log::Log::default().error(&format!("cannot start the simulator: {e}"));
            return ExitCode::from(BAD_INPUT);
        }
    };
    println!(
        "Simulated IOS XE device on {} (self-signed certificate, SHA-256 {})",
        sim.endpoint(),
        sim.fingerprint()
    );
    println!("Device before the rotation:");
    print_users(&sim.running(), &new_password, &old_password);

    let records = json!([
        {"uid": "cfg", "title": "PAM Configuration"},
        {"uid": "adm", "title": payload::DEFAULT_AUTH_RECORD_TITLE, "login": "admin",
         "password": admin_password, "host_endpoint": sim.endpoint(),
         "tls_fingerprint": sim.fingerprint()},
    ]);
    let line = STANDARD.encode(
        json!({"providerRecordUid": "cfg", "resourceRecordUid": "res", "userRecordUid": "usr",
               "user": DEMO_USER, "newPassword": new_password, "oldPassword": old_password,
               "records": STANDARD.encode(records.to_string())})
        .to_string(),
    );
    println!("\nDry run first (`iosxe-rotate check`: only GET requests may leave the sandbox):");
    crate::run::run(
        line.clone(),
        &RunArgs::default(),
        &Source::Embedded,
        Call::Check,
    )
    .await;
    println!(
        "\nRotating user '{DEMO_USER}' through the sandbox (component SHA-256 {}):",
        sha256_hex(EMBEDDED)
    );
    let code = crate::run::run(line, &RunArgs::default(), &Source::Embedded, Call::Rotate).await;

    println!("\nDevice after the rotation (running-config):");
    print_users(&sim.running(), &new_password, &old_password);
    let saved = sim
        .startup()
        .users
        .get(DEMO_USER)
        .is_some_and(|u| u.accepts(&new_password));
    println!(
        "startup-config holds the new password: {}",
        if saved { "yes" } else { "no" }
    );
    code
}

fn print_users(config: &Config, new_password: &str, old_password: &str) {
    for (name, user) in &config.users {
        let credential = match (&user.password, &user.secret) {
            (Some(c), _) => format!("password type {}", c.encryption),
            (None, Some(c)) => format!("secret type {} {}", c.encryption, abbreviate(&c.value)),
            (None, None) => "no credential".into(),
        };
        let accepts = if name == DEMO_USER {
            format!(
                ", accepts old password: {}, new password: {}",
                yes_no(user.accepts(old_password)),
                yes_no(user.accepts(new_password))
            )
        } else {
            String::new()
        };
        println!(
            "  username {name:<8} privilege {:<2} {credential}{accepts}",
            user.privilege.unwrap_or(1)
        );
    }
}

/// The first characters of a hash: enough to see it change, not a credential.
fn abbreviate(hash: &str) -> String {
    format!("{}...", hash.chars().take(12).collect::<String>())
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn random_password() -> String {
    use rand::Rng as _;
    let mut rng = rand::thread_rng();
    (0..20)
        .map(|_| rng.sample(rand::distributions::Alphanumeric) as char)
        .collect()
}
