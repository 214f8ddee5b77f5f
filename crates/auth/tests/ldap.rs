//! Directory login against a real OpenLDAP server: the tests start Debian's `slapd` in a temporary
//! directory (random ports, a CA and server certificate made with the `openssl` command, the
//! memberof overlay) and fill it with people and groups. Without `/usr/sbin/slapd` each test says
//! so and passes, unless `KIMO_TEST_LDAP=1` (as in CI) makes that a failure.

use std::collections::HashSet;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use kimo_auth::ldap::{LdapConfig, LdapError, RoleMapping, Secret, authenticate};
use kimo_model::Role;
use ldap3::{LdapConn, dn_escape};
use tempfile::TempDir;

const SLAPD: &str = "/usr/sbin/slapd";
const SUFFIX: &str = "dc=example,dc=org";
const ROOT_DN: &str = "cn=admin,dc=example,dc=org";
const ROOT_PASSWORD: &str = "root-secret";
const SERVICE_DN: &str = "cn=kimo-service,ou=services,dc=example,dc=org";
const SERVICE_PASSWORD: &str = "service-secret";
/// A login name with filter syntax in it: only escaping keeps it a plain name.
const EVE: &str = "eve*)(uid=*";

/// A running slapd; dropping it ends the process and removes its directory.
struct Slapd {
    child: Child,
    dir: TempDir,
    ldap_port: u16,
    ldaps_port: u16,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One server for the tests that run at the same time; the last one to finish stops it.
static SHARED: Mutex<Weak<Slapd>> = Mutex::new(Weak::new());

/// The shared server, or `None` (after saying so) when slapd is not installed.
fn server() -> Option<Arc<Slapd>> {
    if !Path::new(SLAPD).exists() {
        assert!(
            std::env::var("KIMO_TEST_LDAP").as_deref() != Ok("1"),
            "KIMO_TEST_LDAP=1, but {SLAPD} is missing (apt-get install slapd ldap-utils)"
        );
        println!("skipped: slapd not installed (apt-get install slapd ldap-utils)");
        return None;
    }
    let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(server) = shared.upgrade() {
        return Some(server);
    }
    let server = Arc::new(Slapd::start());
    *shared = Arc::downgrade(&server);
    Some(server)
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn run(dir: &Path, program: &str, args: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} cannot run: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A CA and a server certificate for 127.0.0.1 signed by it.
fn make_certificates(dir: &Path) {
    std::fs::write(
        dir.join("ca.cnf"),
        "[req]\ndistinguished_name = dn\nx509_extensions = v3_ca\nprompt = no\n\
         [dn]\nCN = kimo test CA\n\
         [v3_ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n\
         subjectKeyIdentifier = hash\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("server.ext"),
        "basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\n\
         extendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1\n\
         subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n",
    )
    .unwrap();
    let key = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let ca = ["req", "-x509", "-config", "ca.cnf", "-days", "2"];
    let ca_out = ["-keyout", "ca.key", "-out", "ca.pem"];
    run(dir, "openssl", &[&ca[..], &key[..], &ca_out[..]].concat());
    let csr = ["req", "-config", "ca.cnf", "-subj", "/CN=127.0.0.1"];
    let csr_out = ["-keyout", "server.key", "-out", "server.csr"];
    run(dir, "openssl", &[&csr[..], &key[..], &csr_out[..]].concat());
    let sign = [
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
    ];
    let sign_out = [
        "-set_serial",
        "2",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ];
    run(dir, "openssl", &[&sign[..], &sign_out[..]].concat());
}

fn slapd_conf(dir: &Path) -> String {
    let d = dir.display();
    format!(
        "include /etc/ldap/schema/core.schema\n\
         include /etc/ldap/schema/cosine.schema\n\
         include /etc/ldap/schema/inetorgperson.schema\n\
         modulepath /usr/lib/ldap\n\
         moduleload back_mdb\n\
         moduleload memberof\n\
         pidfile {d}/slapd.pid\n\
         TLSCACertificateFile {d}/ca.pem\n\
         TLSCertificateFile {d}/server.pem\n\
         TLSCertificateKeyFile {d}/server.key\n\
         database mdb\n\
         maxsize 10485760\n\
         suffix \"{SUFFIX}\"\n\
         rootdn \"{ROOT_DN}\"\n\
         rootpw {ROOT_PASSWORD}\n\
         directory {d}/db\n\
         access to attrs=userPassword by anonymous auth by * none\n\
         access to * by users read by * none\n\
         overlay memberof\n"
    )
}

impl Slapd {
    fn start() -> Slapd {
        let dir = tempfile::tempdir().expect("a temporary directory");
        make_certificates(dir.path());
        std::fs::create_dir(dir.path().join("db")).unwrap();
        std::fs::write(dir.path().join("slapd.conf"), slapd_conf(dir.path())).unwrap();
        let (ldap_port, ldaps_port) = (free_port(), free_port());
        let urls = format!("ldap://127.0.0.1:{ldap_port}/ ldaps://127.0.0.1:{ldaps_port}/");
        let log = std::fs::File::create(dir.path().join("slapd.log")).unwrap();
        let child = Command::new(SLAPD)
            .args(["-d", "0", "-f", "slapd.conf", "-h", &urls])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("slapd starts");
        let mut server = Slapd {
            child,
            dir,
            ldap_port,
            ldaps_port,
        };
        server.wait_until_listening();
        server.fill();
        server
    }

    fn wait_until_listening(&mut self) {
        let start = Instant::now();
        let listening = |port| TcpStream::connect(("127.0.0.1", port)).is_ok();
        while !(listening(self.ldap_port) && listening(self.ldaps_port)) {
            let exited = self.child.try_wait().unwrap();
            if exited.is_some() || start.elapsed() > Duration::from_secs(10) {
                let log = std::fs::read_to_string(self.dir.path().join("slapd.log"));
                panic!(
                    "slapd did not start ({exited:?}): {}",
                    log.unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The test data, added over the network so that the memberof overlay sees the groups.
    fn fill(&self) {
        let mut conn = LdapConn::new(&format!("ldap://127.0.0.1:{}", self.ldap_port)).unwrap();
        conn.simple_bind(ROOT_DN, ROOT_PASSWORD)
            .unwrap()
            .success()
            .unwrap();
        let mut add = |dn: &str, attrs: &[(&str, &[&str])]| {
            let attrs = attrs
                .iter()
                .map(|(k, v)| (*k, v.iter().copied().collect::<HashSet<&str>>()))
                .collect();
            conn.add(dn, attrs).unwrap().success().unwrap();
        };
        add(
            SUFFIX,
            &[
                ("objectClass", &["dcObject", "organization"]),
                ("o", &["Example"]),
            ],
        );
        for ou in ["people", "groups", "services"] {
            let dn = format!("ou={ou},{SUFFIX}");
            add(
                &dn,
                &[("objectClass", &["organizationalUnit"]), ("ou", &[ou])],
            );
        }
        add(
            SERVICE_DN,
            &[
                ("objectClass", &["person"]),
                ("sn", &["Service"]),
                ("userPassword", &[SERVICE_PASSWORD]),
            ],
        );
        for (uid, cn) in [
            ("anna", "Anna Admin"),
            ("otto", "Otto Ordnung"),
            ("nora", "Nora Niemand"),
            (EVE, "Eve Sonderzeichen"),
        ] {
            let password = password_of(uid);
            add(
                &person_dn(uid),
                &[
                    ("objectClass", &["inetOrgPerson"]),
                    ("uid", &[uid]),
                    ("cn", &[cn]),
                    ("sn", &[cn.split(' ').next_back().unwrap()]),
                    ("mail", &[&format!("{}@example.org", &uid[..3])]),
                    ("userPassword", &[&password]),
                ],
            );
        }
        for (group, members) in [
            ("kimo-admins", vec!["anna"]),
            ("kimo-amt-ordnung", vec!["otto"]),
            ("kimo-gremium", vec!["otto", EVE]),
            ("andere", vec!["nora", "anna"]),
        ] {
            let members: Vec<String> = members.iter().map(|m| person_dn(m)).collect();
            let members: Vec<&str> = members.iter().map(String::as_str).collect();
            let dn = format!("cn={group},ou=groups,{SUFFIX}");
            add(
                &dn,
                &[
                    ("objectClass", &["groupOfNames"]),
                    ("cn", &[group]),
                    ("member", &members),
                ],
            );
        }
        conn.unbind().unwrap();
    }

    fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }
}

fn person_dn(uid: &str) -> String {
    format!("uid={},ou=people,{SUFFIX}", dn_escape(uid))
}

fn password_of(uid: &str) -> String {
    format!("{}-Passwort-1", &uid[..3])
}

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
