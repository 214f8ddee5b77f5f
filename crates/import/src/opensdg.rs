//! The Open SDG data layout: `data/indicator_<id>.csv` plus `meta/<id>.yml` (or `.md` with YAML front matter).
//!
//! Columns: `Year` first, `Value` last, `GeoCode` (if present) second to last; every column between is a
//! disaggregation and an empty cell means "total". Observation attributes (`OBS_STATUS`, `COMMENT_OBS`,
//! `UNIT_MULT`, `NATURE`) are not disaggregations; kimo writes its flags as `OBS_STATUS` letters
//! ([`Flags::obs_status`]), also on the rows of withheld (`S`) or too uncertain (`U`) values, whose
//! `Value` stays empty — so an export reads back with every observation.
//!
//! `Year` is free text in Open SDG: what is no known period (`WS 2005/06`, `2024 / 2005`) is kept
//! verbatim as a labelled period ([`Period::Label`]).

use crate::Context;
use crate::notation::{Reading, read_cell};
use crate::table::{Cell, Table, header_key, read_csv};
use kimo_model::{
    ActionField, Area, Breakdown, Category, Dataset, Dimension, Flags, Indicator, Observation,
    Origin, Period, Periodicity, Polarity, Problem, slug,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const ATTRIBUTES: &[&str] = &["obs_status", "comment_obs", "unit_mult", "nature"];

/// Whether a table looks like an Open SDG data file.
pub fn is_open_sdg(t: &Table) -> bool {
    let k = t.keys();
    k.first().map(String::as_str) == Some("year") && k.last().map(String::as_str) == Some("value")
}

/// Whether a directory is an Open SDG data directory.
pub fn is_open_sdg_dir(dir: &Path) -> bool {
    data_files(dir).map(|f| !f.is_empty()).unwrap_or(false)
}

fn data_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("data"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("indicator_") && n.ends_with(".csv"))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// The indicator id of a data file name: `indicator_1-1-1.csv` → `1-1-1`.
pub fn indicator_id(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    Some(stem.strip_prefix("indicator_").unwrap_or(stem).to_string())
}

/// Reads a whole Open SDG directory: every data file with its metadata.
pub fn read_dir(dir: &Path, ctx: &Context) -> (Dataset, Vec<Problem>) {
    let mut ds = Dataset::default();
    let mut problems = Vec::new();
    for (_, d, p) in read_dir_files(dir, ctx) {
        ds.extend(d);
        problems.extend(p);
    }
    (ds, problems)
}

/// Reads an Open SDG directory file by file: each data file's name, what it brings and its problems.
pub fn read_dir_files(dir: &Path, ctx: &Context) -> Vec<(String, Dataset, Vec<Problem>)> {
    let files = match data_files(dir) {
        Ok(f) => f,
        Err(e) => {
            let name = dir.display().to_string();
            let problem = Problem::whole_file(
                name.clone(),
                format!("kein Open-SDG-Verzeichnis (data/ fehlt): {e}"),
            );
            return vec![(name, Dataset::default(), vec![problem])];
        }
    };
    let mut ctx = ctx.clone();
    let mut out = Vec::new();
    for f in files {
        let (d, p) = read_file(&f, Some(dir), &ctx);
        ctx.learn(&d);
        out.push((f.display().to_string(), d, p));
    }
    out
}

fn find_meta(dir: &Path, id: &str) -> Option<(PathBuf, String)> {
    let candidates = [
        dir.join("meta").join(format!("{id}.yml")),
        dir.join("meta").join(format!("{id}.yaml")),
        dir.join("meta").join(format!("{id}.md")),
        dir.join("meta").join("yamlmd").join(format!("{id}.md")),
    ];
    candidates
        .into_iter()
        .find_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
}

fn front_matter(text: &str) -> &str {
    let t = text.trim_start_matches('\u{feff}');
    if let Some(rest) = t.strip_prefix("---") {
        match rest.find("\n---") {
            Some(end) => &rest[..end],
            None => rest,
        }
    } else {
        t
    }
}

/// Reads metadata YAML into a flat map of strings (nested values are skipped).
fn read_meta(path: &Path, text: &str) -> Result<BTreeMap<String, String>, Problem> {
    let yaml = front_matter(text);
    let v: serde_norway::Value = serde_norway::from_str(yaml).map_err(|e| Problem {
        origin: Origin {
            file: path.display().to_string(),
            line: e.location().map_or(0, |l| l.line()),
            column: e.location().map_or(0, |l| l.column()),
            ..Default::default()
        },
        message: format!("Metadaten nicht lesbar: {e}"),
    })?;
    let mut out = BTreeMap::new();
    if let serde_norway::Value::Mapping(m) = v {
        for (k, v) in m {
            let Some(k) = k.as_str() else { continue };
            let s = match v {
                serde_norway::Value::String(s) => s,
                serde_norway::Value::Number(n) => n.to_string(),
                serde_norway::Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            out.insert(k.to_string(), s);
        }
    }
    Ok(out)
}

fn indicator_from_meta(
    id: &str,
    base: Option<&Indicator>,
    meta: &BTreeMap<String, String>,
) -> Indicator {
    let mut ind = base.cloned().unwrap_or_else(|| Indicator {
        code: id.to_string(),
        name: format!("Indikator {id}"),
        published: true,
        ..Default::default()
    });
    let get = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| meta.get(*k).filter(|v| !v.trim().is_empty()).cloned())
    };
    if let Some(v) = get(&["indicator_name", "graph_title", "title", "indicator_title"]) {
        ind.name = v;
    }
    if let Some(v) = get(&["indicator_definition", "definition"]) {
        ind.definition = v;
    }
    if let Some(v) = get(&["kimo_unit", "computation_units", "unit"]) {
        ind.unit = kimo_model::Unit::parse(&v);
    }
    if let Some(v) = get(&[
        "source_organisation_1",
        "source_organisation",
        "data_source",
        "source",
    ]) {
        ind.source = v;
    }
    if let Some(v) = get(&["kimo_numerator"]) {
        ind.numerator = v;
    }
    if let Some(v) = get(&["kimo_denominator"]) {
        ind.denominator = v;
    }
    if let Some(v) = get(&["kimo_department"]) {
        ind.department = v;
    }
    if let Some(v) = get(&["kimo_notes"]) {
        ind.notes = v;
    }
    if let Some(p) = get(&["kimo_polarity"]).and_then(|v| Polarity::parse(&v).ok()) {
        ind.polarity = p;
    }
    if let Some(p) = get(&["kimo_periodicity"]).and_then(|v| Periodicity::parse(&v).ok()) {
        ind.periodicity = p;
    }
    if let Some(v) = get(&["kimo_core"]) {
        ind.core = v == "true";
    }
    if let Some(v) = get(&["kimo_published", "published"]) {
        ind.published = v == "true";
    }
    if let Some(v) = get(&["kimo_may_exceed_100"]) {
        ind.may_exceed_100 = v == "true";
    }
    if let Some(v) = get(&["kimo_action_field"]) {
        ind.action_field = Some(v);
    }
    ind
}

