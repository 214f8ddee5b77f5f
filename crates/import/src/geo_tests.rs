//! GeoJSON as German GIS delivers it: reprojection from ETRS89/UTM and Gauß-Krüger, refusals of
//! projected files without `crs`, unknown systems and invalid polygons.
//!
//! Reference coordinates: PROJ 9.5.1 (through pyproj 3.7.2), `EPSG:4326` → `EPSG:25832/25833/31467`
//! with PROJ's default operation (for 31467 "DHDN to WGS 84 (2)", the same 7 parameters kimo uses;
//! PROJ's best operation, the BETA2007 grid, was not installed). The alternative parameter set
//! "DHDN to WGS 84 (3)" puts Karlsruhe Marktplatz 2 m away, which is the accuracy to expect.

use crate::crs::{Crs, Reprojection};
use crate::geojson;
use kimo_model::testing::shared_data as shared;
use serde_json::{Value, json};

/// Distance in metres between two nearby WGS84 positions (equirectangular; exact enough below 1 km).
fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let k = 6_371_000.0_f64.to_radians();
    let dx = (a.0 - b.0) * k * a.1.to_radians().cos();
    let dy = (a.1 - b.1) * k;
    dx.hypot(dy)
}

#[test]
fn known_points_reproject_to_their_wgs84_position() {
    let marktplatz = (8.4037, 49.0094); // Karlsruhe, Marktplatz
    let alexanderplatz = (13.4132, 52.5219); // Berlin, Alexanderplatz
    let cases = [
        (Crs::Utm32, (456_393.430, 5_428_672.018), marktplatz, 0.5),
        (
            Crs::Utm33,
            (392_340.238, 5_820_271.219),
            alexanderplatz,
            0.5,
        ),
        (Crs::Gk3, (3_456_451.373, 5_430_403.929), marktplatz, 5.0),
    ];
    for (crs, (x, y), wgs84, tolerance) in cases {
        let r = Reprojection::new(crs);
        let back = r.to_wgs84(x, y).unwrap();
        let off = metres(back, wgs84);
        println!("{crs:?}: {off:.4} m from the reference");
        assert!(off <= tolerance, "{crs:?}: {back:?} is {off} m off");
        // Same parameters as PROJ, so in fact to the millimetre; and forward again.
        assert!(off < 0.01, "{crs:?}: {off} m");
        let (fx, fy) = r.from_wgs84(wgs84.0, wgs84.1).unwrap();
        assert!((fx - x).hypot(fy - y) < 0.01, "{crs:?}: forward {fx} {fy}");
    }
}

#[test]
fn crs_names_in_the_spellings_of_gis_programs() {
    for (name, crs) in [
        ("urn:ogc:def:crs:EPSG::25832", Some(Crs::Utm32)),
        ("EPSG:25833", Some(Crs::Utm33)),
        (
            "http://www.opengis.net/def/crs/EPSG/0/31467",
            Some(Crs::Gk3),
        ),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", Some(Crs::Wgs84)),
        ("urn:ogc:def:crs:EPSG::4326", Some(Crs::Wgs84)),
        ("EPSG:3857", None),
        ("Pseudo-Mercator", None),
    ] {
        assert_eq!(Crs::parse(name), crs, "{name}");
    }
}

/// The example Stadtteile projected forward into `crs`, declared as `name`.
fn projected_stadtteile(crs: Crs, name: &str) -> String {
    let text = include_str!("../../../examples/stadtteile.geojson");
    let mut root: Value = serde_json::from_str(text).unwrap();
    let r = Reprojection::new(crs);
    for f in root["features"].as_array_mut().unwrap() {
        let shape = crate::shape::Shape::read(f.get("geometry")).unwrap();
        let projected = shape
            .map(|[lon, lat]| r.from_wgs84(lon, lat).map(|(x, y)| [x, y]))
            .unwrap();
        f["geometry"] = projected.to_json(3); // millimetres, as GIS exports them
    }
    root["crs"] = json!({"type": "name", "properties": {"name": name}});
    root.to_string()
}

