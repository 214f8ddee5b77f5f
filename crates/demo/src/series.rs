//! Synthetic series around the real 2016 figures. Deterministic: every value comes from a hash of
//! its key (fixed seed), so the demo is the same on every machine and in every order.

use crate::{STADTTEILE_2016, YEARS};
use kimo_model::{Breakdown, Dataset, Flags, Indicator, Observation, Period, Periodicity};

/// The fixed seed of the demo.
pub const SEED: u64 = 20_251_126;

/// The city's official 2016 totals (inhabitants, foreign nationals, Germans with migration background).
/// The Stadtteil figures, spread down from election districts, sum to 311,633 and 57,509.
const CITY_2016: (f64, f64, f64) = (311_635.0, 57_510.0, 31_630.0);

/// How a synthetic indicator behaves.
struct Shape {
    /// City value in 2016.
    base: f64,
    /// Change per year (absolute, in the indicator's unit).
    trend: f64,
    /// How strongly a Stadtteil's foreign share raises (+) or lowers (−) its value.
    sens: f64,
    /// Relative gap nichtdeutsch vs. deutsch (0.8 = 80 % higher), if broken down by Staatsangehörigkeit.
    sta: Option<f64>,
    /// Relative gap männlich vs. weiblich, if broken down by Geschlecht.
    gs: Option<f64>,
    /// Relative gap mit vs. ohne Migrationshintergrund, if broken down by it.
    mh: Option<f64>,
    /// Only a whole-city figure.
    city_only: bool,
}

const fn s(base: f64, trend: f64, sens: f64, sta: Option<f64>, gs: Option<f64>) -> Shape {
    Shape {
        base,
        trend,
        sens,
        sta,
        gs,
        mh: None,
        city_only: false,
    }
}

fn shape(code: &str) -> Shape {
    match code {
        "DEM-05" => s(22.0, 0.3, 0.3, None, Some(0.05)),
        "REC-01" => s(61.0, 0.4, -0.1, None, Some(-0.02)),
        "REC-02" => s(2.6, 0.12, -0.1, None, Some(-0.08)),
        "REC-03" => s(1.4, 0.06, -0.1, None, Some(-0.08)),
        "REC-04" => s(38.0, 0.6, -0.1, None, Some(-0.05)),
        "KIT-01" => Shape {
            mh: Some(-0.35),
            ..s(31.0, 1.1, -0.2, None, None)
        },
        "KIT-02" => Shape {
            mh: Some(-0.08),
            ..s(94.0, 0.3, -0.05, None, None)
        },
        "KIT-03" => s(27.0, 0.6, 0.9, None, None),
        "KIT-04" => s(17.0, 0.35, 0.8, Some(1.9), Some(0.15)),
        "KIT-05" => Shape {
            mh: Some(-0.12),
            ..s(86.0, 0.2, -0.15, None, None)
        },
        "BIL-01" => s(52.0, 0.3, -0.35, Some(-0.45), Some(-0.06)),
        "BIL-02" => s(44.0, 0.2, -0.3, Some(-0.5), Some(-0.07)),
        "BIL-03" => s(5.2, -0.05, 0.6, Some(1.6), Some(0.3)),
        "BIL-04" => s(41.0, 0.4, -0.3, Some(-0.5), Some(-0.1)),
        "BIL-05" => s(42.0, -0.3, -0.2, Some(-0.45), Some(0.15)),
        "BIL-06" => s(9.0, 0.1, 0.5, Some(1.3), Some(0.1)),
        "BIL-07" => s(48.0, 1.2, 0.0, None, Some(-0.04)),
        "ARB-01" => s(58.0, 0.6, -0.15, Some(-0.3), Some(0.08)),
        "ARB-02" => s(12.5, -0.2, 0.3, Some(0.6), Some(-0.3)),
        "ARB-03" => s(5.0, -0.05, 0.7, Some(1.4), Some(0.1)),
        "ARB-04" => s(3.6, -0.04, 0.8, Some(1.3), None),
        "ARB-05" => s(3.4, -0.03, 0.6, Some(0.9), Some(0.15)),
        "ARB-06" => s(31.0, -0.2, 0.2, Some(0.2), None),
        "SOZ-01" => s(7.8, -0.05, 1.1, Some(1.6), None),
        "SOZ-02" => s(12.0, -0.1, 1.2, Some(1.8), None),
        "SOZ-03" => s(92.0, 0.4, 1.0, Some(1.7), None),
        "WOH-02" => s(41.0, 0.15, -0.3, Some(-0.3), None),
        "GES-01" => s(88.0, 0.2, -0.1, Some(-0.12), None),
        "GES-02" => s(9.5, 0.1, 0.6, Some(0.6), Some(0.05)),
        "TEI-01" => Shape {
            city_only: true,
            ..s(14.0, 0.6, 0.0, None, Some(-0.05))
        },
        "TEI-02" => Shape {
            city_only: true,
            ..s(21.0, 0.9, 0.0, None, Some(-0.05))
        },
        "TEI-03" => s(48.0, 0.3, -0.4, None, None),
        "TEI-04" => s(55.0, 0.5, 0.0, None, Some(-0.06)),
        _ => s(50.0, 0.0, 0.0, None, None),
    }
}

