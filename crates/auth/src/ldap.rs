//! Directory login (LDAP / Active Directory): a simple bind over LDAPS or StartTLS, the user found
//! by a DN template or by a search, and the user's groups mapped to a kimo role.
//!
//! The API is blocking on purpose (ldap3's `LdapConn` runs its own small Tokio runtime): call
//! [`authenticate`] off the async threads, e.g. in `tokio::task::spawn_blocking`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use kimo_model::Role;
use ldap3::{LdapConn, LdapConnSettings, Scope, SearchEntry, SearchOptions, SearchResult};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};
use serde::{Deserialize, Deserializer};

/// The group filter used when `group_base_dn` is set without `group_filter`.
pub const DEFAULT_GROUP_FILTER: &str = "(|(member={dn})(uniqueMember={dn}))";

/// The German message for an unknown user and for a wrong password alike.
const WRONG_CREDENTIALS: &str = "Anmeldename oder Passwort ist falsch.";

/// How to reach the directory, find a user and map the user's groups to a kimo role.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LdapConfig {
    /// The server: `ldaps://host:636` or `ldap://host:389` (then with `starttls`).
    pub url: String,
    /// Whether to upgrade an `ldap://` connection with StartTLS (required unless `allow_plaintext`).
    #[serde(default)]
    pub starttls: bool,
    /// Allows an unencrypted `ldap://` connection; passwords then cross the network readable.
    #[serde(default)]
    pub allow_plaintext: bool,
    /// PEM file with the CA certificate(s) to trust instead of the system's roots.
    pub ca_file: Option<PathBuf>,
    /// Seconds allowed for connecting (TCP and TLS) and for each LDAP operation.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// The user's DN with `{name}` for the login name (escaped per RFC 4514), e.g. `uid={name},ou=people,dc=example,dc=org`.
    pub user_dn_template: Option<String>,
    /// The service account that searches for users (empty: search anonymously).
    pub bind_dn: Option<String>,
    /// The service account's password.
    pub bind_password: Option<Secret>,
    /// Where to search for users.
    pub base_dn: Option<String>,
    /// The user search filter with `{name}` (escaped per RFC 4515), e.g. `(&(objectClass=person)(uid={name}))`.
    pub user_filter: Option<String>,
    /// The user entry's attribute that lists the user's group DNs (empty: not read).
    #[serde(default = "default_group_attribute")]
    pub group_attribute: String,
    /// Where to search for the user's groups (none: only `group_attribute` is used).
    pub group_base_dn: Option<String>,
    /// The group search filter with `{dn}` (the user's DN) and `{name}`, both escaped per RFC 4515.
    pub group_filter: Option<String>,
    /// The user entry's attribute with the e-mail address.
    #[serde(default = "default_mail_attribute")]
    pub mail_attribute: String,
    /// The user entry's attribute with the display name.
    #[serde(default = "default_name_attribute")]
    pub name_attribute: String,
    /// Which group gives which kimo role; the most privileged matching role wins.
    #[serde(default)]
    pub roles: Vec<RoleMapping>,
}

/// One group → role rule of [`LdapConfig::roles`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleMapping {
    /// The group's DN (compared case-insensitively, spaces around `,` and `=` ignored).
    pub group: String,
    /// The kimo role of the group's members.
    #[serde(deserialize_with = "deserialize_role")]
    pub role: Role,
    /// The Amt of the group's members (required for the role `amt`, not allowed otherwise).
    pub amt: Option<String>,
}

/// A password from the configuration that `Debug` does not print.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a password.
    pub fn new(secret: impl Into<String>) -> Secret {
        Secret(secret.into())
    }

    /// The password itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A user the directory accepted, with the kimo role from the user's groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUser {
    /// The login name as entered, trimmed and in lower case.
    pub name: String,
    /// The user's DN in the directory.
    pub dn: String,
    /// The display name (`name_attribute`), if the entry has one.
    pub display_name: Option<String>,
    /// The e-mail address (`mail_attribute`), if the entry has one.
    pub email: Option<String>,
    /// The most privileged role of the user's groups.
    pub role: Role,
    /// The Amt of an `amt` role.
    pub amt: Option<String>,
    /// The DNs of all the user's groups, as the directory spells them.
    pub groups: Vec<String>,
}

/// Why a directory login failed; `Display` is for the log, [`LdapError::user_message`] for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LdapError {
    /// Unknown user or wrong password: the same for both, on purpose.
    #[error("Anmeldename oder Passwort ist falsch.")]
    WrongCredentials,
    /// The password was right, but none of the user's groups maps to a kimo role.
    #[error("Das Verzeichniskonto {dn} ist keiner kimo-Rolle zugeordnet (Gruppen: {groups:?}).")]
    NoRole {
        /// The user's DN.
        dn: String,
        /// The user's groups.
        groups: Vec<String>,
    },
    /// The directory could not be reached or the TLS connection failed (technical detail).
    #[error("Das Verzeichnis ist nicht erreichbar: {0}")]
    Unreachable(String),
    /// The directory login is configured wrongly (German detail).
    #[error("Die Verzeichnisanmeldung ist falsch eingerichtet: {0}")]
    Config(String),
}

impl LdapError {
    /// The German message to show on the login page (without technical detail).
    pub fn user_message(&self) -> &'static str {
        match self {
            LdapError::WrongCredentials => WRONG_CREDENTIALS,
            LdapError::NoRole { .. } => "Ihr Verzeichniskonto ist keiner kimo-Rolle zugeordnet.",
            LdapError::Unreachable(_) => {
                "Das Verzeichnis (LDAP/Active Directory) ist zurzeit nicht erreichbar. Bitte versuchen Sie es später noch einmal."
            }
            LdapError::Config(_) => {
                "Die Anmeldung über das Verzeichnis ist nicht richtig eingerichtet. Bitte wenden Sie sich an die Administration."
            }
        }
    }
}

