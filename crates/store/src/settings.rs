//! The installation's settings shown in documents: the city's name and its logo (PNG or SVG, kept
//! base64 in the `setting` table). Every change is in the audit log.

use crate::users::audit;
use crate::{Actor, Error, Result, Store};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// The largest logo accepted.
pub const LOGO_MAX: usize = 512 * 1024;

/// A logo: its type and bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Logo {
    /// `image/png` or `image/svg+xml`.
    pub mime: String,
    /// The file.
    pub bytes: Vec<u8>,
}

impl Logo {
    /// A logo from a file's bytes: PNG or SVG, at most [`LOGO_MAX`]; else why not.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Logo> {
        if bytes.len() > LOGO_MAX {
            return Err(Error::Invalid(format!(
                "das Logo hat {} Bytes, höchstens {LOGO_MAX} sind erlaubt",
                bytes.len()
            )));
        }
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_lowercase();
        let mime = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            "image/png"
        } else if head.contains("<svg") {
            "image/svg+xml"
        } else {
            return Err(Error::Invalid("das Logo ist weder PNG noch SVG".into()));
        };
        Ok(Logo {
            mime: mime.into(),
            bytes,
        })
    }

    /// The file name's extension: `png` or `svg`.
    pub fn extension(&self) -> &'static str {
        if self.mime == "image/png" {
            "png"
        } else {
            "svg"
        }
    }
}

/// The city as documents show it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct City {
    /// Its name („Stadt Karlsruhe“); None: the whole city's area name.
    pub name: Option<String>,
    /// Its logo.
    pub logo: Option<Logo>,
}

/// Reads a setting.
fn get(c: &mut crate::sql::Conn, name: &str) -> Result<Option<String>> {
    Ok(
        c.query_opt("SELECT value FROM setting WHERE name = ?", &[name.into()])?
            .map(|r| r.text(0)),
    )
}

/// Writes a setting (None: removes it).
fn put(c: &mut crate::sql::Conn, name: &str, value: Option<&str>) -> Result<()> {
    c.exec("DELETE FROM setting WHERE name = ?", &[name.into()])?;
    if let Some(v) = value {
        c.exec(
            "INSERT INTO setting (name, value) VALUES (?, ?)",
            &[name.into(), v.into()],
        )?;
    }
    Ok(())
}

impl Store {
    /// The city's name and logo.
    pub fn city(&self) -> Result<City> {
        let mut c = self.conn()?;
        let name = get(&mut c, "stadt.name")?.filter(|n| !n.trim().is_empty());
        let logo = match (get(&mut c, "stadt.logo.typ")?, get(&mut c, "stadt.logo")?) {
            (Some(mime), Some(data)) => Some(Logo {
                mime,
                bytes: STANDARD
                    .decode(data)
                    .map_err(|e| Error::Invalid(format!("Logo: {e}")))?,
            }),
            _ => None,
        };
        Ok(City { name, logo })
    }

    /// Sets the city's name (empty: the whole city's area name again); audit `setting.city`.
    pub fn set_city_name(&self, name: &str, actor: &Actor) -> Result<()> {
        let name = name.trim();
        self.write(|c| {
            let before = get(c, "stadt.name")?.unwrap_or_default();
            put(c, "stadt.name", Some(name).filter(|n| !n.is_empty()))?;
            audit(c, actor, "setting.city", "stadt.name", &before, name)
        })
    }

    /// Sets or removes the city's logo; audit `setting.logo` with its SHA-256.
    pub fn set_city_logo(&self, logo: Option<&Logo>, actor: &Actor) -> Result<()> {
        self.write(|c| {
            put(c, "stadt.logo.typ", logo.map(|l| l.mime.as_str()))?;
            let data = logo.map(|l| STANDARD.encode(&l.bytes));
            put(c, "stadt.logo", data.as_deref())?;
            let after = logo.map_or("entfernt".to_string(), |l| {
                format!(
                    "{}, {} Bytes, SHA-256 {:x}",
                    l.mime,
                    l.bytes.len(),
                    Sha256::digest(&l.bytes)
                )
            });
            audit(c, actor, "setting.logo", "stadt.logo", "", &after)
        })
    }
}

/// How open data is published: licence, attribution and the portal's address.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenData {
    /// The licence (DCAT-AP.de identifier, [`kimo_model::licence::LICENCES`]).
    pub licence: kimo_model::licence::Licence,
    /// Who is to be named (Namensnennung), e.g. „Stadt Karlsruhe, Büro für Integration“; empty:
    /// the city's name.
    pub attribution: String,
    /// The public portal's address without a trailing `/` (for the DCAT catalogue's links);
    /// None: not set.
    pub portal_url: Option<String>,
    /// The publisher's identifier in GovData's list of contributors
    /// (`http://dcat-ap.de/def/contributors/…`, `dcatde:contributorID`); None: not set.
    pub contributor: Option<String>,
}

