//! Every table's columns, declared once: reads, imports and copies build their column lists here.

/// A table and its columns, `id` (when it has one) first.
pub(crate) struct Table {
    /// The table's name.
    pub name: &'static str,
    /// Its columns in the order reads, writes and copies use.
    pub columns: &'static [&'static str],
}

impl Table {
    /// The columns without the `id` the database assigns.
    pub fn data_columns(&self) -> &'static [&'static str] {
        match self.columns.split_first() {
            Some((&"id", rest)) => rest,
            _ => self.columns,
        }
    }

    /// The data columns as a SELECT list on `alias`, with joined or computed replacements for some
    /// (e.g. `parent_id` → `p.code`); readers take the values in data-column order.
    pub fn select_list(&self, alias: &str, replace: &[(&str, &str)]) -> String {
        self.data_columns()
            .iter()
            .map(|c| match replace.iter().find(|(k, _)| k == c) {
                Some((_, r)) => r.to_string(),
                None => format!("{alias}.{c}"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether rows have an `id` key.
    pub fn has_id(&self) -> bool {
        self.columns.first() == Some(&"id")
    }

    /// `INSERT INTO table (data columns) VALUES (?, …)`.
    pub fn insert_sql(&self) -> String {
        let cols = self.data_columns();
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.name,
            cols.join(", "),
            vec!["?"; cols.len()].join(", ")
        )
    }

    /// `UPDATE table SET (every data column but key) = ? … WHERE key = ?`; the values are the data
    /// columns' with the key's moved last (see [`Table::key_last`]).
    pub fn update_sql(&self, key: &str) -> String {
        let set: Vec<String> = self
            .data_columns()
            .iter()
            .filter(|c| **c != key)
            .map(|c| format!("{c} = ?"))
            .collect();
        format!(
            "UPDATE {} SET {} WHERE {key} = ?",
            self.name,
            set.join(", ")
        )
    }

    /// Values in data-column order rearranged for [`Table::update_sql`]: the key's value last.
    pub fn key_last<T>(&self, key: &str, mut values: Vec<T>) -> Vec<T> {
        if let Some(i) = self.data_columns().iter().position(|c| *c == key) {
            let k = values.remove(i);
            values.push(k);
        }
        values
    }
}

/// Handlungsfelder.
pub(crate) const ACTION_FIELD: Table = Table {
    name: "action_field",
    columns: &["id", "code", "name", "description", "sort"],
};

/// Dimensions (Merkmale).
pub(crate) const DIMENSION: Table = Table {
    name: "dimension",
    columns: &["id", "code", "name", "sort"],
};

/// Categories (Ausprägungen) of a dimension.
pub(crate) const CATEGORY: Table = Table {
    name: "category",
    columns: &["id", "dimension_id", "code", "name", "sort"],
};

/// Areas: the city and its parts.
pub(crate) const AREA: Table = Table {
    name: "area",
    columns: &["id", "code", "name", "parent_id", "level", "geometry"],
};

/// Indicators.
pub(crate) const INDICATOR: Table = Table {
    name: "indicator",
    columns: &[
        "id",
        "code",
        "name",
        "definition",
        "numerator",
        "denominator",
        "unit",
        "polarity",
        "source",
        "department",
        "periodicity",
        "core",
        "action_field_id",
        "published",
        "notes",
        "may_exceed_100",
    ],
};

/// Imports (provenance; the largest id is the data version).
pub(crate) const IMPORT_RUN: Table = Table {
    name: "import_run",
    columns: &["id", "started_at", "username", "source", "observations"],
};

/// Observations.
pub(crate) const OBSERVATION: Table = Table {
    name: "observation",
    columns: &[
        "id",
        "indicator_id",
        "area_id",
        "breakdown",
        "period",
        "value",
        "numerator",
        "denominator",
        "flags",
        "import_id",
        "updated_at",
    ],
};

/// Corrections of observations.
pub(crate) const OBSERVATION_HISTORY: Table = Table {
    name: "observation_history",
    columns: &[
        "id",
        "observation_id",
        "old_value",
        "new_value",
        "old_numerator",
        "old_denominator",
        "old_flags",
        "new_flags",
        "import_id",
        "changed_by",
        "changed_at",
    ],
};

/// Settings (the rules file), keyed by name.
pub(crate) const SETTING: Table = Table {
    name: "setting",
    columns: &["name", "value"],
};

/// Warnings as work items.
pub(crate) const WARNING: Table = Table {
    name: "warning",
    columns: &[
        "id",
        "ident",
        "kind",
        "rule",
        "indicator_id",
        "area_id",
        "breakdown",
        "severity",
        "sentence",
        "figures",
        "period",
        "active",
        "status",
        "assignee",
        "first_seen",
        "last_seen",
        "resolved_at",
    ],
};

/// The history of every warning.
pub(crate) const WARNING_EVENT: Table = Table {
    name: "warning_event",
    columns: &[
        "id",
        "warning_id",
        "at",
        "actor",
        "kind",
        "old_value",
        "new_value",
        "comment",
    ],
};

/// Accounts.
pub(crate) const APP_USER: Table = Table {
    name: "app_user",
    columns: &[
        "id",
        "name",
        "role",
        "amt",
        "email",
        "password_hash",
        "must_change_password",
        "disabled",
        "created_at",
    ],
};

/// The audit log.
pub(crate) const AUDIT_LOG: Table = Table {
    name: "audit_log",
    columns: &[
        "id",
        "at",
        "actor",
        "action",
        "object",
        "old_state",
        "new_state",
        "address",
    ],
};

/// Personal API tokens (hashes only).
pub(crate) const API_TOKEN: Table = Table {
    name: "api_token",
    columns: &[
        "id",
        "user_id",
        "name",
        "token_hash",
        "created_at",
        "last_used",
        "revoked_at",
    ],
};

/// Versions of the Integrationskonzept.
pub(crate) const KONZEPT_VERSION: Table = Table {
    name: "konzept_version",
    columns: &[
        "id",
        "title",
        "state",
        "based_on",
        "created_at",
        "created_by",
        "decided_on",
        "body",
        "vorlage",
        "paper_url",
        "pdf_url",
        "content",
        "snapshot",
    ],
};

/// Comments on versions of the Integrationskonzept.
pub(crate) const KONZEPT_COMMENT: Table = Table {
    name: "konzept_comment",
    columns: &[
        "id",
        "version_id",
        "section",
        "author",
        "at",
        "text",
        "state",
        "answer",
        "answered_by",
    ],
};

/// Per indicator the lag and contact of its deliveries.
pub(crate) const DELIVERY_SETTING: Table = Table {
    name: "delivery_setting",
    columns: &["indicator", "lag_days", "contact"],
};

/// The deliveries owed, per indicator and period.
pub(crate) const DELIVERY: Table = Table {
    name: "delivery",
    columns: &[
        "id",
        "indicator",
        "period",
        "amt",
        "due",
        "due_set",
        "contact",
        "state",
        "changed_at",
        "changed_by",
        "note",
    ],
};

/// The secret of each user's calendar feed (its hash).
pub(crate) const CALENDAR_FEED: Table = Table {
    name: "calendar_feed",
    columns: &["user_id", "token_hash", "created_at"],
};

/// Files uploaded for deliveries, with their check and review.
pub(crate) const DELIVERY_SUBMISSION: Table = Table {
    name: "delivery_submission",
    columns: &[
        "id",
        "amt",
        "file_name",
        "file_hash",
        "file_size",
        "file_data",
        "indicator",
        "state",
        "uploaded_by",
        "uploaded_at",
        "reviewed_by",
        "reviewed_at",
        "comment",
        "checked",
        "flags",
        "deliveries",
        "import_id",
    ],
};

/// Mails sent, one per occasion.
pub(crate) const MAIL_SENT: Table = Table {
    name: "mail_sent",
    columns: &["occasion", "state", "recipients", "subject", "at"],
};

/// The Fahrplan's milestones.
pub(crate) const MILESTONE: Table = Table {
    name: "milestone",
    columns: &[
        "id",
        "sort",
        "number",
        "title",
        "responsible",
        "when_text",
        "status",
        "depends_on",
        "system",
    ],
};

/// Meetings.
pub(crate) const MEETING: Table = Table {
    name: "meeting",
    columns: &[
        "id",
        "body",
        "title",
        "date",
        "time",
        "place",
        "participants",
    ],
};

/// Agenda items of meetings.
pub(crate) const MEETING_ITEM: Table = Table {
    name: "meeting_item",
    columns: &[
        "id",
        "meeting_id",
        "number",
        "title",
        "links",
        "minutes",
        "decision",
    ],
};

/// Tasks from meetings.
pub(crate) const MEETING_TASK: Table = Table {
    name: "meeting_task",
    columns: &[
        "id",
        "meeting_id",
        "item_id",
        "title",
        "owner",
        "due",
        "status",
    ],
};

/// Activities of the Büro für Integration.
pub(crate) const ACTIVITY: Table = Table {
    name: "activity",
    columns: &["id", "date", "kind", "title", "partners", "reach", "note"],
};

/// Reports.
pub(crate) const REPORT: Table = Table {
    name: "report",
    columns: &[
        "id",
        "kind",
        "year",
        "key_date",
        "title",
        "state",
        "focus",
        "released_at",
        "released_by",
        "data_version",
    ],
};

/// Files of released reports.
pub(crate) const REPORT_FILE: Table = Table {
    name: "report_file",
    columns: &["report_id", "format", "content", "sha256", "size"],
};

/// Disclosure-control rules, keyed by source.
pub(crate) const DISCLOSURE_RULE: Table = Table {
    name: "disclosure_rule",
    columns: &["source", "min_count", "round_to"],
};

/// Embargoes: an indicator's period internal until its release day.
pub(crate) const EMBARGO: Table = Table {
    name: "embargo",
    columns: &["indicator_id", "period", "release_on"],
};

/// Council papers and meetings (OParl).
pub(crate) const COUNCIL_PAPER: Table = Table {
    name: "council_paper",
    columns: &[
        "id",
        "oparl_id",
        "kind",
        "reference",
        "name",
        "date",
        "paper_type",
        "web",
    ],
};

/// What refers to a council paper.
pub(crate) const COUNCIL_LINK: Table = Table {
    name: "council_link",
    columns: &["paper_id", "object"],
};

/// Catalogue texts in other languages than German: `kind` is `indicator`, `action_field`,
/// `dimension` or `category` (whose code is `dimension/category`).
pub(crate) const CATALOGUE_TEXT: Table = Table {
    name: "catalogue_text",
    columns: &["kind", "code", "lang", "field", "text"],
};

/// Every table copied between databases, parents before children (sessions are not: they end
/// with the move).
pub(crate) const ALL: &[&Table] = &[
    &ACTION_FIELD,
    &DIMENSION,
    &CATEGORY,
    &AREA,
    &INDICATOR,
    &IMPORT_RUN,
    &OBSERVATION,
    &OBSERVATION_HISTORY,
    &SETTING,
    &WARNING,
    &WARNING_EVENT,
    &KONZEPT_VERSION,
    &KONZEPT_COMMENT,
    &APP_USER,
    &API_TOKEN,
    &AUDIT_LOG,
    &DELIVERY_SETTING,
    &DELIVERY,
    &CALENDAR_FEED,
    &DELIVERY_SUBMISSION,
    &MAIL_SENT,
    &MILESTONE,
    &MEETING,
    &MEETING_ITEM,
    &MEETING_TASK,
    &ACTIVITY,
    &REPORT,
    &REPORT_FILE,
    &DISCLOSURE_RULE,
    &EMBARGO,
    &COUNCIL_PAPER,
    &COUNCIL_LINK,
    &CATALOGUE_TEXT,
];
