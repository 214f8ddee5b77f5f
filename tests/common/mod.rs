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
    child: Child,
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
        std::thread::spawn(move || {
            let mut sent = false;
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                eprintln!("{line}");
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
            Ok(url) => Server { url, child },
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("kimo serve did not report its address");
            }
        }
    }

    /// GET a path; returns (status, body).
    pub fn get(&self, path: &str) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut res = agent
            .get(format!("{}{path}", self.url))
            .call()
            .expect("request");
        let status = res.status().as_u16();
        (status, res.body_mut().read_to_string().expect("body"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
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
