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

/// The translatable texts of each kind: (field, the German columns it is in). A translation is in
/// the column with the language's code added: `name_en`, `definition_en`, `quelle_en`.
const INDICATOR_TEXTS: &[(&str, &[&str])] = &[
    ("name", &["name"]),
    ("definition", &["definition"]),
    ("numerator", &["zaehler", "numerator"]),
    ("denominator", &["nenner", "denominator"]),
    ("source", &["quelle", "source"]),
    ("notes", &["hinweise", "notes"]),
];
const ACTION_FIELD_TEXTS: &[(&str, &[&str])] = &[
    ("name", &["name"]),
    ("description", &["beschreibung", "description"]),
];
const DIMENSION_TEXTS: &[(&str, &[&str])] = &[("name", &["merkmal_name", "dimension_name"])];
const CATEGORY_TEXTS: &[(&str, &[&str])] = &[("name", &["auspraegung_name", "category_name"])];

/// The translation columns of a table for some texts: (column, language, field); None when the
/// table has none (its entries keep the texts stored).
type TextColumns = Option<Vec<(usize, &'static str, &'static str)>>;

/// The translations in a row's cells (empty cells: no translation).
fn texts_of(cells: &[Cell], cols: &TextColumns) -> Option<kimo_model::lang::Translations> {
    let cols = cols.as_ref()?;
    let mut t = kimo_model::lang::Translations::default();
    for (c, lang, field) in cols {
        let text = Reader::text(cells, Some(*c));
        if !text.is_empty() {
            t.set(lang, field, text);
        }
    }
    Some(t)
}

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
    /// The columns translating `texts` (`name_en`, …); a column for a language kimo does not offer
    /// is a problem.
    fn text_columns(&mut self, texts: &[(&'static str, &[&str])]) -> TextColumns {
        let mut found = Vec::new();
        for (i, key) in self.keys.iter().enumerate() {
            let Some((base, lang)) = key.rsplit_once('_') else {
                continue;
            };
            let Some((field, _)) = texts.iter().find(|(_, cols)| cols.contains(&base)) else {
                continue;
            };
            match kimo_model::lang::Lang::from_code(lang) {
                Some(l) if l != kimo_model::lang::Lang::De => found.push((i, l.code(), *field)),
                _ if lang.len() == 2 => self.problems.push(self.t.problem(
                    // The header, just above the first row.
                    self.t.rows.first().map_or(1, |r| r.0.saturating_sub(1).max(1)),
                    i,
                    format!(
                        "Spalte '{key}': Übersetzungen gibt es nur ins Englische (Spalte '{base}_en')"
                    ),
                )),
                _ => {}
            }
        }
        (!found.is_empty()).then_some(found)
    }
    fn text(cells: &[Cell], col: Option<usize>) -> String {
        col.and_then(|c| cells.get(c))
            .map(Cell::text)
            .unwrap_or_default()
    }
}

/// The code in column `col` of a row; a problem when it is empty.
fn code_of(
    t: &Table,
    line: usize,
    cells: &[Cell],
    col: Option<usize>,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let code = Reader::text(cells, col);
    if code.is_empty() {
        problems.push(t.problem(line, col.unwrap_or(0), "Code fehlt"));
        return None;
    }
    Some(code)
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
    r.problems.extend(t.cells_without_header());
    let mut ds = Dataset::default();
    match kind {
        Kind::ActionFields => ds.action_fields = read_action_fields(&mut r),
        Kind::Areas => ds.areas = read_areas(&mut r),
        Kind::Dimensions => ds.dimensions = read_dimensions(&mut r),
        Kind::Indicators => ds.indicators = read_indicators(&mut r),
    }
    (ds, r.problems)
}

fn read_action_fields(r: &mut Reader) -> Vec<ActionField> {
    let t = r.t;
    let code = r.required(&["handlungsfeld", "action_field", "code"]);
    let name = r.required(&["name"]);
    let desc = r.col(&["beschreibung", "description"]);
    let sort = r.col(&["reihenfolge", "sort"]);
    let texts = r.text_columns(ACTION_FIELD_TEXTS);
    let mut fields = Vec::new();
    if code.is_none() || name.is_none() {
        return fields;
    }
    for (i, (line, cells)) in t.rows.iter().enumerate() {
        let Some(c) = code_of(t, *line, cells, code, &mut r.problems) else {
            continue;
        };
        fields.push(ActionField {
            translations: texts_of(cells, &texts),
            code: c,
            name: Reader::text(cells, name),
            description: Reader::text(cells, desc),
            sort: Reader::text(cells, sort).parse().unwrap_or(i as i64 + 1),
        });
    }
    fields
}

fn read_areas(r: &mut Reader) -> Vec<Area> {
    let t = r.t;
    let code = r.required(&["code", "gebiet", "schluessel"]);
    let name = r.required(&["name"]);
    let parent = r.col(&["uebergeordnet", "parent"]);
    let level = r.col(&["ebene", "level"]);
    let mut areas = Vec::new();
    if code.is_none() || name.is_none() {
        return areas;
    }
    for (line, cells) in &t.rows {
        let Some(c) = code_of(t, *line, cells, code, &mut r.problems) else {
            continue;
        };
        let p = Reader::text(cells, parent);
        let lv = Reader::text(cells, level);
        // Without a level column a row with a parent is a Stadtteil, one without the city.
        let lv = if lv.is_empty() {
            i64::from(!p.is_empty())
        } else {
            match lv.parse() {
                Ok(v) => v,
                Err(_) => {
                    let message = crate::Error::Level(lv).to_string();
                    r.problems
                        .push(t.problem(*line, level.unwrap_or(0), message));
                    continue;
                }
            }
        };
        areas.push(Area {
            code: c,
            name: Reader::text(cells, name),
            parent: (!p.is_empty()).then_some(p),
            level: lv,
            geometry: None,
        });
    }
    areas
}

fn read_dimensions(r: &mut Reader) -> Vec<Dimension> {
    let t = r.t;
    let dim = r.required(&["merkmal", "dimension"]);
    let dim_name = r.col(&["merkmal_name", "dimension_name"]);
    let cat = r.required(&["auspraegung", "category"]);
    let cat_name = r.col(&["auspraegung_name", "category_name"]);
    let dim_texts = r.text_columns(DIMENSION_TEXTS);
    let cat_texts = r.text_columns(CATEGORY_TEXTS);
    let mut dimensions: Vec<Dimension> = Vec::new();
    if dim.is_none() || cat.is_none() {
        return dimensions;
    }
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
        let pos = dimensions.iter().position(|x| x.code == d);
        let dimension = match pos {
            Some(p) => &mut dimensions[p],
            None => {
                dimensions.push(Dimension {
                    translations: texts_of(cells, &dim_texts),
                    code: d.clone(),
                    name: if dn.is_empty() { d.clone() } else { dn },
                    categories: Vec::new(),
                });
                dimensions.last_mut().expect("just pushed")
            }
        };
        dimension.categories.push(Category {
            translations: texts_of(cells, &cat_texts),
            code: k.clone(),
            name: if kn.is_empty() { k } else { kn },
        });
    }
    dimensions
}

