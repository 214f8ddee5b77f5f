//! Helpers for the integration tests: run the real `kimo` binary, start it as a server.
#![allow(dead_code)]

use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

/// Runs `kimo --database DB ARGS...` and returns its output.
pub fn kimo(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kimo"))
        .arg("--database")
        .arg(db)
        .args(args)
        .env_remove("KIMO_DATABASE_URL")
        .output()
        .expect("kimo runs")
}

/// Runs kimo and panics with its output unless it succeeds; returns stdout.
pub fn kimo_ok(db: &str, args: &[&str]) -> String {
    let out = kimo(db, args);
    assert!(
        out.status.success(),
        "kimo {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The shared data folder beside the checkout, if present (prints that the test is skipped otherwise).
pub fn shared(rel: &str) -> Option<std::path::PathBuf> {
    kimo_model::testing::shared_data(rel)
}

/// A running `kimo serve` on a random port; stopped on drop.
pub struct Server {
    /// Base URL, e.g. http://127.0.0.1:41234
    pub url: String,
    /// What the server wrote to stderr so far.
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    child: Child,
}

/// An HTTP answer: status, headers (names in lower case) and body.
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Headers, lower-case names.
    pub headers: std::collections::HashMap<String, String>,
    /// Body as text (lossy).
    pub body: String,
}

impl Server {
    /// Starts `kimo GLOBAL... serve --port 0 SERVE...` and waits for the address it reports, so that
    /// no two tests can ever race for the same port.
    pub fn start(global: &[&str], serve: &[&str]) -> Server {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_kimo"))
            .args(global)
            .args(["serve", "--port", "0"])
            .args(serve)
            .env_remove("KIMO_DATABASE_URL")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("kimo serve starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = std::sync::mpsc::channel();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let lines = log.clone();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                eprintln!("{line}");
                lines.lock().unwrap().push(line.clone());
                if !sent
                    && let Some(url) = line
                        .split("läuft auf ")
                        .nth(1)
                        .and_then(|r| r.split_whitespace().next())
                {
                    let _ = tx.send(url.to_string());
                    sent = true;
                }
            }
        });
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(url) => Server { url, log, child },
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("kimo serve did not report its address");
            }
        }
    }

    /// GET a path; returns (status, body).
    pub fn get(&self, path: &str) -> (u16, String) {
        let a = self.request(path, &[]);
        (a.status, a.body)
    }

    /// GET a path with request headers; returns status, headers and body (never decompressed).
    pub fn request(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let (status, headers, bytes) = self.raw(path, headers);
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// GET a path with request headers; returns the headers (lower-case names) and the raw body.
    pub fn request_bytes(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (std::collections::HashMap<String, String>, Vec<u8>) {
        let (_, h, body) = self.raw(path, headers);
        (h, body)
    }

    /// GET a path with request headers: status, headers (lower-case names), raw body.
    pub fn raw(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, std::collections::HashMap<String, String>, Vec<u8>) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut req = agent.get(format!("{}{path}", self.url));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut res = req.call().expect("request");
        let h = res
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_lowercase(),
                    v.to_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let body = res
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .expect("body");
        (res.status().as_u16(), h, body)
    }

    /// Adds an account (role redaktion) to the server's database `db` and logs it in through the
    /// login form; returns the `Cookie` header value of its session.
    pub fn log_in(&self, db: &str) -> String {
        self.log_in_as(db, "redaktion")
    }

    /// The same with another role.
    pub fn log_in_as(&self, db: &str, role: &str) -> String {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        log_in_with(self, db, &format!("pruefer{n}"), role, None)
    }

    /// Every value of one response header of a GET (the map of [`Server::request`] keeps one).
    pub fn raw_headers(&self, path: &str, name: &str) -> Vec<String> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let res = agent
            .get(format!("{}{path}", self.url))
            .call()
            .expect("request");
        res.headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }

    /// GET a path with a session cookie; returns (status, body).
    pub fn get_as(&self, cookie: &str, path: &str) -> (u16, String) {
        let a = self.request(path, &[("cookie", cookie)]);
        (a.status, a.body)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits (up to 20 s) for the process to end; returns whether it exited cleanly.
    pub fn terminate(mut self) -> bool {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer: status, every header (lower-case names, in order) and the body.
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers, lower-case names.
    pub headers: Vec<(String, String)>,
    /// Body as text.
    pub body: String,
}

impl Reply {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value a `Set-Cookie` header gives `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .find_map(|(_, v)| v.strip_prefix(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap_or("").to_string())
    }

    /// The value of the hidden `csrf` field of the page's first form.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a form with a CSRF field");
        let rest = &self.body[at + 19..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

/// Sends a request (no redirects followed) with an optional cookie header and form body.
pub fn send(
    server: &Server,
    method: &str,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> Reply {
    let agent = agent();
    let url = format!("{}{path}", server.url);
    let mut res = match method {
        "GET" => {
            let mut req = agent.get(&url);
            if !cookie.is_empty() {
                req = req.header("cookie", cookie);
            }
            req.call()
        }
        _ => {
            let mut req = agent.post(&url);
            if !cookie.is_empty() {
                req = req.header("cookie", cookie);
            }
            req.send_form(form.iter().copied())
        }
    }
    .expect("request");
    reply(&mut res)
}

/// An HTTP client that returns every status and follows no redirect.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// The status, headers and body of an answer.
fn reply(res: &mut ureq::http::Response<ureq::Body>) -> Reply {
    let headers = res
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_lowercase(),
                v.to_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let body = res.body_mut().read_to_string().unwrap_or_default();
    Reply {
        status: res.status().as_u16(),
        headers,
        body,
    }
}

/// Sends a request with the given headers and a raw body (POST when there is a body or `method`
/// says so; no redirects followed).
pub fn send_raw(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let agent = agent();
    let url = format!("{}{path}", server.url);
    let mut res = match method {
        "GET" => {
            let mut req = agent.get(&url);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            req.call()
        }
        _ => {
            let mut req = agent.post(&url);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            req.send(body)
        }
    }
    .expect("request");
    reply(&mut res)
}

/// Adds the account `name` with `role` (and `amt`) to the server's database `db`, logs it in
/// through the login form and returns the `Cookie` header value of its session.
#[allow(dead_code)]
pub fn log_in_with(server: &Server, db: &str, name: &str, role: &str, amt: Option<&str>) -> String {
    let mut args = vec!["user", "add", name, "--role", role];
    if let Some(a) = amt {
        args.extend(["--amt", a]);
    }
    let password = one_time_password(&kimo_ok(db, &args));
    let res = log_in_form(server, name, &password);
    assert_eq!(res.status, 303, "login failed");
    format!(
        "kimo_sitzung={}",
        res.cookie("kimo_sitzung").expect("a session cookie")
    )
}

/// The one-time password `kimo user add` or `reset-password` printed (`xxxx-xxxx-xxxx-xxxx`).
pub fn one_time_password(out: &str) -> String {
    out.split_whitespace()
        .find(|w| w.len() == 19 && w.matches('-').count() == 3)
        .expect("a one-time password")
        .to_string()
}

/// Sets an indicator's catalogue flag `veroeffentlicht` in the database `db` by importing its line
/// of the example catalogue with the flag changed.
pub fn set_published(db: &str, code: &str, published: bool) {
    let catalogue = std::fs::read_to_string("examples/katalog/indikatoren.csv").unwrap();
    let header = catalogue.lines().next().unwrap();
    let prefix = format!("{code};");
    let line = catalogue.lines().find(|l| l.starts_with(&prefix)).unwrap();
    let at = header
        .split(';')
        .position(|h| h == "veroeffentlicht")
        .unwrap();
    let mut cells: Vec<&str> = line.split(';').collect();
    cells[at] = if published { "ja" } else { "nein" };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("indikatoren.csv");
    std::fs::write(&path, format!("{header}\n{}\n", cells.join(";"))).unwrap();
    kimo_ok(db, &["import", path.to_str().unwrap()]);
}

/// The folder of the browser scripts when Node.js, Chromium and the npm packages are there; None
/// (after saying `skipped`) otherwise — a failure instead when KIMO_TEST_BROWSER is set (CI).
pub fn browser() -> Option<std::path::PathBuf> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let ready = dir.join("node_modules/axe-core").exists()
        && dir.join("node_modules/playwright-core").exists()
        && std::path::Path::new(&chromium).exists()
        && Command::new("node").arg("--version").output().is_ok();
    if !ready {
        assert!(
            std::env::var("KIMO_TEST_BROWSER").is_err(),
            "KIMO_TEST_BROWSER is set but Node.js, {chromium} or tests/browser/node_modules is missing"
        );
        println!("skipped: browser test needs Node.js, {chromium} and `npm ci` in tests/browser");
        return None;
    }
    Some(dir)
}

/// Logs in through the form (the login page's token and cookie, then the form); the answer.
pub fn log_in_form(server: &Server, name: &str, password: &str) -> Reply {
    let page = send(server, "GET", "/anmelden", "", &[]);
    assert_eq!(page.status, 200);
    let cookie = format!("kimo_anmeldung={}", page.cookie("kimo_anmeldung").unwrap());
    let csrf = page.csrf();
    let form = [
        ("name", name),
        ("passwort", password),
        ("csrf", csrf.as_str()),
    ];
    send(server, "POST", "/anmelden", &cookie, &form)
}
