//! Catalogue tables: Handlungsfelder, indicators, areas, dimensions with categories.

use crate::table::{Cell, Table, parse_bool};
use kimo_model::{
    ActionField, Area, Category, Dataset, Dimension, Indicator, Periodicity, Polarity, Problem,
};

/// The kinds of catalogue table kimo reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `handlungsfeld;name;beschreibung;reihenfolge`
    ActionFields,
    /// `code;name;handlungsfeld;definition;zaehler;nenner;einheit;polaritaet;...`
    Indicators,
    /// `code;name;uebergeordnet;ebene`
    Areas,
    /// `merkmal;merkmal_name;auspraegung;auspraegung_name`
    Dimensions,
}

/// The column heads of each kind, as the examples and `kimo export --format catalogue` write them.
pub const INDICATOR_COLUMNS: &[&str] = &[
    "code",
    "name",
    "handlungsfeld",
    "definition",
    "zaehler",
    "nenner",
    "einheit",
    "polaritaet",
    "quelle",
    "amt",
    "periodizitaet",
    "kernindikator",
    "veroeffentlicht",
    "hinweise",
    "ueber_100_moeglich",
];

fn has(keys: &[String], any: &[&str]) -> Option<usize> {
    keys.iter().position(|k| any.contains(&k.as_str()))
}

/// Detects which catalogue table this is, if any.
pub fn detect(t: &Table) -> Option<Kind> {
    let k = t.keys();
    if has(&k, &["wert", "value"]).is_some() {
        return None;
    }
    if has(&k, &["polaritaet", "polarity", "einheit", "unit"]).is_some()
        && has(&k, &["name"]).is_some()
    {
        Some(Kind::Indicators)
    } else if has(&k, &["auspraegung", "category"]).is_some() {
        Some(Kind::Dimensions)
    } else if has(&k, &["uebergeordnet", "parent", "ebene", "level"]).is_some() {
        Some(Kind::Areas)
    } else if has(&k, &["handlungsfeld", "action_field"]) == Some(0) && has(&k, &["name"]).is_some()
    {
        Some(Kind::ActionFields)
    } else {
        None
    }
}

struct Reader<'a> {
    t: &'a Table,
    keys: Vec<String>,
    problems: Vec<Problem>,
}

impl<'a> Reader<'a> {
    fn new(t: &'a Table) -> Self {
        Reader {
            t,
            keys: t.keys(),
            problems: Vec::new(),
        }
    }
    fn col(&self, names: &[&str]) -> Option<usize> {
        has(&self.keys, names)
    }
    fn required(&mut self, names: &[&str]) -> Option<usize> {
        let c = self.col(names);
        if c.is_none() {
            self.problems.push(
                self.t
                    .file_problem(format!("Pflichtspalte '{}' fehlt", names[0])),
            );
        }
        c
    }
    fn text(cells: &[Cell], col: Option<usize>) -> String {
        col.and_then(|c| cells.get(c))
            .map(Cell::text)
            .unwrap_or_default()
    }
}

fn checked<T>(
    res: Result<T, impl std::fmt::Display>,
    t: &Table,
    line: usize,
    col: Option<usize>,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    res.map_err(|e| problems.push(t.problem(line, col.unwrap_or(0), e.to_string())))
        .ok()
}

