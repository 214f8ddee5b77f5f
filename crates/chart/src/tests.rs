//! Tests of the charts as a reader sees them: what they say, and that nothing collides.

use crate::*;
use kimo_model::Unit;

fn frame(width: f64) -> Frame {
    Frame {
        id: "c".into(),
        title: "Arbeitslosenquote".into(),
        subtitle: "Durlach, nichtdeutsch, 2010–2024".into(),
        desc: "Von 5,0 % auf 4,2 %".into(),
        footer: "Quelle: Bundesagentur für Arbeit · Datenstand: 2024".into(),
        width,
    }
}

fn series(label: &str, values: &[f64]) -> Series {
    Series {
        label: label.into(),
        points: values
            .iter()
            .enumerate()
            .map(|(i, v)| (2000.5 + i as f64, (2000 + i).to_string(), Some(*v)))
            .collect(),
        emphasis: false,
    }
}

/// The SVG's height from its viewBox.
fn height(svg: &str) -> f64 {
    let vb = svg.split("viewBox=\"0 0 ").nth(1).unwrap();
    vb.split(['"', ' ']).nth(1).unwrap().parse().unwrap()
}

/// (x, text) of every text element with the given class.
fn texts(svg: &str, class: &str) -> Vec<(f64, String)> {
    svg.split("<text ")
        .skip(1)
        .filter(|t| t.contains(&format!("class=\"{class}\"")))
        .map(|t| {
            let x = t.split("x=\"").nth(1).unwrap().split('"').next().unwrap();
            let body = t.split('>').nth(1).unwrap().split('<').next().unwrap();
            (x.parse().unwrap(), body.to_string())
        })
        .collect()
}

#[test]
fn every_chart_says_what_it_shows() {
    let unit = Unit::Percent;
    let line = line_chart(&frame(WIDE), &unit, &[series("Karlsruhe", &[5.0, 4.2])]);
    let bars = bar_chart(
        &frame(NARROW),
        &unit,
        &[Bar {
            label: "A & B".into(),
            value: Some(234.5),
            ..Default::default()
        }],
    );
    for svg in [&line, &bars] {
        assert!(
            svg.contains("role=\"img\"")
                && svg.contains("<title id=\"c-t\">Arbeitslosenquote</title>")
        );
        assert!(
            svg.contains("class=\"chart-title\">Arbeitslosenquote<"),
            "{svg}"
        );
        assert!(svg.contains("class=\"chart-subtitle\">Durlach, nichtdeutsch, 2010–2024<"));
        assert!(svg.contains("Quelle: Bundesagentur") && svg.contains("Datenstand: 2024"));
    }
    assert!(line.contains("4,2") && bars.contains("A &amp; B") && bars.contains("234,5"));
    let count = Bar {
        label: "Stadt".into(),
        value: Some(311635.0),
        emphasis: true,
        ..Default::default()
    };
    let b = bar_chart(&frame(WIDE), &Unit::Count, &[count]);
    assert!(b.contains(">311.635<") && b.contains(">Anzahl<"), "{b}");
}

#[test]
fn zero_mark_only_when_the_axis_does_not_start_at_zero() {
    let unit = Unit::Percent;
    let high = line_chart(&frame(WIDE), &unit, &[series("a", &[80.0, 82.0, 85.0])]);
    assert!(high.contains("Achse beginnt nicht bei 0") && high.contains("axis-break"));
    let low = line_chart(&frame(WIDE), &unit, &[series("a", &[2.0, 8.0, 9.0])]);
    assert!(!low.contains("Achse beginnt nicht bei 0") && !low.contains("axis-break"));
}

