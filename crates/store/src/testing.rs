//! Throw-away databases for tests: always a new SQLite file, and a new PostgreSQL database when
//! `KIMO_TEST_POSTGRES_URL` points at a server (whose user may create databases).

use std::sync::atomic::{AtomicUsize, Ordering};

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    /// The URL to open it with.
    pub url: String,
    /// `SQLite` or `PostgreSQL`, for messages.
    pub label: &'static str,
    admin: Option<(String, String)>,
}

fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

impl TestDb {
    /// A new SQLite file in the temporary directory.
    pub fn sqlite() -> TestDb {
        let path = std::env::temp_dir().join(format!("{}.db", unique("kimo_test")));
        TestDb {
            url: path.display().to_string(),
            label: "SQLite",
            admin: None,
        }
    }

    /// A new PostgreSQL database, or `None` (with a printed "skipped") when the variable is unset.
    pub fn postgres(test: &str) -> Option<TestDb> {
        let Ok(base) = std::env::var("KIMO_TEST_POSTGRES_URL") else {
            println!("skipped: {test} on PostgreSQL (KIMO_TEST_POSTGRES_URL is not set)");
            return None;
        };
        let name = unique("kimo_test");
        let mut c = postgres::Client::connect(&base, postgres::NoTls)
            .unwrap_or_else(|e| panic!("KIMO_TEST_POSTGRES_URL: {e}"));
        c.batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        let url = match base.rfind('/') {
            Some(i) if i > base.find("://").map_or(0, |s| s + 2) => {
                format!("{}/{name}", &base[..i])
            }
            _ => format!("{base}/{name}"),
        };
        println!("{test}: running on PostgreSQL ({name})");
        Some(TestDb {
            url,
            label: "PostgreSQL",
            admin: Some((base, name)),
        })
    }

    /// SQLite, and PostgreSQL when configured.
    pub fn all(test: &str) -> Vec<TestDb> {
        let mut v = vec![TestDb::sqlite()];
        v.extend(TestDb::postgres(test));
        v
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.admin {
            None => {
                for ext in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{ext}", self.url));
                }
            }
            Some((base, name)) => {
                if let Ok(mut c) = postgres::Client::connect(base, postgres::NoTls) {
                    let _ =
                        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}
