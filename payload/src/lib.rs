//! The one parser of Keeper's post-rotation payload.
//!
//! Keeper's gateway pipes one line to the script: standard base64 of a JSON object whose
//! `records` key is base64 of a JSON array of flat vault records. Both the sealed
//! component (to rotate) and the runner (to derive the egress rule and TLS trust) call
//! [`parse`]; there is no second parser.
//!
//! Parsing is two steps: serde into loose raw types, then validation into [`Rotation`],
//! whose secrets are [`SecretString`]s (redacted `Debug`, zeroized on drop). Error
//! messages name the field to fix and never contain a value from the payload.

mod endpoint;
mod tls;

pub use endpoint::{Endpoint, EndpointError, HTTPS_PORT, Host};
pub use secrecy::{ExposeSecret, SecretString};
pub use tls::{TlsTrust, parse_fingerprint};

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

/// Title of the admin record when the runner is not told otherwise.
pub const DEFAULT_AUTH_RECORD_TITLE: &str = "Cisco Authentication Record";

/// Largest payload line the runner reads (Keeper's are a few KiB).
pub const MAX_PAYLOAD_BYTES: usize = 1024 * 1024;

/// A validated rotation request.
#[derive(Debug)]
pub struct Rotation {
    /// Where the device's RESTCONF server is.
    pub endpoint: Endpoint,
    /// The admin account used to authenticate to the device.
    pub admin_login: String,
    pub admin_password: SecretString,
    /// The device user to rotate.
    pub user: String,
    pub new_password: SecretString,
    /// Keeper's previous password for the user, when it sent one.
    pub old_password: Option<SecretString>,
    /// How the device's TLS certificate is to be trusted.
    pub tls: TlsTrust,
    /// Every value of the payload that is a secret, for output scanning.
    secrets: Vec<SecretString>,
}

impl Rotation {
    /// All secret values found in the payload (passwords of every record and of the
    /// rotation). Output is checked against these before it is written.
    pub fn secrets(&self) -> impl Iterator<Item = &str> {
        self.secrets.iter().map(|s| s.expose_secret())
    }
}

/// Why a payload was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("the payload is empty: Keeper pipes one base64 line to the script's stdin")]
    Empty,
    #[error("the payload is not base64 ({0}): Keeper pipes one base64 line to the script's stdin")]
    NotBase64(String),
    #[error("the payload is not a JSON object after base64 decoding ({0})")]
    NotJson(String),
    #[error("the payload has no `{0}` (a non-empty text value is required)")]
    MissingField(&'static str),
    #[error("the payload's `{0}` is not text")]
    NotText(&'static str),
    #[error("the payload's `records` is not base64 ({0})")]
    RecordsNotBase64(String),
    #[error("the payload's `records` is not a JSON array of records ({0})")]
    RecordsNotJson(String),
    #[error(
        "no record titled '{title}' among the script's records (found: {found}); attach the admin record to the PAM script as a rotation credential, or pass --auth-record-title"
    )]
    NoAdminRecord { title: String, found: String },
    #[error(
        "{count} different records are titled '{title}': keep one, or pass --auth-record-title"
    )]
    AmbiguousAdminRecord { title: String, count: usize },
    #[error("the record '{title}' has no `{field}` field (a non-empty text value is required)")]
    MissingRecordField { title: String, field: &'static str },
    #[error("the record '{title}' field `{field}` is not text")]
    RecordFieldNotText { title: String, field: &'static str },
    #[error("the record '{title}' field `host_endpoint` is not host[:port]: {error}")]
    BadEndpoint { title: String, error: EndpointError },
    #[error("the record '{title}' field `{field}` is invalid: {reason}")]
    BadTls {
        title: String,
        field: &'static str,
        reason: String,
    },
}

/// Parses the line Keeper piped to stdin, finding the admin record by `auth_record_title`
/// (case-insensitive).
pub fn parse(line: &str, auth_record_title: &str) -> Result<Rotation, PayloadError> {
    let line = line.trim();
    if line.is_empty() {
        return Err(PayloadError::Empty);
    }
    let top = decode_json(line, PayloadError::NotBase64, PayloadError::NotJson)?;
    let Value::Object(top) = top else {
        return Err(PayloadError::NotJson("it is not an object".into()));
    };
    let mut secrets = Vec::new();
    let mut secret = |field: &'static str, required: bool| -> Result<Option<SecretString>, _> {
        let value = text(&top, field, required, PayloadError::NotText)?;
        Ok(value.map(|v| {
            secrets.push(SecretString::from(v.clone()));
            SecretString::from(v)
        }))
    };
    let new_password =
        secret("newPassword", true)?.ok_or(PayloadError::MissingField("newPassword"))?;
    let old_password = secret("oldPassword", false)?;
    let user = text(&top, "user", true, PayloadError::NotText)?.unwrap_or_default();

    let records = text(&top, "records", true, PayloadError::NotText)?.unwrap_or_default();
    let records = decode_json(
        &records,
        PayloadError::RecordsNotBase64,
        PayloadError::RecordsNotJson,
    )?;
    let Value::Array(records) = records else {
        return Err(PayloadError::RecordsNotJson("it is not an array".into()));
    };
    let records: Vec<&Map<String, Value>> = records.iter().filter_map(Value::as_object).collect();
    for record in &records {
        for (key, value) in record.iter() {
            if is_secret_field(key)
                && let Some(v) = value.as_str().filter(|v| !v.is_empty())
            {
                secrets.push(SecretString::from(v.to_string()));
            }
        }
    }
    let admin = find_admin_record(&records, auth_record_title)?;
    let title = admin
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let field = |name: &'static str, required: bool| {
        text(admin, name, required, |field| {
            PayloadError::RecordFieldNotText {
                title: title.clone(),
                field,
            }
        })
        .map_err(|e| match e {
            PayloadError::MissingField(field) => PayloadError::MissingRecordField {
                title: title.clone(),
                field,
            },
            other => other,
        })
    };
    let endpoint = field("host_endpoint", true)?.unwrap_or_default();
    let endpoint = Endpoint::parse(&endpoint).map_err(|error| PayloadError::BadEndpoint {
        title: title.clone(),
        error,
    })?;
    let admin_login = field("login", true)?.unwrap_or_default();
    let admin_password = SecretString::from(field("password", true)?.unwrap_or_default());
    let tls = TlsTrust::from_fields(
        field("tls_fingerprint", false)?.as_deref(),
        field("tls_ca", false)?.as_deref(),
        field("tls_verify", false)?.as_deref(),
    )
    .map_err(|(field, reason)| PayloadError::BadTls {
        title: title.clone(),
        field,
        reason,
    })?;

    Ok(Rotation {
        endpoint,
        admin_login,
        admin_password,
        user,
        new_password,
        old_password,
        tls,
        secrets,
    })
}