fn default_timeout_secs() -> u64 {
    10
}

fn default_group_attribute() -> String {
    "memberOf".into()
}

fn default_mail_attribute() -> String {
    "mail".into()
}

fn default_name_attribute() -> String {
    "cn".into()
}

fn deserialize_role<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Role, D::Error> {
    let code = String::deserialize(deserializer)?;
    Role::parse(&code).map_err(serde::de::Error::custom)
}

fn config_error(message: impl Into<String>) -> LdapError {
    LdapError::Config(message.into())
}

impl LdapConfig {
    /// A configuration for `url` with every other setting at its default (no user lookup, no roles).
    pub fn new(url: impl Into<String>) -> LdapConfig {
        LdapConfig {
            url: url.into(),
            starttls: false,
            allow_plaintext: false,
            ca_file: None,
            timeout_secs: default_timeout_secs(),
            user_dn_template: None,
            bind_dn: None,
            bind_password: None,
            base_dn: None,
            user_filter: None,
            group_attribute: default_group_attribute(),
            group_base_dn: None,
            group_filter: None,
            mail_attribute: default_mail_attribute(),
            name_attribute: default_name_attribute(),
            roles: Vec::new(),
        }
    }

    /// Reads and checks a TOML file; errors name the file (and the line and column of a syntax error).
    /// A relative `ca_file` is taken relative to the file's folder.
    pub fn from_toml_file(path: impl AsRef<Path>) -> Result<LdapConfig, LdapError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| config_error(format!("{} nicht lesbar: {e}", path.display())))?;
        let in_file = |e: LdapError| config_error(format!("{}: {}", path.display(), detail(&e)));
        let mut cfg = parse_toml(&text).map_err(in_file)?;
        if let (Some(ca_file), Some(dir)) = (&cfg.ca_file, path.parent())
            && ca_file.is_relative()
        {
            cfg.ca_file = Some(dir.join(ca_file));
        }
        cfg.validate().map_err(in_file)?;
        Ok(cfg)
    }

    /// Parses and checks TOML text (a relative `ca_file` is relative to the working directory).
    pub fn from_toml_str(text: &str) -> Result<LdapConfig, LdapError> {
        let cfg = parse_toml(text)?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Reads the `KIMO_LDAP_*` environment variables and checks them; `None` without `KIMO_LDAP_URL`.
    pub fn from_env() -> Result<Option<LdapConfig>, LdapError> {
        LdapConfig::from_vars(|key| std::env::var(key).ok())
    }

    /// Like [`LdapConfig::from_env`], with the variables from `var` (for tests and other sources).
    pub fn from_vars(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<LdapConfig>, LdapError> {
        let get = |key: &str| var(key).filter(|v| !v.trim().is_empty());
        let Some(url) = get("KIMO_LDAP_URL") else {
            return Ok(None);
        };
        let mut cfg = LdapConfig::new(url.trim());
        cfg.starttls = env_bool("KIMO_LDAP_STARTTLS", get("KIMO_LDAP_STARTTLS"))?;
        cfg.allow_plaintext = env_bool(
            "KIMO_LDAP_ALLOW_PLAINTEXT",
            get("KIMO_LDAP_ALLOW_PLAINTEXT"),
        )?;
        cfg.ca_file = get("KIMO_LDAP_CA_FILE").map(PathBuf::from);
        if let Some(secs) = get("KIMO_LDAP_TIMEOUT_SECS") {
            cfg.timeout_secs = secs.trim().parse().map_err(|_| {
                config_error(format!(
                    "KIMO_LDAP_TIMEOUT_SECS: '{secs}' ist keine Zahl von Sekunden"
                ))
            })?;
        }
        cfg.user_dn_template = get("KIMO_LDAP_USER_DN_TEMPLATE");
        cfg.bind_dn = get("KIMO_LDAP_BIND_DN");
        cfg.bind_password = var("KIMO_LDAP_BIND_PASSWORD")
            .filter(|p| !p.is_empty())
            .map(Secret);
        cfg.base_dn = get("KIMO_LDAP_BASE_DN");
        cfg.user_filter = get("KIMO_LDAP_USER_FILTER");
        // Set but empty turns the group attribute off; unset keeps the default.
        if let Some(attribute) = var("KIMO_LDAP_GROUP_ATTRIBUTE") {
            cfg.group_attribute = attribute.trim().to_owned();
        }
        cfg.group_base_dn = get("KIMO_LDAP_GROUP_BASE_DN");
        cfg.group_filter = get("KIMO_LDAP_GROUP_FILTER");
        if let Some(attribute) = get("KIMO_LDAP_MAIL_ATTRIBUTE") {
            cfg.mail_attribute = attribute.trim().to_owned();
        }
        if let Some(attribute) = get("KIMO_LDAP_NAME_ATTRIBUTE") {
            cfg.name_attribute = attribute.trim().to_owned();
        }
        cfg.roles = parse_roles(&get("KIMO_LDAP_ROLES").unwrap_or_default())
            .map_err(|e| config_error(format!("KIMO_LDAP_ROLES: {e}")))?;
        cfg.validate()?;
        Ok(Some(cfg))
    }

    /// Checks the settings together: encryption, one way to find users, filters, roles.
    pub fn validate(&self) -> Result<(), LdapError> {
        self.validate_connection()?;
        self.validate_lookup()?;
        self.validate_groups()?;
        validate_roles(&self.roles)
    }

    fn validate_connection(&self) -> Result<(), LdapError> {
        let url = self.url.trim();
        let (tls, rest) = if let Some(rest) = url.strip_prefix("ldaps://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("ldap://") {
            (false, rest)
        } else {
            return Err(config_error(format!(
                "url '{url}' muss mit ldaps:// oder ldap:// beginnen"
            )));
        };
        if rest.trim_end_matches('/').is_empty() || rest.starts_with(':') {
            return Err(config_error(format!("url '{url}' nennt keinen Server")));
        }
        if tls && self.starttls {
            return Err(config_error(
                "starttls gilt nur für ldap://; ldaps:// ist bereits verschlüsselt",
            ));
        }
        if !tls && !self.starttls && !self.allow_plaintext {
            return Err(config_error(format!(
                "unverschlüsselte Verbindung zu '{url}' abgelehnt: ldaps:// verwenden oder starttls = true setzen \
                 (nur zum Testen: allow_plaintext = true)"
            )));
        }
        if !(1..=300).contains(&self.timeout_secs) {
            return Err(config_error("timeout_secs muss zwischen 1 und 300 liegen"));
        }
        match &self.ca_file {
            Some(path) if !path.is_file() => Err(config_error(format!(
                "ca_file {} ist keine lesbare Datei",
                path.display()
            ))),
            _ => Ok(()),
        }
    }

    fn validate_lookup(&self) -> Result<(), LdapError> {
        let search = self.base_dn.is_some() || self.user_filter.is_some();
        match (&self.user_dn_template, search) {
            (Some(_), true) => Err(config_error(
                "entweder user_dn_template oder base_dn/user_filter angeben, nicht beides",
            )),
            (None, false) => Err(config_error(
                "user_dn_template oder base_dn und user_filter angeben",
            )),
            (Some(template), false) => {
                if !template.contains("{name}") {
                    return Err(config_error("user_dn_template muss {name} enthalten"));
                }
                if self.bind_dn.is_some() {
                    return Err(config_error(
                        "bind_dn wird nur für die Suche (base_dn/user_filter) gebraucht",
                    ));
                }
                Ok(())
            }
            (None, true) => self.validate_search(),
        }
    }

    fn validate_search(&self) -> Result<(), LdapError> {
        let (Some(_), Some(filter)) = (&self.base_dn, &self.user_filter) else {
            return Err(config_error("base_dn und user_filter gehören zusammen"));
        };
        if !filter.contains("{name}") {
            return Err(config_error("user_filter muss {name} enthalten"));
        }
        check_filter("user_filter", filter)?;
        if self.bind_dn.is_some() != self.bind_password.is_some() {
            return Err(config_error("bind_dn und bind_password gehören zusammen"));
        }
        Ok(())
    }

    fn validate_groups(&self) -> Result<(), LdapError> {
        if self.group_filter.is_some() && self.group_base_dn.is_none() {
            return Err(config_error("group_filter braucht group_base_dn"));
        }
        if self.group_attribute.is_empty() && self.group_base_dn.is_none() {
            return Err(config_error(
                "ohne group_attribute ist group_base_dn nötig, sonst sind keine Gruppen bekannt",
            ));
        }
        if self.group_base_dn.is_some() {
            check_filter("group_filter", self.group_filter())?;
        }
        Ok(())
    }

    /// The group search filter: `group_filter` or [`DEFAULT_GROUP_FILTER`].
    pub fn group_filter(&self) -> &str {
        self.group_filter.as_deref().unwrap_or(DEFAULT_GROUP_FILTER)
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }
}

fn parse_toml(text: &str) -> Result<LdapConfig, LdapError> {
    toml::from_str(text).map_err(|e| config_error(e.to_string().trim_end().to_owned()))
}

/// The error's text (the detail of a configuration error, the whole message otherwise).
fn detail(error: &LdapError) -> String {
    match error {
        LdapError::Config(detail) => detail.clone(),
        other => other.to_string(),
    }
}

fn env_bool(key: &str, value: Option<String>) -> Result<bool, LdapError> {
    match value.as_deref().map(|v| v.trim().to_lowercase()).as_deref() {
        None | Some("0" | "false" | "no" | "nein" | "off") => Ok(false),
        Some("1" | "true" | "yes" | "ja" | "on") => Ok(true),
        Some(other) => Err(config_error(format!(
            "{key}: '{other}' ist kein Wahrheitswert (true oder false)"
        ))),
    }
}

/// Parses `KIMO_LDAP_ROLES`: entries `ROLE=GROUP_DN` or `amt:AMT=GROUP_DN`, separated by `;` or
/// line breaks (a `;` inside a DN is written `\;`).
fn parse_roles(text: &str) -> Result<Vec<RoleMapping>, String> {
    split_unescaped(text, &[';', '\n'])
        .into_iter()
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (spec, group) = entry.split_once('=').ok_or_else(|| {
                format!("'{entry}' hat nicht die Form ROLLE=GRUPPEN-DN oder amt:AMT=GRUPPEN-DN")
            })?;
            let (role, amt) = match spec.split_once(':') {
                Some((role, amt)) => (role, Some(amt.trim().to_owned())),
                None => (spec, None),
            };
            Ok(RoleMapping {
                group: group.trim().to_owned(),
                role: Role::parse(role)?,
                amt,
            })
        })
        .collect()
}

