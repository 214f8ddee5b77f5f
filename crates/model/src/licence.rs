//! The licences open data may be published under: those of the DCAT-AP.de licence vocabulary
//! (<http://dcat-ap.de/def/licenses>) that are open, which GovData harvests. Default: Datenlizenz
//! Deutschland – Namensnennung – Version 2.0.

/// A licence of the DCAT-AP.de vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Licence {
    /// Its identifier in the vocabulary (`dl-by-de/2.0`).
    pub id: &'static str,
    /// Its German name.
    pub name: &'static str,
    /// Its English name.
    pub name_en: &'static str,
    /// The licence text for people.
    pub url: &'static str,
    /// Whether users must name the source (Namensnennung).
    pub attribution: bool,
}

impl Licence {
    /// The licence's URI in the DCAT-AP.de vocabulary (for `dct:license`).
    pub fn uri(&self) -> String {
        format!("http://dcat-ap.de/def/licenses/{}", self.id)
    }

    /// A licence by its identifier.
    pub fn by_id(id: &str) -> Option<Licence> {
        LICENCES.iter().find(|l| l.id == id.trim()).copied()
    }
}

/// The default licence.
pub const DEFAULT_LICENCE: &str = "dl-by-de/2.0";

/// The licences offered (open ones of the vocabulary).
pub const LICENCES: &[Licence] = &[
    Licence {
        id: "dl-by-de/2.0",
        name: "Datenlizenz Deutschland – Namensnennung – Version 2.0",
        name_en: "Data licence Germany – attribution – version 2.0",
        url: "https://www.govdata.de/dl-de/by-2-0",
        attribution: true,
    },
    Licence {
        id: "dl-zero-de/2.0",
        name: "Datenlizenz Deutschland – Zero – Version 2.0",
        name_en: "Data licence Germany – Zero – version 2.0",
        url: "https://www.govdata.de/dl-de/zero-2-0",
        attribution: false,
    },
    Licence {
        id: "cc-by/4.0",
        name: "Creative Commons Namensnennung – 4.0 International (CC BY 4.0)",
        name_en: "Creative Commons Attribution 4.0 International (CC BY 4.0)",
        url: "https://creativecommons.org/licenses/by/4.0/",
        attribution: true,
    },
    Licence {
        id: "cc-zero",
        name: "Creative Commons CC Zero License (cc-zero)",
        name_en: "Creative Commons CC Zero License (cc-zero)",
        url: "https://creativecommons.org/publicdomain/zero/1.0/",
        attribution: false,
    },
    Licence {
        id: "odbl",
        name: "Open Data Commons Open Database License (ODbL)",
        name_en: "Open Data Commons Open Database License (ODbL)",
        url: "https://opendatacommons.org/licenses/odbl/1-0/",
        attribution: true,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_known_and_uris_are_the_vocabulary_s() {
        let l = Licence::by_id(DEFAULT_LICENCE).unwrap();
        assert_eq!(l.uri(), "http://dcat-ap.de/def/licenses/dl-by-de/2.0");
        assert!(l.attribution);
        assert_eq!(Licence::by_id(" cc-zero ").unwrap().id, "cc-zero");
        assert!(Licence::by_id("proprietär").is_none());
    }
}
