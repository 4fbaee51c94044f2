//! IOS XE RESTCONF: the requests the rotation sends and how their answers are read.
//! Pure functions over plain types; see `../shared/facts/iosxe-restconf.md` upstream.

use crate::model::CredentialKind;
use crate::transport::{Method, Request};
use serde_json::{Value, json};

pub const NATIVE: &str = "/restconf/data/Cisco-IOS-XE-native:native";
pub const USERNAMES: &str = "/restconf/data/Cisco-IOS-XE-native:native/username";
pub const SAVE_CONFIG: &str = "/restconf/operations/cisco-ia:save-config";
const YANG_JSON: &str = "application/yang-data+json";

/// The credential a user has on the device, as the device shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredCredential {
    pub kind: CredentialKind,
    /// `encryption` leaf: "0", "5", "6", "7", "8", "9" (absent is reported as "0").
    pub encryption: String,
    /// The stored value: plaintext for type 0, so never printed.
    pub value: String,
}

impl std::fmt::Debug for StoredCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} type {}", self.kind, self.encryption)
    }
}

/// One entry of the device's username list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserEntry {
    pub name: String,
    pub privilege: Option<u8>,
    /// `None` for a user with neither password nor secret (e.g. `nopassword`).
    pub credential: Option<StoredCredential>,
}

/// The first error of an RFC 8040 error body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceError {
    pub tag: String,
    pub message: String,
}

/// `GET .../native/username=NAME`: one entry (404 when the user does not exist). The
/// key is percent-encoded as RFC 8040 requires.
pub fn get_user(user: &str) -> Request {
    /// Everything but RFC 3986's unreserved characters.
    const KEY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    Request {
        method: Method::Get,
        path: format!(
            "{USERNAMES}={}",
            percent_encoding::utf8_percent_encode(user, KEY)
        ),
        headers: vec![("accept", YANG_JSON)],
        body: None,
    }
}

/// `GET .../native/username`: the whole list.
pub fn list_users() -> Request {
    Request {
        method: Method::Get,
        path: USERNAMES.to_string(),
        headers: vec![("accept", YANG_JSON)],
        body: None,
    }
}

/// `PATCH .../native` (merge) changing only `user`'s credential of `kind`.
///
/// The value goes as type 0 (`encryption` "0"): the device stores a secret hashed and a
/// password as type 0 or 7 (with `service password-encryption`). Both leaves exist in
/// every IOS XE release's model, 16.9 included.
pub fn change_credential(user: &str, kind: CredentialKind, new_password: &str) -> Request {
    let credential = match kind {
        CredentialKind::Password => {
            json!({"password": {"encryption": "0", "password": new_password}})
        }
        CredentialKind::Secret => json!({"secret": {"encryption": "0", "secret": new_password}}),
    };
    let mut entry = json!({ "name": user });
    if let (Value::Object(entry), Value::Object(credential)) = (&mut entry, credential) {
        entry.extend(credential);
    }
    let body = json!({"Cisco-IOS-XE-native:native": {"username": [entry]}});
    Request {
        method: Method::Patch,
        path: NATIVE.to_string(),
        headers: vec![("content-type", YANG_JSON), ("accept", YANG_JSON)],
        body: Some(body.to_string().into_bytes()),
    }
}

/// `POST .../cisco-ia:save-config`: copy running to startup.
pub fn save_config() -> Request {
    Request {
        method: Method::Post,
        path: SAVE_CONFIG.to_string(),
        headers: vec![("content-type", YANG_JSON), ("accept", YANG_JSON)],
        body: Some(b"{}".to_vec()),
    }
}

/// Finds `user` in the answer to [`list_users`]. `Err` describes an unexpected body.
pub fn find_user(body: &[u8], user: &str) -> Result<Option<UserEntry>, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("the user list is not JSON ({e})"))?;
    let list = value
        .get("Cisco-IOS-XE-native:username")
        .and_then(Value::as_array)
        .ok_or("the user list has no `Cisco-IOS-XE-native:username` array")?;
    list.iter()
        .find(|entry| entry.get("name").and_then(Value::as_str) == Some(user))
        .map(parse_user)
        .transpose()
}

