//! The simulated device's configuration: the username list in running and startup
//! configuration, RESTCONF merge semantics, and the checks IOS XE applies.

use crate::credentials;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// A stored credential as the device shows it: `encryption` type and stored text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    pub encryption: String,
    pub value: String,
}

/// One `username` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct User {
    pub privilege: Option<u8>,
    pub description: Option<String>,
    pub view: Option<String>,
    pub one_time: bool,
    pub password: Option<Credential>,
    pub secret: Option<Credential>,
}

impl User {
    /// A privilege-15 user with a type-0 password.
    pub fn admin(password: &str) -> User {
        User {
            privilege: Some(15),
            password: Some(Credential {
                encryption: "0".into(),
                value: password.into(),
            }),
            ..User::default()
        }
    }

    /// Whether `plain` is this user's credential (what a login checks).
    pub fn accepts(&self, plain: &str) -> bool {
        self.password
            .iter()
            .chain(self.secret.iter())
            .any(|c| credentials::matches(&c.encryption, &c.value, plain))
    }

    fn to_json(&self, name: &str) -> Value {
        let mut entry = Map::new();
        entry.insert("name".into(), json!(name));
        if let Some(p) = self.privilege {
            entry.insert("privilege".into(), json!(p));
        }
        if let Some(d) = &self.description {
            entry.insert("description".into(), json!(d));
        }
        if let Some(v) = &self.view {
            entry.insert("view".into(), json!(v));
        }
        if self.one_time {
            entry.insert("one-time".into(), json!([null]));
        }
        if let Some(c) = &self.password {
            entry.insert(
                "password".into(),
                json!({"encryption": c.encryption, "password": c.value}),
            );
        }
        if let Some(c) = &self.secret {
            entry.insert(
                "secret".into(),
                json!({"encryption": c.encryption, "secret": c.value}),
            );
        }
        Value::Object(entry)
    }
}

/// A configuration: the username list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub users: BTreeMap<String, User>,
}

impl Config {
    /// `{"Cisco-IOS-XE-native:username": [...]}` for the whole list or one user.
    pub fn users_json<'a>(&'a self, names: impl Iterator<Item = &'a String>) -> Value {
        let list: Vec<Value> = names
            .filter_map(|n| self.users.get(n).map(|u| u.to_json(n)))
            .collect();
        json!({ "Cisco-IOS-XE-native:username": list })
    }
}

/// A RESTCONF error: status, `error-tag`, `error-message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestconfError {
    pub status: u16,
    pub tag: &'static str,
    pub message: String,
}

impl RestconfError {
    pub fn new(status: u16, tag: &'static str, message: impl Into<String>) -> Self {
        RestconfError {
            status,
            tag,
            message: message.into(),
        }
    }

    /// RFC 8040 error body.
    pub fn body(&self) -> Value {
        let error_type = if self.tag == "malformed-message" {
            "protocol"
        } else {
            "application"
        };
        json!({"ietf-restconf:errors": {"error": [{
            "error-type": error_type,
            "error-tag": self.tag,
            "error-message": self.message,
        }]}})
    }
}

fn malformed(message: impl Into<String>) -> RestconfError {
    RestconfError::new(400, "malformed-message", message)
}

fn invalid(message: impl Into<String>) -> RestconfError {
    RestconfError::new(400, "invalid-value", message)
}

/// Applies a PATCH (merge) on `Cisco-IOS-XE-native:native` to `running`. All or
/// nothing: on error `running` is untouched.
///
/// It accepts only what Cisco's IOS XE 16.9.3 model (the oldest we support) accepts for a
/// username: `name`, `privilege` (a JSON number 0..15), `view`, `one-time` (`[null]`),
/// `password` {`encryption` "0"|"7", `password`}, `secret` {`encryption` "0"|"5"|"9",
/// `secret`}. Later releases add leaves and types (description, secret 8, password 6);
/// a device may still show those in its configuration, but a PATCH must not need them.
/// `tests/yang/rejected/` holds bodies the model rejects; this must reject them too.
/// How the device stores a type-0 password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordStorage {
    Plain,
    /// `service password-encryption`
    Type7,
    /// `password encryption aes`
    Type6,
}

