//! The early-warning rules of one indicator as a form (`/indikatoren/{code}/regeln`): the
//! indicator's section of the stored rules file, field by field. Saving checks the section with the
//! rules file's own parser (errors next to the field), stores the file, writes the audit log and
//! evaluates every rule at once. Internal; changed by those who work on the indicator's warnings.

use super::warning::{Right, right};
use crate::auth::{ClientAddr, Identity, actor, checked};
use crate::extract::Form;
use crate::{AppError, AppState, blocking, render};
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kimo_model::{Indicator, User};
use kimo_monitor::rules::{
    Check, KINDS, Place, RuleSet, STORED_RULES, Scope as RuleScope, kind_label,
};
use serde_norway::{Mapping, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// How a field of a rule is entered.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A decimal number (German or English decimal mark).
    Number,
    /// A whole number.
    Whole,
    /// Free text.
    Text,
    /// Codes separated by commas.
    List,
    /// A checkbox.
    Flag,
    /// One of the given codes (with their labels); the empty code means "not set".
    Choice(&'static [(&'static str, &'static str)]),
}

/// One field of a rule: its key in the rules file, label, input kind and the rule types it is for.
struct Field {
    key: &'static str,
    label: &'static str,
    kind: Kind,
    hint: &'static str,
}

const KIND_CHOICES: &[(&str, &str)] = &[
    ("schwelle", "Schwellenwert"),
    ("trend", "Trend"),
    ("gruppenabstand", "Gruppenabstand"),
    ("status_dynamik", "Stadtteilvergleich"),
    ("ziel", "Zielerreichung"),
    ("ueberfaellig", "Daten überfällig"),
];

/// The fields of a rule, in the rules file's terms (see README, "Frühwarnregeln").
const FIELDS: &[Field] = &[
    Field {
        key: "grenze",
        label: "Grenze",
        kind: Kind::Number,
        hint: "Schwellenwert, Gruppenabstand",
    },
    Field {
        key: "richtung",
        label: "Richtung",
        kind: Kind::Choice(&[
            ("", "–"),
            ("ueber", "über der Grenze"),
            ("unter", "unter der Grenze"),
            ("steigen", "steigen (Ziel)"),
            ("sinken", "sinken (Ziel)"),
        ]),
        hint: "Schwellenwert: über/unter; Zielerreichung: steigen/sinken",
    },
    Field {
        key: "perioden",
        label: "Perioden",
        kind: Kind::Whole,
        hint: "Trend, Gruppenabstand, Stadtteilvergleich",
    },
    Field {
        key: "mindestens_prozent",
        label: "Mindestens % Veränderung",
        kind: Kind::Number,
        hint: "Trend",
    },
    Field {
        key: "sprung",
        label: "Sprung",
        kind: Kind::Number,
        hint: "Trend",
    },
    Field {
        key: "sprung_einheit",
        label: "Einheit des Sprungs",
        kind: Kind::Choice(&[("", "–"), ("pp", "Prozentpunkte"), ("prozent", "Prozent")]),
        hint: "Trend",
    },
    Field {
        key: "merkmal",
        label: "Merkmal",
        kind: Kind::Text,
        hint: "Code, z. B. staatsangehoerigkeit",
    },
    Field {
        key: "gruppe",
        label: "Gruppe",
        kind: Kind::Text,
        hint: "Code, z. B. nichtdeutsch",
    },
    Field {
        key: "vergleich",
        label: "Vergleichsgruppe",
        kind: Kind::Text,
        hint: "Gruppenabstand",
    },
    Field {
        key: "gebiete",
        label: "Gebiete",
        kind: Kind::List,
        hint: "Codes mit Komma; leer: alle",
    },
    Field {
        key: "alle_gruppen",
        label: "Alle Gruppen prüfen",
        kind: Kind::Flag,
        hint: "",
    },
    Field {
        key: "mindestbevoelkerung",
        label: "Mindestbevölkerung",
        kind: Kind::Number,
        hint: "Stadtteilvergleich",
    },
    Field {
        key: "bevoelkerung",
        label: "Indikator der Bevölkerung",
        kind: Kind::Text,
        hint: "Stadtteilvergleich",
    },
    Field {
        key: "zielwert",
        label: "Zielwert",
        kind: Kind::Number,
        hint: "Zielerreichung",
    },
    Field {
        key: "zieljahr",
        label: "Zieljahr",
        kind: Kind::Whole,
        hint: "Zielerreichung",
    },
    Field {
        key: "basisjahr",
        label: "Basisjahr",
        kind: Kind::Whole,
        hint: "Zielerreichung",
    },
    Field {
        key: "karenz_tage",
        label: "Karenz in Tagen",
        kind: Kind::Whole,
        hint: "Daten überfällig",
    },
    Field {
        key: "schwere",
        label: "Schwere",
        kind: Kind::Choice(&[
            ("", "nach Regel"),
            ("hoch", "hoch"),
            ("mittel", "mittel"),
            ("niedrig", "niedrig"),
        ]),
        hint: "",
    },
];

/// Field errors by form field name (`r2_grenze`, `mindestaenderung`, `allgemein`).
type Errors = HashMap<String, String>;

/// A number as the form writes it: `8,5` (a dot as thousands separator is not accepted: `1.5`
/// is read as 1,5 too, since a rule's numbers are small).
fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim().replace(' ', "").replace(',', ".");
    t.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A YAML value for the form: numbers with a decimal comma, lists joined by commas.
fn shown(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string().replace('.', ","),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Sequence(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        _ => String::new(),
    }
}

fn key(k: &str) -> Value {
    Value::String(k.to_string())
}

/// The stored file as YAML (an empty file is an empty mapping).
fn document(text: &str) -> Result<Value, AppError> {
    if text.trim().is_empty() {
        return Ok(Value::Mapping(Mapping::new()));
    }
    serde_norway::from_str(text).map_err(|e| AppError::Internal(format!("{STORED_RULES}: {e}")))
}

/// The indicator's section of the stored file (empty when it has none).
fn section(doc: &Value, code: &str) -> Mapping {
    doc.get("indikatoren")
        .and_then(|i| i.get(code))
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default()
}

/// The stored file with the indicator's section replaced (removed when empty).
fn with_section(mut doc: Value, code: &str, sec: Mapping) -> Result<String, AppError> {
    let root = match doc.as_mapping_mut() {
        Some(m) => m,
        None => {
            return Err(AppError::Internal(format!(
                "{STORED_RULES}: keine Zuordnung"
            )));
        }
    };
    let inds = root
        .entry(key("indikatoren"))
        .or_insert_with(|| Value::Mapping(Mapping::new()));
    if !inds.is_mapping() {
        *inds = Value::Mapping(Mapping::new());
    }
    let inds = inds.as_mapping_mut().expect("a mapping was just made");
    match sec.is_empty() {
        true => inds.remove(code),
        false => inds.insert(key(code), Value::Mapping(sec)),
    };
    serde_norway::to_string(&doc).map_err(|e| AppError::Internal(e.to_string()))
}

/// The form's values (field name → text) of a stored section: `r1_typ`, `r1_grenze`, …
fn values_of(sec: &Mapping) -> HashMap<String, String> {
    let mut v = HashMap::new();
    if sec.get("standard").and_then(Value::as_bool) != Some(false) {
        v.insert("standard".into(), "ja".into());
    }
    for k in ["mindestaenderung", "mindestaenderung_relativ"] {
        if let Some(x) = sec.get(k) {
            v.insert(k.into(), shown(x));
        }
    }
    let rules = sec.get("regeln").and_then(Value::as_sequence);
    for (i, r) in rules.into_iter().flatten().enumerate() {
        for (k, x) in r.as_mapping().into_iter().flatten() {
            if let Some(k) = k.as_str() {
                let text = match x {
                    Value::Bool(true) => "ja".into(),
                    Value::Bool(false) => continue,
                    x => shown(x),
                };
                v.insert(format!("r{}_{k}", i + 1), text);
            }
        }
    }
    v
}

/// The numbers of the rules in a submitted form (those with a field), in order.
fn rule_numbers(form: &HashMap<String, String>) -> Vec<usize> {
    let mut n: Vec<usize> = form
        .keys()
        .filter_map(|k| k.strip_prefix('r')?.split_once('_')?.0.parse().ok())
        .filter(|&i| i > 0 && i < 1000)
        .collect();
    n.sort_unstable();
    n.dedup();
    n
}

/// One field's value as YAML, or its error.
fn field_value(f: &Field, text: &str) -> Result<Option<Value>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    Ok(Some(match f.kind {
        Kind::Number => Value::Number(parse_number(t).ok_or("keine Zahl (z. B. 8,5)")?.into()),
        Kind::Whole => Value::Number(
            t.parse::<i64>()
                .map_err(|_| "keine ganze Zahl (z. B. 3)")?
                .into(),
        ),
        Kind::Text => Value::String(t.to_string()),
        Kind::List => Value::Sequence(
            t.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect(),
        ),
        Kind::Flag => Value::Bool(true),
        Kind::Choice(options) => match options.iter().any(|(c, _)| *c == t) {
            true => Value::String(t.to_string()),
            false => return Err(format!("'{t}' ist keine der Möglichkeiten")),
        },
    }))
}

