//! People in kimo: accounts with a role, and the record of who changed what.

use serde::Serialize;

/// What someone may do; stored as a code, shown with a German label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Administration: accounts, settings, everything.
    Admin,
    /// Büro für Integration (Redaktion): all data and texts, publishes, works on all warnings.
    Redaktion,
    /// An Amt: internal figures; imports, corrects and works on the warnings of its own indicators.
    Amt,
    /// Arbeitskreis or Gremium (AKI, InA members): reads internal pages, comments.
    Gremium,
}

impl Role {
    /// Every role, from the most rights to the fewest.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Redaktion, Role::Amt, Role::Gremium];

    /// The stored code (also the CLI spelling).
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Redaktion => "redaktion",
            Role::Amt => "amt",
            Role::Gremium => "gremium",
        }
    }

    /// The German label.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administration",
            Role::Redaktion => "Büro für Integration (Redaktion)",
            Role::Amt => "Amt",
            Role::Gremium => "Arbeitskreis / Gremium",
        }
    }

    /// The role with this code; a German message naming the codes otherwise.
    pub fn parse(code: &str) -> Result<Role, String> {
        let code = code.trim().to_lowercase();
        Role::ALL
            .into_iter()
            .find(|r| r.code() == code)
            .ok_or_else(|| {
                let codes: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
                format!(
                    "unbekannte Rolle '{}' (möglich: {})",
                    crate::quote(&code),
                    codes.join(", ")
                )
            })
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Stored id.
    pub id: i64,
    /// Login name (unique, lower case).
    pub name: String,
    /// Role.
    pub role: Role,
    /// The Amt (catalogue `amt`) of an Amt user.
    pub amt: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// A disabled account cannot log in; its sessions and tokens end.
    pub disabled: bool,
    /// Whether the password is a one-time password that must be changed at the next login.
    pub must_change_password: bool,
    /// When the account was made (UTC, RFC 3339).
    pub created_at: String,
}

/// Checks a login name: 2–64 characters of letters, digits, `.`, `-`, `_` and `@`; the name is
/// kept in lower case. Returns the name to store, or a German message.
pub fn login_name(name: &str) -> Result<String, String> {
    let name = name.trim().to_lowercase();
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@');
    if !(2..=64).contains(&name.chars().count()) || !name.chars().all(allowed) {
        return Err(format!(
            "Anmeldename '{}' ungültig: 2 bis 64 Zeichen aus Buchstaben, Ziffern, '.', '-', '_' und '@'",
            crate::quote(&name)
        ));
    }
    Ok(name)
}

/// One entry of the audit log: who changed what, when, and the state before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Stored id (the log's order).
    pub id: i64,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// Who: a login name, or a description such as `kimo user (root)` or `Anmeldung`.
    pub actor: String,
    /// What kind of change, e.g. `user.add`, `login.failed`, `import`.
    pub action: String,
    /// What it concerns, e.g. `user:meier`.
    pub object: String,
    /// The state before (JSON or text; empty when new).
    pub before: String,
    /// The state after (JSON or text; empty when removed).
    pub after: String,
    /// The client address for changes made over the web.
    pub address: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_unknown_ones_are_named() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Ok(r));
        }
        assert_eq!(Role::parse(" AMT "), Ok(Role::Amt));
        let e = Role::parse("chef").unwrap_err();
        assert_eq!(
            e,
            "unbekannte Rolle 'chef' (möglich: admin, redaktion, amt, gremium)"
        );
    }

    #[test]
    fn login_names_are_checked() {
        assert_eq!(login_name(" Meier.A "), Ok("meier.a".into()));
        assert_eq!(login_name("a.b@stadt.de"), Ok("a.b@stadt.de".into()));
        assert!(login_name("x").is_err());
        assert!(login_name("<script>").unwrap_err().contains("'<script>'"));
        assert!(login_name("mit leerzeichen").is_err());
    }
}