/// Reads one Open SDG data file (with its metadata when `dir` is the data directory).
pub fn read_file(path: &Path, dir: Option<&Path>, ctx: &Context) -> (Dataset, Vec<Problem>) {
    let mut ds = Dataset::default();
    let t = match read_csv(path) {
        Ok(t) => t,
        Err(p) => return (ds, p),
    };
    let mut problems = Vec::new();
    let id = indicator_id(path).unwrap_or_default();
    let meta = file_meta(dir, &id, &mut problems);
    add_indicator(&mut ds, &id, ctx, &meta);
    if !is_open_sdg(&t) {
        problems.push(t.file_problem("erste Spalte muss 'Year', letzte 'Value' sein"));
        return (ds, problems);
    }
    let mut layout = Layout::of(&t, ctx);
    // kimo's own export names the whole-city area, which Open SDG leaves without a GeoCode.
    let root = meta.get("kimo_root_area").cloned().unwrap_or_default();
    if !root.is_empty() {
        ds.auto_areas.push(Area {
            code: root.clone(),
            name: meta.get("kimo_root_area_name").cloned().unwrap_or_default(),
            level: 0,
            ..Default::default()
        });
    }
    for (line, cells) in &t.rows {
        let row = Row {
            t: &t,
            line: *line,
            cells,
        };
        match row.observation(&id, &root, &mut layout, ctx, &mut ds.auto_areas) {
            Ok(Some(o)) => ds.observations.push(o),
            Ok(None) => {}
            Err(p) => problems.push(p),
        }
    }
    ds.dimensions = layout.dims.into_iter().map(|(_, d)| d).collect();
    (ds, problems)
}