/// Reads a catalogue table of a known kind.
pub fn read(t: &Table, kind: Kind) -> (Dataset, Vec<Problem>) {
    let mut r = Reader::new(t);
    let mut ds = Dataset::default();
    match kind {
        Kind::ActionFields => {
            let code = r.required(&["handlungsfeld", "action_field", "code"]);
            let name = r.required(&["name"]);
            let desc = r.col(&["beschreibung", "description"]);
            let sort = r.col(&["reihenfolge", "sort"]);
            if code.is_some() && name.is_some() {
                for (i, (line, cells)) in t.rows.iter().enumerate() {
                    let c = Reader::text(cells, code);
                    if c.is_empty() {
                        r.problems
                            .push(t.problem(*line, code.unwrap_or(0), "Code fehlt"));
                        continue;
                    }
                    ds.action_fields.push(ActionField {
                        code: c,
                        name: Reader::text(cells, name),
                        description: Reader::text(cells, desc),
                        sort: Reader::text(cells, sort).parse().unwrap_or(i as i64 + 1),
                    });
                }
            }
        }
        Kind::Areas => {
            let code = r.required(&["code", "gebiet", "schluessel"]);
            let name = r.required(&["name"]);
            let parent = r.col(&["uebergeordnet", "parent"]);
            let level = r.col(&["ebene", "level"]);
            if code.is_some() && name.is_some() {
                for (line, cells) in &t.rows {
                    let c = Reader::text(cells, code);
                    if c.is_empty() {
                        r.problems
                            .push(t.problem(*line, code.unwrap_or(0), "Code fehlt"));
                        continue;
                    }
                    let p = Reader::text(cells, parent);
                    let lv = Reader::text(cells, level);
                    let lv = if lv.is_empty() {
                        i64::from(!p.is_empty())
                    } else {
                        match lv.parse() {
                            Ok(v) => v,
                            Err(_) => {
                                r.problems.push(t.problem(
                                    *line,
                                    level.unwrap_or(0),
                                    crate::Error::Level(lv).to_string(),
                                ));
                                continue;
                            }
                        }
                    };
                    ds.areas.push(Area {
                        code: c,
                        name: Reader::text(cells, name),
                        parent: (!p.is_empty()).then_some(p),
                        level: lv,
                        geometry: None,
                    });
                }
            }
        }
        Kind::Dimensions => {
            let dim = r.required(&["merkmal", "dimension"]);
            let dim_name = r.col(&["merkmal_name", "dimension_name"]);
            let cat = r.required(&["auspraegung", "category"]);
            let cat_name = r.col(&["auspraegung_name", "category_name"]);
            if dim.is_some() && cat.is_some() {
                for (line, cells) in &t.rows {
                    let d = Reader::text(cells, dim);
                    let k = Reader::text(cells, cat);
                    if d.is_empty() || k.is_empty() {
                        r.problems.push(t.problem(
                            *line,
                            if d.is_empty() { dim } else { cat }.unwrap_or(0),
                            "Merkmal und Ausprägung müssen angegeben sein",
                        ));
                        continue;
                    }
                    if k.contains(['=', ';']) || d.contains(['=', ';']) {
                        r.problems.push(t.problem(
                            *line,
                            cat.unwrap_or(0),
                            "Codes dürfen weder '=' noch ';' enthalten",
                        ));
                        continue;
                    }
                    let dn = Reader::text(cells, dim_name);
                    let kn = Reader::text(cells, cat_name);
                    let pos = ds.dimensions.iter().position(|x| x.code == d);
                    let dimension = match pos {
                        Some(p) => &mut ds.dimensions[p],
                        None => {
                            ds.dimensions.push(Dimension {
                                code: d.clone(),
                                name: if dn.is_empty() { d.clone() } else { dn },
                                categories: Vec::new(),
                            });
                            ds.dimensions.last_mut().expect("just pushed")
                        }
                    };
                    dimension.categories.push(Category {
                        code: k.clone(),
                        name: if kn.is_empty() { k } else { kn },
                    });
                }
            }
        }
        Kind::Indicators => {
            let code = r.required(&["code", "indikator", "indicator"]);
            let name = r.required(&["name"]);
            let c = |r: &Reader, n: &[&str]| r.col(n);
            let af = c(&r, &["handlungsfeld", "action_field"]);
            let def = c(&r, &["definition"]);
            let num = c(&r, &["zaehler", "numerator"]);
            let den = c(&r, &["nenner", "denominator"]);
            let unit = c(&r, &["einheit", "unit"]);
            let pol = c(&r, &["polaritaet", "polarity"]);
            let src = c(&r, &["quelle", "source"]);
            let dep = c(&r, &["amt", "department", "zustaendig"]);
            let per = c(&r, &["periodizitaet", "periodicity"]);
            let core = c(&r, &["kernindikator", "core"]);
            let publ = c(&r, &["veroeffentlicht", "published"]);
            let notes = c(&r, &["hinweise", "notes"]);
            let over = c(&r, &["ueber_100_moeglich", "may_exceed_100"]);
            if code.is_some() && name.is_some() {
                for (line, cells) in &t.rows {
                    let line = *line;
                    let code_v = Reader::text(cells, code);
                    if code_v.is_empty() {
                        r.problems
                            .push(t.problem(line, code.unwrap_or(0), "Code fehlt"));
                        continue;
                    }
                    let before = r.problems.len();

                    let polarity = checked(
                        Polarity::parse(&Reader::text(cells, pol)),
                        t,
                        line,
                        pol,
                        &mut r.problems,
                    );
                    let periodicity = checked(
                        Periodicity::parse(&Reader::text(cells, per)),
                        t,
                        line,
                        per,
                        &mut r.problems,
                    );
                    let empty = Cell::Empty;
                    let cell = |c: Option<usize>| c.and_then(|c| cells.get(c)).unwrap_or(&empty);
                    let core_v = checked(
                        parse_bool(cell(core), false),
                        t,
                        line,
                        core,
                        &mut r.problems,
                    );
                    let publ_v =
                        checked(parse_bool(cell(publ), true), t, line, publ, &mut r.problems);
                    let over_v = checked(
                        parse_bool(cell(over), false),
                        t,
                        line,
                        over,
                        &mut r.problems,
                    );
                    if r.problems.len() > before {
                        continue;
                    }
                    let af_v = Reader::text(cells, af);
                    ds.indicators.push(Indicator {
                        code: code_v,
                        name: Reader::text(cells, name),
                        definition: Reader::text(cells, def),
                        numerator: Reader::text(cells, num),
                        denominator: Reader::text(cells, den),
                        unit: kimo_model::Unit::parse(&Reader::text(cells, unit)),
                        polarity: polarity.unwrap_or_default(),
                        source: Reader::text(cells, src),
                        department: Reader::text(cells, dep),
                        periodicity: periodicity.unwrap_or_default(),
                        core: core_v.unwrap_or(false),
                        action_field: (!af_v.is_empty()).then_some(af_v),
                        published: publ_v.unwrap_or(true),
                        notes: Reader::text(cells, notes),
                        may_exceed_100: over_v.unwrap_or(false),
                    });
                }
            }
        }
    }
    (ds, r.problems)
}