pub fn merge_native(
    running: &mut Config,
    body: &Value,
    storage: PasswordStorage,
) -> Result<(), RestconfError> {
    let top = body
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.get("Cisco-IOS-XE-native:native"))
        .and_then(Value::as_object)
        .ok_or_else(|| malformed("expected one top-level member Cisco-IOS-XE-native:native"))?;
    let mut candidate = running.clone();
    for (key, value) in top {
        match key.as_str() {
            "username" => {
                let list = value
                    .as_array()
                    .ok_or_else(|| malformed("username must be a list"))?;
                for entry in list {
                    merge_user(&mut candidate, entry, storage)?;
                }
            }
            other => {
                return Err(malformed(format!(
                    "unknown element {other} (this simulator models username only)"
                )));
            }
        }
    }
    for user in candidate.users.values() {
        if user.password.is_some() && user.secret.is_some() {
            // The CLI says "Can not have both a user password and a user secret" for the user.
            return Err(invalid(
                "inconsistent value: Device refused one or more commands",
            ));
        }
    }
    *running = candidate;
    Ok(())
}

fn merge_user(
    config: &mut Config,
    entry: &Value,
    storage: PasswordStorage,
) -> Result<(), RestconfError> {
    let entry = entry
        .as_object()
        .ok_or_else(|| malformed("a username entry must be an object"))?;
    let name = entry
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("missing key leaf name"))?;
    if name.is_empty() || name.chars().count() > 64 {
        return Err(invalid("invalid value for name: length must be 1..64"));
    }
    // Merge creates the user when it does not exist.
    let user = config.users.entry(name.to_string()).or_default();
    for (leaf, value) in entry {
        match leaf.as_str() {
            "name" => {}
            "privilege" => {
                let p = value
                    .as_u64()
                    .filter(|p| *p <= 15)
                    .ok_or_else(|| invalid("privilege must be a number from 0 to 15"))?;
                user.privilege = Some(p as u8);
            }
            "view" => user.view = Some(text(value, "view", 1, 30)?),
            "one-time" => {
                if value != &json!([null]) {
                    return Err(invalid("one-time is an empty leaf: [null]"));
                }
                user.one_time = true;
            }
            "password" => {
                let (encryption, plain) = credential(value, "password", &["0", "7"])?;
                user.password = Some(match (encryption.as_str(), storage) {
                    ("0", PasswordStorage::Type7) => Credential {
                        encryption: "7".into(),
                        value: credentials::type7_encode(&plain, rand_seed()),
                    },
                    ("0", PasswordStorage::Type6) => Credential {
                        encryption: "6".into(),
                        value: credentials::type6_encrypt(&plain),
                    },
                    _ => Credential {
                        encryption,
                        value: plain,
                    },
                });
            }
            "secret" => {
                let (encryption, plain) = credential(value, "secret", &["0", "5", "9"])?;
                user.secret = Some(match encryption.as_str() {
                    // Current releases hash a plain secret with scrypt (type 9).
                    "0" => Credential {
                        encryption: "9".into(),
                        value: credentials::type9_hash(&plain),
                    },
                    _ => Credential {
                        encryption,
                        value: plain,
                    },
                });
            }
            other => return Err(malformed(format!("unknown element {other} in username"))),
        }
    }
    Ok(())
}

fn rand_seed() -> usize {
    use rand::Rng as _;
    rand::thread_rng().gen_range(0..16)
}

fn text(value: &Value, leaf: &str, min: usize, max: usize) -> Result<String, RestconfError> {
    value
        .as_str()
        .filter(|s| (min..=max).contains(&s.chars().count()))
        .map(str::to_string)
        .ok_or_else(|| {
            invalid(format!(
                "{leaf} must be a string of {min}..{max} characters"
            ))
        })
}

