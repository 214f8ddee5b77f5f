//! Reading the catalogue and observations.

use crate::sql::{Conn, Row, Value};
use crate::{Result, Store};
use kimo_model::lang::Translations;
use kimo_model::{
    ActionField, Area, Breakdown, Category, Dimension, Flags, Indicator, Observation, Period,
    Periodicity, Polarity,
};

/// Which observations to read; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct ObservationFilter {
    /// Indicator code.
    pub indicator: Option<String>,
    /// Area code.
    pub area: Option<String>,
    /// Period code (canonical).
    pub period: Option<String>,
    /// Dimension code → category code; `insgesamt` (or an empty value) asks for the dimension's total.
    pub categories: Vec<(String, String)>,
    /// Any of these area codes (together with `area`).
    pub areas: Vec<String>,
    /// Only totals (no breakdown).
    pub total_only: bool,
}

/// What exists of an indicator: each period and breakdown with its number of areas.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// (period, breakdown, number of areas with a value or a flag), by period.
    pub cells: Vec<(Period, Breakdown, i64)>,
    /// When its observations were last written (ISO timestamp).
    pub last_update: Option<String>,
    /// When each period's observations were last written, by period code.
    pub updated: std::collections::BTreeMap<String, String>,
}

/// One observation as the store reads it, its text borrowed from the database row.
#[derive(Debug, Clone)]
pub struct ObservationRow<'a> {
    /// Indicator code.
    pub indicator: &'a str,
    /// Period.
    pub period: Period,
    /// Area code.
    pub area: &'a str,
    /// The breakdown's canonical key (empty for the total), as [`Breakdown::key`] writes it.
    pub breakdown: &'a str,
    /// Value (None: withheld or missing).
    pub value: Option<f64>,
    /// Numerator.
    pub numerator: Option<f64>,
    /// Denominator.
    pub denominator: Option<f64>,
    /// Flags.
    pub flags: Flags,
}

/// Counts of what the store holds.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Stats {
    /// Handlungsfelder.
    pub action_fields: i64,
    /// Indicators.
    pub indicators: i64,
    /// Areas.
    pub areas: i64,
    /// Observations.
    pub observations: i64,
    /// Corrections kept in the history.
    pub history: i64,
    /// Imports.
    pub imports: i64,
}

/// The indicator's data columns for a read, its Handlungsfeld as a code (`a`, joined) instead of an
/// id; `indicator_from` reads them in this order.
fn indicator_select() -> String {
    crate::columns::INDICATOR.select_list("i", &[("action_field_id", "a.code")])
}

fn indicator_from(r: &Row) -> Indicator {
    Indicator {
        translations: None,
        code: r.text(0),
        name: r.text(1),
        definition: r.text(2),
        numerator: r.text(3),
        denominator: r.text(4),
        unit: kimo_model::Unit::parse(&r.text(5)),
        polarity: Polarity::parse(&r.text(6)).unwrap_or_default(),
        source: r.text(7),
        department: r.text(8),
        periodicity: Periodicity::parse(&r.text(9)).unwrap_or_default(),
        core: r.bool(10),
        action_field: r.opt_text(11),
        published: r.bool(12),
        notes: r.text(13),
        may_exceed_100: r.bool(14),
    }
}

/// The stored texts in other languages of one kind of catalogue entry, by code.
fn texts(c: &mut Conn, kind: &str) -> Result<std::collections::HashMap<String, Translations>> {
    let mut out: std::collections::HashMap<String, Translations> = Default::default();
    for r in c.query(
        "SELECT code, lang, field, text FROM catalogue_text WHERE kind = ?",
        &[kind.into()],
    )? {
        out.entry(r.text(0))
            .or_default()
            .set(&r.text(1), &r.text(2), r.text(3));
    }
    Ok(out)
}

impl Store {
    /// All Handlungsfelder in display order.
    pub fn action_fields(&self) -> Result<Vec<ActionField>> {
        let mut c = self.conn()?;
        let sql = format!(
            "SELECT {} FROM action_field f ORDER BY f.sort, f.code",
            crate::columns::ACTION_FIELD.select_list("f", &[])
        );
        let mut texts = texts(&mut c, "action_field")?;
        // In the order of `columns::ACTION_FIELD`.
        Ok(c.query(&sql, &[])?
            .iter()
            .map(|r| ActionField {
                translations: Some(texts.remove(&r.text(0)).unwrap_or_default()),
                code: r.text(0),
                name: r.text(1),
                description: r.text(2),
                sort: r.int(3),
            })
            .collect())
    }