/// The metadata of indicator `id` in the data directory, empty when there is none or it is broken.
fn file_meta(
    dir: Option<&Path>,
    id: &str,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, String> {
    match dir.and_then(|d| find_meta(d, id)) {
        Some((p, text)) => read_meta(&p, &text).unwrap_or_else(|e| {
            problems.push(e);
            BTreeMap::new()
        }),
        None => BTreeMap::new(),
    }
}

/// Adds the indicator (and its Handlungsfeld) unless the store knows it and the file brings no metadata.
fn add_indicator(ds: &mut Dataset, id: &str, ctx: &Context, meta: &BTreeMap<String, String>) {
    let existing = ctx.indicators.iter().find(|i| i.code == id);
    if existing.is_some() && meta.is_empty() {
        return;
    }
    let ind = indicator_from_meta(id, existing, meta);
    if let (Some(af), Some(name)) = (&ind.action_field, meta.get("kimo_action_field_name")) {
        ds.action_fields.push(ActionField {
            code: af.clone(),
            name: name.clone(),
            ..Default::default()
        });
    }
    ds.indicators.push(ind);
}

/// What the columns of an Open SDG data file mean.
struct Layout {
    value: usize,
    geo: Option<usize>,
    /// The column naming the area of the GeoCode, if any.
    geo_name: Option<usize>,
    status: Option<usize>,
    /// Whether values use a decimal comma: some has a comma and none a point (`12,5`).
    decimal_comma: bool,
    /// Disaggregation columns with their dimension, categories collected while reading.
    dims: Vec<(usize, Dimension)>,
}

impl Layout {
    fn of(t: &Table, ctx: &Context) -> Layout {
        let keys = t.keys();
        let value = keys.len() - 1;
        let geo = keys.iter().position(|k| k == "geocode");
        let geo_name = geo.and_then(|g| name_column(t, &keys, g));
        let mut dims = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            if i == 0
                || i == value
                || Some(i) == geo
                || Some(i) == geo_name
                || ATTRIBUTES.contains(&k.as_str())
            {
                continue;
            }
            dims.push((i, dimension_of(t, ctx, i, k)));
        }
        Layout {
            value,
            geo,
            geo_name,
            status: keys.iter().position(|k| k == "obs_status"),
            decimal_comma: decimal_comma(t, value),
            dims,
        }
    }
}

/// Whether the values of column `value` are written with a decimal comma (`12,5`): Open SDG writes
/// points and no thousands separators, so a comma in a file without points is the decimal sign.
fn decimal_comma(t: &Table, value: usize) -> bool {
    let texts = || {
        t.rows
            .iter()
            .filter_map(move |(_, cells)| match cells.get(value) {
                Some(Cell::Text(s)) => Some(s.as_str()),
                _ => None,
            })
    };
    texts().any(|s| s.contains(',')) && !texts().any(|s| s.contains('.'))
}

/// The column that names the areas of GeoCode column `g`: filled exactly where GeoCode is and the
/// same text for every row of a code; a header like `Gebiet` or `Region` wins, else the column left of
/// GeoCode. `Units`, `Series` and the attributes are never names.
fn name_column(t: &Table, keys: &[String], g: usize) -> Option<usize> {
    let value = keys.len() - 1;
    let names_areas = |c: usize| {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        c != 0
            && c != g
            && c != value
            && !NEVER_NAMES.contains(&keys[c].as_str())
            && !ATTRIBUTES.contains(&keys[c].as_str())
            && t.rows.iter().all(|(_, cells)| {
                let text = |i: usize| cells.get(i).map(Cell::text).unwrap_or_default();
                let (code, name) = (text(g), text(c));
                code.is_empty() == name.is_empty()
                    && seen.entry(code).or_insert_with(|| name.clone()) == &name
            })
    };
    (1..value)
        .find(|&c| AREA_NAMES.contains(&keys[c].as_str()) && names_areas(c))
        .or_else(|| g.checked_sub(1).filter(|&c| names_areas(c)))
}

/// Headers that name areas wherever they stand.
const AREA_NAMES: &[&str] = &[
    "gebiet",
    "gebietsname",
    "region",
    "name",
    "geoname",
    "geo_name",
    "area",
    "stadtteil",
    "stadtteilname",
    "stadtbezirk",
    "bezirk",
    "ortsteil",
    "kreis",
    "landkreis",
    "gemeinde",
    "raum",
];

/// Open SDG's special disaggregations, never area names.
const NEVER_NAMES: &[&str] = &["units", "series", "unit_measure"];

/// The dimension of disaggregation column `i` (key `k`): a known one, else one named after the header.
fn dimension_of(t: &Table, ctx: &Context, i: usize, k: &str) -> Dimension {
    let header = t.header[i].clone();
    let d = ctx
        .dimensions
        .iter()
        .find(|d| header_key(&d.code) == k || header_key(&d.name) == k)
        .cloned()
        .unwrap_or_else(|| Dimension {
            translations: None,
            code: slug(&header),
            name: header.clone(),
            categories: Vec::new(),
        });
    Dimension {
        categories: Vec::new(),
        ..d
    }
}

