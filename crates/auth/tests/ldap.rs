//! Directory login against a real OpenLDAP server: the tests start Debian's `slapd` in a temporary
//! directory (random ports, a CA and server certificate made with the `openssl` command, the
//! memberof overlay) and fill it with people and groups. Without `/usr/sbin/slapd` each test says
//! so and passes, unless `KIMO_TEST_LDAP=1` (as in CI) makes that a failure.

use kimo_auth::ldap::{LdapConfig, LdapError, RoleMapping, Secret, authenticate};
use kimo_auth::testing::{
    EVE, SERVICE_DN, SERVICE_PASSWORD, SUFFIX, Slapd, free_port, password_of, person_dn, server,
};
use kimo_model::Role;

fn roles() -> Vec<RoleMapping> {
    let role = |group: &str, role, amt: Option<&str>| RoleMapping {
        group: group.into(),
        role,
        amt: amt.map(str::to_owned),
    };
    vec![
        // Spelled differently from the directory on purpose: DNs compare case-insensitively.
        role(
            "CN=Kimo-Gremium, OU=Groups, DC=Example, DC=Org",
            Role::Gremium,
            None,
        ),
        role(
            "cn=kimo-amt-ordnung,ou=groups,dc=example,dc=org",
            Role::Amt,
            Some("Ordnungsamt"),
        ),
        role(
            "cn=kimo-admins,ou=groups,dc=example,dc=org",
            Role::Admin,
            None,
        ),
    ]
}

/// StartTLS, a service account's search for the user, groups by a group search only.
fn search_config(server: &Slapd) -> LdapConfig {
    let mut cfg = LdapConfig::new(format!("ldap://127.0.0.1:{}", server.ldap_port));
    cfg.starttls = true;
    cfg.ca_file = Some(server.ca_file());
    cfg.timeout_secs = 5;
    cfg.bind_dn = Some(SERVICE_DN.into());
    cfg.bind_password = Some(Secret::new(SERVICE_PASSWORD));
    cfg.base_dn = Some(format!("ou=people,{SUFFIX}"));
    cfg.user_filter = Some("(&(objectClass=person)(uid={name}))".into());
    cfg.group_attribute = String::new();
    cfg.group_base_dn = Some(format!("ou=groups,{SUFFIX}"));
    cfg.group_filter = Some("(&(objectClass=groupOfNames)(member={dn}))".into());
    cfg.roles = roles();
    cfg.validate().unwrap();
    cfg
}

/// LDAPS, the user's DN from a template, groups from the entry's memberOf.
fn template_config(server: &Slapd) -> LdapConfig {
    let mut cfg = LdapConfig::new(format!("ldaps://127.0.0.1:{}", server.ldaps_port));
    cfg.ca_file = Some(server.ca_file());
    cfg.timeout_secs = 5;
    cfg.user_dn_template = Some(format!("uid={{name}},ou=people,{SUFFIX}"));
    cfg.roles = roles();
    cfg.validate().unwrap();
    cfg
}

fn check_roles(cfg: &LdapConfig) {
    let anna = authenticate(cfg, "Anna", &password_of("anna")).unwrap();
    assert_eq!((anna.role, anna.amt.as_deref()), (Role::Admin, None));
    assert_eq!(anna.name, "anna");
    assert_eq!(anna.dn, person_dn("anna"));
    assert_eq!(anna.display_name.as_deref(), Some("Anna Admin"));
    assert_eq!(anna.email.as_deref(), Some("ann@example.org"));
    assert_eq!(anna.groups.len(), 2, "{:?}", anna.groups);

    // In the Amt's group and in the Gremium's: the Amt wins.
    let otto = authenticate(cfg, "otto", &password_of("otto")).unwrap();
    assert_eq!(
        (otto.role, otto.amt.as_deref()),
        (Role::Amt, Some("Ordnungsamt"))
    );

    let eve = authenticate(cfg, EVE, &password_of(EVE)).unwrap();
    assert_eq!((eve.role, eve.amt), (Role::Gremium, None));
    assert_eq!(eve.dn.to_lowercase(), person_dn(EVE).to_lowercase());
}

#[test]
fn starttls_with_search_and_group_search_gives_roles() {
    let Some(server) = server() else { return };
    check_roles(&search_config(&server));
}

#[test]
fn ldaps_with_dn_template_and_member_of_gives_roles() {
    let Some(server) = server() else { return };
    check_roles(&template_config(&server));
}

#[test]
fn wrong_password_and_unknown_user_get_the_same_refusal() {
    let Some(server) = server() else { return };
    for cfg in [search_config(&server), template_config(&server)] {
        let wrong = authenticate(&cfg, "anna", "falsch-falsch").unwrap_err();
        let unknown = authenticate(&cfg, "niemand", "falsch-falsch").unwrap_err();
        // Another user's password does not open this account.
        let other = authenticate(&cfg, "anna", &password_of("otto")).unwrap_err();
        for error in [&wrong, &unknown, &other] {
            assert_eq!(*error, LdapError::WrongCredentials);
            assert_eq!(
                error.user_message(),
                "Anmeldename oder Passwort ist falsch."
            );
        }
    }
}