/// A rule of the form as YAML (None: the empty row or a rule marked for removal).
fn rule_of(form: &HashMap<String, String>, i: usize, errors: &mut Errors) -> Option<Mapping> {
    let get = |k: &str| {
        form.get(&format!("r{i}_{k}"))
            .map(String::as_str)
            .unwrap_or("")
    };
    let typ = get("typ").trim();
    if typ.is_empty() || !get("loeschen").is_empty() {
        return None;
    }
    let mut m = Mapping::new();
    m.insert(key("typ"), Value::String(typ.to_string()));
    for f in FIELDS {
        match field_value(f, get(f.key)) {
            Ok(Some(v)) => {
                m.insert(key(f.key), v);
            }
            Ok(None) => {}
            Err(e) => {
                errors.insert(format!("r{i}_{}", f.key), e);
            }
        }
    }
    Some(m)
}

/// The field a rules-file message is about: the first field key in it as a whole word.
fn field_in(message: &str) -> Option<&'static str> {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut keys: Vec<&'static str> = FIELDS.iter().map(|f| f.key).collect();
    keys.extend(["typ", "mindestaenderung_relativ", "mindestaenderung"]);
    keys.iter()
        .filter_map(|k| {
            message.match_indices(k).find_map(|(at, _)| {
                let before = message[..at].chars().next_back();
                let after = message[at + k.len()..].chars().next();
                (!word(before) && !word(after)).then_some((at, *k))
            })
        })
        .min_by_key(|&(at, k)| (at, usize::MAX - k.len()))
        .map(|(_, k)| k)
}