/// Every position of an area's geometry.
fn positions(geometry: &str) -> Vec<[f64; 2]> {
    let g: Value = serde_json::from_str(geometry).unwrap();
    let shape = crate::shape::Shape::read(Some(&g)).unwrap();
    shape.positions().collect()
}

#[test]
fn a_projected_feature_collection_gives_the_same_areas_as_the_wgs84_file() {
    let ctx = crate::Context::default();
    let text = include_str!("../../../examples/stadtteile.geojson");
    let (wgs84, problems) = geojson::read("stadtteile.geojson", text, &ctx);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(wgs84.areas.len(), 27);
    for (crs, name) in [
        (Crs::Utm32, "urn:ogc:def:crs:EPSG::25832"),
        (Crs::Utm33, "EPSG:25833"),
        (Crs::Gk3, "urn:ogc:def:crs:EPSG::31467"),
    ] {
        let projected = projected_stadtteile(crs, name);
        let (ds, problems) = geojson::read("utm.geojson", &projected, &ctx);
        assert!(problems.is_empty(), "{name}: {problems:?}");
        assert_eq!(ds.areas.len(), wgs84.areas.len());
        let mut worst = 0.0_f64;
        for (a, b) in ds.areas.iter().zip(&wgs84.areas) {
            assert_eq!((&a.code, &a.name), (&b.code, &b.name));
            let (pa, pb) = (
                positions(a.geometry.as_ref().unwrap()),
                positions(b.geometry.as_ref().unwrap()),
            );
            assert_eq!(pa.len(), pb.len(), "{}", a.name);
            for (p, q) in pa.iter().zip(&pb) {
                worst = worst.max(metres((p[0], p[1]), (q[0], q[1])));
            }
        }
        println!("{name}: largest difference {worst:.4} m");
        assert!(worst < 0.05, "{name}: {worst} m");
    }
}

/// The messages for a FeatureCollection of `features` (GeoJSON text), with an optional `crs` name.
fn messages(features: &str, crs: Option<&str>) -> Vec<String> {
    let crs = crs.map_or(String::new(), |c| {
        format!(r#""crs":{{"type":"name","properties":{{"name":"{c}"}}}},"#)
    });
    let text = format!(r#"{{"type":"FeatureCollection",{crs}"features":[{features}]}}"#);
    let (_, problems) = geojson::read("g.geojson", &text, &crate::Context::default());
    problems.into_iter().map(|p| p.message).collect()
}

/// A feature with code, name and geometry.
fn feature(code: &str, name: &str, kind: &str, coordinates: &str) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"code":"{code}","name":"{name}"}},"geometry":{{"type":"{kind}","coordinates":{coordinates}}}}}"#
    )
}

#[test]
fn projected_coordinates_without_crs_and_unknown_systems_are_refused() {
    let square = "[[[456000,5428000],[457000,5428000],[457000,5429000],[456000,5428000]]]";
    let m = messages(&feature("01", "Innenstadt-Ost", "Polygon", square), None);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].starts_with("Feature 1 ('Innenstadt-Ost', Code 01): Koordinate (456000, 5428000) liegt außerhalb von Länge/Breite (WGS84) – die Datei scheint in einem projizierten Koordinatensystem zu sein"),
        "{}",
        m[0]
    );
    assert!(
        m[0].contains("EPSG:25832") && m[0].contains("EPSG:25833") && m[0].contains("EPSG:31467")
    );
    let m = messages(
        &feature("01", "Innenstadt-Ost", "Polygon", square),
        Some("urn:ogc:def:crs:EPSG::3857"),
    );
    assert_eq!(
        m,
        [
            "unbekanntes Koordinatensystem 'urn:ogc:def:crs:EPSG::3857' (unterstützt: WGS84/CRS84, EPSG:25832 (ETRS89 / UTM Zone 32N), EPSG:25833 (ETRS89 / UTM Zone 33N), EPSG:31467 (DHDN / Gauß-Krüger Zone 3))"
        ]
    );
    let degrees = "[[[8.3,49.0],[8.4,49.0],[8.4,49.1],[8.3,49.0]]]";
    let m = messages(
        &feature("11", "Grünwinkel", "Polygon", degrees),
        Some("EPSG:25832"),
    );
    assert_eq!(
        m,
        [
            "Feature 1 ('Grünwinkel', Code 11): Koordinate (8.3, 49) sieht nach Länge/Breite aus, die Datei gibt aber EPSG:25832 (Meter) an – bitte die Angabe \"crs\" prüfen"
        ]
    );
    // Declared, the same square is read.
    let m = messages(
        &feature("01", "Innenstadt-Ost", "Polygon", square),
        Some("EPSG:25832"),
    );
    assert!(m.is_empty(), "{m:?}");
}