/// `{"encryption": "N", LEAF: "..."}`: the enum must be a JSON string of an allowed value.
fn credential(
    value: &Value,
    leaf: &str,
    allowed: &[&str],
) -> Result<(String, String), RestconfError> {
    let container = value
        .as_object()
        .ok_or_else(|| malformed(format!("{leaf} must be a container")))?;
    for key in container.keys() {
        if key != "encryption" && key != leaf {
            return Err(malformed(format!("unknown element {key} in {leaf}")));
        }
    }
    let encryption = match container.get("encryption") {
        None => "0".to_string(),
        Some(Value::String(e)) if allowed.contains(&e.as_str()) => e.clone(),
        Some(e) => {
            return Err(invalid(format!(
                "invalid value {e} for {leaf} encryption (allowed: {})",
                allowed.join(", ")
            )));
        }
    };
    let text = container
        .get(leaf)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| malformed(format!("{leaf} needs a non-empty {leaf} string")))?;
    Ok((encryption, text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(users: Value) -> Value {
        json!({"Cisco-IOS-XE-native:native": {"username": users}})
    }

    fn config() -> Config {
        let mut c = Config::default();
        c.users.insert("admin".into(), User::admin("Adm1n"));
        let mut netops = User {
            privilege: Some(5),
            description: Some("NOC".into()),
            ..User::default()
        };
        netops.secret = Some(Credential {
            encryption: "9".into(),
            value: credentials::type9_hash("old"),
        });
        c.users.insert("netops".into(), netops);
        c
    }

    #[test]
    fn merge_creates_a_missing_user() {
        let mut c = config();
        merge_native(
            &mut c,
            &patch(json!([{"name": "ghost", "password": {"password": "x"}}])),
            PasswordStorage::Plain,
        )
        .unwrap();
        assert!(c.users.contains_key("ghost"));
    }

    #[test]
    fn merge_keeps_other_leaves() {
        let mut c = config();
        merge_native(
            &mut c,
            &patch(json!([{"name": "netops", "secret": {"encryption": "0", "secret": "new"}}])),
            PasswordStorage::Plain,
        )
        .unwrap();
        let u = &c.users["netops"];
        assert_eq!(
            (u.privilege, u.description.as_deref()),
            (Some(5), Some("NOC"))
        );
        assert_eq!(u.secret.as_ref().unwrap().encryption, "9");
        assert!(u.accepts("new") && !u.accepts("old"));
    }

    #[test]
    fn password_on_a_secret_user_is_refused_and_nothing_changes() {
        let mut c = config();
        let before = c.clone();
        let err = merge_native(
            &mut c,
            &patch(json!([{"name": "netops", "password": {"password": "x"}}])),
            PasswordStorage::Plain,
        )
        .unwrap_err();
        assert_eq!((err.status, err.tag), (400, "invalid-value"));
        assert_eq!(c, before);
    }

    #[test]
    fn service_password_encryption_stores_type_7() {
        let mut c = config();
        merge_native(
            &mut c,
            &patch(json!([{"name": "admin", "password": {"encryption": "0", "password": "N3w"}}])),
            PasswordStorage::Type7,
        )
        .unwrap();
        let p = c.users["admin"].password.clone().unwrap();
        assert_eq!(p.encryption, "7");
        assert_eq!(credentials::type7_decode(&p.value).as_deref(), Some("N3w"));
    }

    #[test]
    fn rejects_every_body_that_ciscos_model_rejects() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../yang/rejected");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let body: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let mut c = config();
            let before = c.clone();
            assert!(
                merge_native(&mut c, &body, PasswordStorage::Plain).is_err(),
                "the simulator accepted {}",
                path.display()
            );
            assert_eq!(c, before);
            checked += 1;
        }
        assert!(
            checked >= 10,
            "only {checked} rejected bodies found in {dir}"
        );
    }

    #[test]
    fn rejects_what_the_model_rejects() {
        for bad in [
            json!([{"name": "a", "privilege": "15"}]),
            json!([{"name": "a", "privilege": 16}]),
            json!([{"name": "a", "secret": {"encryption": 9, "secret": "x"}}]),
            json!([{"name": "a", "secret": {"encryption": "7", "secret": "x"}}]),
            json!([{"name": "a", "password": {"encryption": "5", "password": "x"}}]),
            json!([{"name": "a", "pasword": {"password": "x"}}]),
            json!([{"privilege": 1}]),
            json!({"name": "a"}),
        ] {
            let mut c = config();
            assert!(
                merge_native(&mut c, &patch(bad.clone()), PasswordStorage::Plain).is_err(),
                "{bad}"
            );
        }
        let mut c = config();
        assert!(merge_native(&mut c, &json!({"native": {}}), PasswordStorage::Plain).is_err());
    }
}