/// The namespace of GovData's contributor identifiers.
pub const CONTRIBUTORS: &str = "http://dcat-ap.de/def/contributors/";

/// Checks a contributor identifier: its last part (`stadtKarlsruhe`) or the whole IRI.
fn contributor(id: &str) -> Result<String> {
    let id = id.trim();
    let rest = id.strip_prefix(CONTRIBUTORS).unwrap_or(id);
    if rest.is_empty()
        || !rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(Error::Invalid(format!(
            "„{id}“ ist keine Kennung aus GovDatas Liste der Datenbereitsteller ({CONTRIBUTORS}…)"
        )));
    }
    Ok(format!("{CONTRIBUTORS}{rest}"))
}

/// Checks a portal address: `http(s)://host[/path]`, no spaces, quotes or angle brackets.
fn portal_url(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(r)
            if !r.is_empty()
                && !r.starts_with('/')
                && !url.chars().any(|c| {
                    c.is_whitespace() || c.is_control() || "\"<>\\{}|^`?#@".contains(c)
                }) =>
        {
            Ok(url.to_string())
        }
        _ => Err(Error::Invalid(format!(
            "„{url}“ ist keine Adresse der Form https://statistik.example.de"
        ))),
    }
}

impl Store {
    /// How open data is published (defaults: Datenlizenz Deutschland – Namensnennung 2.0, the
    /// city named, no portal address).
    pub fn open_data(&self) -> Result<OpenData> {
        let mut c = self.conn()?;
        let id = get(&mut c, "opendata.lizenz")?;
        let licence = kimo_model::licence::Licence::by_id(
            id.as_deref()
                .unwrap_or(kimo_model::licence::DEFAULT_LICENCE),
        )
        .ok_or_else(|| Error::Invalid(format!("unbekannte Lizenz {id:?}")))?;
        let attribution = match get(&mut c, "opendata.namensnennung")? {
            Some(a) if !a.trim().is_empty() => a,
            _ => get(&mut c, "stadt.name")?.unwrap_or_default(),
        };
        Ok(OpenData {
            licence,
            attribution,
            portal_url: get(&mut c, "opendata.adresse")?,
            contributor: get(&mut c, "opendata.govdata")?,
        })
    }

    /// Changes what is given (licence by its DCAT-AP.de identifier, attribution — empty: the
    /// city's name —, the portal's address and the GovData contributor — empty: none); audit
    /// `opendata.settings`.
    pub fn set_open_data(&self, change: &OpenDataChange, actor: &Actor) -> Result<()> {
        let OpenDataChange {
            licence,
            attribution,
            url,
            contributor: govdata,
        } = change;
        let (licence, attribution, url) =
            (licence.as_deref(), attribution.as_deref(), url.as_deref());
        if let Some(l) = licence
            && kimo_model::licence::Licence::by_id(l).is_none()
        {
            let known: Vec<&str> = kimo_model::licence::LICENCES.iter().map(|l| l.id).collect();
            return Err(Error::Invalid(format!(
                "die Lizenz „{l}“ kennt kimo nicht; möglich: {}",
                known.join(", ")
            )));
        }
        let url = match url.map(str::trim) {
            Some("") => Some(None),
            Some(u) => Some(Some(portal_url(u)?)),
            None => None,
        };
        let govdata = match govdata.as_deref().map(str::trim) {
            Some("") => Some(None),
            Some(g) => Some(Some(contributor(g)?)),
            None => None,
        };
        self.write(|c| {
            let mut changes = Vec::new();
            if let Some(l) = licence {
                put(c, "opendata.lizenz", Some(l.trim()))?;
                changes.push(format!("Lizenz {}", l.trim()));
            }
            if let Some(a) = attribution {
                let a = a.trim();
                put(
                    c,
                    "opendata.namensnennung",
                    Some(a).filter(|a| !a.is_empty()),
                )?;
                changes.push(format!("Namensnennung „{a}“"));
            }
            if let Some(u) = &url {
                put(c, "opendata.adresse", u.as_deref())?;
                changes.push(format!("Adresse {}", u.as_deref().unwrap_or("–")));
            }
            if let Some(g) = &govdata {
                put(c, "opendata.govdata", g.as_deref())?;
                changes.push(format!("GovData-Kennung {}", g.as_deref().unwrap_or("–")));
            }
            audit(
                c,
                actor,
                "opendata.settings",
                "opendata",
                "",
                &changes.join("; "),
            )
        })
    }
}