/// Checks one section with the rules file's parser, alone (so that each error belongs to a rule
/// or to the indicator's settings).
fn check(code: &str, sec: &Mapping) -> Result<(), (Place, String)> {
    let doc = with_section(Value::Mapping(Mapping::new()), code, sec.clone())
        .map_err(|e| (Place::File, format!("{e:?}")))?;
    RuleSet::parse(STORED_RULES, &doc)
        .map(|_| ())
        .map_err(|e| (e.place, e.message))
}

/// The section a submitted form describes, or the errors by field.
fn section_of(code: &str, form: &HashMap<String, String>) -> Result<Mapping, Errors> {
    let mut errors = Errors::new();
    let mut sec = Mapping::new();
    if form.get("standard").is_none() {
        sec.insert(key("standard"), Value::Bool(false));
    }
    for k in ["mindestaenderung", "mindestaenderung_relativ"] {
        let f = Field {
            key: k,
            label: "",
            kind: Kind::Number,
            hint: "",
        };
        match field_value(&f, form.get(k).map_or("", String::as_str)) {
            Ok(Some(v)) => {
                sec.insert(key(k), v);
            }
            Ok(None) => {}
            Err(e) => {
                errors.insert(k.into(), e);
            }
        }
    }
    let mut rules = Vec::new();
    for i in rule_numbers(form) {
        if let Some(r) = rule_of(form, i, &mut errors) {
            let mut one = sec.clone();
            one.insert(
                key("regeln"),
                Value::Sequence(vec![Value::Mapping(r.clone())]),
            );
            if let Err((_, message)) = check(code, &one) {
                let at = field_in(&message).unwrap_or("typ");
                errors.entry(format!("r{i}_{at}")).or_insert(message);
            }
            rules.push(Value::Mapping(r));
        }
    }
    if !rules.is_empty() {
        sec.insert(key("regeln"), Value::Sequence(rules));
    }
    if errors.is_empty()
        && let Err((_, message)) = check(code, &sec)
    {
        let at = field_in(&message).unwrap_or("allgemein");
        errors.insert(at.to_string(), message);
    }
    match errors.is_empty() {
        true => Ok(sec),
        false => Err(errors),
    }
}