/// Splits at the separators that no backslash escapes.
fn split_unescaped<'a>(text: &'a str, separators: &[char]) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if separators.contains(&c) {
            parts.push(&text[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&text[start..]);
    parts
}

fn validate_roles(roles: &[RoleMapping]) -> Result<(), LdapError> {
    if roles.is_empty() {
        return Err(config_error(
            "keine Rollen (roles): ohne Zuordnung von Gruppen zu Rollen kann sich niemand anmelden",
        ));
    }
    for mapping in roles {
        if mapping.group.trim().is_empty() {
            return Err(config_error("roles: eine Gruppe (group) ist leer"));
        }
        let has_amt = mapping.amt.as_deref().is_some_and(|a| !a.trim().is_empty());
        if mapping.role == Role::Amt && !has_amt {
            return Err(config_error(format!(
                "roles: die Gruppe '{}' mit der Rolle amt braucht ein Amt (amt)",
                mapping.group
            )));
        }
        if mapping.role != Role::Amt && mapping.amt.is_some() {
            return Err(config_error(format!(
                "roles: ein Amt gibt es nur bei der Rolle amt (Gruppe '{}')",
                mapping.group
            )));
        }
    }
    Ok(())
}

fn check_filter(key: &str, filter: &str) -> Result<(), LdapError> {
    let sample = fill(filter, "x", "cn=x");
    ldap3::parse_filter(&sample)
        .map(|_| ())
        .map_err(|_| config_error(format!("{key} '{filter}' ist kein gültiger LDAP-Filter")))
}

/// The opening brace of a placeholder (written so that brace counters see a balanced line).
const OPEN: char = '\u{7b}';

/// Replaces `{name}` and `{dn}` in one pass (so a value can never bring in a placeholder).
fn fill(template: &str, name: &str, dn: &str) -> String {
    let mut out = String::with_capacity(template.len() + name.len());
    let mut rest = template;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some(after) = rest.strip_prefix("{name}") {
            out.push_str(name);
            rest = after;
        } else if let Some(after) = rest.strip_prefix("{dn}") {
            out.push_str(dn);
            rest = after;
        } else {
            out.push(OPEN);
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The user's DN from the template, the name escaped per RFC 4514.
pub fn user_dn(template: &str, name: &str) -> String {
    fill(template, &ldap3::dn_escape(name), "")
}

/// A search filter from the template, `{name}` and `{dn}` escaped per RFC 4515.
pub fn search_filter(template: &str, name: &str, dn: &str) -> String {
    fill(template, &ldap3::ldap_escape(name), &ldap3::ldap_escape(dn))
}

/// A DN for comparing: lower case, without the spaces around `,`, `=` and `+`.
pub fn normalize_dn(dn: &str) -> String {
    let mut out = String::with_capacity(dn.len());
    let mut pending_spaces = 0;
    let mut after_separator = true;
    let mut chars = dn.trim().chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' if after_separator => {}
            ' ' => pending_spaces += 1,
            ',' | '=' | '+' => {
                pending_spaces = 0;
                out.push(c);
                after_separator = true;
            }
            _ => {
                out.extend(std::iter::repeat_n(' ', pending_spaces));
                pending_spaces = 0;
                after_separator = false;
                out.extend(c.to_lowercase());
                if c == '\\'
                    && let Some(next) = chars.next()
                {
                    out.extend(next.to_lowercase());
                }
            }
        }
    }
    out
}

/// The rule that decides the role for these groups: the most privileged match, the first of equals.
pub fn best_role<'a>(roles: &'a [RoleMapping], groups: &[String]) -> Option<&'a RoleMapping> {
    let groups: Vec<String> = groups.iter().map(|g| normalize_dn(g)).collect();
    roles
        .iter()
        .filter(|mapping| groups.contains(&normalize_dn(&mapping.group)))
        .min_by_key(|mapping| mapping.role)
}

