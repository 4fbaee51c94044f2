//! `iosxe-rotate payload`: a Keeper-shaped payload line for testing by hand. Passwords
//! come from a no-echo prompt on a terminal, or from stdin one per line; never from the
//! command line, where other users and shell history would see them.

use crate::cli::{PayloadArgs, RunArgs};
use crate::log::Log;
use crate::outcome::BAD_INPUT;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use zeroize::Zeroizing;

pub fn run(args: &PayloadArgs, run: &RunArgs) -> ExitCode {
    match build(args, run) {
        Ok(line) => {
            println!("{}", *line);
            ExitCode::SUCCESS
        }
        Err(e) => {
            Log::default().error(&e);
            ExitCode::from(BAD_INPUT)
        }
    }
}

fn build(args: &PayloadArgs, run: &RunArgs) -> Result<Zeroizing<String>, String> {
    payload::Endpoint::parse(&args.host).map_err(|e| format!("--host is not host[:port]: {e}"))?;
    let mut read = password_source();
    let admin = read(&format!(
        "Password of admin '{}' on the device: ",
        args.login
    ))?
    .filter(|p| !p.is_empty())
    .ok_or("the admin password is required")?;
    let new = read(&format!("New password for '{}': ", args.user))?
        .filter(|p| !p.is_empty())
        .ok_or("the new password is required")?;
    let old = read(&format!(
        "Current (old) password of '{}', optional: ",
        args.user
    ))?
    .filter(|p| !p.is_empty());

    let mut record = serde_json::json!({
        "uid": "manual-admin", "title": run.auth_record_title, "login": args.login,
        "password": *admin, "host_endpoint": args.host,
    });
    if let Some(fp) = &args.tls_fingerprint {
        record["tls_fingerprint"] = fp.as_str().into();
    }
    if let Some(path) = &args.tls_ca {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read --tls-ca {}: {e}", path.display()))?;
        record["tls_ca"] = pem.into();
    }
    if args.insecure {
        record["tls_verify"] = "false".into();
    }
    let records = Zeroizing::new(serde_json::Value::Array(vec![record]).to_string());
    let mut top = serde_json::json!({
        "providerRecordUid": "manual", "resourceRecordUid": "manual", "userRecordUid": "manual",
        "user": args.user, "newPassword": *new, "records": STANDARD.encode(records.as_bytes()),
    });
    if let Some(old) = old {
        top["oldPassword"] = old.as_str().into();
    }
    let line = Zeroizing::new(STANDARD.encode(top.to_string()));
    // The line is checked by the same parser the runner uses.
    payload::parse(&line, &run.auth_record_title).map_err(|e| e.to_string())?;
    Ok(line)
}

type Reader = Box<dyn FnMut(&str) -> Result<Option<Zeroizing<String>>, String>>;

/// Prompts without echo on a terminal; otherwise reads stdin line by line.
fn password_source() -> Reader {
    if std::io::stdin().is_terminal() {
        Box::new(|prompt: &str| {
            rpassword::prompt_password(prompt)
                .map(|p| Some(Zeroizing::new(p)))
                .map_err(|e| format!("cannot read a password: {e}"))
        })
    } else {
        let mut lines = std::io::stdin().lock().lines();
        Box::new(move |_prompt: &str| {
            lines
                .next()
                .transpose()
                .map(|line| line.map(|l| Zeroizing::new(l.trim_end_matches('\r').to_string())))
                .map_err(|e| format!("cannot read stdin: {e}"))
        })
    }
}
