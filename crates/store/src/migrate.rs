//! Embedded schema migrations: an ordered list whose length is the schema version.

use crate::Result;
use crate::sql::{Conn, Value};

/// The migration steps, in order. Never edit a released step; append a new one.
const STEPS: &[&str] = &[
    // 1: catalogue, areas, dimensions, observations with history and provenance.
    "CREATE TABLE action_field (
        id {serial},
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        sort BIGINT NOT NULL DEFAULT 0
    );
    CREATE TABLE indicator (
        id {serial},
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        definition TEXT NOT NULL DEFAULT '',
        numerator TEXT NOT NULL DEFAULT '',
        denominator TEXT NOT NULL DEFAULT '',
        unit TEXT NOT NULL DEFAULT '',
        polarity TEXT NOT NULL DEFAULT 'neutral',
        source TEXT NOT NULL DEFAULT '',
        department TEXT NOT NULL DEFAULT '',
        periodicity TEXT NOT NULL DEFAULT 'year',
        core BIGINT NOT NULL DEFAULT 0,
        action_field_id BIGINT REFERENCES action_field(id),
        published BIGINT NOT NULL DEFAULT 1,
        notes TEXT NOT NULL DEFAULT '',
        may_exceed_100 BIGINT NOT NULL DEFAULT 0
    );
    CREATE TABLE area (
        id {serial},
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        parent_id BIGINT REFERENCES area(id),
        level BIGINT NOT NULL DEFAULT 0,
        geometry TEXT
    );
    CREATE TABLE dimension (
        id {serial},
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        sort BIGINT NOT NULL DEFAULT 0
    );
    CREATE TABLE category (
        id {serial},
        dimension_id BIGINT NOT NULL REFERENCES dimension(id),
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        sort BIGINT NOT NULL DEFAULT 0,
        UNIQUE (dimension_id, code)
    );
    CREATE TABLE import_run (
        id {serial},
        started_at TEXT NOT NULL,
        username TEXT NOT NULL,
        source TEXT NOT NULL,
        observations BIGINT NOT NULL DEFAULT 0
    );
    CREATE TABLE observation (
        id {serial},
        indicator_id BIGINT NOT NULL REFERENCES indicator(id),
        area_id BIGINT NOT NULL REFERENCES area(id),
        breakdown TEXT NOT NULL DEFAULT '',
        period TEXT NOT NULL,
        value DOUBLE PRECISION,
        numerator DOUBLE PRECISION,
        denominator DOUBLE PRECISION,
        flags TEXT NOT NULL DEFAULT '',
        import_id BIGINT REFERENCES import_run(id),
        updated_at TEXT NOT NULL,
        UNIQUE (indicator_id, area_id, breakdown, period)
    );
    CREATE TABLE observation_history (
        id {serial},
        observation_id BIGINT NOT NULL REFERENCES observation(id),
        old_value DOUBLE PRECISION,
        new_value DOUBLE PRECISION,
        old_numerator DOUBLE PRECISION,
        old_denominator DOUBLE PRECISION,
        old_flags TEXT NOT NULL,
        new_flags TEXT NOT NULL,
        import_id BIGINT REFERENCES import_run(id),
        changed_by TEXT NOT NULL,
        changed_at TEXT NOT NULL
    );
    CREATE INDEX observation_history_obs ON observation_history (observation_id);",
    // 2: settings (the rules file), early-warning results as work items with their history.
    "CREATE TABLE setting (
        name TEXT NOT NULL PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE warning (
        id {serial},
        ident TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        rule TEXT NOT NULL,
        indicator_id BIGINT NOT NULL REFERENCES indicator(id),
        area_id BIGINT NOT NULL REFERENCES area(id),
        breakdown TEXT NOT NULL,
        severity TEXT NOT NULL,
        sentence TEXT NOT NULL,
        figures TEXT NOT NULL,
        period TEXT,
        active BIGINT NOT NULL,
        status TEXT NOT NULL,
        assignee TEXT,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        resolved_at TEXT
    );
    CREATE TABLE warning_event (
        id {serial},
        warning_id BIGINT NOT NULL REFERENCES warning(id),
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT,
        comment TEXT
    );
    CREATE INDEX warning_event_warning ON warning_event (warning_id);",
    // 3: people: accounts with a role, their sessions (by the hash of the cookie's token), and the
    // audit log of every change (never updated or deleted by kimo).
    "CREATE TABLE app_user (
        id {serial},
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        amt TEXT,
        email TEXT,
        password_hash TEXT NOT NULL DEFAULT '',
        must_change_password BIGINT NOT NULL DEFAULT 0,
        disabled BIGINT NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE user_session (
        id {serial},
        token_hash TEXT NOT NULL UNIQUE,
        user_id BIGINT NOT NULL REFERENCES app_user(id),
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        address TEXT NOT NULL DEFAULT '',
        agent TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX user_session_user ON user_session (user_id);
    CREATE TABLE audit_log (
        id {serial},
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        object TEXT NOT NULL DEFAULT '',
        old_state TEXT NOT NULL DEFAULT '',
        new_state TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_log_action_at ON audit_log (action, at);",
    // 4: personal API tokens (by the hash of the token; shown once, revoked rather than deleted).
    "CREATE TABLE api_token (
        id {serial},
        user_id BIGINT NOT NULL REFERENCES app_user(id),
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        last_used TEXT,
        revoked_at TEXT
    );
    CREATE INDEX api_token_user ON api_token (user_id);",
    // 5: the Integrationskonzept: versions (content and the decision's figures as JSON text) and the
    // comments of the Beratungsprozess.
    "CREATE TABLE konzept_version (
        id {serial},
        title TEXT NOT NULL,
        state TEXT NOT NULL,
        based_on BIGINT REFERENCES konzept_version(id),
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        decided_on TEXT,
        body TEXT,
        vorlage TEXT,
        paper_url TEXT,
        pdf_url TEXT,
        content TEXT NOT NULL DEFAULT '{}',
        snapshot TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE konzept_comment (
        id {serial},
        version_id BIGINT NOT NULL REFERENCES konzept_version(id),
        section TEXT NOT NULL,
        author TEXT NOT NULL,
        at TEXT NOT NULL,
        text TEXT NOT NULL,
        state TEXT NOT NULL,
        answer TEXT,
        answered_by TEXT
    );
    CREATE INDEX konzept_comment_version ON konzept_comment (version_id);",
    // 6: the delivery plan: per indicator its lag and contact, per indicator and period the delivery
    // owed (due date, state), and per user the secret of their calendar feed (by its hash).
    "CREATE TABLE delivery_setting (
        indicator TEXT PRIMARY KEY,
        lag_days BIGINT NOT NULL,
        contact TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE delivery (
        id {serial},
        indicator TEXT NOT NULL,
        period TEXT NOT NULL,
        amt TEXT NOT NULL,
        due TEXT NOT NULL,
        due_set BIGINT NOT NULL DEFAULT 0,
        contact TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        changed_by TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        UNIQUE (indicator, period)
    );
    CREATE INDEX delivery_amt_due ON delivery (amt, due);
    CREATE TABLE calendar_feed (
        user_id BIGINT PRIMARY KEY REFERENCES app_user(id),
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    );",
    // 7: files uploaded for deliveries: the file itself (base64) with its SHA-256 for provenance,
    // what the check found, the plausibility flags with the uploader's reasons, the review.
    "CREATE TABLE delivery_submission (
        id {serial},
        amt TEXT NOT NULL,
        file_name TEXT NOT NULL,
        file_hash TEXT NOT NULL,
        file_size BIGINT NOT NULL,
        file_data TEXT NOT NULL,
        indicator TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL,
        uploaded_by TEXT NOT NULL,
        uploaded_at TEXT NOT NULL,
        reviewed_by TEXT NOT NULL DEFAULT '',
        reviewed_at TEXT NOT NULL DEFAULT '',
        comment TEXT NOT NULL DEFAULT '',
        checked TEXT NOT NULL DEFAULT '[]',
        flags TEXT NOT NULL DEFAULT '[]',
        deliveries TEXT NOT NULL DEFAULT '[]',
        import_id BIGINT REFERENCES import_run(id)
    );
    CREATE INDEX delivery_submission_amt ON delivery_submission (amt, state);",
    // 8: e-mails sent (reminders, digests), one row per occasion: claimed before sending, so that no
    // occasion is mailed twice, even across restarts.
    "CREATE TABLE mail_sent (
        occasion TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        recipients TEXT NOT NULL DEFAULT '',
        subject TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL
    );",
    // 9: the Fahrplan's milestones (the time as written; dependencies as JSON list of numbers).
    "CREATE TABLE milestone (
        id {serial},
        sort BIGINT NOT NULL,
        number TEXT NOT NULL,
        title TEXT NOT NULL,
        responsible TEXT NOT NULL DEFAULT '',
        when_text TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL,
        depends_on TEXT NOT NULL DEFAULT '[]',
        system TEXT NOT NULL DEFAULT ''
    );",
    // 10: meetings: their agenda items (links as JSON), minutes and decisions, and their tasks.
    "CREATE TABLE meeting (
        id {serial},
        body TEXT NOT NULL,
        title TEXT NOT NULL,
        date TEXT NOT NULL,
        time TEXT NOT NULL DEFAULT '',
        place TEXT NOT NULL DEFAULT '',
        participants TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE meeting_item (
        id {serial},
        meeting_id BIGINT NOT NULL REFERENCES meeting(id),
        number BIGINT NOT NULL,
        title TEXT NOT NULL,
        links TEXT NOT NULL DEFAULT '[]',
        minutes TEXT NOT NULL DEFAULT '',
        decision TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX meeting_item_meeting ON meeting_item (meeting_id);
    CREATE TABLE meeting_task (
        id {serial},
        meeting_id BIGINT NOT NULL REFERENCES meeting(id),
        item_id BIGINT REFERENCES meeting_item(id),
        title TEXT NOT NULL,
        owner TEXT NOT NULL,
        due TEXT,
        status TEXT NOT NULL
    );
    CREATE INDEX meeting_task_meeting ON meeting_task (meeting_id);",
    // 11: the activities of the Büro für Integration (for its annual report).
    "CREATE TABLE activity (
        id {serial},
        date TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        partners TEXT NOT NULL DEFAULT '',
        reach BIGINT,
        note TEXT NOT NULL DEFAULT ''
    );",
    // 12: reports (Monitoringberichte, presentations): the draft's content (focus topics as JSON),
    // and once released the data version and the files as released (base64, SHA-256).
    "CREATE TABLE report (
        id {serial},
        kind TEXT NOT NULL,
        year BIGINT NOT NULL,
        key_date TEXT NOT NULL,
        title TEXT NOT NULL,
        state TEXT NOT NULL,
        focus TEXT NOT NULL,
        released_at TEXT,
        released_by TEXT,
        data_version BIGINT
    );
    CREATE TABLE report_file (
        report_id BIGINT NOT NULL REFERENCES report (id),
        format TEXT NOT NULL,
        content TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size BIGINT NOT NULL,
        PRIMARY KEY (report_id, format)
    );",
    // 13: publication — disclosure-control rules per source (minimum count, rounding) and
    // embargoes: an indicator's period stays internal until its release day.
    "CREATE TABLE disclosure_rule (
        source TEXT NOT NULL PRIMARY KEY,
        min_count BIGINT NOT NULL DEFAULT 0,
        round_to BIGINT NOT NULL DEFAULT 0
    );
    CREATE TABLE embargo (
        indicator_id BIGINT NOT NULL REFERENCES indicator (id),
        period TEXT NOT NULL,
        release_on TEXT NOT NULL,
        PRIMARY KEY (indicator_id, period)
    );",
    // 14: council papers and meetings from the council information system (OParl), and what in
    // kimo refers to them (`konzept:ID`, `bericht:ID`, `warnung:ID`).
    "CREATE TABLE council_paper (
        id {serial},
        oparl_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        reference TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL,
        date TEXT NOT NULL DEFAULT '',
        paper_type TEXT NOT NULL DEFAULT '',
        web TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE council_link (
        paper_id BIGINT NOT NULL REFERENCES council_paper (id),
        object TEXT NOT NULL,
        PRIMARY KEY (paper_id, object)
    );
    CREATE INDEX council_link_object ON council_link (object);",
    // 15: the catalogue's texts in other languages (English public pages): per entry and field.
    "CREATE TABLE catalogue_text (
        kind TEXT NOT NULL,
        code TEXT NOT NULL,
        lang TEXT NOT NULL,
        field TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (kind, code, lang, field)
    );",
];

/// The schema version this build expects.
pub const SCHEMA_VERSION: usize = STEPS.len();

/// Applies every step the database has not seen yet, each in its own transaction.
pub fn migrate(conn: &mut Conn) -> Result<usize> {
    conn.batch("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
    let current = conn
        .query_opt("SELECT MAX(version) FROM schema_version", &[])?
        .and_then(|r| r.opt_int(0))
        .unwrap_or(0) as usize;
    for (i, step) in STEPS.iter().enumerate().skip(current) {
        let ddl = conn.ddl(step);
        conn.write(|c| {
            c.batch(&ddl)?;
            c.exec(
                "INSERT INTO schema_version (version) VALUES (?)",
                &[Value::Int(i as i64 + 1)],
            )
        })?;
    }
    Ok(SCHEMA_VERSION - current.min(SCHEMA_VERSION))
}
