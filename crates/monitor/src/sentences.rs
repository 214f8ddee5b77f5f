//! The German sentences of the findings: one function per kind of finding, each one plain sentence
//! with the numbers in it, written in the indicator's unit.

use crate::Names;
use crate::checks::Dated;
use crate::progress::Progress;
use crate::status::{AreaClass, Dynamics, Status};
use chrono::NaiveDate;
use kimo_model::{Breakdown, Indicator, Period, Periodicity, format_number};

const COUNT_WORDS: [&str; 13] = [
    "null", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
    "elf", "zwölf",
];

fn count_word(n: usize) -> String {
    COUNT_WORDS.get(n).map_or(n.to_string(), |w| w.to_string())
}

/// A number with its noun in the right form, German notation: „1 Warnhinweis“, „2 Warnhinweise“,
/// „1.250 Warnhinweise“.
pub fn count_noun(n: usize, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        format_number(n as f64, 0),
        if n == 1 { one } else { many }
    )
}

/// „0 Warnhinweise“, „1 Warnhinweis“, „2 Warnhinweise“.
pub fn warnings(n: usize) -> String {
    count_noun(n, "Warnhinweis", "Warnhinweise")
}

/// „drei Jahre“, „zwei Halbjahre“, „ein Jahr“, „eine Erhebung“.
fn steps_word(p: Periodicity, n: usize) -> String {
    let (one, many) = match p {
        Periodicity::Year => ("Jahr", "Jahre"),
        Periodicity::SchoolYear => ("Schuljahr", "Schuljahre"),
        Periodicity::HalfYear => ("Halbjahr", "Halbjahre"),
        Periodicity::Quarter => ("Quartal", "Quartale"),
        Periodicity::Month => ("Monat", "Monate"),
        Periodicity::Irregular => ("Erhebung", "Erhebungen"),
    };
    match (n, p) {
        (1, Periodicity::Irregular) => format!("eine {one}"),
        (1, _) => format!("ein {one}"),
        _ => format!("{} {many}", count_word(n)),
    }
}

fn direction(from: f64, to: f64) -> &'static str {
    if to > from { "gestiegen" } else { "gesunken" }
}

/// Where an area stands against the other Stadtteile, in plain words whatever the polarity.
fn comparison(s: Status) -> &'static str {
    match s {
        Status::SehrNiedrig => "deutlich ungünstiger als im Durchschnitt der Stadtteile",
        Status::Niedrig => "ungünstiger als im Durchschnitt der Stadtteile",
        Status::Mittel => "etwa im Durchschnitt der Stadtteile",
        Status::Hoch => "günstiger als im Durchschnitt der Stadtteile",
    }
}

/// How an area develops, in plain words; the change itself follows in brackets.
fn development(d: Option<Dynamics>) -> &'static str {
    d.map_or("hat keinen früheren Vergleichswert", |d| match d {
        Dynamics::Negativ => "verschlechtert sich",
        Dynamics::Stabil => "entwickelt sich unauffällig",
        Dynamics::Positiv => "verbessert sich",
    })
}

/// Sentences about one indicator, naming areas and groups.
pub(crate) struct Say<'a> {
    /// Names of areas and categories.
    pub names: &'a Names,
    /// The indicator the sentences are about.
    pub ind: &'a Indicator,
}

