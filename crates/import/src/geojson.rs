//! Area boundaries from GeoJSON (FeatureCollection of Polygons / MultiPolygons, WGS84).

use crate::Context;
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
    let problem = |line: usize, column: usize, message: String| Problem {
        origin: Origin {
            file: file.to_string(),
            line,
            column,
        },
        message,
    };
    let root: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return (
                Dataset::default(),
                vec![problem(
                    e.line(),
                    e.column(),
                    format!("kein gültiges JSON: {e}"),
                )],
            );
        }
    };
    let features = match root.get("features").and_then(Value::as_array) {
        Some(f) => f.clone(),
        None if root.get("type").and_then(Value::as_str) == Some("Feature") => vec![root.clone()],
        None => {
            return (
                Dataset::default(),
                vec![problem(0, 0, "keine GeoJSON-FeatureCollection".into())],
            );
        }
    };
    let mut ds = Dataset::default();
    let mut problems = Vec::new();
    let parent = ctx
        .parent
        .clone()
        .or_else(|| kimo_model::whole_city(&ctx.areas).map(|a| a.code.clone()));
    for (i, f) in features.iter().enumerate() {
        let n = i + 1;
        let props = f.get("properties").cloned().unwrap_or(Value::Null);
        let pick = |explicit: &Option<String>, keys: &[&str]| -> Option<String> {
            match explicit {
                Some(k) => props.get(k).and_then(prop_text),
                None => keys.iter().find_map(|k| props.get(*k).and_then(prop_text)),
            }
        };
        let Some(code) = pick(&ctx.code_property, CODE_KEYS) else {
            problems.push(problem(
                0,
                0,
                format!(
                    "Feature {n}: keine Eigenschaft mit dem Gebietscode ({}; mit --code-property wählbar)",
                    ctx.code_property.clone().unwrap_or_else(|| CODE_KEYS.join(", "))
                ),
            ));
            continue;
        };
        let name = pick(&ctx.name_property, NAME_KEYS).unwrap_or_else(|| code.clone());
        let geometry = match f.get("geometry") {
            Some(g)
                if matches!(
                    g.get("type").and_then(Value::as_str),
                    Some("Polygon" | "MultiPolygon")
                ) =>
            {
                g
            }
            _ => {
                problems.push(problem(
                    0,
                    0,
                    format!(
                        "Feature {n} ('{name}'): Geometrie ist weder Polygon noch MultiPolygon"
                    ),
                ));
                continue;
            }
        };
        // Match an existing area by code (also "1" for "01") or by name.
        let code = ctx.match_area(&code, &name);
        ds.areas.push(Area {
            parent: if Some(&code) == parent.as_ref() {
                None
            } else {
                parent.clone()
            },
            level: 1,
            code,
            name,
            geometry: Some(geometry.to_string()),
        });
    }
    (ds, problems)
}