    /// All indicators, ordered by code.
    pub fn indicators(&self) -> Result<Vec<Indicator>> {
        let mut c = self.conn()?;
        let sql = format!(
            "SELECT {} FROM indicator i LEFT JOIN action_field a \
             ON a.id = i.action_field_id ORDER BY i.code",
            indicator_select()
        );
        let mut texts = texts(&mut c, "indicator")?;
        Ok(c.query(&sql, &[])?
            .iter()
            .map(|r| {
                let mut i = indicator_from(r);
                i.translations = Some(texts.remove(&i.code).unwrap_or_default());
                i
            })
            .collect())
    }

    /// One indicator by code.
    pub fn indicator(&self, code: &str) -> Result<Option<Indicator>> {
        let mut c = self.conn()?;
        let sql = format!(
            "SELECT {} FROM indicator i LEFT JOIN action_field a \
             ON a.id = i.action_field_id WHERE i.code = ?",
            indicator_select()
        );
        let mut texts = texts(&mut c, "indicator")?;
        Ok(c.query_opt(&sql, &[code.into()])?.as_ref().map(|r| {
            let mut i = indicator_from(r);
            i.translations = Some(texts.remove(&i.code).unwrap_or_default());
            i
        }))
    }

    /// All areas, the city first, then by code; with geometry when asked.
    pub fn areas(&self, with_geometry: bool) -> Result<Vec<Area>> {
        let mut c = self.conn()?;
        let geo = if with_geometry { "a.geometry" } else { "NULL" };
        let cols =
            crate::columns::AREA.select_list("a", &[("parent_id", "p.code"), ("geometry", geo)]);
        let sql = format!(
            "SELECT {cols} FROM area a LEFT JOIN area p ON p.id = a.parent_id ORDER BY a.level, a.code"
        );
        // In the order of `columns::AREA`.
        Ok(c.query(&sql, &[])?
            .iter()
            .map(|r| Area {
                code: r.text(0),
                name: r.text(1),
                parent: r.opt_text(2),
                level: r.int(3),
                geometry: r.opt_text(4),
            })
            .collect())
    }

    /// All dimensions with their categories.
    pub fn dimensions(&self) -> Result<Vec<Dimension>> {
        let mut c = self.conn()?;
        let mut dim_texts = texts(&mut c, "dimension")?;
        let mut cat_texts = texts(&mut c, "category")?;
        let mut dims: Vec<Dimension> = c
            .query("SELECT code, name FROM dimension ORDER BY sort, code", &[])?
            .iter()
            .map(|r| Dimension {
                translations: Some(dim_texts.remove(&r.text(0)).unwrap_or_default()),
                code: r.text(0),
                name: r.text(1),
                categories: Vec::new(),
            })
            .collect();
        for r in c.query(
            "SELECT d.code, k.code, k.name FROM category k JOIN dimension d ON d.id = k.dimension_id \
             ORDER BY k.sort, k.id",
            &[],
        )? {
            if let Some(d) = dims.iter_mut().find(|d| d.code == r.text(0)) {
                d.categories.push(Category { translations: Some(cat_texts.remove(&format!("{}/{}", r.text(0), r.text(1))).unwrap_or_default()),
                    code: r.text(1),
                    name: r.text(2),
                });
            }
        }
        Ok(dims)
    }

    /// Observations matching the filter, ordered by indicator, area, breakdown (their codes' bytes)
    /// and period (in [`Period`]'s order, which the stored codes' text does not keep).
    pub fn observations(&self, f: &ObservationFilter) -> Result<Vec<Observation>> {
        let mut out = Vec::new();
        self.scan_observations(f, &mut |o| {
            out.push(Observation {
                indicator: o.indicator.to_string(),
                period: o.period.clone(),
                area: o.area.to_string(),
                breakdown: Breakdown::from_key(o.breakdown),
                value: o.value,
                numerator: o.numerator,
                denominator: o.denominator,
                flags: o.flags,
                origin: None,
            })
        })?;
        in_period_order(&mut out);
        Ok(out)
    }

    /// Hands the observations matching the filter to `visit` one by one, without collecting them:
    /// text is borrowed from the database row, so an answer can be written straight from the rows
    /// (the observations API). Ordered by indicator, area, breakdown and the stored period code's
    /// text — which is [`Period`]'s order except where a series mixes kinds or has labels
    /// ([`Store::observations`] sorts those).
    pub fn scan_observations(
        &self,
        f: &ObservationFilter,
        visit: &mut dyn FnMut(&ObservationRow),
    ) -> Result<()> {
        let mut c = self.conn()?;
        let Some((sql, params)) = observation_query(&mut c, f)? else {
            return Ok(());
        };
        c.scan(&sql, &params, &mut |r| {
            let breakdown = r.text(3);
            let Ok(period) = Period::parse_or_label(r.text(1)) else {
                return;
            };
            if !in_categories(breakdown, &f.categories) {
                return;
            }
            let flags = r.text(7);
            visit(&ObservationRow {
                indicator: r.text(0),
                period,
                area: r.text(2),
                breakdown,
                value: r.opt_real(4),
                numerator: r.opt_real(5),
                denominator: r.opt_real(6),
                flags: if flags.is_empty() {
                    Flags::default()
                } else {
                    Flags::parse(flags).unwrap_or_default()
                },
            });
        })
    }