#[test]
fn period_labels_never_overlap() {
    let values: Vec<f64> = (0..30).map(|i| 5.0 + i as f64 * 0.1).collect();
    for width in [NARROW, WIDE] {
        let svg = line_chart(&frame(width), &Unit::Percent, &[series("a", &values)]);
        let labels = texts(&svg, "axis-label");
        assert!(labels.len() >= 3 && labels.len() < 30, "{labels:?}");
        for w in labels.windows(2) {
            let room = (text_width(&w[0].1, 13.0) + text_width(&w[1].1, 13.0)) / 2.0;
            assert!(w[1].0 - w[0].0 >= room, "{w:?} at width {width}");
        }
        assert_eq!(labels.first().unwrap().1, "2000");
        assert!(
            labels
                .iter()
                .all(|(x, t)| x - text_width(t, 13.0) / 2.0 >= 0.0
                    && x + text_width(t, 13.0) / 2.0 <= width)
        );
    }
    assert_eq!(
        thin_labels(&[0.0, 10.0, 20.0, 30.0], &[8.0; 4], 1.0),
        vec![0, 1, 2, 3]
    );
    assert_eq!(
        thin_labels(&[0.0, 10.0, 20.0, 30.0], &[15.0; 4], 1.0),
        vec![0, 3]
    );
}

#[test]
fn few_lines_are_labelled_at_their_end_many_get_a_legend() {
    let few: Vec<Series> = (0..4)
        .map(|i| series(&format!("Linie {i}"), &[1.0, 2.0 + i as f64]))
        .collect();
    let svg = line_chart(&frame(NARROW), &Unit::Percent, &few);
    assert!(svg.contains("class=\"line-label\">Linie 3<") && !svg.contains("legend-label"));
    let many: Vec<Series> = (0..5)
        .map(|i| series(&format!("Linie {i}"), &[1.0, 2.0]))
        .collect();
    let svg = line_chart(&frame(NARROW), &Unit::Percent, &many);
    assert!(svg.contains("class=\"legend-label\">Linie 4<") && !svg.contains("line-label"));
}

#[test]
fn legend_grows_with_long_labels() {
    let short: Vec<Series> = (0..6)
        .map(|i| series(&format!("L{i}"), &[1.0, 2.0]))
        .collect();
    let long: Vec<Series> = (0..6)
        .map(|i| {
            series(
                &format!("Staatsangehörigkeit {i}: nichtdeutsch, mit Migrationshintergrund"),
                &[1.0, 2.0],
            )
        })
        .collect();
    for width in [NARROW, WIDE] {
        let a = line_chart(&frame(width), &Unit::Percent, &short);
        let b = line_chart(&frame(width), &Unit::Percent, &long);
        assert!(
            height(&b) > height(&a),
            "{width}: {} vs {}",
            height(&b),
            height(&a)
        );
        for (x, t) in texts(&b, "legend-label") {
            assert!(x + text_width(&t, 13.0) <= width, "{t} cut at {width}");
        }
    }
}

#[test]
fn class_limits_do_not_overlap() {
    let breaks = class_breaks(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 1);
    assert_eq!(class_of(1.0, &breaks, 1), 0);
    assert_eq!(class_of(10.0, &breaks, 1), 4);
    let labels = class_labels(&breaks, 10.0, 1);
    assert_eq!(
        labels,
        [
            "bis 3,0",
            "3,1 bis 5,0",
            "5,1 bis 6,0",
            "6,1 bis 8,0",
            "8,1 bis 10,0"
        ]
    );
    // A value shown as 3,0 falls in the class "bis 3,0".
    assert_eq!(class_of(3.04, &breaks, 1), 0);
    // Repeated values give fewer classes, never an empty or overlapping one.
    let breaks = class_breaks(&[2.0, 2.0, 2.0, 2.0, 7.0], 0);
    assert_eq!(class_labels(&breaks, 7.0, 0), ["bis 2", "3 bis 7"]);
}

