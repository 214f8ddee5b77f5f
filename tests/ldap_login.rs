//! Directory login through the web, against a real OpenLDAP server (`kimo_auth::testing`): people
//! of the directory log in with its password, get their role and Amt from its groups, and their
//! account is made and kept up to date; kimo's own accounts keep working, also while the directory
//! is unreachable. Skipped with a message when slapd is not installed (mandatory in CI).

mod common;
use common::{Reply, Server, kimo_ok, log_in_form as login, send};
use kimo_auth::testing::{
    EVE, SERVICE_DN, SERVICE_PASSWORD, SUFFIX, free_port, password_of, server,
};
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, Store};

/// The account (name, role, Amt) of a successful login, from `/konto.json`.
fn account(server: &Server, res: &Reply) -> (String, String, Option<String>) {
    assert_eq!(res.status, 303, "login failed: {}", res.body);
    let cookie = format!("kimo_sitzung={}", res.cookie("kimo_sitzung").unwrap());
    let json = send(server, "GET", "/konto.json", &cookie, &[]);
    let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    let text = |k: &str| v[k].as_str().map(str::to_string);
    (text("name").unwrap(), text("role").unwrap(), text("amt"))
}

/// The TOML configuration: StartTLS, a service account's search, groups by a group search.
fn config(dir: &std::path::Path, url: &str, ca: &std::path::Path) -> std::path::PathBuf {
    let toml = format!(
        r#"url = "{url}"
starttls = true
ca_file = "{ca}"
timeout_secs = 5
bind_dn = "{SERVICE_DN}"
bind_password = "{SERVICE_PASSWORD}"
base_dn = "ou=people,{SUFFIX}"
user_filter = "(&(objectClass=person)(uid={{name}}))"
group_attribute = ""
group_base_dn = "ou=groups,{SUFFIX}"
group_filter = "(&(objectClass=groupOfNames)(member={{dn}}))"

[[roles]]
group = "cn=kimo-admins,ou=groups,{SUFFIX}"
role = "admin"

[[roles]]
group = "cn=kimo-amt-ordnung,ou=groups,{SUFFIX}"
role = "amt"
amt = "Ordnungsamt"

[[roles]]
group = "cn=kimo-gremium,ou=groups,{SUFFIX}"
role = "gremium"
"#,
        ca = ca.display()
    );
    let path = dir.join("ldap.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

#[test]
fn directory_people_log_in_with_their_groups_roles() {
    let Some(slapd) = server() else {
        return;
    };
    for t in TestDb::all("directory_people_log_in_with_their_groups_roles") {
        let db = t.url.as_str();
        let dir = tempfile::tempdir().unwrap();
        let url = format!("ldap://127.0.0.1:{}", slapd.ldap_port);
        let cfg = config(dir.path(), &url, &slapd.ca_file());
        let cfg = cfg.to_str().unwrap();
        kimo_ok(db, &["migrate"]);
        let server = Server::start(&["--database", db], &["--ldap-config", cfg]);

        // anna is in kimo-admins: an administrator, her account made at the first login.
        let res = login(&server, "Anna", &password_of("anna"));
        assert_eq!(
            account(&server, &res),
            ("anna".into(), "admin".into(), None)
        );
        // otto is in kimo-amt-ordnung and kimo-gremium: the Amt wins, with its code.
        let res = login(&server, "otto", &password_of("otto"));
        let otto = account(&server, &res);
        assert_eq!(
            otto,
            ("otto".into(), "amt".into(), Some("Ordnungsamt".into()))
        );
        let cookie = format!("kimo_sitzung={}", res.cookie("kimo_sitzung").unwrap());
        let page = send(&server, "GET", "/konto", &cookie, &[]);
        assert!(
            page.body
                .contains("Ihr Passwort ändern Sie dort, nicht in kimo")
        );

        // Refusals: wrong password, no kimo group (said so), a name with filter syntax.
        let wrong = login(&server, "anna", "falsch-falsch");
        assert_eq!(wrong.status, 401);
        assert!(wrong.body.contains("Name oder Passwort falsch"));
        let nora = login(&server, "nora", &password_of("nora"));
        assert_eq!(nora.status, 401);
        assert!(
            nora.body.contains("keiner kimo-Rolle zugeordnet"),
            "{}",
            nora.body
        );
        assert_eq!(login(&server, EVE, &password_of(EVE)).status, 401);
        assert_eq!(login(&server, "anna", "").status, 401);

        // Disabled in kimo: the directory's password no longer lets anna in.
        kimo_ok(db, &["user", "disable", "anna"]);
        assert_eq!(login(&server, "anna", &password_of("anna")).status, 401);

        // A local account with a kimo password is checked by kimo, not by the directory.
        let one_time = common::one_time_password(&kimo_ok(
            db,
            &["user", "add", "lokal", "--role", "redaktion"],
        ));
        let res = login(&server, "lokal", &one_time);
        assert_eq!(account(&server, &res).1, "redaktion");

        let store = Store::open(db).unwrap();
        let made = store
            .audit_log(&AuditFilter {
                action: Some("user.directory".into()),
                ..Default::default()
            })
            .unwrap();
        let names: Vec<&str> = made.iter().map(|e| e.object.as_str()).collect();
        assert_eq!(names, ["konto:otto", "konto:anna"]);
        let failed = store
            .audit_log(&AuditFilter {
                action: Some("login.failed".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(failed.len(), 5);
    }
}

#[test]
fn kimo_accounts_work_while_the_directory_is_unreachable() {
    let Some(slapd) = server() else {
        return;
    };
    let t = TestDb::sqlite();
    let db = t.url.as_str();
    let dir = tempfile::tempdir().unwrap();
    let nobody = format!("ldap://127.0.0.1:{}", free_port());
    let cfg = config(dir.path(), &nobody, &slapd.ca_file());
    let server = Server::start(
        &["--database", db],
        &["--ldap-config", cfg.to_str().unwrap()],
    );
    let res = login(&server, "anna", &password_of("anna"));
    assert_eq!(res.status, 401);
    assert!(
        res.body.contains("zurzeit nicht erreichbar"),
        "{}",
        res.body
    );
    let one_time =
        common::one_time_password(&kimo_ok(db, &["user", "add", "notfall", "--role", "admin"]));
    assert_eq!(login(&server, "notfall", &one_time).status, 303);
}

#[test]
fn a_broken_directory_configuration_stops_the_start_with_its_place() {
    let t = TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ldap.toml");
    std::fs::write(&path, "url = \"ldaps://dc1\"\nrolle = 3\n").unwrap();
    let out = common::kimo(
        &t.url,
        &[
            "serve",
            "--port",
            "0",
            "--ldap-config",
            path.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ldap.toml") && err.contains("line 2"), "{err}");
}