impl Say<'_> {
    /// A value in the indicator's unit: „7,6 %“.
    fn value(&self, x: f64) -> String {
        self.ind.unit.format(Some(x))
    }

    /// A difference in the indicator's unit: „2,5 Prozentpunkte“ for %, else „2,5 m²“.
    fn diff(&self, x: f64) -> String {
        self.ind.unit.difference_words(x)
    }

    fn area(&self, code: &str) -> String {
        self.names.area(code)
    }

    /// „Arbeitslosenquote (nichtdeutsch)“, quoted.
    fn subject(&self, b: &Breakdown) -> String {
        if b.is_total() {
            format!("„{}“", self.ind.name)
        } else {
            format!("„{} ({})“", self.ind.name, self.names.group(b))
        }
    }

    /// The latest value is beyond the threshold.
    pub fn threshold(
        &self,
        area: &str,
        b: &Breakdown,
        (p, x): Dated,
        limit: f64,
        above: bool,
    ) -> String {
        format!(
            "In {} liegt der Wert {} mit {} ({}) {} dem Schwellenwert von {}.",
            self.area(area),
            self.subject(b),
            self.value(x),
            p.label(),
            if above { "über" } else { "unter" },
            self.value(limit)
        )
    }

    /// The value worsened `steps` times in a row; `streak` holds its `steps + 1` points.
    pub fn trend_streak(
        &self,
        area: &str,
        b: &Breakdown,
        steps: usize,
        streak: &[Dated],
    ) -> String {
        let (p0, v0) = streak[0].clone();
        let (p1, v1) = streak[streak.len() - 1].clone();
        format!(
            "In {} ist der Wert {}{} {}, von {} ({}) auf {} ({}) – eine Verschlechterung um {}.",
            self.area(area),
            self.subject(b),
            if steps == 1 {
                String::new()
            } else {
                format!(" {} in Folge", steps_word(self.ind.periodicity, steps))
            },
            direction(v0, v1),
            self.value(v0),
            p0.label(),
            self.value(v1),
            p1.label(),
            self.diff(v1 - v0)
        )
    }

    /// The value worsened by more than allowed from one period to the next; the change in
    /// the unit's points, or (`in_points` false) in percent of the earlier value.
    pub fn trend_jump(
        &self,
        area: &str,
        b: &Breakdown,
        (pa, va): Dated,
        (pb, vb): Dated,
        in_points: bool,
    ) -> String {
        let change = if in_points || va == 0.0 {
            self.diff(vb - va)
        } else {
            format!("{} %", format_number((vb - va).abs() / va.abs() * 100.0, 1))
        };
        format!(
            "In {} ist der Wert {} gegenüber {} um {} auf {} ({}) {} – eine Verschlechterung.",
            self.area(area),
            self.subject(b),
            pa.label(),
            change,
            self.value(vb),
            pb.label(),
            direction(va, vb)
        )
    }

    /// The gap between a group and its reference group is beyond the limit.
    pub fn gap_over(
        &self,
        area: &str,
        (group, reference): (&str, &str),
        (p, d): Dated,
        limit: f64,
    ) -> String {
        format!(
            "In {} liegt der Wert „{}“ für {} {} um {} ungünstiger als für {} (Schwelle {}).",
            self.area(area),
            self.ind.name,
            group,
            p.label(),
            self.diff(d),
            reference,
            self.diff(limit)
        )
    }

    /// The gap widened `steps` times in a row; `streak` holds its `steps + 1` gaps.
    pub fn gap_widening(
        &self,
        area: &str,
        (group, reference): (&str, &str),
        steps: usize,
        streak: &[Dated],
    ) -> String {
        let (first, last) = (streak[0].clone(), streak[streak.len() - 1].clone());
        format!(
            "In {} hat sich der Abstand bei „{}“ zwischen {} und {} {} in Folge vergrößert, von {} ({}) auf {} ({}).",
            self.area(area),
            self.ind.name,
            group,
            reference,
            steps_word(self.ind.periodicity, steps),
            self.diff(first.1),
            first.0.label(),
            self.diff(last.1),
            last.0.label()
        )
    }

    /// An area's status against the other Stadtteile in `period` and its development since
    /// `since`, in plain words that respect the polarity; `city` is the whole city's value.
    pub fn status(
        &self,
        a: &AreaClass,
        (period, since): (Period, Option<Period>),
        city: Option<f64>,
    ) -> String {
        let city = city.map_or(String::new(), |c| {
            format!(" (Gesamtstadt: {})", self.value(c))
        });
        let change = a.change.map_or(String::new(), |c| {
            format!(
                " ({}{} seit {})",
                if c > 0.0 {
                    "+"
                } else if c < 0.0 {
                    "−"
                } else {
                    ""
                },
                self.diff(c),
                since.map_or("–".into(), |p| p.label())
            )
        });
        format!(
            "In {} liegt der Wert „{}“ mit {} ({}) {}{} und {}{}.",
            self.area(&a.area),
            self.ind.name,
            self.value(a.value),
            period.label(),
            comparison(a.status),
            city,
            development(a.dynamics),
            change
        )
    }

    /// A target that is off track.
    pub fn target(&self, b: &Breakdown, (value, year): (f64, i32), pr: &Progress) -> String {
        format!(
            "Das Ziel {} für {} bis {} ist nicht auf Kurs: {} (von {} {} auf {} {}; nötig wären {} % pro Jahr, erreicht {} %).",
            self.value(value),
            self.subject(b),
            year,
            pr.class.label(),
            self.value(pr.base_value),
            pr.base_year,
            self.value(pr.current_value),
            pr.current_year,
            format_number(pr.cagr_required.unwrap_or(0.0) * 100.0, 1),
            format_number(pr.cagr_observed * 100.0, 1)
        )
    }

    /// No new value since `latest`; the next one was due on `due`.
    pub fn overdue(&self, latest: Period, due: NaiveDate) -> String {
        let department = if self.ind.department.is_empty() {
            "nicht angegeben"
        } else {
            &self.ind.department
        };
        format!(
            "Für „{}“ liegt seit {} kein neuer Wert vor; der nächste war bis {} fällig (zuständig: {}).",
            self.ind.name,
            latest.label(),
            due.format("%d.%m.%Y"),
            department
        )
    }
}