/// Checks `name` and `password` against the directory and maps the user's groups to a kimo role.
/// Blocking (network, up to `timeout_secs` per step): run it in `tokio::task::spawn_blocking`.
pub fn authenticate(
    cfg: &LdapConfig,
    name: &str,
    password: &str,
) -> Result<DirectoryUser, LdapError> {
    cfg.validate()?;
    let name = name.trim();
    // An empty password would be an "unauthenticated bind", which many servers accept.
    if name.is_empty() || name.len() > 256 || name.contains('\0') || password.is_empty() {
        return Err(LdapError::WrongCredentials);
    }
    let mut conn = connect(cfg)?;
    let result = log_in(&mut conn, cfg, name, password);
    let _ = conn.unbind();
    result
}

/// Connects over LDAPS or StartTLS (plain only if allowed), verifying the server certificate.
fn connect(cfg: &LdapConfig) -> Result<LdapConn, LdapError> {
    let settings = LdapConnSettings::new()
        .set_conn_timeout(cfg.timeout())
        .set_starttls(cfg.starttls)
        .set_config(tls_config(cfg)?);
    LdapConn::with_settings(settings, cfg.url.trim()).map_err(transport_error)
}

static SYSTEM_ROOTS: LazyLock<Vec<CertificateDer<'static>>> =
    LazyLock::new(|| rustls_native_certs::load_native_certs().certs);