fn parse_user(entry: &Value) -> Result<UserEntry, String> {
    let name = entry
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let privilege = match entry.get("privilege") {
        None => None,
        Some(p) => Some(
            p.as_u64()
                .and_then(|p| u8::try_from(p).ok())
                .ok_or("the user's `privilege` is not a number from 0 to 15")?,
        ),
    };
    let password = credential(entry, "password", CredentialKind::Password)?;
    let secret = credential(entry, "secret", CredentialKind::Secret)?;
    let credential = match (password, secret) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "user '{name}' has both a password and a secret, which IOS XE does not allow"
            ));
        }
        (p, s) => p.or(s),
    };
    Ok(UserEntry {
        name,
        privilege,
        credential,
    })
}

fn credential(
    entry: &Value,
    leaf: &str,
    kind: CredentialKind,
) -> Result<Option<StoredCredential>, String> {
    let Some(container) = entry.get(leaf) else {
        return Ok(None);
    };
    let value = container
        .get(leaf)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the user's `{leaf}` has no `{leaf}` text"))?;
    let encryption = match container.get("encryption") {
        None => "0".to_string(),
        Some(Value::String(e)) => e.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err(format!("the user's `{leaf}` encryption is not an enum")),
    };
    Ok(Some(StoredCredential {
        kind,
        encryption,
        value: value.to_string(),
    }))
}

/// Reads the answer to [`save_config`]: the device's `result` text.
pub fn save_result(body: &[u8]) -> Result<String, String> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| format!("the save-config answer is not JSON ({e})"))?;
    value
        .get("cisco-ia:output")
        .and_then(|o| o.get("result"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| "the save-config answer has no `cisco-ia:output` result".to_string())
}

