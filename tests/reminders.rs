//! Reminders by e-mail through a real SMTP server (Python's aiosmtpd, started by the test, storing
//! what it receives in a Maildir): before a due date to the Amt's account, when overdue to the
//! delivery's contact (again after a week), the weekly digest to the Redaktion — checked by
//! recipients, subject and body (parsed with mail-parser) — and nothing twice: not on a second run
//! the same day, not after a restart (`kimo erinnern` is a new process each time), not from
//! `kimo serve` starting on the same data; an indicator's contact when the delivery has none; the
//! log of mails for the Büro and each delivery's reminders on its page. Both databases.
//!
//! Needs /usr/bin/python3 with aiosmtpd (Debian: python3-aiosmtpd); without it the test says it was
//! skipped, unless KIMO_TEST_SMTP=1 (set by .ci/run), which makes it mandatory.

mod common;
use common::{Server, kimo_ok, send};
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, DeliveryFilter, Store};
use std::process::{Child, Command, Stdio};

/// An aiosmtpd server writing to a Maildir, stopped when dropped.
struct Smtp {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts aiosmtpd, or None (skipped) when it is not installed and not required.
fn smtp() -> Option<Smtp> {
    let python = "/usr/bin/python3";
    let have = Command::new(python)
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        assert!(
            std::env::var("KIMO_TEST_SMTP").is_err(),
            "KIMO_TEST_SMTP is set but aiosmtpd is missing (Debian: python3-aiosmtpd)"
        );
        println!("skipped: aiosmtpd not installed (Debian: python3-aiosmtpd)");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(python)
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(dir.path().join("mail"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("aiosmtpd starts");
    let t0 = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t0.elapsed().as_secs() < 20, "aiosmtpd did not listen");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Some(Smtp { child, port, dir })
}

/// One received mail: recipients, subject, plain text.
#[derive(Debug)]
struct Mail {
    to: Vec<String>,
    subject: String,
    body: String,
}

/// Every mail in the Maildir.
fn received(s: &Smtp) -> Vec<Mail> {
    let mut out = Vec::new();
    let new = s.dir.path().join("mail").join("new");
    for e in std::fs::read_dir(&new).into_iter().flatten().flatten() {
        let raw = std::fs::read(e.path()).unwrap();
        let m = mail_parser::MessageParser::default()
            .parse(&raw)
            .expect("a mail");
        let to = m
            .to()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.address().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        out.push(Mail {
            to,
            subject: m.subject().unwrap_or("").to_string(),
            body: m.body_text(0).map(|b| b.to_string()).unwrap_or_default(),
        });
    }
    out
}

#[test]
fn reminders_go_out_once_before_and_after_the_due_date() {
    for t in TestDb::all("reminders_go_out_once_before_and_after_the_due_date") {
        // A server of its own for each database: its Maildir holds only this run's mails.
        let Some(server) = smtp() else { return };
        let url = format!("smtp://127.0.0.1:{}", server.port);
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        kimo_ok(
            db,
            &[
                "user",
                "add",
                "jc.post",
                "--role",
                "amt",
                "--amt",
                "Agentur für Arbeit / Jobcenter",
                "--email",
                "arbeit@jobcenter.example",
            ],
        );
        kimo_ok(
            db,
            &[
                "user",
                "add",
                "bfi.post",
                "--role",
                "redaktion",
                "--email",
                "integration@karlsruhe.example",
            ],
        );
        let store = Store::open(db).unwrap();
        let arb = |code: &str| {
            store
                .deliveries(&DeliveryFilter {
                    indicator: Some(code.into()),
                    ..Default::default()
                })
                .unwrap()
                .into_iter()
                .find(|d| d.period == "2026")
                .unwrap()
        };
        // ARB-03 2026: due by hand on 10.03.2027, to a contact of its own; ARB-02 2026 keeps
        // 31.03.2027 (to the Amt's account), ARB-01 2026 too (to its indicator's contact, which
        // the demo sets).
        let (late, soon, by_indicator) = (arb("ARB-03"), arb("ARB-02"), arb("ARB-01"));
        let demo_mails = store.mails(0).unwrap().len();
        assert!(demo_mails > 0, "the demo's reminders");
        let bfi = kimo_store::Actor {
            name: "test".into(),
            address: String::new(),
        };
        store
            .set_delivery_due(
                late.id,
                "2027-03-10",
                "statistik@jobcenter.example",
                "",
                &bfi,
            )
            .unwrap();
        let remind = |day: &str| {
            kimo_ok(
                db,
                &[
                    "erinnern",
                    "--smtp",
                    &url,
                    "--mail-absender",
                    "kimo <kimo@karlsruhe.example>",
                    "--adresse",
                    "https://kimo.karlsruhe.example",
                    "--heute",
                    day,
                ],
            )
        };

        // 20.03.2027: ARB-02 due in 11 days (to the Amt's account), ARB-01 too (to its
        // indicator's contact), ARB-03 overdue (to its contact), the digest (to the Redaktion).
        let out = remind("20.03.2027");
        assert!(
            out.contains("zu überfälligen Lieferungen, 1 Wochenberichte"),
            "{out}"
        );
        let mails = received(&server);
        let mine = |m: &&Mail, subject: &str| m.subject == subject;
        let first = mails
            .iter()
            .filter(|m| {
                mine(
                    m,
                    "Erinnerung: Datenlieferung ARB-02 2026 fällig am 31.03.2027",
                )
            })
            .collect::<Vec<_>>();
        assert_eq!(
            first.len(),
            1,
            "{:#?}",
            mails.iter().map(|m| &m.subject).collect::<Vec<_>>()
        );
        assert_eq!(first[0].to, ["arbeit@jobcenter.example"]);
        assert!(
            first[0].body.contains("ist am 31.03.2027 fällig"),
            "{}",
            first[0].body
        );
        assert!(first[0].body.contains(&format!(
            "https://kimo.karlsruhe.example/lieferungen/{}",
            soon.id
        )));
        let indicator: Vec<&Mail> = mails
            .iter()
            .filter(|m| {
                mine(
                    m,
                    "Erinnerung: Datenlieferung ARB-01 2026 fällig am 31.03.2027",
                )
            })
            .collect();
        assert_eq!(indicator.len(), 1);
        assert_eq!(indicator[0].to, ["statistik@jobcenter.demo.kimo.example"]);
        let overdue: Vec<&Mail> = mails
            .iter()
            .filter(|m| mine(m, "Überfällig: Datenlieferung ARB-03 2026"))
            .collect();
        assert_eq!(overdue.len(), 1);
        assert_eq!(overdue[0].to, ["statistik@jobcenter.example"]);
        assert!(
            overdue[0]
                .body
                .contains("war am 10.03.2027 fällig und ist seit 10 Tagen überfällig"),
            "{}",
            overdue[0].body
        );
        let digest: Vec<&Mail> = mails
            .iter()
            .filter(|m| m.subject.starts_with("kimo-Wochenbericht KW 11/2027"))
            .collect();
        assert_eq!(digest.len(), 1);
        assert_eq!(digest[0].to, ["integration@karlsruhe.example"]);
        assert!(
            digest[0]
                .body
                .contains("\n- ARB-03 2026 (Agentur für Arbeit / Jobcenter), fällig 10.03.2027\n"),
            "{}",
            digest[0].body
        );

        // Again the same day, and the next day in a new process: nothing twice.
        let out = remind("20.03.2027");
        assert!(out.starts_with("E-Mails: 0 Erinnerungen vor der Frist, 0 zu überfälligen Lieferungen, 0 Wochenberichte"), "{out}");
        remind("21.03.2027");
        let now = received(&server);
        let count = |s: &str| now.iter().filter(|m| m.subject == s).count();
        assert_eq!(
            count("Erinnerung: Datenlieferung ARB-02 2026 fällig am 31.03.2027"),
            1
        );
        assert_eq!(count("Überfällig: Datenlieferung ARB-03 2026"), 1);
        // kimo serve starting on the same data sends nothing it already sent (it reminds as of
        // the real today, long before 2027: at most the digest of this week).
        let before_serve = now.len();
        let s = Server::start(&["--database", db], &["--smtp", &url]);
        drop(s);
        let after_serve = received(&server);
        assert!(
            after_serve.len() - before_serve <= 1,
            "{:#?}",
            after_serve
                .iter()
                .skip(before_serve)
                .map(|m| &m.subject)
                .collect::<Vec<_>>()
        );
        // A week after the first overdue reminder: the next one.
        remind("25.03.2027");
        assert_eq!(
            received(&server)
                .iter()
                .filter(|m| m.subject == "Überfällig: Datenlieferung ARB-03 2026")
                .count(),
            2
        );
        let log = store
            .audit_log(&AuditFilter {
                action: Some("mail.sent".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            log.len() - demo_mails,
            received(&server).len(),
            "one audit entry per mail received (and per mail of the demo)"
        );
        assert!(log.iter().any(|e| {
            e.object
                .starts_with(&format!("lieferung-ueberfaellig:{}:2027-03-10:2", late.id))
        }));

        // The log of mails for the Büro, and each delivery's reminders on its page.
        let web = Server::start(&["--database", db], &[]);
        let bfi = web.log_in(db);
        let page = send(&web, "GET", "/lieferungen/erinnerungen", &bfi, &[]);
        assert_eq!(page.status, 200);
        let late_line = format!(
            "<td>Erinnerung: überfällig seit 10.03.2027 (Lieferung Nr. {})</td>",
            late.id
        );
        assert_eq!(page.body.matches(&late_line).count(), 2, "{}", page.body);
        assert!(
            page.body.contains("<td>Wochenbericht KW 11&#x2f;2027</td>"),
            "{}",
            page.body
        );
        let json = send(&web, "GET", "/lieferungen/erinnerungen.json", &bfi, &[]).body;
        let all: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(all.as_array().unwrap().len(), log.len());
        let one = send(&web, "GET", &format!("/lieferungen/{}", late.id), &bfi, &[]).body;
        assert!(
            one.contains("<td>statistik@jobcenter.example</td>"),
            "{one}"
        );
        assert_eq!(one.matches(&late_line).count(), 2, "{one}");
        let amt = common::log_in_with(
            &web,
            db,
            "jc.log",
            "amt",
            Some("Agentur für Arbeit / Jobcenter"),
        );
        assert_eq!(
            send(&web, "GET", "/lieferungen/erinnerungen", &amt, &[]).status,
            403
        );
        let theirs = send(
            &web,
            "GET",
            &format!("/lieferungen/{}", by_indicator.id),
            &amt,
            &[],
        )
        .body;
        assert!(
            theirs.contains("statistik@jobcenter.demo.kimo.example (für den Indikator)"),
            "{theirs}"
        );
    }
}