#[test]
fn empty_password_is_refused_before_any_bind() {
    let Some(server) = server() else { return };
    for cfg in [search_config(&server), template_config(&server)] {
        assert_eq!(
            authenticate(&cfg, "anna", ""),
            Err(LdapError::WrongCredentials)
        );
        assert_eq!(
            authenticate(&cfg, "", "x"),
            Err(LdapError::WrongCredentials)
        );
        assert_eq!(
            authenticate(&cfg, "  ", "x"),
            Err(LdapError::WrongCredentials)
        );
    }
    // Not even a connection: a server that is not there is not noticed.
    let mut cfg = template_config(&server);
    cfg.url = format!("ldaps://127.0.0.1:{}", free_port());
    assert_eq!(
        authenticate(&cfg, "anna", ""),
        Err(LdapError::WrongCredentials)
    );
}

#[test]
fn user_without_kimo_group_is_refused() {
    let Some(server) = server() else { return };
    for cfg in [search_config(&server), template_config(&server)] {
        let error = authenticate(&cfg, "nora", &password_of("nora")).unwrap_err();
        assert!(
            matches!(&error, LdapError::NoRole { groups, .. } if groups.len() == 1),
            "{error}"
        );
        assert_eq!(
            error.user_message(),
            "Ihr Verzeichniskonto ist keiner kimo-Rolle zugeordnet."
        );
        // A wrong password says nothing about the groups.
        let error = authenticate(&cfg, "nora", "falsch-falsch").unwrap_err();
        assert_eq!(error, LdapError::WrongCredentials);
    }
}

#[test]
fn filter_and_dn_syntax_in_names_is_escaped() {
    let Some(server) = server() else { return };
    let anna = password_of("anna");
    let search = search_config(&server);
    // Unescaped, each of these filters would find Anna alone and accept her password.
    for name in ["ann*", "*nna", "anna)(objectClass=*", "*)(uid=anna"] {
        let result = authenticate(&search, name, &anna);
        assert_eq!(result, Err(LdapError::WrongCredentials), "{name}");
    }
    let template = template_config(&server);
    for name in ["ann*", "anna,ou=people", "anna+cn=x", "#anna"] {
        let result = authenticate(&template, name, &anna);
        assert_eq!(result, Err(LdapError::WrongCredentials), "{name}");
    }
}

#[test]
fn plaintext_is_refused_unless_explicitly_allowed() {
    let Some(server) = server() else { return };
    let mut cfg = search_config(&server);
    cfg.starttls = false;
    let error = cfg.validate().unwrap_err();
    assert!(
        error.to_string().contains("unverschlüsselte Verbindung"),
        "{error}"
    );
    let error = authenticate(&cfg, "anna", &password_of("anna")).unwrap_err();
    assert!(matches!(error, LdapError::Config(_)), "{error}");

    cfg.allow_plaintext = true;
    let anna = authenticate(&cfg, "anna", &password_of("anna")).unwrap();
    assert_eq!(anna.role, Role::Admin);
}

#[test]
fn untrusted_certificate_is_refused() {
    let Some(server) = server() else { return };
    for mut cfg in [search_config(&server), template_config(&server)] {
        cfg.ca_file = None;
        let error = authenticate(&cfg, "anna", &password_of("anna")).unwrap_err();
        assert!(
            matches!(&error, LdapError::Unreachable(d) if d.contains("certificate")),
            "{error}"
        );
        assert!(error.user_message().contains("nicht erreichbar"));
    }
}

#[test]
fn certificate_for_another_host_name_is_refused() {
    let Some(server) = server() else { return };
    let mut cfg = template_config(&server);
    cfg.url = format!("ldaps://localhost:{}", server.ldaps_port);
    let error = authenticate(&cfg, "anna", &password_of("anna")).unwrap_err();
    assert!(
        matches!(&error, LdapError::Unreachable(d) if d.contains("certificate")),
        "{error}"
    );
}

#[test]
fn unreachable_directory_and_wrong_service_password_are_told_apart() {
    let Some(server) = server() else { return };
    let mut cfg = search_config(&server);
    cfg.url = format!("ldap://127.0.0.1:{}", free_port());
    let error = authenticate(&cfg, "anna", &password_of("anna")).unwrap_err();
    assert!(matches!(error, LdapError::Unreachable(_)), "{error}");

    let mut cfg = search_config(&server);
    cfg.bind_password = Some(Secret::new("nicht-das-richtige"));
    let error = authenticate(&cfg, "anna", &password_of("anna")).unwrap_err();
    assert!(
        matches!(&error, LdapError::Config(d) if d.contains(SERVICE_DN)),
        "{error}"
    );
}