/// One Stadtteil's real 2016 figures.
struct Stadtteil {
    code: String,
    pop: f64,
    foreign: f64,
    german_mh: f64,
}

fn stadtteile() -> Vec<Stadtteil> {
    STADTTEILE_2016
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Stadtteil {
                code: f[0].to_string(),
                pop: f[2].parse().expect("number"),
                foreign: f[3].parse().expect("number"),
                german_mh: f[5].parse().expect("number"),
            }
        })
        .collect()
}

/// A deterministic number in [-1, 1] for a key.
fn noise(key: &str) -> f64 {
    // FNV-1a, then splitmix64.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ SEED;
    for b in key.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
}

fn round(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

/// Population of a Stadtteil in a year: (total, foreign, Germans with migration background).
fn population(st: &Stadtteil, year: i32) -> (f64, f64, f64) {
    if year == 2016 {
        return (st.pop, st.foreign, st.german_mh);
    }
    let dy = (year - 2016) as f64;
    let key = format!("pop/{}/{year}", st.code);
    let pop = (st.pop * (1.0 + 0.005 * dy) * (1.0 + 0.004 * noise(&key))).round();
    // Foreign nationals grow faster; refugees from Ukraine from 2022 on.
    let ukraine = if year >= 2022 { 1.05 } else { 1.0 };
    let foreign =
        (st.foreign * (1.0 + 0.035 * dy) * ukraine * (1.0 + 0.01 * noise(&(key.clone() + "/f"))))
            .round();
    let german_mh =
        (st.german_mh * (1.0 + 0.02 * dy) * (1.0 + 0.01 * noise(&(key + "/m")))).round();
    (pop, foreign.min(pop), german_mh.min(pop - foreign.min(pop)))
}

fn period_for(ind: &Indicator, year: i32) -> Period {
    match ind.periodicity {
        // The school year that ends in `year`.
        Periodicity::SchoolYear => Period::SchoolYear(year),
        _ => Period::Year(year),
    }
}

fn obs(
    ind: &str,
    period: Period,
    area: &str,
    b: Breakdown,
    value: f64,
    synthetic: bool,
) -> Observation {
    Observation {
        indicator: ind.to_string(),
        period: period.clone(),
        area: area.to_string(),
        breakdown: b,
        value: Some(value),
        numerator: None,
        denominator: None,
        flags: Flags {
            synthetic,
            provisional: period.year() == Some(2025),
            ..Default::default()
        },
        origin: None,
    }
}

fn years_of(ind: &Indicator) -> Vec<i32> {
    if ind.code == "TEI-03" {
        vec![2014, 2019, 2024]
    } else {
        YEARS.collect()
    }
}

/// Generates every observation of the demo.
pub fn generate(ds: &Dataset) -> Vec<Observation> {
    let st = stadtteile();
    let city = kimo_model::whole_city(&ds.areas).map_or("KA".to_string(), |a| a.code.clone());
    let mut out = Vec::new();
    let share_city_2016: f64 =
        st.iter().map(|s| s.foreign).sum::<f64>() / st.iter().map(|s| s.pop).sum::<f64>();
    for ind in &ds.indicators {
        for year in years_of(ind) {
            let y = DemoYear::new(ind, year, &st, &city);
            match ind.code.as_str() {
                "DEM-01" => population_counts(&y, &mut out),
                "DEM-02" | "DEM-03" | "DEM-04" => population_shares(&y, &mut out),
                "WOH-01" => out.push(segregation(&y)),
                "REC-05" => courses(&y, &mut out),
                _ => rates(&y, share_city_2016, &mut out),
            }
        }
    }
    situations(&mut out);
    out
}

fn sta(c: &str) -> Breakdown {
    Breakdown::of(&[("staatsangehoerigkeit", c)])
}

fn gs(c: &str) -> Breakdown {
    Breakdown::of(&[("geschlecht", c)])
}

fn mh(c: &str) -> Breakdown {
    Breakdown::of(&[("migrationshintergrund", c)])
}

/// One indicator in one year of the demo city: its period and the populations behind its values.
struct DemoYear<'a> {
    ind: &'a Indicator,
    year: i32,
    period: Period,
    /// Real figures for 2016, synthetic ones otherwise.
    synthetic: bool,
    st: &'a [Stadtteil],
    /// Population of each Stadtteil in this year (total, foreign, Germans with migration background).
    pops: Vec<(f64, f64, f64)>,
    /// The city's population: the official totals for 2016, else the sum of the Stadtteile.
    total: (f64, f64, f64),
    city: &'a str,
}