    /// The data version: it grows with every import and every change to a warning, so caches can
    /// tell when to refresh.
    pub fn data_version(&self) -> Result<i64> {
        let mut c = self.conn()?;
        // Imports, every change to the warnings (evaluations, status, comments), to the
        // Integrationskonzept and to the Fahrplan (their audit entries; the index on action finds
        // them) count.
        // So do the rules of publication and the settings shown on pages (licence, city), and every embargo that has ended by today: a cached
        // public answer must not outlive one.
        let today = chrono::Local::now().format("%Y-%m-%d").to_string();
        let r = c.query_opt(
            "SELECT (SELECT MAX(id) FROM import_run), (SELECT MAX(id) FROM warning_event), \
             (SELECT COUNT(*) FROM audit_log WHERE (action >= 'konzept.' AND action < 'konzept/') \
             OR (action >= 'fahrplan.' AND action < 'fahrplan/') \
             OR (action >= 'disclosure.' AND action < 'disclosure/') \
             OR (action >= 'embargo.' AND action < 'embargo/') \
             OR (action >= 'opendata.' AND action < 'opendata/') \
             OR (action >= 'oparl.' AND action < 'oparl/') \
             OR (action >= 'setting.' AND action < 'setting/')), \
             (SELECT COUNT(*) FROM embargo WHERE release_on <= ?)",
            &[today.into()],
        )?;
        // The ended embargoes in bits of their own: moving an ended one back into the future adds
        // an audit entry and ends one fewer, which must not cancel out.
        Ok(r.map_or(0, |r| {
            (r.opt_int(0).unwrap_or(0) << 32)
                + (r.opt_int(2).unwrap_or(0) << 24)
                + r.opt_int(1).unwrap_or(0)
                + (r.opt_int(3).unwrap_or(0) << 52)
        }))
    }

    /// Which periods and breakdowns an indicator has, with the number of areas of each.
    pub fn profile(&self, indicator: &str) -> Result<Profile> {
        let mut c = self.conn()?;
        let mut p = Profile::default();
        for r in c.query(
            "SELECT o.period, o.breakdown, COUNT(*), MAX(o.updated_at) FROM observation o \
             JOIN indicator i ON i.id = o.indicator_id WHERE i.code = ? \
             GROUP BY o.period, o.breakdown ORDER BY o.period, o.breakdown",
            &[indicator.into()],
        )? {
            if let Ok(period) = Period::parse_or_label(&r.text(0)) {
                p.cells
                    .push((period, Breakdown::from_key(&r.text(1)), r.int(2)));
            }
            let u = r.opt_text(3);
            if let Some(u) = &u {
                // Keyed like the embargoes: the period's canonical code.
                let code = Period::parse_or_label(&r.text(0)).map_or(r.text(0), |p| p.code());
                let at = p.updated.entry(code).or_default();
                if u > at {
                    *at = u.clone();
                }
            }
            if u > p.last_update {
                p.last_update = u;
            }
        }
        p.cells.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        Ok(p)
    }

    /// When the last import ran (ISO timestamp), and how many imports ran since a day (ISO).
    pub fn imports_since(&self, day: &str) -> Result<(Option<String>, i64)> {
        let mut c = self.conn()?;
        let last = c
            .query_opt("SELECT MAX(started_at) FROM import_run", &[])?
            .and_then(|r| r.opt_text(0));
        let since = c
            .query_opt(
                "SELECT COUNT(*) FROM import_run WHERE started_at >= ?",
                &[day.into()],
            )?
            .map_or(0, |r| r.int(0));
        Ok((last, since))
    }