/// The columns of an indicator table (None where the table lacks one).
struct IndicatorColumns {
    code: Option<usize>,
    name: Option<usize>,
    action_field: Option<usize>,
    definition: Option<usize>,
    numerator: Option<usize>,
    denominator: Option<usize>,
    unit: Option<usize>,
    polarity: Option<usize>,
    source: Option<usize>,
    department: Option<usize>,
    periodicity: Option<usize>,
    core: Option<usize>,
    published: Option<usize>,
    notes: Option<usize>,
    may_exceed_100: Option<usize>,
    texts: TextColumns,
}

impl IndicatorColumns {
    fn find(r: &mut Reader) -> IndicatorColumns {
        IndicatorColumns {
            code: r.required(&["code", "indikator", "indicator"]),
            name: r.required(&["name"]),
            action_field: r.col(&["handlungsfeld", "action_field"]),
            definition: r.col(&["definition"]),
            numerator: r.col(&["zaehler", "numerator"]),
            denominator: r.col(&["nenner", "denominator"]),
            unit: r.col(&["einheit", "unit"]),
            polarity: r.col(&["polaritaet", "polarity"]),
            source: r.col(&["quelle", "source"]),
            department: r.col(&["amt", "department", "zustaendig"]),
            periodicity: r.col(&["periodizitaet", "periodicity"]),
            core: r.col(&["kernindikator", "core"]),
            published: r.col(&["veroeffentlicht", "published"]),
            notes: r.col(&["hinweise", "notes"]),
            may_exceed_100: r.col(&["ueber_100_moeglich", "may_exceed_100"]),
            texts: r.text_columns(INDICATOR_TEXTS),
        }
    }
}

fn read_indicators(r: &mut Reader) -> Vec<Indicator> {
    let cols = IndicatorColumns::find(r);
    let mut indicators = Vec::new();
    if cols.code.is_none() || cols.name.is_none() {
        return indicators;
    }
    for (line, cells) in &r.t.rows {
        if let Some(i) = indicator_row(r.t, &cols, *line, cells, &mut r.problems) {
            indicators.push(i);
        }
    }
    indicators
}

/// One indicator row; None (with the row's problems added) when a cell is wrong.
fn indicator_row(
    t: &Table,
    cols: &IndicatorColumns,
    line: usize,
    cells: &[Cell],
    problems: &mut Vec<Problem>,
) -> Option<Indicator> {
    let text = |c: Option<usize>| Reader::text(cells, c);
    let code = code_of(t, line, cells, cols.code, problems)?;
    let empty = Cell::Empty;
    let cell = |c: Option<usize>| c.and_then(|c| cells.get(c)).unwrap_or(&empty);
    let polarity = Polarity::parse(&text(cols.polarity));
    let polarity = checked(polarity, t, line, cols.polarity, problems);
    let periodicity = Periodicity::parse(&text(cols.periodicity));
    let periodicity = checked(periodicity, t, line, cols.periodicity, problems);
    let core = parse_bool(cell(cols.core), false);
    let core = checked(core, t, line, cols.core, problems);
    let published = parse_bool(cell(cols.published), true);
    let published = checked(published, t, line, cols.published, problems);
    let over = parse_bool(cell(cols.may_exceed_100), false);
    let over = checked(over, t, line, cols.may_exceed_100, problems);
    // Every cell is checked, so one row reports all its problems at once.
    let (Some(polarity), Some(periodicity), Some(core), Some(published), Some(may_exceed_100)) =
        (polarity, periodicity, core, published, over)
    else {
        return None;
    };
    let action_field = text(cols.action_field);
    Some(Indicator {
        translations: texts_of(cells, &cols.texts),
        code,
        name: text(cols.name),
        definition: text(cols.definition),
        numerator: text(cols.numerator),
        denominator: text(cols.denominator),
        unit: kimo_model::Unit::parse(&text(cols.unit)),
        polarity,
        source: text(cols.source),
        department: text(cols.department),
        periodicity,
        core,
        action_field: (!action_field.is_empty()).then_some(action_field),
        published,
        notes: text(cols.notes),
        may_exceed_100,
    })
}