impl<'a> DemoYear<'a> {
    fn new(ind: &'a Indicator, year: i32, st: &'a [Stadtteil], city: &'a str) -> DemoYear<'a> {
        let pops: Vec<(f64, f64, f64)> = st.iter().map(|s| population(s, year)).collect();
        let total = if year == 2016 {
            CITY_2016
        } else {
            pops.iter()
                .fold((0.0, 0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1, a.2 + p.2))
        };
        DemoYear {
            ind,
            year,
            period: period_for(ind, year),
            synthetic: year != 2016,
            st,
            pops,
            total,
            city,
        }
    }

    /// Every Stadtteil and then the city, with its population.
    fn areas(&self) -> impl Iterator<Item = (&str, (f64, f64, f64))> {
        self.st
            .iter()
            .map(|s| s.code.as_str())
            .chain([self.city])
            .zip(self.pops.iter().copied().chain([self.total]))
    }

    fn obs(&self, area: &str, b: Breakdown, value: f64, synthetic: bool) -> Observation {
        obs(
            &self.ind.code,
            self.period.clone(),
            area,
            b,
            value,
            synthetic,
        )
    }
}

/// DEM-01: inhabitants, by Staatsangehörigkeit and (synthetic) by Geschlecht.
fn population_counts(y: &DemoYear, out: &mut Vec<Observation>) {
    for (s, p) in y.areas() {
        out.push(y.obs(s, Breakdown::total(), p.0, y.synthetic));
        out.push(y.obs(s, sta("nichtdeutsch"), p.1, y.synthetic));
        out.push(y.obs(s, sta("deutsch"), p.0 - p.1, y.synthetic));
        let w = (p.0 * (0.505 + 0.005 * noise(&format!("gs/{s}/{}", y.year)))).round();
        out.push(y.obs(s, gs("w"), w, true));
        out.push(y.obs(s, gs("m"), p.0 - w, true));
    }
}

/// DEM-02 to DEM-04: shares of foreign nationals, of Germans with and of all with migration
/// background, with numerator and denominator, and (synthetic) by Geschlecht.
fn population_shares(y: &DemoYear, out: &mut Vec<Observation>) {
    let code = y.ind.code.as_str();
    for (s, p) in y.areas() {
        let num = match code {
            "DEM-02" => p.1,
            "DEM-03" => p.2,
            _ => p.1 + p.2,
        };
        let mut o = y.obs(
            s,
            Breakdown::total(),
            round(num / p.0 * 100.0, 1),
            y.synthetic,
        );
        o.numerator = Some(num);
        o.denominator = Some(p.0);
        out.push(o);
        for (g, f) in [("w", 0.97), ("m", 1.03)] {
            let jitter = 1.0 + 0.01 * noise(&format!("{code}/{s}/{}/{g}", y.year));
            let v = round(num / p.0 * 100.0 * f * jitter, 1);
            out.push(y.obs(s, gs(g), v, true));
        }
    }
}

/// WOH-01: the dissimilarity index from the (partly synthetic) Stadtteil populations.
fn segregation(y: &DemoYear) -> Observation {
    let (tp, tf, _) = y.total;
    let d: f64 = y
        .pops
        .iter()
        .map(|p| ((p.1 / tf) - (p.0 - p.1) / (tp - tf)).abs())
        .sum::<f64>()
        * 50.0;
    y.obs(y.city, Breakdown::total(), round(d, 1), y.synthetic)
}

/// REC-05: course participants per Stadtteil and their sum for the city.
fn courses(y: &DemoYear, out: &mut Vec<Observation>) {
    let mut total = 0.0;
    for (s, p) in y.st.iter().zip(&y.pops) {
        let v = (p.1
            * (0.035 + 0.002 * (y.year - 2012) as f64)
            * (1.0 + 0.2 * noise(&format!("rec5/{}/{}", s.code, y.year))))
        .round();
        total += v;
        out.push(y.obs(&s.code, Breakdown::total(), v, true));
    }
    out.push(y.obs(y.city, Breakdown::total(), total, true));
}

/// Situations the early-warning system must find (the rest of the demo must stay quiet):
/// unemployment of foreign nationals in Durlach rising three years in a row, and course statistics
/// that stopped arriving after 2023 (overdue).
fn situations(out: &mut Vec<Observation>) {
    let rising = [
        (2021, 7.6),
        (2022, 8.1),
        (2023, 8.7),
        (2024, 9.4),
        (2025, 9.9),
    ];
    for o in out.iter_mut() {
        if o.indicator == "ARB-03"
            && o.area == "19"
            && o.breakdown.get("staatsangehoerigkeit") == Some("nichtdeutsch")
            && let Some((_, v)) = rising.iter().find(|(y, _)| Period::Year(*y) == o.period)
        {
            o.value = Some(*v);
        }
    }
    out.retain(|o| !(o.indicator == "TEI-04" && o.period.year().is_some_and(|y| y > 2023)));
}

/// Any other indicator: a rate shaped by [`shape`] per Stadtteil, and the city as the
/// population-weighted mean.
fn rates(y: &DemoYear, share_city: f64, out: &mut Vec<Observation>) {
    let (ind, year) = (y.ind, y.year);
    let sh = shape(&ind.code);
    let max = if ind.may_exceed_100 {
        130.0
    } else if ind.unit.is_percent() {
        100.0
    } else {
        f64::MAX
    };
    let dy = (year - 2016) as f64;
    let mut values = Vec::new();
    for (s, p) in y.st.iter().zip(&y.pops) {
        let rel = (s.foreign / s.pop) / share_city - 1.0;
        let key = format!("{}/{}/{year}", ind.code, s.code);
        let v =
            (sh.base + sh.trend * dy) * (1.0 + sh.sens * rel).max(0.2) * (1.0 + 0.05 * noise(&key));
        values.push((s.code.as_str(), v.clamp(0.0, max), *p));
    }
    // The city is weighted by the Stadtteile's own sums, also in 2016.
    let tp: f64 = y.pops.iter().map(|p| p.0).sum();
    let city_v = values.iter().map(|(_, v, p)| v * p.0).sum::<f64>() / tp;
    let (tf, tm): (f64, f64) = y
        .pops
        .iter()
        .fold((0.0, 0.0), |a, p| (a.0 + p.1, a.1 + p.2));
    if !sh.city_only {
        for (code, v, p) in &values {
            groups(y, code, *v, *p, &sh, max, out);
        }
    }
    groups(y, y.city, city_v, (tp, tf, tm), &sh, max, out);
}

/// The total of a rate and, as the shape says, its values by Staatsangehörigkeit, Geschlecht and
/// Migrationshintergrund (the gaps split around the total by the groups' population shares).
fn groups(
    y: &DemoYear,
    area: &str,
    v: f64,
    p: (f64, f64, f64),
    sh: &Shape,
    max: f64,
    out: &mut Vec<Observation>,
) {
    let r = |x: f64| round(x.clamp(0.0, max), 1);
    let o = |b: Breakdown, value: f64| y.obs(area, b, r(value), true);
    out.push(o(Breakdown::total(), v));
    let jitter =
        |g: &str| 1.0 + 0.03 * noise(&format!("{}/{area}/{}/{g}", y.ind.code, y.period.code()));
    if let Some(gap) = sh.sta {
        let d = v / (1.0 + p.1 / p.0 * gap);
        out.push(o(sta("deutsch"), d * jitter("d")));
        out.push(o(sta("nichtdeutsch"), d * (1.0 + gap) * jitter("nd")));
    }
    if let Some(gap) = sh.gs {
        out.push(o(gs("m"), v * (1.0 + gap) * jitter("m")));
        out.push(o(gs("w"), v * (1.0 - gap) * jitter("w")));
    }
    if let Some(gap) = sh.mh {
        let without = v / (1.0 + (p.1 + p.2) / p.0 * gap);
        out.push(o(mh("ohne"), without * jitter("o")));
        out.push(o(mh("mit"), without * (1.0 + gap) * jitter("mi")));
    }
}
