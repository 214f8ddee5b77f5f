//! Polygon geometry of a GeoJSON feature: reading, validity (closed rings of at least four
//! positions that do not cross themselves) and mapping of every position (reprojection).

use serde_json::{Value, json};

/// A ring: positions `[x, y]`, the first equal to the last.
pub type Ring = Vec<[f64; 2]>;

/// A Polygon or MultiPolygon: polygons of rings (the first the outer ring, then the holes).
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// True for a MultiPolygon.
    pub multi: bool,
    /// The polygons (one for a Polygon).
    pub polygons: Vec<Vec<Ring>>,
}

impl Shape {
    /// Reads a GeoJSON geometry; `Err` says in German why it is no (readable) area.
    pub fn read(geometry: Option<&Value>) -> Result<Shape, String> {
        let Some(g) = geometry.filter(|g| !g.is_null()) else {
            return Err("keine Geometrie".into());
        };
        let kind = g.get("type").and_then(Value::as_str).unwrap_or("");
        let coords = g.get("coordinates");
        let polygons = match kind {
            "Polygon" => coords.and_then(polygon).map(|p| vec![p]),
            "MultiPolygon" => coords
                .and_then(Value::as_array)
                .and_then(|ps| ps.iter().map(polygon).collect()),
            "" => return Err("Geometrie ohne Typ".into()),
            other => {
                return Err(format!(
                    "Geometrie ist {other}, erwartet wird Polygon oder MultiPolygon"
                ));
            }
        };
        let polygons = polygons.ok_or_else(|| format!("Koordinaten des {kind} nicht lesbar"))?;
        Ok(Shape {
            multi: kind == "MultiPolygon",
            polygons,
        })
    }

    /// Every position, for range checks.
    pub fn positions(&self) -> impl Iterator<Item = [f64; 2]> + '_ {
        self.polygons.iter().flatten().flatten().copied()
    }

    /// The shape with every position mapped, or the first position that could not be.
    pub fn map(&self, f: impl Fn([f64; 2]) -> Option<[f64; 2]>) -> Result<Shape, [f64; 2]> {
        let mut polygons = Vec::with_capacity(self.polygons.len());
        for p in &self.polygons {
            let mut rings = Vec::with_capacity(p.len());
            for r in p {
                rings.push(
                    r.iter()
                        .map(|&q| f(q).ok_or(q))
                        .collect::<Result<Ring, _>>()?,
                );
            }
            polygons.push(rings);
        }
        Ok(Shape {
            multi: self.multi,
            polygons,
        })
    }

    /// Checks every ring; `Err` names the ring and the fault in German.
    pub fn check(&self) -> Result<(), String> {
        for (i, p) in self.polygons.iter().enumerate() {
            for (j, r) in p.iter().enumerate() {
                let ring = match (self.multi, j) {
                    (false, 0) => "Außenring".to_string(),
                    (false, _) => format!("Loch {j}"),
                    (true, 0) => format!("Teilfläche {}, Außenring", i + 1),
                    (true, _) => format!("Teilfläche {}, Loch {j}", i + 1),
                };
                check_ring(r).map_err(|e| format!("{ring} {e}"))?;
            }
        }
        Ok(())
    }

    /// The GeoJSON geometry, positions rounded to `decimals` places.
    pub fn to_json(&self, decimals: i32) -> Value {
        let k = 10f64.powi(decimals);
        let round = |v: f64| (v * k).round() / k;
        let polygons: Vec<Value> = self
            .polygons
            .iter()
            .map(|p| {
                let rings: Vec<Vec<[f64; 2]>> = p
                    .iter()
                    .map(|r| r.iter().map(|q| [round(q[0]), round(q[1])]).collect())
                    .collect();
                json!(rings)
            })
            .collect();
        match self.multi {
            true => json!({"type": "MultiPolygon", "coordinates": polygons}),
            false => json!({"type": "Polygon", "coordinates": polygons[0]}),
        }
    }
}

/// The rings of a Polygon's coordinates (positions may carry a height, which is dropped).
fn polygon(v: &Value) -> Option<Vec<Ring>> {
    let rings = v.as_array()?;
    (!rings.is_empty()).then_some(())?;
    rings
        .iter()
        .map(|r| {
            r.as_array()?
                .iter()
                .map(|q| {
                    let q = q.as_array()?;
                    let x = q.first()?.as_f64()?;
                    let y = q.get(1)?.as_f64()?;
                    Some([x, y])
                })
                .collect()
        })
        .collect()
}