/// One data row of an Open SDG file.
struct Row<'a> {
    t: &'a Table,
    line: usize,
    cells: &'a [Cell],
}

impl Row<'_> {
    fn text(&self, i: usize) -> String {
        self.cells.get(i).map(Cell::text).unwrap_or_default()
    }

    /// The row's observation, learning categories and areas. None for a row without value, unless
    /// its notation (`.`, `/`) or `OBS_STATUS` (`S`, `U`) says the value is withheld or too uncertain.
    fn observation(
        &self,
        id: &str,
        root: &str,
        layout: &mut Layout,
        ctx: &Context,
        auto_areas: &mut Vec<Area>,
    ) -> Result<Option<Observation>, Problem> {
        let (t, line) = (self.t, self.line);
        let status = layout
            .status
            .map(|c| Flags::from_obs_status(&self.text(c)))
            .unwrap_or_default();
        let (value, flags) = match read_cell(
            self.cells.get(layout.value).unwrap_or(&Cell::Empty),
            layout.decimal_comma,
        ) {
            Ok(Reading::Value(v, f)) => (Some(v), status.union(f)),
            Ok(Reading::NoValue(f)) => (None, status.union(f)),
            Ok(Reading::Empty) if status.explains_no_value() => (None, status),
            Ok(_) => return Ok(None),
            Err(e) => return Err(t.problem(line, layout.value, e.to_string())),
        };
        let period =
            Period::parse_or_label(&self.text(0)).map_err(|e| t.problem(line, 0, e.to_string()))?;
        let breakdown = self.breakdown(&mut layout.dims, ctx);
        let area = self.area(root, layout, auto_areas);
        Ok(Some(Observation {
            indicator: id.to_string(),
            period,
            area,
            breakdown,
            value,
            numerator: None,
            denominator: None,
            flags,
            origin: Some(Origin {
                file: t.file.clone(),
                line,
                column: layout.geo.unwrap_or(0) + 1,
                numbers: [layout.value + 1, 0, 0],
            }),
        }))
    }

    fn breakdown(&self, dims: &mut [(usize, Dimension)], ctx: &Context) -> Breakdown {
        let mut b = Breakdown::total();
        for (i, d) in dims.iter_mut() {
            let v = self.text(*i);
            if v.is_empty() {
                continue;
            }
            // New categories keep the cell as their code, so codes survive a round trip.
            let known = ctx.category(&d.code, &v);
            let code = known.clone().unwrap_or_else(|| v.replace(['=', ';'], "_"));
            if !d.categories.iter().any(|c| c.code == code) {
                d.categories.push(Category {
                    translations: None,
                    code: code.clone(),
                    name: if known.is_some() {
                        ctx.category_name(&d.code, &code)
                    } else {
                        v.clone()
                    },
                });
            }
            b.insert(d.code.clone(), code);
        }
        b
    }

    /// The GeoCode, or the root area where it is empty; a new code becomes an area.
    fn area(&self, root: &str, layout: &Layout, auto_areas: &mut Vec<Area>) -> String {
        let area = layout.geo.map(|g| self.text(g)).unwrap_or_default();
        let area = if area.is_empty() {
            root.to_string()
        } else {
            area
        };
        if !area.is_empty() && !auto_areas.iter().any(|a| a.code == area) {
            let name = layout
                .geo_name
                .map(|c| self.text(c))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| area.clone());
            auto_areas.push(Area {
                code: area.clone(),
                name,
                level: 1,
                ..Default::default()
            });
        }
        area
    }
}

/// What an Open SDG export needs from the store.
pub struct ExportInput<'a> {
    /// Indicators to write.
    pub indicators: &'a [Indicator],
    /// Handlungsfelder (for their names in the metadata).
    pub action_fields: &'a [ActionField],
    /// All areas (for names and the root).
    pub areas: &'a [Area],
    /// All observations, ordered by indicator.
    pub observations: &'a [Observation],
}