/// A change of the open data settings: each None leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct OpenDataChange {
    /// The licence's identifier.
    pub licence: Option<String>,
    /// Who is to be named (empty: the city).
    pub attribution: Option<String>,
    /// The portal's address (empty: none).
    pub url: Option<String>,
    /// The GovData contributor (empty: none).
    pub contributor: Option<String>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn contributor_ids_are_checked() {
        let full = "http://dcat-ap.de/def/contributors/stadtKarlsruhe";
        assert_eq!(super::contributor("stadtKarlsruhe").unwrap(), full);
        assert_eq!(super::contributor(full).unwrap(), full);
        assert!(super::contributor("Stadt Karlsruhe").is_err());
        assert!(super::contributor("").is_err());
    }

    #[test]
    fn portal_addresses_are_checked() {
        assert_eq!(
            super::portal_url(" https://statistik.karlsruhe.de/integration/ ").unwrap(),
            "https://statistik.karlsruhe.de/integration"
        );
        for bad in [
            "statistik.de",
            "https://",
            "https:///x",
            "https://a b.de",
            "javascript:x",
            "https://a.de/\"x",
            "https://a.de/#x",
            "https://a.de/?x=1",
            "https://user@a.de",
        ] {
            assert!(super::portal_url(bad).is_err(), "{bad}");
        }
    }
}

/// The legal pages' texts: Impressum, Datenschutz, and for the Erklärung zur Barrierefreiheit the
/// feedback contact and the enforcement procedure (Markdown, written by the city).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Legal {
    /// The Impressum (Markdown).
    pub imprint: Option<String>,
    /// The Datenschutzerklärung (Markdown; kimo adds what it stores itself).
    pub privacy: Option<String>,
    /// The e-mail address for feedback on accessibility.
    pub contact: Option<String>,
    /// The enforcement procedure of the city's state (Markdown).
    pub enforcement: Option<String>,
    /// The day the texts were last changed (ISO 8601).
    pub changed_on: Option<String>,
}

/// A change of the legal texts: each None leaves it as it is, an empty text removes it.
#[derive(Debug, Clone, Default)]
pub struct LegalChange {
    /// The Impressum.
    pub imprint: Option<String>,
    /// The Datenschutzerklärung.
    pub privacy: Option<String>,
    /// The feedback e-mail address.
    pub contact: Option<String>,
    /// The enforcement procedure.
    pub enforcement: Option<String>,
}

/// The largest legal text accepted.
const LEGAL_MAX: usize = 64 * 1024;

impl Store {
    /// The legal pages' texts.
    pub fn legal(&self) -> Result<Legal> {
        let mut c = self.conn()?;
        Ok(Legal {
            imprint: get(&mut c, "recht.impressum")?,
            privacy: get(&mut c, "recht.datenschutz")?,
            contact: get(&mut c, "recht.kontakt")?,
            enforcement: get(&mut c, "recht.durchsetzung")?,
            changed_on: get(&mut c, "recht.stand")?,
        })
    }

    /// Changes the legal texts; audit `setting.legal` (which texts, their sizes).
    pub fn set_legal(&self, change: &LegalChange, actor: &Actor) -> Result<()> {
        if let Some(mail) = change
            .contact
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            let ok = mail.split_once('@').is_some_and(|(a, b)| {
                !a.is_empty()
                    && b.contains('.')
                    && !mail
                        .chars()
                        .any(|c| c.is_whitespace() || "<>\"'()[],;:\\".contains(c))
            });
            if !ok {
                return Err(Error::Invalid(format!("„{mail}“ ist keine E-Mail-Adresse")));
            }
        }
        let fields = [
            ("recht.impressum", "Impressum", &change.imprint),
            ("recht.datenschutz", "Datenschutz", &change.privacy),
            ("recht.kontakt", "Kontakt", &change.contact),
            (
                "recht.durchsetzung",
                "Durchsetzungsverfahren",
                &change.enforcement,
            ),
        ];
        for (_, label, text) in &fields {
            if text.as_deref().is_some_and(|t| t.len() > LEGAL_MAX) {
                return Err(Error::Invalid(format!(
                    "{label}: höchstens {LEGAL_MAX} Bytes"
                )));
            }
        }
        let today = chrono::Local::now().format("%Y-%m-%d").to_string();
        self.write(|c| {
            let mut changes = Vec::new();
            for (key, label, text) in &fields {
                if let Some(t) = text {
                    let t = t.trim();
                    put(c, key, Some(t).filter(|t| !t.is_empty()))?;
                    changes.push(if t.is_empty() {
                        format!("{label} entfernt")
                    } else {
                        format!("{label} ({} Zeichen)", t.chars().count())
                    });
                }
            }
            put(c, "recht.stand", Some(&today))?;
            audit(c, actor, "setting.legal", "recht", "", &changes.join("; "))
        })
    }
}
