//! A small document through the whole way: PDF/UA-1, text from the data never read as markup,
//! same bytes twice.

use super::*;

const TEMPLATE: &str = r#"#import "/common.typ": *
#let d = json("/daten.json")
#set document(title: d.title)
#set text(lang: "de", font: "DejaVu Sans")
#title()
= Abschnitt
#blocks(d.blocks)
#data-table("Werte", ("Stadtteil", "Wert"), d.rows, numeric: (1,))
#figure(image("/grafik/a.svg", alt: "Ein Balken"), caption: "Ein Balken")
"#;

fn input(data: &[u8]) -> Input<'_> {
    Input {
        template: TEMPLATE,
        data,
        files: vec![(
            "/grafik/a.svg".into(),
            br#"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="30" height="10"/></svg>"#.to_vec(),
        )],
        ident: "test",
        made: chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap(),
    }
}

#[test]
fn a_tagged_german_pdf_the_same_twice() {
    let data = br##"{"title": "Probe #1 [x]", "rows": [["Oststadt", "1.234,5 %"]],
        "blocks": [{"kind": "p", "spans": [{"text": "Text mit #set und $x$", "strong": false, "emph": false}]}]}"##;
    let (a, pages) = pdf(&input(data)).unwrap();
    let (b, _) = pdf(&input(data)).unwrap();
    assert_eq!(a, b, "same input, same bytes");
    assert_eq!(pages, 1);
    // The XMP metadata is not compressed: it declares PDF/UA-1 and the title. (The catalogue's
    // language and structure tree are checked with poppler and qpdf in tests/reports_web.rs.)
    let text = String::from_utf8_lossy(&a);
    assert!(
        text.contains("<pdfuaid:part>1</pdfuaid:part>"),
        "PDF/UA-1 declared"
    );
    assert!(
        text.contains("Probe #1 [x]"),
        "the title as written, never markup"
    );
    assert!(a.starts_with(b"%PDF-"));
}

#[test]
fn a_broken_template_says_why() {
    let mut i = input(b"{}");
    i.template = "#let x = (";
    let e = pdf(&i).unwrap_err();
    assert!(!e.is_empty(), "{e}");
}