/// Writes an Open SDG data directory; returns the number of data files and observations written.
pub fn write_dir(dir: &Path, input: &ExportInput) -> std::io::Result<(usize, usize)> {
    std::fs::create_dir_all(dir.join("data"))?;
    std::fs::create_dir_all(dir.join("meta"))?;
    let root = kimo_model::whole_city(input.areas);
    let (mut files, mut rows) = (0, 0);
    for ind in input.indicators {
        let obs: Vec<&Observation> = input
            .observations
            .iter()
            .filter(|o| o.indicator == ind.code)
            .collect();
        let path = dir.join("data").join(format!("indicator_{}.csv", ind.code));
        rows += write_data_file(&path, obs, input.areas, root)?;
        files += 1;
        let yaml = serde_norway::to_string(&meta_of(ind, input.action_fields, root))
            .map_err(std::io::Error::other)?;
        std::fs::write(dir.join("meta").join(format!("{}.yml", ind.code)), yaml)?;
    }
    Ok((files, rows))
}

/// Writes one indicator's data file: `Year` (a label verbatim), disaggregations, `Gebiet`, `GeoCode`,
/// `OBS_STATUS` when any observation has flags, `Value` (empty for a withheld or too uncertain one,
/// whose `OBS_STATUS` says `S` or `U`); the whole city without GeoCode. Returns the number of rows.
fn write_data_file(
    path: &Path,
    mut obs: Vec<&Observation>,
    areas: &[Area],
    root: Option<&Area>,
) -> std::io::Result<usize> {
    let root = root.map(|a| a.code.as_str());
    let mut dims: Vec<&str> = obs.iter().flat_map(|o| o.breakdown.dimensions()).collect();
    dims.sort();
    dims.dedup();
    let with_status = obs.iter().any(|o| o.flags != Flags::default());
    let mut w = csv::Writer::from_path(path)?;
    let mut header: Vec<String> = vec!["Year".into()];
    header.extend(dims.iter().map(|d| d.to_string()));
    header.push("Gebiet".into());
    header.push("GeoCode".into());
    if with_status {
        header.push("OBS_STATUS".into());
    }
    header.push("Value".into());
    w.write_record(header.iter().map(|c| kimo_model::csv_safe(c).into_owned()))?;
    obs.sort_by(|a, b| (&a.period, &a.area, &a.breakdown).cmp(&(&b.period, &b.area, &b.breakdown)));
    for o in &obs {
        let mut rec: Vec<String> = vec![o.period.code()];
        rec.extend(
            dims.iter()
                .map(|d| o.breakdown.get(d).unwrap_or("").to_string()),
        );
        if Some(o.area.as_str()) == root {
            rec.extend([String::new(), String::new()]);
        } else {
            let name = areas
                .iter()
                .find(|a| a.code == o.area)
                .map_or("", |a| a.name.as_str());
            rec.extend([name.to_string(), o.area.clone()]);
        }
        if with_status {
            rec.push(o.flags.obs_status());
        }
        rec.push(o.value.map(|v| v.to_string()).unwrap_or_default());
        w.write_record(rec.iter().map(|c| kimo_model::csv_safe(c).into_owned()))?;
    }
    w.flush()?;
    Ok(obs.len())
}

/// An indicator's metadata: the Open SDG keys and kimo's own, which [`indicator_from_meta`] reads back.
fn meta_of(
    ind: &Indicator,
    action_fields: &[ActionField],
    root: Option<&Area>,
) -> BTreeMap<&'static str, String> {
    let mut meta = BTreeMap::new();
    meta.insert("indicator_name", ind.name.clone());
    meta.insert("indicator_definition", ind.definition.clone());
    meta.insert("computation_units", ind.unit.to_string());
    meta.insert("source_organisation_1", ind.source.clone());
    meta.insert("kimo_unit", ind.unit.to_string());
    meta.insert("kimo_numerator", ind.numerator.clone());
    meta.insert("kimo_denominator", ind.denominator.clone());
    meta.insert("kimo_department", ind.department.clone());
    meta.insert("kimo_notes", ind.notes.clone());
    meta.insert("kimo_polarity", ind.polarity.code().into());
    meta.insert("kimo_periodicity", ind.periodicity.code().into());
    meta.insert("kimo_core", ind.core.to_string());
    meta.insert("kimo_published", ind.published.to_string());
    meta.insert("kimo_may_exceed_100", ind.may_exceed_100.to_string());
    if let Some(r) = root {
        meta.insert("kimo_root_area", r.code.clone());
        meta.insert("kimo_root_area_name", r.name.clone());
    }
    if let Some(af) = &ind.action_field {
        meta.insert("kimo_action_field", af.clone());
        if let Some(f) = action_fields.iter().find(|f| &f.code == af) {
            meta.insert("kimo_action_field_name", f.name.clone());
        }
    }
    meta
}

#[cfg(test)]
#[path = "opensdg_tests.rs"]
mod tests;
