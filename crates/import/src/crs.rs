//! Coordinate reference systems of GeoJSON files as German GIS delivers them (the `crs` member of
//! GeoJSON 2008) and their reprojection to WGS84 with `proj4rs` (pure Rust, a port of PROJ).

use proj4rs::proj::Proj;
use serde_json::Value;

/// The systems named in the messages, for the user.
pub const SUPPORTED: &str = "EPSG:25832 (ETRS89 / UTM Zone 32N), EPSG:25833 (ETRS89 / UTM Zone 33N), \
     EPSG:31467 (DHDN / Gauß-Krüger Zone 3)";

/// DHDN → WGS84, the 7-parameter Helmert set EPSG:1777 ("DHDN to WGS 84 (2)", Germany, stated
/// accuracy 3 m); the grid BETA2007 would be better to about 0.1 m but needs a grid file.
const DHDN_TOWGS84: &str = "598.1,73.7,418.2,0.202,0.045,-2.455,6.7";

/// A coordinate reference system kimo reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// Longitude/latitude in WGS84 (also ETRS89 geographic, EPSG:4258: the same within a metre).
    Wgs84,
    /// EPSG:25832, ETRS89 / UTM zone 32N.
    Utm32,
    /// EPSG:25833, ETRS89 / UTM zone 33N.
    Utm33,
    /// EPSG:31467, DHDN / 3-degree Gauß-Krüger zone 3.
    Gk3,
}

impl Crs {
    /// The system named by a GeoJSON `crs` member (`None` when the file has none); an unknown one is
    /// returned as `Err` with its name as written.
    pub fn of(root: &Value) -> Result<Option<Crs>, String> {
        let Some(crs) = root.get("crs").filter(|c| !c.is_null()) else {
            return Ok(None);
        };
        let props = crs.get("properties");
        let name = props
            .and_then(|p| p.get("name").or_else(|| p.get("code")))
            .map(|n| match n {
                Value::String(s) => s.trim().to_string(),
                other => format!("EPSG:{other}"),
            })
            .unwrap_or_else(|| crs.to_string());
        Crs::parse(&name).map(Some).ok_or(name)
    }

    /// Parses `urn:ogc:def:crs:EPSG::25832`, `EPSG:25832`, `…/def/crs/EPSG/0/25832` or `CRS84`.
    pub fn parse(name: &str) -> Option<Crs> {
        let upper = name.to_ascii_uppercase();
        if upper.ends_with("CRS84") || upper == "WGS84" {
            return Some(Crs::Wgs84);
        }
        if !upper.contains("EPSG") {
            return None;
        }
        let code = upper.rsplit([':', '/']).next()?;
        match code {
            "4326" | "4258" => Some(Crs::Wgs84),
            "25832" => Some(Crs::Utm32),
            "25833" => Some(Crs::Utm33),
            "31467" => Some(Crs::Gk3),
            _ => None,
        }
    }

    /// The EPSG code as written in messages (`EPSG:25832`).
    pub fn code(self) -> &'static str {
        match self {
            Crs::Wgs84 => "EPSG:4326",
            Crs::Utm32 => "EPSG:25832",
            Crs::Utm33 => "EPSG:25833",
            Crs::Gk3 => "EPSG:31467",
        }
    }

    /// The PROJ definition of the system.
    pub fn proj_string(self) -> String {
        match self {
            Crs::Wgs84 => "+proj=longlat +datum=WGS84 +no_defs".into(),
            Crs::Utm32 => "+proj=utm +zone=32 +ellps=GRS80 +towgs84=0,0,0 +units=m +no_defs".into(),
            Crs::Utm33 => "+proj=utm +zone=33 +ellps=GRS80 +towgs84=0,0,0 +units=m +no_defs".into(),
            Crs::Gk3 => format!(
                "+proj=tmerc +lat_0=0 +lon_0=9 +k=1 +x_0=3500000 +y_0=0 +ellps=bessel \
                 +towgs84={DHDN_TOWGS84} +units=m +no_defs"
            ),
        }
    }
}

/// Transforms positions between a system and WGS84 (degrees on the WGS84 side).
pub struct Reprojection {
    crs: Crs,
    projected: Proj,
    wgs84: Proj,
}

impl Reprojection {
    /// The transformation for a system.
    pub fn new(crs: Crs) -> Reprojection {
        let make = |c: Crs| Proj::from_proj_string(&c.proj_string()).expect("valid PROJ string");
        Reprojection {
            crs,
            projected: make(crs),
            wgs84: make(Crs::Wgs84),
        }
    }

    /// The projected system.
    pub fn crs(&self) -> Crs {
        self.crs
    }

    /// A projected position (easting, northing in metres) as WGS84 longitude/latitude in degrees.
    pub fn to_wgs84(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let mut p = (x, y, 0.0);
        proj4rs::transform::transform(&self.projected, &self.wgs84, &mut p).ok()?;
        let (lon, lat) = (p.0.to_degrees(), p.1.to_degrees());
        (lon.is_finite() && lat.is_finite()).then_some((lon, lat))
    }

    /// A WGS84 position (degrees) in the projected system (metres); for tests and fixtures.
    pub fn from_wgs84(&self, lon: f64, lat: f64) -> Option<(f64, f64)> {
        let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
        proj4rs::transform::transform(&self.wgs84, &self.projected, &mut p).ok()?;
        (p.0.is_finite() && p.1.is_finite()).then_some((p.0, p.1))
    }
}