    /// The corrections of one indicator's observations: (area, breakdown, period, old, new, by, at).
    #[allow(clippy::type_complexity)]
    pub fn history(
        &self,
        indicator: &str,
    ) -> Result<
        Vec<(
            String,
            String,
            String,
            Option<f64>,
            Option<f64>,
            String,
            String,
        )>,
    > {
        let mut c = self.conn()?;
        Ok(c.query(
            "SELECT a.code, o.breakdown, o.period, h.old_value, h.new_value, h.changed_by, h.changed_at \
             FROM observation_history h JOIN observation o ON o.id = h.observation_id \
             JOIN indicator i ON i.id = o.indicator_id JOIN area a ON a.id = o.area_id \
             WHERE i.code = ? ORDER BY h.id",
            &[indicator.into()],
        )?
        .iter()
        .map(|r| {
            (
                r.text(0),
                r.text(1),
                r.text(2),
                r.opt_real(3),
                r.opt_real(4),
                r.text(5),
                r.text(6),
            )
        })
        .collect())
    }

    /// Counts of what the store holds.
    pub fn stats(&self) -> Result<Stats> {
        let mut c = self.conn()?;
        let mut count = |t: &str| -> Result<i64> {
            Ok(c.query_opt(&format!("SELECT COUNT(*) FROM {t}"), &[])?
                .map_or(0, |r| r.int(0)))
        };
        Ok(Stats {
            action_fields: count("action_field")?,
            indicators: count("indicator")?,
            areas: count("area")?,
            observations: count("observation")?,
            history: count("observation_history")?,
            imports: count("import_run")?,
        })
    }
}

/// The ids of the areas with these codes (unknown codes are left out).
fn area_ids(c: &mut Conn, codes: &[&String]) -> Result<Vec<Value>> {
    let sql = format!(
        "SELECT id FROM area WHERE code IN ({})",
        vec!["?"; codes.len()].join(", ")
    );
    let params: Vec<Value> = codes.iter().map(|c| Value::from(c.as_str())).collect();
    Ok(c.query(&sql, &params)?
        .iter()
        .map(|r| Value::Int(r.int(0)))
        .collect())
}

/// Sorts each series (a run of the same indicator, area and breakdown) by period, where the text
/// order of the codes differs from [`Period`]'s (labels, mixed kinds).
fn in_period_order(obs: &mut [Observation]) {
    let same_series = |a: &Observation, b: &Observation| {
        a.indicator == b.indicator && a.area == b.area && a.breakdown == b.breakdown
    };
    for run in obs.chunk_by_mut(same_series) {
        if !run.is_sorted_by(|a, b| a.period <= b.period) {
            run.sort_by(|a, b| a.period.cmp(&b.period));
        }
    }
}

/// The observations query for a filter with its parameters; `None` when an indicator or the areas
/// asked for do not exist. Codes are resolved to ids first, so that both databases look observations
/// up by their (indicator, area, breakdown, period) key instead of scanning a whole indicator.
fn observation_query(c: &mut Conn, f: &ObservationFilter) -> Result<Option<(String, Vec<Value>)>> {
    let mut sql = String::from(
        "SELECT i.code, o.period, a.code, o.breakdown, o.value, o.numerator, o.denominator, \
         o.flags FROM observation o JOIN indicator i ON i.id = o.indicator_id \
         JOIN area a ON a.id = o.area_id WHERE 1 = 1",
    );
    let mut params: Vec<Value> = Vec::new();
    if let Some(x) = &f.indicator {
        let Some(id) = c
            .query_opt("SELECT id FROM indicator WHERE code = ?", &[x.into()])?
            .map(|r| r.int(0))
        else {
            return Ok(None);
        };
        sql.push_str(" AND o.indicator_id = ?");
        params.push(id.into());
    }
    let mut codes: Vec<&String> = f.areas.iter().chain(&f.area).collect();
    codes.sort();
    codes.dedup();
    if !codes.is_empty() {
        let ids = area_ids(c, &codes)?;
        if ids.is_empty() {
            return Ok(None);
        }
        sql.push_str(&format!(
            " AND o.area_id IN ({})",
            vec!["?"; ids.len()].join(", ")
        ));
        params.extend(ids);
    }
    if f.total_only {
        sql.push_str(" AND o.breakdown = ''");
    }
    if let Some(x) = &f.period {
        sql.push_str(" AND o.period = ?");
        params.push(x.into());
    }
    sql.push_str(" ORDER BY i.code, a.code, o.breakdown, o.period");
    Ok(Some((sql, params)))
}

/// Whether a stored breakdown key matches the category filters (`insgesamt` or empty: the
/// dimension's total, i.e. the key does not name the dimension).
fn in_categories(key: &str, categories: &[(String, String)]) -> bool {
    categories.iter().all(|(d, k)| {
        let total = k.is_empty() || k == "insgesamt";
        let found = key
            .split(';')
            .filter_map(|p| p.split_once('='))
            .find(|(dim, _)| dim == d);
        match found {
            None => total,
            Some((_, v)) => v == k,
        }
    })
}
