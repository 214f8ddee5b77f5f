//! Area boundaries from GeoJSON (FeatureCollection of Polygons / MultiPolygons, WGS84).

use crate::{Context, Error};
use kimo_model::{Area, Dataset, Origin, Problem};
use serde_json::Value;

const CODE_KEYS: &[&str] = &[
    "code",
    "Code",
    "CODE",
    "Stadtteilnummer",
    "stadtteilnummer",
    "nummer",
    "Nummer",
    "schluessel",
    "Schluessel",
    "AGS",
    "ags",
    "GeoCode",
    "id",
];
const NAME_KEYS: &[&str] = &[
    "name",
    "Name",
    "NAME",
    "Stadtteilname",
    "stadtteilname",
    "GEN",
    "bezeichnung",
    "Bezeichnung",
];

fn prop_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads areas with boundaries from GeoJSON text.
pub fn read(file: &str, text: &str, ctx: &Context) -> (Dataset, Vec<Problem>) {
    let features = match features(file, text) {
        Ok(f) => f,
        Err(p) => return (Dataset::default(), vec![p]),
    };
    let mut ds = Dataset::default();
    let mut problems = Vec::new();
    let parent = ctx
        .parent
        .clone()
        .or_else(|| kimo_model::whole_city(&ctx.areas).map(|a| a.code.clone()));
    for (i, f) in features.iter().enumerate() {
        match area(f, i + 1, ctx) {
            Ok(mut a) => {
                if Some(&a.code) != parent.as_ref() {
                    a.parent = parent.clone();
                }
                ds.areas.push(a);
            }
            Err(e) => problems.push(problem(file, 0, 0, e.to_string())),
        }
    }
    (ds, problems)
}

fn problem(file: &str, line: usize, column: usize, message: String) -> Problem {
    Problem {
        origin: Origin {
            file: file.to_string(),
            line,
            column,
        },
        message,
    }
}

/// The features of a FeatureCollection (or the one Feature).
fn features(file: &str, text: &str) -> Result<Vec<Value>, Problem> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        problem(
            file,
            e.line(),
            e.column(),
            format!("kein gültiges JSON: {e}"),
        )
    })?;
    match root.get("features").and_then(Value::as_array) {
        Some(f) => Ok(f.clone()),
        None if root.get("type").and_then(Value::as_str) == Some("Feature") => Ok(vec![root]),
        None => Err(problem(
            file,
            0,
            0,
            "keine GeoJSON-FeatureCollection".into(),
        )),
    }
}

/// The area of feature number `n` (without parent), or why it is none.
fn area(f: &Value, n: usize, ctx: &Context) -> Result<Area, Error> {
    let props = f.get("properties").cloned().unwrap_or(Value::Null);
    let pick = |explicit: &Option<String>, keys: &[&str]| -> Option<String> {
        match explicit {
            Some(k) => props.get(k).and_then(prop_text),
            None => keys.iter().find_map(|k| props.get(*k).and_then(prop_text)),
        }
    };
    let Some(code) = pick(&ctx.code_property, CODE_KEYS) else {
        return Err(Error::FeatureCode {
            feature: n,
            keys: ctx
                .code_property
                .clone()
                .unwrap_or_else(|| CODE_KEYS.join(", ")),
        });
    };
    let name = pick(&ctx.name_property, NAME_KEYS).unwrap_or_else(|| code.clone());
    let geometry = f.get("geometry").filter(|g| {
        matches!(
            g.get("type").and_then(Value::as_str),
            Some("Polygon" | "MultiPolygon")
        )
    });
    let Some(geometry) = geometry else {
        return Err(Error::FeatureGeometry { feature: n, name });
    };
    // Match an existing area by code (also "1" for "01") or by name.
    Ok(Area {
        code: ctx.match_area(&code, &name),
        name,
        parent: None,
        level: 1,
        geometry: Some(geometry.to_string()),
    })
}