/// The TLS client configuration: `ca_file`'s certificates, or the system's roots without one.
fn tls_config(cfg: &LdapConfig) -> Result<Arc<ClientConfig>, LdapError> {
    let mut roots = RootCertStore::empty();
    match &cfg.ca_file {
        Some(path) => {
            let unreadable = |e: rustls::pki_types::pem::Error| {
                config_error(format!("ca_file {} nicht lesbar: {e}", path.display()))
            };
            for cert in CertificateDer::pem_file_iter(path).map_err(unreadable)? {
                roots.add(cert.map_err(unreadable)?).map_err(|e| {
                    config_error(format!(
                        "ca_file {}: ungültiges Zertifikat: {e}",
                        path.display()
                    ))
                })?;
            }
            if roots.is_empty() {
                return Err(config_error(format!(
                    "ca_file {} enthält kein Zertifikat (PEM)",
                    path.display()
                )));
            }
        }
        None => {
            roots.add_parsable_certificates(SYSTEM_ROOTS.iter().cloned());
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| config_error(format!("TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// An error of the connection or the protocol (not an LDAP result code).
fn transport_error(error: ldap3::LdapError) -> LdapError {
    match error {
        ldap3::LdapError::FilterParsing => config_error("ungültiger LDAP-Filter"),
        ldap3::LdapError::UrlParsing { source } => config_error(format!("url: {source}")),
        other => LdapError::Unreachable(other.to_string()),
    }
}

/// An LDAP result code other than success, from an operation with the service account or a search.
fn result_error(what: &str, rc: u32, text: &str) -> LdapError {
    let detail = format!("{what}: LDAP-Ergebnis {rc} {text}");
    match rc {
        // timeLimitExceeded, adminLimitExceeded, busy, unavailable, other
        3 | 11 | 51 | 52 | 80 => LdapError::Unreachable(detail),
        _ => LdapError::Config(detail),
    }
}

/// Finds the user, checks the password and collects the groups, in an order that reveals nothing
/// about an account before its password was checked.
fn log_in(
    conn: &mut LdapConn,
    cfg: &LdapConfig,
    name: &str,
    password: &str,
) -> Result<DirectoryUser, LdapError> {
    let (entry, groups) = if let Some(template) = &cfg.user_dn_template {
        let dn = user_dn(template, name);
        bind_user(conn, cfg, &dn, password)?;
        let entry = read_entry(conn, cfg, &dn)?;
        let groups = groups_of(conn, cfg, &entry, name)?;
        (entry, groups)
    } else {
        bind_service(conn, cfg)?;
        let Some(entry) = find_user(conn, cfg, name)? else {
            // As long as a known name with a wrong password: one bind that fails.
            let dummy = format!(
                "cn=kimo-unknown-user,{}",
                cfg.base_dn.as_deref().unwrap_or("")
            );
            let _ = bind_user(conn, cfg, &dummy, password);
            return Err(LdapError::WrongCredentials);
        };
        let groups = groups_of(conn, cfg, &entry, name)?;
        bind_user(conn, cfg, &entry.dn, password)?;
        (entry, groups)
    };
    let Some(mapping) = best_role(&cfg.roles, &groups) else {
        return Err(LdapError::NoRole {
            dn: entry.dn,
            groups,
        });
    };
    Ok(DirectoryUser {
        name: name.to_lowercase(),
        display_name: first_value(&entry, &cfg.name_attribute),
        email: first_value(&entry, &cfg.mail_attribute),
        role: mapping.role,
        amt: mapping.amt.as_ref().map(|a| a.trim().to_owned()),
        dn: entry.dn,
        groups,
    })
}

/// Binds as the user: any refusal is [`LdapError::WrongCredentials`], a lost connection is not.
fn bind_user(
    conn: &mut LdapConn,
    cfg: &LdapConfig,
    dn: &str,
    password: &str,
) -> Result<(), LdapError> {
    let result = conn
        .with_timeout(cfg.timeout())
        .simple_bind(dn, password)
        .map_err(transport_error)?;
    match result.rc {
        0 => Ok(()),
        51 | 52 | 80 => Err(result_error("Anmeldung", result.rc, &result.text)),
        _ => Err(LdapError::WrongCredentials),
    }
}

/// Binds as the service account, if there is one (otherwise the search runs anonymously).
fn bind_service(conn: &mut LdapConn, cfg: &LdapConfig) -> Result<(), LdapError> {
    let (Some(dn), Some(password)) = (&cfg.bind_dn, &cfg.bind_password) else {
        return Ok(());
    };
    if password.expose().is_empty() {
        return Err(config_error("bind_password ist leer"));
    }
    let result = conn
        .with_timeout(cfg.timeout())
        .simple_bind(dn, password.expose())
        .map_err(transport_error)?;
    if result.rc == 0 {
        return Ok(());
    }
    Err(result_error(
        &format!("Anmeldung des Dienstkontos {dn}"),
        result.rc,
        &result.text,
    ))
}

/// The attributes to read from a user entry.
fn user_attributes(cfg: &LdapConfig) -> Vec<&str> {
    [
        &cfg.name_attribute,
        &cfg.mail_attribute,
        &cfg.group_attribute,
    ]
    .into_iter()
    .map(String::as_str)
    .filter(|a| !a.is_empty())
    .collect()
}

/// The entries of a search result, without referrals; an error for a result code other than success.
fn entries(what: &str, result: SearchResult) -> Result<Vec<SearchEntry>, LdapError> {
    let SearchResult(entries, result) = result;
    // 4: sizeLimitExceeded, which the user search asks for with a limit of 2.
    if result.rc != 0 && result.rc != 4 {
        return Err(result_error(what, result.rc, &result.text));
    }
    Ok(entries
        .into_iter()
        .filter(|e| !e.is_ref() && !e.is_intermediate())
        .map(SearchEntry::construct)
        .collect())
}

/// Searches the user by `user_filter`; `None` for no entry, and for more than one.
fn find_user(
    conn: &mut LdapConn,
    cfg: &LdapConfig,
    name: &str,
) -> Result<Option<SearchEntry>, LdapError> {
    let base = cfg.base_dn.as_deref().unwrap_or_default();
    let filter = search_filter(cfg.user_filter.as_deref().unwrap_or_default(), name, "");
    let result = conn
        .with_search_options(SearchOptions::new().sizelimit(2))
        .with_timeout(cfg.timeout())
        .search(base, Scope::Subtree, &filter, user_attributes(cfg))
        .map_err(transport_error)?;
    let mut found = entries(&format!("Suche in {base}"), result)?;
    Ok(if found.len() == 1 { found.pop() } else { None })
}

/// Reads the user's own entry (after the user's bind).
fn read_entry(conn: &mut LdapConn, cfg: &LdapConfig, dn: &str) -> Result<SearchEntry, LdapError> {
    let result = conn
        .with_timeout(cfg.timeout())
        .search(dn, Scope::Base, "(objectClass=*)", user_attributes(cfg))
        .map_err(transport_error)?;
    entries(&format!("Lesen von {dn}"), result)?
        .pop()
        .ok_or_else(|| config_error(format!("der Eintrag {dn} ist nicht lesbar")))
}

/// The user's groups: `group_attribute`'s values and the group search's DNs, without duplicates.
fn groups_of(
    conn: &mut LdapConn,
    cfg: &LdapConfig,
    entry: &SearchEntry,
    name: &str,
) -> Result<Vec<String>, LdapError> {
    let mut groups = values(entry, &cfg.group_attribute);
    if let Some(base) = &cfg.group_base_dn {
        let filter = search_filter(cfg.group_filter(), name, &entry.dn);
        let result = conn
            .with_timeout(cfg.timeout())
            .search(base, Scope::Subtree, &filter, vec!["1.1"])
            .map_err(transport_error)?;
        let found = entries(&format!("Gruppensuche in {base}"), result)?;
        groups.extend(found.into_iter().map(|e| e.dn));
    }
    let mut seen = std::collections::HashSet::new();
    groups.retain(|g| seen.insert(normalize_dn(g)));
    Ok(groups)
}

/// An attribute's values (attribute names compare case-insensitively).
fn values(entry: &SearchEntry, attribute: &str) -> Vec<String> {
    lookup(&entry.attrs, attribute).cloned().unwrap_or_default()
}

fn lookup<'a>(attrs: &'a HashMap<String, Vec<String>>, attribute: &str) -> Option<&'a Vec<String>> {
    if attribute.is_empty() {
        return None;
    }
    attrs
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(attribute))
        .map(|(_, values)| values)
}

/// An attribute's first non-empty value.
fn first_value(entry: &SearchEntry, attribute: &str) -> Option<String> {
    lookup(&entry.attrs, attribute)?
        .iter()
        .map(|v| v.trim())
        .find(|v| !v.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
url = "ldaps://dc1.stadt.example:636"
ca_file = "Cargo.toml"
bind_dn = "cn=kimo,ou=dienste,dc=stadt,dc=example"
bind_password = "geheim"
base_dn = "ou=people,dc=stadt,dc=example"
user_filter = "(&(objectClass=user)(sAMAccountName={name}))"

[[roles]]
group = "cn=kimo-admin,ou=groups,dc=stadt,dc=example"
role = "admin"

[[roles]]
group = "cn=kimo-amt-ordnung,ou=groups,dc=stadt,dc=example"
role = "amt"
amt = "Ordnungsamt"
"#;

    fn mapping(group: &str, role: Role, amt: Option<&str>) -> RoleMapping {
        RoleMapping {
            group: group.into(),
            role,
            amt: amt.map(str::to_owned),
        }
    }

    fn config_error_text(result: Result<LdapConfig, LdapError>) -> String {
        match result {
            Err(LdapError::Config(detail)) => detail,
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn dn_template_escapes_per_rfc_4514() {
        let template = "uid={name},ou=people,dc=example,dc=org";
        assert_eq!(
            user_dn(template, "anna"),
            "uid=anna,ou=people,dc=example,dc=org"
        );
        assert_eq!(
            user_dn(template, r#"a,b=c+d;e"f\g<h>"#),
            r"uid=a\2cb\3dc\2bd\3be\22f\5cg\3ch\3e,ou=people,dc=example,dc=org"
        );
        assert_eq!(
            user_dn(template, "#x y "),
            r"uid=\23x y\20,ou=people,dc=example,dc=org"
        );
        // A value never brings in a placeholder of its own.
        assert_eq!(user_dn("uid={name},{dn}", "{name}"), "uid={name},");
    }

    #[test]
    fn filters_escape_per_rfc_4515() {
        let template = "(&(objectClass=person)(uid={name}))";
        assert_eq!(
            search_filter(template, "*)(uid=*", ""),
            r"(&(objectClass=person)(uid=\2a\29\28uid=\2a))"
        );
        assert_eq!(
            search_filter(template, "a\\b\0", ""),
            r"(&(objectClass=person)(uid=a\5cb\00))"
        );
        assert_eq!(
            search_filter(
                "(|(member={dn})(memberUid={name}))",
                "{dn}",
                r"uid=e\2c*,dc=x"
            ),
            r"(|(member=uid=e\5c2c\2a,dc=x)(memberUid={dn}))"
        );
        assert_eq!(fill("{x}{name", "n", "d"), "{x}{name");
    }

    #[test]
    fn dns_compare_without_case_and_spaces() {
        assert_eq!(
            normalize_dn(" CN=Kimo Admin , OU = Groups,DC=Example "),
            "cn=kimo admin,ou=groups,dc=example"
        );
        assert_eq!(normalize_dn(r"cn=a\,B\ ,dc=x"), r"cn=a\,b\ ,dc=x");
        assert_ne!(
            normalize_dn("cn=kimo admin,dc=x"),
            normalize_dn("cn=kimoadmin,dc=x")
        );
    }

    #[test]
    fn most_privileged_role_wins() {
        let roles = vec![
            mapping("cn=gremium,dc=x", Role::Gremium, None),
            mapping("cn=ordnung,dc=x", Role::Amt, Some("Ordnungsamt")),
            mapping("cn=soziales,dc=x", Role::Amt, Some("Sozialamt")),
            mapping("cn=redaktion,dc=x", Role::Redaktion, None),
            mapping("cn=admin,dc=x", Role::Admin, None),
        ];
        let best = |groups: &[&str]| {
            let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
            best_role(&roles, &groups).map(|m| (m.role, m.amt.clone()))
        };
        assert_eq!(
            best(&["cn=gremium,dc=x", "CN=Admin, DC=X"]),
            Some((Role::Admin, None))
        );
        assert_eq!(
            best(&["cn=ordnung,dc=x", "cn=redaktion,dc=x"]),
            Some((Role::Redaktion, None))
        );
        assert_eq!(
            best(&["cn=gremium,dc=x", "cn=ordnung,dc=x"]).unwrap().0,
            Role::Amt
        );
        // Two Ämter: the first rule in the configuration.
        let amt = best(&["cn=soziales,dc=x", "cn=ordnung,dc=x"]).unwrap().1;
        assert_eq!(amt.as_deref(), Some("Ordnungsamt"));
        assert_eq!(best(&["cn=gremium,dc=x"]), Some((Role::Gremium, None)));
        assert_eq!(best(&["cn=andere,dc=x"]), None);
        assert_eq!(best(&[]), None);
    }

    fn vars(pairs: &[(&str, &str)]) -> Result<Option<LdapConfig>, LdapError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        LdapConfig::from_vars(|key| map.get(key).cloned())
    }

    #[test]
    fn environment_without_url_means_no_directory_login() {
        assert_eq!(vars(&[]), Ok(None));
        assert_eq!(
            vars(&[("KIMO_LDAP_URL", " "), ("KIMO_LDAP_STARTTLS", "kaputt")]),
            Ok(None)
        );
    }

    #[test]
    fn environment_is_read() {
        let cfg = vars(&[
            ("KIMO_LDAP_URL", "ldap://dc1:389"),
            ("KIMO_LDAP_STARTTLS", "true"),
            ("KIMO_LDAP_TIMEOUT_SECS", "3"),
            ("KIMO_LDAP_BIND_DN", "cn=kimo,dc=x"),
            ("KIMO_LDAP_BIND_PASSWORD", "geheim"),
            ("KIMO_LDAP_BASE_DN", "dc=x"),
            ("KIMO_LDAP_USER_FILTER", "(sAMAccountName={name})"),
            ("KIMO_LDAP_GROUP_BASE_DN", "ou=groups,dc=x"),
            (
                "KIMO_LDAP_ROLES",
                "admin=cn=a,dc=x; amt:Ordnungsamt=cn=b\\;c,dc=x\nGremium = cn=c,dc=x;",
            ),
        ])
        .unwrap()
        .unwrap();
        assert!(cfg.starttls && !cfg.allow_plaintext);
        assert_eq!(cfg.timeout_secs, 3);
        assert_eq!(cfg.bind_password, Some(Secret::new("geheim")));
        assert_eq!(cfg.group_attribute, "memberOf");
        assert_eq!(cfg.group_filter(), DEFAULT_GROUP_FILTER);
        assert_eq!(
            cfg.roles,
            vec![
                mapping("cn=a,dc=x", Role::Admin, None),
                mapping("cn=b\\;c,dc=x", Role::Amt, Some("Ordnungsamt")),
                mapping("cn=c,dc=x", Role::Gremium, None),
            ]
        );
        assert!(!format!("{cfg:?}").contains("geheim"));
    }

    #[test]
    fn environment_errors_name_the_variable() {
        let base = [
            ("KIMO_LDAP_URL", "ldaps://dc1"),
            ("KIMO_LDAP_USER_DN_TEMPLATE", "uid={name},dc=x"),
            ("KIMO_LDAP_ROLES", "admin=cn=a,dc=x"),
        ];
        assert!(vars(&base).unwrap().is_some());
        let with = |key: &'static str, value: &'static str| {
            let mut pairs = base.to_vec();
            pairs.retain(|(k, _)| *k != key);
            pairs.push((key, value));
            match vars(&pairs) {
                Err(LdapError::Config(detail)) => detail,
                other => panic!("{key}={value}: expected an error, got {other:?}"),
            }
        };
        assert!(with("KIMO_LDAP_STARTTLS", "vielleicht").contains("KIMO_LDAP_STARTTLS"));
        assert!(with("KIMO_LDAP_TIMEOUT_SECS", "10s").contains("KIMO_LDAP_TIMEOUT_SECS"));
        assert!(with("KIMO_LDAP_ROLES", "chef=cn=a,dc=x").contains("unbekannte Rolle"));
        assert!(with("KIMO_LDAP_ROLES", "cn=a").contains("KIMO_LDAP_ROLES"));
        assert!(with("KIMO_LDAP_ROLES", "amt=cn=a,dc=x").contains("braucht ein Amt"));
        assert!(with("KIMO_LDAP_ROLES", " ").contains("keine Rollen"));
        assert!(with("KIMO_LDAP_URL", "ldap://dc1").contains("unverschlüsselte Verbindung"));
        assert!(with("KIMO_LDAP_URL", "ldap://dc1").contains("starttls"));
        assert!(with("KIMO_LDAP_URL", "http://dc1").contains("ldaps://"));
        assert!(with("KIMO_LDAP_BASE_DN", "dc=x").contains("nicht beides"));
    }

    #[test]
    fn toml_is_read() {
        let cfg = LdapConfig::from_toml_str(EXAMPLE).unwrap();
        assert_eq!(cfg.url, "ldaps://dc1.stadt.example:636");
        assert_eq!(cfg.timeout_secs, 10);
        assert_eq!(
            (cfg.mail_attribute.as_str(), cfg.name_attribute.as_str()),
            ("mail", "cn")
        );
        assert_eq!(
            cfg.roles[1],
            mapping(&cfg.roles[1].group, Role::Amt, Some("Ordnungsamt"))
        );
        assert!(!format!("{cfg:?}").contains("geheim"));
    }

    #[test]
    fn toml_errors_name_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ldap.toml");
        std::fs::write(&path, EXAMPLE.replace("role = \"amt\"", "role = amt")).unwrap();
        let detail = config_error_text(LdapConfig::from_toml_file(&path));
        assert!(detail.starts_with(&path.display().to_string()), "{detail}");
        assert!(detail.contains("line 15, column 8"), "{detail}");

        std::fs::write(&path, EXAMPLE.replace("role = \"amt\"", "role = \"chef\"")).unwrap();
        let detail = config_error_text(LdapConfig::from_toml_file(&path));
        assert!(
            detail.contains("line 15") && detail.contains("unbekannte Rolle"),
            "{detail}"
        );

        std::fs::write(&path, EXAMPLE.replace("base_dn", "basedn")).unwrap();
        let detail = config_error_text(LdapConfig::from_toml_file(&path));
        assert!(
            detail.contains("line 6") && detail.contains("basedn"),
            "{detail}"
        );

        std::fs::write(dir.path().join("stadt-ca.pem"), "").unwrap();
        std::fs::write(&path, EXAMPLE.replace("Cargo.toml", "stadt-ca.pem")).unwrap();
        let cfg = LdapConfig::from_toml_file(&path).unwrap();
        assert_eq!(cfg.ca_file, Some(dir.path().join("stadt-ca.pem")));

        let missing = dir.path().join("fehlt.toml");
        let detail = config_error_text(LdapConfig::from_toml_file(&missing));
        assert!(detail.contains("fehlt.toml"), "{detail}");
    }

    #[test]
    fn toml_settings_are_checked_together() {
        let check = |from: &str, to: &str| {
            config_error_text(LdapConfig::from_toml_str(&EXAMPLE.replace(from, to)))
        };
        let plain = check("ldaps://dc1.stadt.example:636", "ldap://dc1.stadt.example");
        assert!(plain.contains("unverschlüsselte Verbindung"), "{plain}");
        assert!(check("ca_file = \"", "starttls = true\nca_file = \"").contains("starttls"));
        assert!(check("Cargo.toml", "fehlt.pem").contains("fehlt.pem"));
        assert!(check("{name})", "x)").contains("{name}"));
        assert!(check("(sAMAccountName", "sAMAccountName").contains("kein gültiger LDAP-Filter"));
        assert!(check("bind_password = \"geheim\"", "").contains("bind_password"));
        assert!(check("amt = \"Ordnungsamt\"", "").contains("braucht ein Amt"));
        assert!(
            check("role = \"admin\"", "role = \"admin\"\namt = \"X\"")
                .contains("nur bei der Rolle amt")
        );
        assert!(check("url = ", "timeout_secs = 0\nurl = ").contains("timeout_secs"));
        let lookup = "user_dn_template = \"uid={name},dc=x\"\nbase_dn";
        assert!(check("base_dn", lookup).contains("nicht beides"));
    }

    #[test]
    fn documented_example_is_valid() {
        let doc = std::fs::read_to_string("../../docs/ldap.md").unwrap();
        let toml = doc
            .split("```toml\n")
            .nth(1)
            .unwrap()
            .split("```")
            .next()
            .unwrap();
        let toml = toml.replace("/etc/kimo/stadt-ca.pem", "Cargo.toml");
        let cfg = LdapConfig::from_toml_str(&toml).unwrap();
        assert_eq!(cfg.roles.len(), 4);
        let roles = doc
            .split("KIMO_LDAP_ROLES='")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap();
        assert_eq!(
            parse_roles(roles).unwrap(),
            // The environment example leaves out the Redaktion's group.
            [0, 2, 3].map(|i| cfg.roles[i].clone())
        );
    }

    #[test]
    fn user_messages_are_german_and_without_detail() {
        let unreachable = LdapError::Unreachable("rustls error: invalid peer certificate".into());
        assert!(!unreachable.user_message().contains("rustls"));
        assert!(unreachable.to_string().contains("rustls"));
        let config = LdapError::Config("ca_file fehlt".into());
        assert!(!config.user_message().contains("ca_file"));
        assert_eq!(LdapError::WrongCredentials.to_string(), WRONG_CREDENTIALS);
    }
}