/// The view of one field of one rule.
fn field_view(
    f: &Field,
    i: usize,
    values: &HashMap<String, String>,
    errors: &Errors,
) -> minijinja::Value {
    let name = format!("r{i}_{}", f.key);
    let value = values.get(&name).cloned().unwrap_or_default();
    let options: Vec<_> = match f.kind {
        Kind::Choice(o) => o
            .iter()
            .map(|&(c, l)| minijinja::context! { code => c, label => l, selected => c == value })
            .collect(),
        _ => Vec::new(),
    };
    let kind = match f.kind {
        Kind::Number => "number",
        Kind::Whole => "whole",
        Kind::Text | Kind::List => "text",
        Kind::Flag => "flag",
        Kind::Choice(_) => "choice",
    };
    minijinja::context! {
        name => &name, id => name.replace('_', "-"), label => f.label, hint => f.hint, kind => kind,
        checked => !value.is_empty(), options => options, error => errors.get(&name), value => value,
    }
}

/// The view of every rule of the form, and one empty row for a new rule.
fn rules_view(values: &HashMap<String, String>, errors: &Errors) -> Vec<minijinja::Value> {
    let mut numbers = rule_numbers(values);
    numbers.push(numbers.last().copied().unwrap_or(0) + 1);
    numbers
        .into_iter()
        .map(|i| {
            let typ = values
                .get(&format!("r{i}_typ"))
                .cloned()
                .unwrap_or_default();
            let kinds: Vec<_> = std::iter::once(("", "– keine Regel –"))
                .chain(KIND_CHOICES.iter().copied())
                .map(|(c, l)| minijinja::context! { code => c, label => l, selected => c == typ })
                .collect();
            let fields: Vec<_> = FIELDS
                .iter()
                .map(|f| field_view(f, i, values, errors))
                .collect();
            minijinja::context! {
                number => i, new => typ.is_empty(), label => kind_label(&typ), kinds => kinds,
                fields => fields, typ_error => errors.get(&format!("r{i}_typ")),
                remove => values.contains_key(&format!("r{i}_loeschen")),
            }
        })
        .collect()
}

/// The rules in force for the indicator (its own and the defaults), as lines for the page.
fn in_force(st: &crate::Scope, ind: &Indicator) -> Result<Vec<minijinja::Value>, AppError> {
    let rules = st.rules()?;
    Ok(rules
        .for_indicator(ind)
        .iter()
        .map(|r| {
            minijinja::context! {
                id => &r.id, label => r.check.label(), standard => r.id.starts_with("standard-"),
                breakdown => r.breakdown.key(), check => describe(&r.check),
                areas => match &r.scope {
                    RuleScope::All => "alle Gebiete".to_string(),
                    RuleScope::City => "Gesamtstadt".to_string(),
                    RuleScope::Areas(a) => a.join(", "),
                },
            }
        })
        .collect())
}

/// A number for a sentence: whole numbers without decimals.
fn num(x: f64) -> String {
    let decimals = if x.fract() == 0.0 { 0 } else { 2 };
    kimo_model::format_number(x, decimals)
}

/// What a rule checks, in German.
fn describe(check: &Check) -> String {
    match check {
        Check::Threshold { limit, above } => {
            format!(
                "Wert {} {}",
                if *above { "über" } else { "unter" },
                num(*limit)
            )
        }
        Check::Trend {
            periods,
            min_total_percent,
            jump,
            jump_points,
            ..
        } => {
            let mut s = format!("{periods} Perioden in Folge schlechter");
            if *min_total_percent > 0.0 {
                s += &format!(", zusammen mindestens {} %", num(*min_total_percent));
            }
            if let Some(j) = jump {
                let unit = if *jump_points { "Prozentpunkte" } else { "%" };
                s += &format!("; oder ein Sprung um mehr als {} {unit}", num(*j));
            }
            s
        }
        Check::GroupGap {
            group,
            reference,
            limit,
            widening,
            ..
        } => {
            let mut s = format!("Abstand {group} zu {reference}");
            if let Some(l) = limit {
                s += &format!(" über {}", num(*l));
            }
            if let Some(w) = widening {
                s += &format!(
                    "{} wächst {w} Perioden in Folge",
                    if limit.is_some() { " oder" } else { "" }
                );
            }
            s
        }
        Check::StatusDynamics(p) => format!(
            "Stadtteile ab {} Einwohnern ({}), Dynamik über {} Perioden",
            num(p.min_population),
            p.population_indicator,
            p.periods
        ),
        Check::Target {
            value,
            year,
            base_year,
            ..
        } => {
            format!(
                "Zielwert {} bis {year} (Basisjahr {base_year})",
                num(*value)
            )
        }
        Check::Overdue { grace_days } => {
            format!("kein neuer Wert {grace_days} Tage nach dem erwarteten Termin")
        }
    }
}

/// What the page shows besides the form.
struct Shown<'a> {
    message: &'a str,
    saved: bool,
}

