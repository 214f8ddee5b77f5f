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
