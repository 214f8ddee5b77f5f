//! Area boundaries from GeoJSON (FeatureCollection of Polygons / MultiPolygons) in WGS84, or in
//! ETRS89/UTM or Gauß-Krüger declared by a `crs` member and reprojected to WGS84.

use crate::crs::{Crs, Reprojection, SUPPORTED};
use crate::shape::Shape;
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
    let (features, reprojection) = match features(file, text) {
        Ok(f) => f,
        Err(p) => return (Dataset::default(), vec![p]),
    };
    let wrong_system = match &reprojection {
        None => outside_lon_lat(&features, ctx),
        Some(r) => lon_lat_despite_crs(&features, ctx, r.crs()),
    };
    if let Some(e) = wrong_system {
        return (Dataset::default(), vec![problem(file, 0, 0, e.to_string())]);
    }
    let mut ds = Dataset::default();
    let mut problems = Vec::new();
    let parent = ctx
        .parent
        .clone()
        .or_else(|| kimo_model::whole_city(&ctx.areas).map(|a| a.code.clone()));
    for (i, f) in features.iter().enumerate() {
        match area(f, i + 1, ctx, reprojection.as_ref()) {
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

/// The first position of any feature outside longitude/latitude, as the error for the file.
fn outside_lon_lat(features: &[Value], ctx: &Context) -> Option<Error> {
    features.iter().enumerate().find_map(|(i, f)| {
        let shape = Shape::read(f.get("geometry")).ok()?;
        let [x, y] = shape
            .positions()
            .find(|q| q[0].abs() > 180.0 || q[1].abs() > 90.0)?;
        Some(Error::Projected {
            feature: label(f, i + 1, ctx),
            position: format!("({x}, {y})"),
            supported: SUPPORTED,
        })
    })
}

fn problem(file: &str, line: usize, column: usize, message: String) -> Problem {
    Problem {
        origin: Origin {
            file: file.to_string(),
            line,
            column,
            ..Default::default()
        },
        message,
    }
}

/// When every position of a file declaring a projected system lies within longitude/latitude
/// (metres from the false easting would not), the error for the file, naming its first feature.
fn lon_lat_despite_crs(features: &[Value], ctx: &Context, crs: Crs) -> Option<Error> {
    let mut shapes = features
        .iter()
        .enumerate()
        .filter_map(|(i, f)| Some((i, f, Shape::read(f.get("geometry")).ok()?)));
    let (i, f, first) = shapes.next()?;
    let degrees = |s: &Shape| {
        s.positions()
            .all(|q| q[0].abs() <= 180.0 && q[1].abs() <= 90.0)
    };
    if !degrees(&first) || !shapes.all(|(_, _, s)| degrees(&s)) {
        return None;
    }
    let [x, y] = first.positions().next()?;
    Some(Error::LonLatDeclaredProjected {
        feature: label(f, i + 1, ctx),
        position: format!("({x}, {y})"),
        crs: crs.code(),
    })
}

/// The features of a FeatureCollection (or the one Feature) and, when its `crs` is a projected
/// system, the reprojection to WGS84.
fn features(file: &str, text: &str) -> Result<(Vec<Value>, Option<Reprojection>), Problem> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        problem(
            file,
            e.line(),
            e.column(),
            format!("kein gültiges JSON: {e}"),
        )
    })?;
    let features = match root.get("features").and_then(Value::as_array) {
        Some(f) => f.clone(),
        None if root.get("type").and_then(Value::as_str) == Some("Feature") => vec![root.clone()],
        None => {
            return Err(problem(
                file,
                0,
                0,
                "keine GeoJSON-FeatureCollection".into(),
            ));
        }
    };
    let crs = Crs::of(&root).map_err(|name| {
        let e = Error::UnknownCrs {
            name,
            supported: SUPPORTED,
        };
        problem(file, 0, 0, e.to_string())
    })?;
    let reprojection = crs.filter(|c| *c != Crs::Wgs84).map(Reprojection::new);
    Ok((features, reprojection))
}

/// The code and name of a feature: from the chosen or the usual properties (the name defaults to
/// the code).
fn code_and_name(f: &Value, ctx: &Context) -> (Option<String>, Option<String>) {
    let props = f.get("properties").cloned().unwrap_or(Value::Null);
    let pick = |explicit: &Option<String>, keys: &[&str]| -> Option<String> {
        match explicit {
            Some(k) => props.get(k).and_then(prop_text),
            None => keys.iter().find_map(|k| props.get(*k).and_then(prop_text)),
        }
    };
    let code = pick(&ctx.code_property, CODE_KEYS);
    let name = pick(&ctx.name_property, NAME_KEYS).or_else(|| code.clone());
    (code, name)
}

/// A feature for messages: `Feature 3 ('Südstadt', Code 03)`, or `Feature 3 ('03')`.
fn label(f: &Value, n: usize, ctx: &Context) -> String {
    match code_and_name(f, ctx) {
        (Some(code), Some(name)) if code != name => format!("Feature {n} ('{name}', Code {code})"),
        (_, Some(name)) => format!("Feature {n} ('{name}')"),
        _ => format!("Feature {n}"),
    }
}

/// The geometry of a feature as GeoJSON text in WGS84, checked, or why it is no valid area.
fn geometry(f: &Value, reprojection: Option<&Reprojection>) -> Result<String, String> {
    let shape = Shape::read(f.get("geometry"))?;
    shape.check()?;
    let Some(r) = reprojection else {
        // Kept as written: the file is WGS84 already.
        return Ok(f.get("geometry").map(Value::to_string).unwrap_or_default());
    };
    let wgs84 = shape
        .map(|[x, y]| r.to_wgs84(x, y).map(|(lon, lat)| [lon, lat]))
        .map_err(|[x, y]| format!("Koordinate ({x}, {y}) lässt sich nicht nach WGS84 umrechnen"))?;
    // 7 decimals of a degree are about 1 cm.
    Ok(wgs84.to_json(7).to_string())
}

/// The area of feature number `n` (without parent), or why it is none.
fn area(
    f: &Value,
    n: usize,
    ctx: &Context,
    reprojection: Option<&Reprojection>,
) -> Result<Area, Error> {
    let (Some(code), Some(name)) = code_and_name(f, ctx) else {
        return Err(Error::FeatureCode {
            feature: n,
            keys: ctx
                .code_property
                .clone()
                .unwrap_or_else(|| CODE_KEYS.join(", ")),
        });
    };
    let geometry = geometry(f, reprojection).map_err(|reason| Error::FeatureGeometry {
        feature: label(f, n, ctx),
        reason,
    })?;
    // Match an existing area by code (also "1" for "01") or by name.
    Ok(Area {
        code: ctx.match_area(&code, &name),
        name,
        parent: None,
        level: 1,
        geometry: Some(geometry),
    })
}
