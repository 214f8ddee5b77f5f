//! The demo city: Karlsruhe's 27 Stadtteile with their real boundaries and real 2016 population figures,
//! kimo's starting catalogue, and synthetic but plausible series 2012–2025 labelled "Demodaten".
//!
//! Everything is compiled into the binary; the same files serve as examples of the import formats, and
//! they are read with the same readers an import uses.

mod series;

use kimo_import::{Context, catalogue, geojson, table};
use kimo_model::Dataset;

/// The catalogue and boundary files of the demo, as shipped in `examples/`.
pub const FILES: &[(&str, &str)] = &[
    (
        "examples/katalog/handlungsfelder.csv",
        include_str!("../../../examples/katalog/handlungsfelder.csv"),
    ),
    (
        "examples/katalog/merkmale.csv",
        include_str!("../../../examples/katalog/merkmale.csv"),
    ),
    (
        "examples/katalog/gebiete.csv",
        include_str!("../../../examples/katalog/gebiete.csv"),
    ),
    (
        "examples/katalog/indikatoren.csv",
        include_str!("../../../examples/katalog/indikatoren.csv"),
    ),
];

/// Boundaries of the 27 Stadtteile (dl-de/by-2-0, Stadt Karlsruhe; see examples/QUELLEN.md).
pub const STADTTEILE_GEOJSON: &str = include_str!("../../../examples/stadtteile.geojson");

/// The demo's early-warning rules (also the example of the rules file).
pub const RULES: &str = include_str!("../../../examples/regeln.yml");

/// The demo's Integrationskonzept (exchange file): earlier plans and the decided version.
pub const KONZEPT: &str = include_str!("../../../examples/konzept.yml");

/// A year of cooperation: meetings with minutes and tasks, activities (YAML).
pub const COOPERATION: &str = include_str!("../../../examples/kooperation.yml");

/// The Fahrplan of the council paper's section 4 (YAML list of milestones).
pub const FAHRPLAN: &str = include_str!("../../../examples/fahrplan.yml");

/// The demo's reports: the released Monitoringbericht 2025 and the draft for 2026.
pub const BERICHTE: &str = include_str!("../../../examples/berichte.yml");

/// Real 2016 figures per Stadtteil (dl-de/by-2-0, Stadt Karlsruhe).
pub const STADTTEILE_2016: &str = include_str!("../data/stadtteile_2016.csv");

/// The first and last year of the demo series.
pub const YEARS: std::ops::RangeInclusive<i32> = 2012..=2025;

/// Builds the whole demo dataset: catalogue, areas with boundaries, observations.
pub fn dataset() -> Dataset {
    let mut ds = Dataset::default();
    let mut ctx = Context::default();
    for (name, text) in FILES {
        let t = table::read_csv_text(name, text).expect("demo catalogue is valid CSV");
        let kind = catalogue::detect(&t).expect("demo catalogue tables are recognised");
        let (d, problems) = catalogue::read(&t, kind);
        assert!(problems.is_empty(), "demo catalogue {name}: {problems:?}");
        ctx.learn(&d);
        ds.extend(d);
    }
    let (geo, problems) = geojson::read("examples/stadtteile.geojson", STADTTEILE_GEOJSON, &ctx);
    assert!(problems.is_empty(), "demo boundaries: {problems:?}");
    // Boundaries refine the areas already defined (same codes); keep one entry per area.
    for g in geo.areas {
        if let Some(a) = ds.areas.iter_mut().find(|a| a.code == g.code) {
            a.geometry = g.geometry;
        }
    }
    ds.observations = series::generate(&ds);
    ds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_city_is_complete_and_real_where_it_says_so() {
        let ds = dataset();
        assert!(ds.action_fields.len() >= 8);
        assert!(ds.indicators.len() >= 30);
        assert_eq!(ds.areas.iter().filter(|a| a.level == 1).count(), 27);
        assert!(
            ds.areas
                .iter()
                .filter(|a| a.level == 1)
                .all(|a| a.geometry.is_some())
        );
        // Real 2016 figures: 311,635 inhabitants, 57,510 foreign nationals.
        let city_2016 = |indicator: &str| {
            ds.observations
                .iter()
                .find(|o| {
                    o.indicator == indicator
                        && o.area == "KA"
                        && o.period.code() == "2016"
                        && o.breakdown.is_total()
                })
                .unwrap()
        };
        let pop = city_2016("DEM-01");
        assert_eq!(pop.value, Some(311_635.0));
        assert!(!pop.flags.synthetic);
        let share = city_2016("DEM-02");
        assert_eq!(share.numerator, Some(57_510.0));
        assert_eq!(share.value, Some(18.5));
        // Synthetic figures are labelled.
        assert!(
            ds.observations
                .iter()
                .filter(|o| o.indicator == "ARB-03")
                .all(|o| o.flags.synthetic)
        );
        // Every indicator except the city-only ones has all 27 Stadtteile in 2020.
        for ind in &ds.indicators {
            let n = ds
                .observations
                .iter()
                .filter(|o| {
                    o.indicator == ind.code
                        && o.area != "KA"
                        && o.breakdown.is_total()
                        && o.period.year() == Some(2020)
                })
                .count();
            assert!(n == 27 || n == 0, "{}: {n}", ind.code);
        }
        // Reproducible.
        assert_eq!(series::generate(&ds), ds.observations);
    }
}
