//! Accounts, their sessions and the audit log. Passwords and tokens arrive hashed (`kimo-auth`
//! hashes them); every change to an account is written to the audit log in its own transaction.

use crate::apply::now;
use crate::sql::{Conn, Row, Value};
use crate::{Error, Result, Store};
use kimo_model::{AuditEntry, Role, User};

/// Who makes a change, for the audit log.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// A login name, or a description such as `kimo user (Kommandozeile)`.
    pub name: String,
    /// The client address for changes made over the web (empty otherwise).
    pub address: String,
}

impl Actor {
    /// A change made at the command line by the operating-system user `$USER`.
    pub fn command_line() -> Actor {
        let user = std::env::var("USER").unwrap_or_else(|_| "unbekannt".into());
        Actor {
            name: format!("Kommandozeile ({user})"),
            address: String::new(),
        }
    }
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name, already checked ([`kimo_model::login_name`]).
    pub name: String,
    /// Role.
    pub role: Role,
    /// The Amt of an Amt user.
    pub amt: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
}

/// A session of a user, as the account page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Stored id (to end one of one's own sessions).
    pub id: i64,
    /// The account.
    pub user_id: i64,
    /// The token that forms of this session carry against cross-site requests.
    pub csrf: String,
    /// Started (UTC, RFC 3339).
    pub created_at: String,
    /// Last request (UTC, RFC 3339).
    pub last_seen: String,
    /// Client address at the start.
    pub address: String,
    /// Browser (User-Agent) at the start.
    pub agent: String,
}

/// A personal API token as its owner sees it (the token itself is shown once and not stored).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiToken {
    /// Stored id.
    pub id: i64,
    /// The owner's name for it (e.g. „Statistikskript“).
    pub name: String,
    /// Created (UTC, RFC 3339).
    pub created_at: String,
    /// Last used (UTC, RFC 3339, at most a minute off).
    pub last_used: Option<String>,
    /// Revoked (UTC, RFC 3339).
    pub revoked_at: Option<String>,
}

/// What can be filtered in the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only entries whose action starts with this (e.g. `login`).
    pub action: Option<String>,
    /// Only entries by this actor.
    pub actor: Option<String>,
    /// Only entries at or after this time (RFC 3339 or a date).
    pub since: Option<String>,
    /// Only entries about this object (exactly, e.g. `delivery:7`).
    pub object: Option<String>,
    /// At most this many, newest first (0: all).
    pub limit: usize,
}

const USER_COLUMNS: &str =
    "id, name, role, amt, email, disabled, must_change_password, created_at, password_hash";

fn user_from(r: &Row) -> Result<(User, String)> {
    let role = Role::parse(&r.text(2)).map_err(|e| Error::database("app_user.role", e))?;
    Ok((
        User {
            id: r.int(0),
            name: r.text(1),
            role,
            amt: r.opt_text(3),
            email: r.opt_text(4),
            disabled: r.bool(5),
            must_change_password: r.bool(6),
            created_at: r.text(7),
        },
        r.text(8),
    ))
}

/// Writes an audit entry in the current transaction.
pub(crate) fn audit(
    c: &mut Conn,
    actor: &Actor,
    action: &str,
    object: &str,
    old_state: &str,
    new_state: &str,
) -> Result<()> {
    c.exec(
        "INSERT INTO audit_log (at, actor, action, object, old_state, new_state, address) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        &[
            now().into(),
            actor.name.as_str().into(),
            action.into(),
            object.into(),
            old_state.into(),
            new_state.into(),
            actor.address.as_str().into(),
        ],
    )?;
    Ok(())
}

/// An account's state as the audit log keeps it (never the password hash).
fn state(u: &User) -> String {
    serde_json::json!({
        "rolle": u.role.code(),
        "amt": u.amt,
        "email": u.email,
        "gesperrt": u.disabled,
    })
    .to_string()
}

