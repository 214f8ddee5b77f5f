//! A real OpenLDAP server for tests (feature `testing`): Debian's `slapd` in a temporary directory
//! on random ports, with a CA and a server certificate for 127.0.0.1 made by the `openssl` command,
//! the memberof overlay, and people and groups: `anna` (kimo-admins), `otto` (kimo-amt-ordnung,
//! kimo-gremium), `nora` (no kimo group) and [`EVE`] (kimo-gremium), each with
//! [`password_of`] as password. Without `/usr/sbin/slapd`, [`server`] says `skipped: …` and gives
//! `None`, unless `KIMO_TEST_LDAP=1` (as in CI) makes that a failure.

use std::collections::HashSet;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use ldap3::{LdapConn, dn_escape};
use tempfile::TempDir;

/// Debian's OpenLDAP server.
pub const SLAPD: &str = "/usr/sbin/slapd";
/// The directory's base DN.
pub const SUFFIX: &str = "dc=example,dc=org";
/// The directory's administrator (fills it).
pub const ROOT_DN: &str = "cn=admin,dc=example,dc=org";
/// Its password.
pub const ROOT_PASSWORD: &str = "root-secret";
/// The service account that searches for people.
pub const SERVICE_DN: &str = "cn=kimo-service,ou=services,dc=example,dc=org";
/// Its password.
pub const SERVICE_PASSWORD: &str = "service-secret";
/// A login name with filter syntax in it: only escaping keeps it a plain name.
pub const EVE: &str = "eve*)(uid=*";

/// A running slapd; dropping it ends the process and removes its directory.
pub struct Slapd {
    child: Child,
    dir: TempDir,
    /// The port of `ldap://` (StartTLS).
    pub ldap_port: u16,
    /// The port of `ldaps://`.
    pub ldaps_port: u16,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One server for the tests of a process that run at the same time; the last to finish stops it.
static SHARED: Mutex<Weak<Slapd>> = Mutex::new(Weak::new());

/// The shared server, or `None` (after saying so) when slapd is not installed.
pub fn server() -> Option<Arc<Slapd>> {
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
pub fn free_port() -> u16 {
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

    /// The CA certificate (PEM) that signed the server's certificate.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }
}

/// The DN of a person of the test directory.
pub fn person_dn(uid: &str) -> String {
    format!("uid={},ou=people,{SUFFIX}", dn_escape(uid))
}

/// The password of a person of the test directory.
pub fn password_of(uid: &str) -> String {
    format!("{}-Passwort-1", &uid[..3])
}