#[test]
fn invalid_polygons_are_refused_naming_the_feature() {
    let features = [
        feature(
            "01",
            "Offen",
            "Polygon",
            "[[[8.3,49.0],[8.4,49.0],[8.4,49.1],[8.3,49.1]]]",
        ),
        feature(
            "02",
            "Kurz",
            "Polygon",
            "[[[8.3,49.0],[8.4,49.0],[8.3,49.0]]]",
        ),
        feature(
            "03",
            "Schleife",
            "Polygon",
            "[[[8.3,49.0],[8.4,49.1],[8.4,49.0],[8.3,49.1],[8.3,49.0]]]",
        ),
        feature("04", "Punkt", "Point", "[8.3,49.0]"),
        feature("05", "Linie", "LineString", "[[8.3,49.0],[8.4,49.0]]"),
        feature(
            "06",
            "Zwei Teile",
            "MultiPolygon",
            "[[[[8.3,49.0],[8.4,49.0],[8.4,49.1],[8.3,49.0]]],\
              [[[9.0,49.0],[9.2,49.0],[9.2,49.2],[9.0,49.2],[9.0,49.0]],\
               [[9.05,49.05],[9.15,49.05],[9.05,49.15],[9.15,49.15],[9.05,49.05]]]]",
        ),
        feature(
            "07",
            "Spitze",
            "Polygon",
            "[[[8.3,49.0],[8.4,49.0],[8.5,49.0],[8.4,49.0],[8.4,49.1],[8.3,49.0]]]",
        ),
        feature(
            "08",
            "Gut",
            "Polygon",
            "[[[8.3,49.0],[8.4,49.0],[8.4,49.0],[8.4,49.1],[8.3,49.0]]]",
        ),
    ]
    .join(",");
    assert_eq!(
        messages(&features, None),
        [
            "Feature 1 ('Offen', Code 01): Außenring ist nicht geschlossen (erste Position (8.3, 49), letzte (8.3, 49.1))",
            "Feature 2 ('Kurz', Code 02): Außenring hat nur 3 Positionen (mindestens 4, die letzte gleich der ersten)",
            "Feature 3 ('Schleife', Code 03): Außenring schneidet sich selbst (bei (8.35, 49.05))",
            "Feature 4 ('Punkt', Code 04): Geometrie ist Point, erwartet wird Polygon oder MultiPolygon",
            "Feature 5 ('Linie', Code 05): Geometrie ist LineString, erwartet wird Polygon oder MultiPolygon",
            "Feature 6 ('Zwei Teile', Code 06): Teilfläche 2, Loch 1 schneidet sich selbst (bei (9.1, 49.1))",
            "Feature 7 ('Spitze', Code 07): Außenring schneidet sich selbst (bei (8.4, 49))",
        ]
    );
}

#[test]
fn real_karlsruhe_boundaries_are_valid() {
    for (file, code, count) in [
        ("karlsruhe/ka_stadtteile.geojson", "Stadtteilnummer", 27),
        ("karlsruhe/ka_stadtgebiet.geojson", "name", 1),
        (
            "karlsruhe/statistiken-wahlbezirke.geojson",
            "Wahlbezirksnummer",
            194,
        ),
    ] {
        let Some(p) = shared(file) else { return };
        let ctx = crate::Context {
            code_property: Some(code.into()),
            ..Default::default()
        };
        let text = std::fs::read_to_string(&p).unwrap();
        let (ds, problems) = geojson::read(file, &text, &ctx);
        assert!(problems.is_empty(), "{file}: {problems:?}");
        assert_eq!(ds.areas.len(), count, "{file}");
    }
}