impl Store {
    /// Adds an account with a password hash (`one_time`: to be changed at the first login); the
    /// name must be new.
    pub fn add_user(
        &self,
        new: &NewUser,
        password_hash: &str,
        one_time: bool,
        actor: &Actor,
    ) -> Result<User> {
        if new.role == Role::Amt && new.amt.as_deref().unwrap_or("").is_empty() {
            return Err(Error::Invalid(
                "ein Konto mit der Rolle 'amt' braucht --amt CODE".into(),
            ));
        }
        let mut c = self.conn()?;
        c.write(|c| {
            if get_user(c, &new.name)?.is_some() {
                return Err(Error::Conflict(format!(
                    "ein Konto '{}' gibt es schon",
                    new.name
                )));
            }
            c.exec(
                "INSERT INTO app_user (name, role, amt, email, password_hash, \
                 must_change_password, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
                &[
                    new.name.as_str().into(),
                    new.role.code().into(),
                    new.amt.clone().into(),
                    new.email.clone().into(),
                    password_hash.into(),
                    one_time.into(),
                    now().into(),
                ],
            )?;
            let (user, _) = get_user(c, &new.name)?.expect("inserted above");
            audit(c, actor, "user.add", &object(&user), "", &state(&user))?;
            Ok(user)
        })
    }

    /// The account of a person the directory (LDAP) has just let in: made on the first login
    /// (without a kimo password), its role, Amt and e-mail brought up to date from the directory on
    /// later ones. Each change is in the audit log (`user.directory`). A local account that has a
    /// kimo password is not touched (Err(Conflict)).
    pub fn directory_user(&self, new: &NewUser, actor: &Actor) -> Result<User> {
        let mut c = self.conn()?;
        c.write(|c| {
            let found = get_user(c, &new.name)?;
            if let Some((_, hash)) = &found
                && !hash.is_empty()
            {
                return Err(Error::Conflict(format!(
                    "das Konto '{}' hat ein kimo-Passwort",
                    new.name
                )));
            }
            let before = found.as_ref().map(|(u, _)| state(u)).unwrap_or_default();
            match found {
                None => c.exec(
                    "INSERT INTO app_user (name, role, amt, email, password_hash, \
                     must_change_password, disabled, created_at) VALUES (?, ?, ?, ?, '', 0, 0, ?)",
                    &[
                        new.name.as_str().into(),
                        new.role.code().into(),
                        new.amt.clone().into(),
                        new.email.clone().into(),
                        now().into(),
                    ],
                )?,
                Some(_) => c.exec(
                    "UPDATE app_user SET role = ?, amt = ?, email = ? WHERE name = ?",
                    &[
                        new.role.code().into(),
                        new.amt.clone().into(),
                        new.email.clone().into(),
                        new.name.as_str().into(),
                    ],
                )?,
            };
            let (user, _) = get_user(c, &new.name)?.expect("written above");
            let after = state(&user);
            if after != before {
                audit(c, actor, "user.directory", &object(&user), &before, &after)?;
            }
            Ok(user)
        })
    }

    /// Every account, by name.
    pub fn users(&self) -> Result<Vec<User>> {
        let mut c = self.conn()?;
        c.query(
            &format!("SELECT {USER_COLUMNS} FROM app_user ORDER BY name"),
            &[],
        )?
        .iter()
        .map(|r| user_from(r).map(|(u, _)| u))
        .collect()
    }

    /// An account with its password hash, by login name.
    pub fn user_with_hash(&self, name: &str) -> Result<Option<(User, String)>> {
        let mut c = self.conn()?;
        get_user(&mut c, name)
    }

    /// Whether any account with the role `admin` can log in.
    pub fn has_admin(&self) -> Result<bool> {
        let mut c = self.conn()?;
        Ok(c.query_opt(
            "SELECT 1 FROM app_user WHERE role = 'admin' AND disabled = 0 LIMIT 1",
            &[],
        )?
        .is_some())
    }