#[test]
fn map_numbers_outline_and_legend() {
    let geometry = |x: f64| {
        format!(
            r#"{{"type":"Polygon","coordinates":[[[{x},49.0],[{},49.0],[{},49.01],[{x},49.0]]]}}"#,
            x + 0.01,
            x + 0.01
        )
    };
    let areas = [
        MapArea {
            code: "01".into(),
            name: "Innenstadt-Ost".into(),
            geometry: geometry(8.4),
            value: Some(3.5),
            ..Default::default()
        },
        MapArea {
            code: "19".into(),
            name: "Durlach".into(),
            geometry: geometry(8.42),
            value: None,
            selected: true,
            ..Default::default()
        },
        MapArea {
            code: "20".into(),
            name: "Grötzingen".into(),
            geometry: geometry(8.44),
            value: None,
            secret: true,
            ..Default::default()
        },
    ];
    for width in [NARROW, WIDE] {
        let m = map(
            &Frame {
                id: "m".into(),
                width,
                ..frame(width)
            },
            &Unit::Percent,
            &areas,
        );
        assert_eq!(m.matches("data-area=").count(), 3);
        assert!(m.contains("20 Grötzingen: „.“ geheim gehalten") && m.contains("url(#m-secret)"));
        assert!(m.contains(">„.“ geheim gehalten<"), "the legend");
        assert!(m.contains("01 Innenstadt-Ost: 3,5") && m.contains(">19</text>"));
        assert!(m.contains("class=\"selected-area\"") && m.contains("gewählt: 19 Durlach"));
        assert!(m.contains(">keine Daten<") && m.contains("url(#m-nodata)"));
    }
}

#[test]
fn png_is_rendered_with_the_embedded_font() {
    let svg = line_chart(
        &frame(WIDE),
        &Unit::Percent,
        &[series("Karlsruhe", &[5.0, 4.2])],
    );
    let png = png(&svg, 2.0).unwrap();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 5_000,
        "{}",
        png.len()
    );
}

#[test]
fn non_finite_values_are_missing_and_never_reach_the_svg() {
    let unit = Unit::parse("%");
    let bad = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY];
    let lines = [
        series("Stadt", &[4.0, f64::NAN, 5.0, f64::INFINITY]),
        series("Durlach", &bad),
    ];
    let geometry = |x: f64| {
        format!(
            r#"{{"type":"Polygon","coordinates":[[[{x},49.0],[{},49.0],[{},49.01],[{x},49.0]]]}}"#,
            x + 0.01,
            x + 0.01
        )
    };
    let areas: Vec<MapArea> = bad
        .iter()
        .chain(&[2.0])
        .enumerate()
        .map(|(i, v)| MapArea {
            code: format!("0{i}"),
            name: format!("Gebiet {i}"),
            geometry: geometry(8.4 + i as f64 * 0.02),
            value: Some(*v),
            selected: i == 0,
            ..Default::default()
        })
        .collect();
    let bars: Vec<Bar> = areas
        .iter()
        .map(|a| Bar {
            label: a.name.clone(),
            value: a.value,
            ..Default::default()
        })
        .collect();
    for width in [NARROW, WIDE] {
        for svg in [
            line_chart(&frame(width), &unit, &lines),
            line_chart(&frame(width), &unit, &lines[1..]),
            bar_chart(&frame(width), &unit, &bars),
            bar_chart(&frame(width), &unit, &bars[..3]),
            map(&frame(width), &unit, &areas),
            map(&frame(width), &unit, &areas[..3]),
        ] {
            let lower = svg.to_lowercase();
            assert!(!lower.contains("nan") && !lower.contains("inf"), "{svg}");
        }
    }
    assert_eq!(ticks(f64::NAN, f64::INFINITY, 5), ticks(0.0, 1.0, 5));
}

/// A series whose periods are all labelled periods reaches the chart without points (the web leaves
/// labels off the time axis); the chart is drawn, empty, and never panics — alone or beside others.
#[test]
fn series_without_points_draw_without_panic() {
    let empty = Series {
        label: "nur Bezeichnungen".into(),
        emphasis: true,
        points: Vec::new(),
    };
    let withheld = Series {
        label: "geheim".into(),
        emphasis: false,
        points: vec![(2024.5, "2024".into(), None)],
    };
    for width in [WIDE, NARROW] {
        let svg = line_chart(&frame(width), &Unit::Percent, std::slice::from_ref(&empty));
        assert!(svg.starts_with("<svg") && !svg.contains("NaN"), "{svg}");
        let svg = line_chart(
            &frame(width),
            &Unit::Percent,
            &[empty.clone(), withheld.clone(), series("a", &[1.0, 2.0])],
        );
        assert!(svg.contains("<circle") && !svg.contains("NaN"), "{svg}");
    }
}