/// The page: the form with `values` and `errors`.
fn page(
    st: &crate::Scope,
    user: &User,
    csrf: &str,
    ind: &Indicator,
    values: &HashMap<String, String>,
    errors: &Errors,
    shown: Shown,
) -> Result<String, AppError> {
    let may_edit = right(user, &ind.department) == Right::Work;
    let filter = kimo_store::WarningFilter {
        indicator: Some(ind.code.clone()),
        ..Default::default()
    };
    let active = st.store.warnings(&filter)?.len();
    render(
        "regeln.html",
        minijinja::context! {
            title => format!("Frühwarnregeln: {}", ind.name), demo => st.demo, internal => true,
            ind => minijinja::value::Serde(ind), csrf => csrf, may_edit => may_edit,
            standard => values.contains_key("standard"),
            min_change => values.get("mindestaenderung"), min_change_rel => values.get("mindestaenderung_relativ"),
            min_change_error => errors.get("mindestaenderung"),
            min_change_rel_error => errors.get("mindestaenderung_relativ"),
            general_error => errors.get("allgemein"), error_count => errors.len(),
            rules => rules_view(values, errors), in_force => in_force(st, ind)?,
            message => shown.message, saved => shown.saved, active => active, kinds => KINDS,
        },
    )
}

/// The query of the page after saving.
#[derive(serde::Deserialize)]
pub struct Saved {
    gespeichert: Option<String>,
}

/// `GET /indikatoren/{code}/regeln`: the indicator's rules (logged-in users; the form for those who
/// work on its warnings).
pub async fn show(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path(code): Path<String>,
    Query(q): Query<Saved>,
) -> Result<Response, AppError> {
    let Some(viewer) = identity.0 else {
        return Err(AppError::Forbidden(
            "Die Frühwarnregeln sind intern: bitte anmelden (/anmelden).".into(),
        ));
    };
    let body = blocking(&st, move |st| {
        let ind = st.indicator(&code)?;
        let values = values_of(&section(&document(&st.store.rules_text()?)?, &code));
        let shown = Shown {
            message: "",
            saved: q.gespeichert.is_some(),
        };
        page(
            st,
            &viewer.0,
            &viewer.1.csrf,
            &ind,
            &values,
            &Errors::new(),
            shown,
        )
    })
    .await?;
    Ok(crate::respond::no_store(StatusCode::OK, body))
}

/// `POST /indikatoren/{code}/regeln`: checks and stores the indicator's rules, then evaluates all
/// rules at once; with errors the form comes back with each error next to its field.
pub async fn save(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let viewer = checked(&identity, form.get("csrf").map_or("", String::as_str))?;
    let who = actor(&viewer.0.name, addr.as_ref());
    let back = format!(
        "/indikatoren/{}/regeln?gespeichert=1",
        form_urlencoded::byte_serialize(code.as_bytes()).collect::<String>()
    );
    let outcome = blocking(&st, move |st| {
        let ind = st.indicator(&code)?;
        if right(&viewer.0, &ind.department) != Right::Work {
            return Err(AppError::Forbidden(format!(
                "Die Regeln dieses Indikators ändern die Redaktion und das zuständige Amt ({}).",
                if ind.department.is_empty() {
                    "–"
                } else {
                    &ind.department
                }
            )));
        }
        let doc = document(&st.store.rules_text()?)?;
        match section_of(&code, &form) {
            Ok(sec) => {
                let text = with_section(doc, &code, sec)?;
                RuleSet::parse(STORED_RULES, &text)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                st.store
                    .set_rules_text(&text, &who, &format!("Regeln {code}"))?;
                st.changed();
                let today = chrono::Local::now().date_naive();
                kimo_work::evaluate::run(&st.store, today, "Auswertung")
                    .map_err(|e| AppError::Internal(format!("{e:#}")))?;
                st.changed();
                Ok(None)
            }
            Err(errors) => {
                let n = errors.len();
                let message = format!(
                    "Nicht gespeichert: {} – bitte an den markierten Feldern korrigieren.",
                    if n == 1 {
                        "1 Fehler".to_string()
                    } else {
                        format!("{n} Fehler")
                    }
                );
                let shown = Shown {
                    message: &message,
                    saved: false,
                };
                page(st, &viewer.0, &viewer.1.csrf, &ind, &form, &errors, shown).map(Some)
            }
        }
    })
    .await?;
    match outcome {
        None => Ok(Redirect::to(&back).into_response()),
        Some(body) => Ok(crate::respond::no_store(StatusCode::BAD_REQUEST, body)),
    }
}