    /// Disables or enables an account; disabling ends its sessions.
    pub fn set_disabled(&self, name: &str, disabled: bool, actor: &Actor) -> Result<User> {
        self.change_user(name, actor, "user.disable", |c, u| {
            c.exec(
                "UPDATE app_user SET disabled = ? WHERE id = ?",
                &[disabled.into(), u.id.into()],
            )?;
            if disabled {
                c.exec("DELETE FROM user_session WHERE user_id = ?", &[u.id.into()])?;
            }
            Ok(())
        })
    }

    /// Sets a new password hash (`one_time`: it must be changed at the next login) and ends every
    /// session of the account but `keep` (the session that changed it).
    pub fn set_password(
        &self,
        name: &str,
        password_hash: &str,
        one_time: bool,
        keep: Option<i64>,
        actor: &Actor,
    ) -> Result<User> {
        self.change_user(name, actor, "user.password", |c, u| {
            c.exec(
                "UPDATE app_user SET password_hash = ?, must_change_password = ? WHERE id = ?",
                &[password_hash.into(), one_time.into(), u.id.into()],
            )?;
            c.exec(
                "DELETE FROM user_session WHERE user_id = ? AND id <> ?",
                &[u.id.into(), keep.unwrap_or(0).into()],
            )?;
            Ok(())
        })
    }

    /// Changes an account in one transaction with its audit entry (before and after).
    fn change_user(
        &self,
        name: &str,
        actor: &Actor,
        action: &str,
        change: impl FnOnce(&mut Conn, &User) -> Result<()>,
    ) -> Result<User> {
        let mut c = self.conn()?;
        c.write(|c| {
            let Some((before, _)) = get_user(c, name)? else {
                return Err(Error::NotFound(format!("kein Konto '{name}'")));
            };
            change(c, &before)?;
            let (after, _) = get_user(c, name)?.expect("changed, not removed");
            audit(
                c,
                actor,
                action,
                &object(&after),
                &state(&before),
                &state(&after),
            )?;
            Ok(after)
        })
    }

    /// Starts a session for an account (the token arrives hashed) and records the login.
    pub fn start_session(
        &self,
        user: &User,
        token_hash: &str,
        csrf: &str,
        actor: &Actor,
        agent: &str,
    ) -> Result<()> {
        let mut c = self.conn()?;
        c.write(|c| {
            let at = now();
            c.exec(
                "INSERT INTO user_session (token_hash, user_id, csrf, created_at, last_seen, \
                 address, agent) VALUES (?, ?, ?, ?, ?, ?, ?)",
                &[
                    token_hash.into(),
                    user.id.into(),
                    csrf.into(),
                    at.as_str().into(),
                    at.as_str().into(),
                    actor.address.as_str().into(),
                    agent.into(),
                ],
            )?;
            audit(c, actor, "login", &object(user), "", "")
        })
    }

    /// The account and session of a token hash, when the session is still valid: the account
    /// is enabled, the last request is no longer ago than `idle_seconds` and the start no longer
    /// than `max_seconds`. Expired sessions are removed; the last request is noted (at most once
    /// a minute).
    pub fn session(
        &self,
        token_hash: &str,
        idle_seconds: i64,
        max_seconds: i64,
    ) -> Result<Option<(User, Session)>> {
        let mut c = self.conn()?;
        let Some(r) = c.query_opt(
            "SELECT s.id, s.user_id, s.csrf, s.created_at, s.last_seen, s.address, s.agent, u.name \
             FROM user_session s JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = ?",
            &[token_hash.into()],
        )?
        else {
            return Ok(None);
        };
        let session = session_from(&r);
        let Some((user, _)) = get_user(&mut c, &r.text(7))? else {
            return Ok(None);
        };
        let now = chrono::Utc::now();
        let age = |t: &str| {
            chrono::DateTime::parse_from_rfc3339(t).map_or(i64::MAX, |t| {
                (now - t.with_timezone(&chrono::Utc)).num_seconds()
            })
        };
        if user.disabled
            || age(&session.last_seen) > idle_seconds
            || age(&session.created_at) > max_seconds
        {
            c.write(|c| {
                c.exec(
                    "DELETE FROM user_session WHERE id = ?",
                    &[session.id.into()],
                )
            })?;
            return Ok(None);
        }
        if age(&session.last_seen) >= 60 {
            c.write(|c| {
                c.exec(
                    "UPDATE user_session SET last_seen = ? WHERE id = ?",
                    &[crate::apply::now().into(), session.id.into()],
                )
            })?;
        }
        Ok(Some((user, session)))
    }