/// Why a ring is no valid ring ("ist nicht geschlossen", …), in German.
fn check_ring(r: &Ring) -> Result<(), String> {
    if r.len() < 4 {
        return Err(format!(
            "hat nur {} Positionen (mindestens 4, die letzte gleich der ersten)",
            r.len()
        ));
    }
    let (first, last) = (r[0], r[r.len() - 1]);
    if first != last {
        return Err(format!(
            "ist nicht geschlossen (erste Position {}, letzte {})",
            show(first),
            show(last)
        ));
    }
    let mut pts: Ring = Vec::with_capacity(r.len());
    for &q in r {
        if pts.last() != Some(&q) {
            pts.push(q);
        }
    }
    if pts.len() < 4 {
        return Err("hat weniger als 3 verschiedene Positionen".into());
    }
    match self_intersection(&pts) {
        Some(at) => Err(format!("schneidet sich selbst (bei {})", show(at))),
        None => Ok(()),
    }
}

/// A position as `(x, y)` with up to 6 decimals.
fn show(q: [f64; 2]) -> String {
    let f = |v: f64| {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    format!("({}, {})", f(q[0]), f(q[1]))
}

/// A point where two edges of a closed ring without repeated consecutive positions meet that are
/// not neighbours along the ring (or where neighbours overlap), found by comparing every pair of
/// edges (O(n²) on the ring's size, a bounding-box test first; fine for Stadtteile).
fn self_intersection(pts: &[[f64; 2]]) -> Option<[f64; 2]> {
    let n = pts.len() - 1; // edges: pts[i] → pts[i + 1]
    for i in 0..n {
        for j in i + 1..n {
            let edges = ([pts[i], pts[i + 1]], [pts[j], pts[j + 1]]);
            let at = if j == i + 1 {
                spike(edges.0[0], edges.0[1], edges.1[1])
            } else if i == 0 && j == n - 1 {
                spike(edges.1[0], edges.1[1], edges.0[1])
            } else {
                crossing(edges.0, edges.1)
            };
            if at.is_some() {
                return at;
            }
        }
    }
    None
}

/// The shared position `b` of neighbouring edges `a b` and `b c` when the second runs back along
/// the first (a spike of zero width).
fn spike(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> Option<[f64; 2]> {
    let back = (a[0] - b[0]) * (c[0] - b[0]) + (a[1] - b[1]) * (c[1] - b[1]) > 0.0;
    (orient(a, b, c) == 0.0 && back).then_some(b)
}

/// Where the edges `a b` and `c d` (not neighbours) cross or touch.
fn crossing([a, b]: [[f64; 2]; 2], [c, d]: [[f64; 2]; 2]) -> Option<[f64; 2]> {
    let apart = a[0].max(b[0]) < c[0].min(d[0])
        || c[0].max(d[0]) < a[0].min(b[0])
        || a[1].max(b[1]) < c[1].min(d[1])
        || c[1].max(d[1]) < a[1].min(b[1]);
    if apart {
        return None;
    }
    let (d1, d2) = (orient(c, d, a), orient(c, d, b));
    let (d3, d4) = (orient(a, b, c), orient(a, b, d));
    if d1 * d2 < 0.0 && d3 * d4 < 0.0 {
        let t = d1 / (d1 - d2);
        return Some([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
    }
    [(d1, c, d, a), (d2, c, d, b), (d3, a, b, c), (d4, a, b, d)]
        .into_iter()
        .find(|&(o, p, q, r)| o == 0.0 && on(p, q, r))
        .map(|(_, _, _, r)| r)
}

/// Twice the signed area of the triangle `p q r` (> 0: counter-clockwise).
fn orient(p: [f64; 2], q: [f64; 2], r: [f64; 2]) -> f64 {
    (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
}

/// Whether `r`, collinear with `p q`, lies on the segment.
fn on(p: [f64; 2], q: [f64; 2], r: [f64; 2]) -> bool {
    r[0] >= p[0].min(q[0])
        && r[0] <= p[0].max(q[0])
        && r[1] >= p[1].min(q[1])
        && r[1] <= p[1].max(q[1])
}