/// Reads an RFC 8040 error body (`ietf-restconf:errors`, or IOS XE's bare `errors`).
pub fn device_error(body: &[u8]) -> Option<DeviceError> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let errors = value
        .get("ietf-restconf:errors")
        .or_else(|| value.get("errors"))?;
    let first = match errors.get("error")? {
        Value::Array(list) => list.first()?,
        single => single,
    };
    let field = |name: &str| {
        first
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Some(DeviceError {
        tag: field("error-tag"),
        message: field("error-message"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_credential_sends_only_that_users_password() {
        let req = change_credential("netops", CredentialKind::Password, "N3w\"pw");
        assert_eq!(req.method, Method::Patch);
        assert_eq!(req.path, NATIVE);
        let body: Value = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"Cisco-IOS-XE-native:native": {"username": [
                {"name": "netops", "password": {"encryption": "0", "password": "N3w\"pw"}}]}})
        );
    }

    #[test]
    fn change_credential_keeps_a_secret_a_secret() {
        let req = change_credential("netops", CredentialKind::Secret, "pw");
        let body: Value = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
        let user = &body["Cisco-IOS-XE-native:native"]["username"][0];
        assert_eq!(user["secret"], json!({"encryption": "0", "secret": "pw"}));
        assert!(user.get("password").is_none());
    }

    #[test]
    fn get_user_percent_encodes_the_key() {
        assert_eq!(
            get_user("net ops/1").path,
            format!("{USERNAMES}=net%20ops%2F1")
        );
        assert_eq!(get_user("a.b_c-d~e").path, format!("{USERNAMES}=a.b_c-d~e"));
    }

    /// Every body the component can PATCH, for the check against Cisco's YANG model
    /// (`.ci/yang` sets `IOSXE_SIM_BODIES_DIR`): each credential kind, with user names
    /// that need escaping in JSON.
    #[test]
    fn change_bodies_are_json_with_one_user_and_one_credential() {
        let dir = std::env::var_os("IOSXE_SIM_BODIES_DIR").map(std::path::PathBuf::from);
        for (i, user) in ["netops", "o'brien", "a\"b", "ünïcode", "x y"]
            .iter()
            .enumerate()
        {
            for kind in [CredentialKind::Password, CredentialKind::Secret] {
                let body = change_credential(user, kind, "N3w\"pw\\").body.unwrap();
                let value: Value = serde_json::from_slice(&body).unwrap();
                let users = value["Cisco-IOS-XE-native:native"]["username"]
                    .as_array()
                    .unwrap();
                assert_eq!(users.len(), 1);
                assert_eq!(users[0]["name"], json!(user));
                assert_eq!(
                    users[0].as_object().unwrap().len(),
                    2,
                    "name and one credential"
                );
                if let Some(dir) = &dir {
                    std::fs::create_dir_all(dir).unwrap();
                    std::fs::write(dir.join(format!("guest-{i}-{kind:?}.json")), &body).unwrap();
                }
            }
        }
    }

    #[test]
    fn request_debug_hides_the_body() {
        let req = change_credential("netops", CredentialKind::Secret, "Sup3r");
        assert!(!format!("{req:?}").contains("Sup3r"));
    }

    #[test]
    fn finds_user_with_secret() {
        let body = br#"{"Cisco-IOS-XE-native:username": [
            {"name": "admin", "privilege": 15, "password": {"password": "x"}},
            {"name": "netops", "privilege": 5, "secret": {"encryption": "9", "secret": "$9$abc"}}]}"#;
        let user = find_user(body, "netops").unwrap().unwrap();
        assert_eq!(user.privilege, Some(5));
        let cred = user.credential.unwrap();
        assert_eq!(cred.kind, CredentialKind::Secret);
        assert_eq!(cred.encryption, "9");
    }

    #[test]
    fn user_names_match_exactly() {
        let body = br#"{"Cisco-IOS-XE-native:username": [{"name": "NetOps"}]}"#;
        assert_eq!(find_user(body, "netops").unwrap(), None);
    }

    #[test]
    fn password_without_encryption_is_type_0() {
        let body =
            br#"{"Cisco-IOS-XE-native:username": [{"name": "a", "password": {"password": "x"}}]}"#;
        let cred = find_user(body, "a").unwrap().unwrap().credential.unwrap();
        assert_eq!(
            (cred.kind, cred.encryption.as_str()),
            (CredentialKind::Password, "0")
        );
    }

    #[test]
    fn rejects_unexpected_list_bodies() {
        assert!(find_user(b"<html>", "a").is_err());
        assert!(find_user(b"{}", "a").is_err());
        let both = br#"{"Cisco-IOS-XE-native:username": [{"name": "a",
            "password": {"password": "x"}, "secret": {"encryption": "9", "secret": "y"}}]}"#;
        assert!(find_user(both, "a").is_err());
        let bad_priv = br#"{"Cisco-IOS-XE-native:username": [{"name": "a", "privilege": "15"}]}"#;
        assert!(find_user(bad_priv, "a").is_err());
    }

    #[test]
    fn reads_rfc8040_errors_in_both_wrappings() {
        let std = br#"{"ietf-restconf:errors": {"error": [{"error-type": "application",
            "error-tag": "invalid-value", "error-message": "inconsistent value"}]}}"#;
        let bare =
            br#"{"errors": {"error": {"error-tag": "lock-denied", "error-message": "locked"}}}"#;
        assert_eq!(device_error(std).unwrap().message, "inconsistent value");
        assert_eq!(device_error(bare).unwrap().tag, "lock-denied");
        assert_eq!(device_error(b"nope"), None);
    }

    #[test]
    fn reads_save_config_result() {
        let ok = br#"{"cisco-ia:output": {"result": "Save running-config successful"}}"#;
        assert_eq!(save_result(ok).unwrap(), "Save running-config successful");
        assert!(save_result(b"").is_err());
    }
}