    /// The sessions of an account, newest first.
    pub fn sessions_of(&self, user_id: i64) -> Result<Vec<Session>> {
        let mut c = self.conn()?;
        Ok(c.query(
            "SELECT id, user_id, csrf, created_at, last_seen, address, agent FROM user_session \
             WHERE user_id = ? ORDER BY created_at DESC, id DESC",
            &[user_id.into()],
        )?
        .iter()
        .map(session_from)
        .collect())
    }

    /// Ends a session of an account (logout, or ending one's own other session); records it.
    /// Returns whether there was such a session.
    pub fn end_session(&self, user: &User, session_id: i64, actor: &Actor) -> Result<bool> {
        let mut c = self.conn()?;
        c.write(|c| {
            let n = c.exec(
                "DELETE FROM user_session WHERE id = ? AND user_id = ?",
                &[session_id.into(), user.id.into()],
            )?;
            if n > 0 {
                audit(c, actor, "logout", &object(user), "", "")?;
            }
            Ok(n > 0)
        })
    }

    /// Records an event that changes nothing stored but belongs in the audit log (a failed login).
    pub fn record(&self, actor: &Actor, action: &str, object: &str) -> Result<()> {
        let mut c = self.conn()?;
        c.write(|c| audit(c, actor, action, object, "", ""))
    }

    /// How many entries of `action` concern `object` and how many came from `address` since `since`
    /// (RFC 3339): the counts behind login throttling.
    pub fn recent(
        &self,
        action: &str,
        object: &str,
        address: &str,
        since: &str,
    ) -> Result<(usize, usize)> {
        let mut c = self.conn()?;
        let r = c.query_opt(
            "SELECT COALESCE(SUM(CASE WHEN object = ? THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN address = ? THEN 1 ELSE 0 END), 0) \
             FROM audit_log WHERE action = ? AND at >= ?",
            &[object.into(), address.into(), action.into(), since.into()],
        )?;
        Ok(r.map_or((0, 0), |r| (r.int(0) as usize, r.int(1) as usize)))
    }

    /// The audit log, newest first, filtered.
    pub fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut sql = String::from(
            "SELECT id, at, actor, action, object, old_state, new_state, address FROM audit_log \
             WHERE 1 = 1",
        );
        let mut params: Vec<Value> = Vec::new();
        if let Some(a) = &filter.action {
            sql.push_str(" AND action LIKE ?");
            params.push(format!("{}%", a.replace(['%', '_'], "")).into());
        }
        if let Some(a) = &filter.actor {
            sql.push_str(" AND actor = ?");
            params.push(a.as_str().into());
        }
        if let Some(s) = &filter.since {
            sql.push_str(" AND at >= ?");
            params.push(s.as_str().into());
        }
        if let Some(o) = &filter.object {
            sql.push_str(" AND object = ?");
            params.push(o.as_str().into());
        }
        sql.push_str(" ORDER BY id DESC");
        if filter.limit > 0 {
            sql.push_str(&format!(" LIMIT {}", filter.limit));
        }
        let mut c = self.conn()?;
        Ok(c.query(&sql, &params)?
            .iter()
            .map(|r| AuditEntry {
                id: r.int(0),
                at: r.text(1),
                actor: r.text(2),
                action: r.text(3),
                object: r.text(4),
                before: r.text(5),
                after: r.text(6),
                address: r.text(7),
            })
            .collect())
    }
}