/// Masks every occurrence of any of `secrets` in `text`, longest first so that a secret
/// containing another is masked whole. The component masks its messages with it and the
/// runner everything it prints.
pub fn redact<'a>(text: &str, secrets: impl IntoIterator<Item = &'a str>) -> String {
    let mut secrets: Vec<&str> = secrets.into_iter().filter(|s| !s.is_empty()).collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut text = text.to_string();
    for secret in secrets {
        if text.contains(secret) {
            text = text.replace(secret, "********");
        }
    }
    text
}

/// Field labels whose values are secrets, in any record. Keeper names an unlabelled
/// field after its type, so `password` covers most; the rest are common custom labels.
fn is_secret_field(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.starts_with("password") || key.contains("secret") || key.contains("token")
}

fn decode_json(
    text: &str,
    not_base64: fn(String) -> PayloadError,
    not_json: fn(String) -> PayloadError,
) -> Result<Value, PayloadError> {
    // Keeper sends padded standard base64; accept it unpadded too, it costs nothing.
    const ENGINE: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let bytes = ENGINE
        .decode(text.trim())
        .map_err(|e| not_base64(e.to_string()))?;
    // serde_json's messages can quote the offending value ("invalid type: string ..."),
    // which may be a password: report only where and what kind of error it is.
    serde_json::from_slice(&bytes).map_err(|e| {
        not_json(format!(
            "{:?} error at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ))
    })
}

/// A text value of `map[field]`: `None` when absent or empty and not `required`.
fn text(
    map: &Map<String, Value>,
    field: &'static str,
    required: bool,
    not_text: impl Fn(&'static str) -> PayloadError,
) -> Result<Option<String>, PayloadError> {
    match map.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(Value::String(_)) | Some(Value::Null) | None if required => {
            Err(PayloadError::MissingField(field))
        }
        Some(Value::String(_)) | Some(Value::Null) | None => Ok(None),
        Some(_) => Err(not_text(field)),
    }
}

fn find_admin_record<'a>(
    records: &[&'a Map<String, Value>],
    title: &str,
) -> Result<&'a Map<String, Value>, PayloadError> {
    let title_of = |r: &Map<String, Value>| {
        r.get("title")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let matching: Vec<&Map<String, Value>> = records
        .iter()
        .copied()
        .filter(|r| title_of(r).eq_ignore_ascii_case(title.trim()))
        .collect();
    let mut uids: Vec<Option<&Value>> = matching.iter().map(|r| r.get("uid")).collect();
    uids.dedup();
    match (matching.first(), uids.len()) {
        (None, _) => {
            let found: Vec<String> = records
                .iter()
                .map(|r| format!("'{}'", title_of(r)))
                .collect();
            Err(PayloadError::NoAdminRecord {
                title: title.to_string(),
                found: if found.is_empty() {
                    "none".into()
                } else {
                    found.join(", ")
                },
            })
        }
        // The same record listed twice (same uid) is not ambiguous.
        (Some(record), 1) => Ok(record),
        (Some(_), count) => Err(PayloadError::AmbiguousAdminRecord {
            title: title.to_string(),
            count,
        }),
    }
}

#[cfg(test)]
mod tests;