/// The audit log's name for an account.
fn object(u: &User) -> String {
    format!("konto:{}", u.name)
}

pub(crate) fn get_user(c: &mut Conn, name: &str) -> Result<Option<(User, String)>> {
    c.query_opt(
        &format!("SELECT {USER_COLUMNS} FROM app_user WHERE name = ?"),
        &[name.into()],
    )?
    .map(|r| user_from(&r))
    .transpose()
}

fn session_from(r: &Row) -> Session {
    Session {
        id: r.int(0),
        user_id: r.int(1),
        csrf: r.text(2),
        created_at: r.text(3),
        last_seen: r.text(4),
        address: r.text(5),
        agent: r.text(6),
    }
}

impl Store {
    /// Adds an API token (its hash) for `user`; the audit log gets `token.add`.
    pub fn add_token(
        &self,
        user: &User,
        name: &str,
        token_hash: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let mut c = self.conn()?;
        c.write(|c| {
            let id = crate::apply::insert_id(
                c,
                "INSERT INTO api_token (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
                &[user.id.into(), name.into(), token_hash.into(), now().into()],
            )?;
            audit(
                c,
                actor,
                "token.add",
                &object(user),
                "",
                &format!("Schlüssel {id}: {name}"),
            )?;
            Ok(id)
        })
    }

    /// The API tokens of an account, newest first.
    pub fn tokens_of(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        let mut c = self.conn()?;
        Ok(c.query(
            "SELECT id, name, created_at, last_used, revoked_at FROM api_token \
                 WHERE user_id = ? ORDER BY id DESC",
            &[user_id.into()],
        )?
        .iter()
        .map(|r| ApiToken {
            id: r.int(0),
            name: r.text(1),
            created_at: r.text(2),
            last_used: r.opt_text(3),
            revoked_at: r.opt_text(4),
        })
        .collect())
    }

    /// Revokes one of `user`'s tokens (false: no such token of that user, or already revoked);
    /// the audit log gets `token.revoke`.
    pub fn revoke_token(&self, user: &User, id: i64, actor: &Actor) -> Result<bool> {
        let mut c = self.conn()?;
        c.write(|c| {
            let n = c.exec(
                "UPDATE api_token SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
                &[now().into(), id.into(), user.id.into()],
            )?;
            if n > 0 {
                audit(c, actor, "token.revoke", &object(user), &format!("Schlüssel {id}"), "")?;
            }
            Ok(n > 0)
        })
    }

    /// The account of a valid API token (not revoked, account enabled); its last use is noted
    /// (at most once a minute).
    pub fn token_user(&self, token_hash: &str) -> Result<Option<User>> {
        let mut c = self.conn()?;
        let Some(r) = c.query_opt(
            "SELECT t.id, t.last_used, u.name FROM api_token t JOIN app_user u ON u.id = t.user_id \
             WHERE t.token_hash = ? AND t.revoked_at IS NULL",
            &[token_hash.into()],
        )?
        else {
            return Ok(None);
        };
        let Some((user, _)) = get_user(&mut c, &r.text(2))? else {
            return Ok(None);
        };
        if user.disabled {
            return Ok(None);
        }
        let stale = r.opt_text(1).is_none_or(|t| {
            chrono::DateTime::parse_from_rfc3339(&t).map_or(true, |t| {
                (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds() >= 60
            })
        });
        if stale {
            c.write(|c| {
                c.exec(
                    "UPDATE api_token SET last_used = ? WHERE id = ?",
                    &[now().into(), r.int(0).into()],
                )
            })?;
        }
        Ok(Some(user))
    }
}
