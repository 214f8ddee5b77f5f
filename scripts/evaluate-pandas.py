#!/usr/bin/env python3
"""Reference for `kimo evaluate`: the default early-warning rules, written with pandas.

Reads a kimo SQLite database and applies the rules kimo applies when no rules file is stored
(crates/monitor/src/rules.rs `RuleSet::rules_of`, with the constants there):

- trend (indicators that are not neutral): on every area's total, the last 3 steps between adjacent
  periods without a break are all worse under the polarity, by >= 5 % of the start value overall and
  at least the least substantive change (0,5 points for %, 1 for per mille, else 2 % of the start);
- status_dynamik (not neutral): the areas below the whole city, their latest value z-standardised
  (status) and the change over 2 periods z-standardised (dynamics); a finding where the status is
  "niedrig" or "sehr niedrig" and the dynamics "negativ" (with the least substantive change, and areas
  with fewer than 300 inhabitants in DEM-01 left out);
- ueberfaellig (not irregular): the latest period with a value ended more than the periodicity
  (365/183/92/31 days) plus 90 days before the reference date.

Prints the number of findings per rule type. With --compare it also reads the active warnings kimo
stored (run `kimo evaluate` first, with the same --as-of) and exits 1 when the counts differ.
Only the default rules are implemented: a database with a stored rules file is refused.

    python3 scripts/evaluate-pandas.py /tmp/state/s.db --as-of 2026-12-01 --compare
"""

import argparse
import datetime as dt
import sqlite3
import sys

import numpy as np
import pandas as pd

TREND_PERIODS = 3
TREND_MIN_PERCENT = 5.0
MIN_POPULATION = 300.0
POPULATION_INDICATOR = "DEM-01"
DYNAMICS_PERIODS = 2
GRACE_DAYS = 90
EXPECTED_DAYS = {"year": 365, "school-year": 365, "irregular": 365, "half-year": 183,
                 "quarter": 92, "month": 31}

POLARITY = {"higher-better": 1, "höher besser": 1, "hoeher besser": 1, "↑": 1, "+": 1,
            "positiv": 1, "lower-better": -1, "niedriger besser": -1, "↓": -1, "-": -1,
            "negativ": -1}
PERIODICITY = {"year": "year", "jährlich": "year", "jaehrlich": "year", "jahr": "year", "": "year",
               "half-year": "half-year", "halbjährlich": "half-year", "halbjaehrlich": "half-year",
               "halbjahr": "half-year", "quarter": "quarter", "quartalsweise": "quarter",
               "vierteljährlich": "quarter", "quartal": "quarter", "month": "month",
               "monatlich": "month", "monat": "month", "school-year": "school-year",
               "schuljahr": "school-year", "schuljährlich": "school-year",
               "irregular": "irregular", "unregelmäßig": "irregular", "stichtag": "irregular"}

# Period codes as kimo stores them; kinds in the order of kimo's `Period` (which sorts by kind first).
KIND_STEP = 10_000_000
YEAR, HALF, QUARTER, MONTH, SCHOOL, DATE = range(6)


def parse_period(code):
    """(sort key, start date, end date) of a canonical period code; adjacent periods differ by 1."""
    if len(code) == 4:
        y = int(code)
        return YEAR * KIND_STEP + y, dt.date(y, 1, 1), dt.date(y, 12, 31)
    if code[4:6] == "-H":
        y, h = int(code[:4]), int(code[6])
        return (HALF * KIND_STEP + 2 * y + h - 1, dt.date(y, 1 if h == 1 else 7, 1),
                month_end(y, 6 * h))
    if code[4:6] == "-Q":
        y, q = int(code[:4]), int(code[6])
        return QUARTER * KIND_STEP + 4 * y + q - 1, dt.date(y, 3 * q - 2, 1), month_end(y, 3 * q)
    if code[4] == "/":
        y = int(code[:4])
        return SCHOOL * KIND_STEP + y, dt.date(y, 8, 1), dt.date(y + 1, 7, 31)
    if len(code) == 7:
        y, m = int(code[:4]), int(code[5:7])
        return MONTH * KIND_STEP + 12 * y + m - 1, dt.date(y, m, 1), month_end(y, m)
    d = dt.date.fromisoformat(code)
    return DATE * KIND_STEP + d.toordinal(), d, d


def month_end(y, m):
    return dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)


def min_change(unit):
    """(absolute, relative in %) least substantive change of a unit."""
    unit = (unit or "").strip()
    if unit in ("%", "Prozent", "prozent", "percent"):
        return 0.5, np.nan
    if unit in ("‰", "Promille", "promille"):
        return 1.0, np.nan
    return np.nan, 2.0


def reached(first, last, absolute, relative):
    """kimo's MinChange::reached, element-wise."""
    limit = np.where(np.isnan(absolute), np.abs(first) * relative / 100.0, absolute)
    return np.abs(last - first) >= limit - 1e-9 * np.maximum(np.abs(limit), 1.0)


def load(con):
    rules = con.execute("SELECT value FROM setting WHERE name = 'regeln'").fetchone()
    if rules and rules[0].strip():
        sys.exit("Die Datenbank hat eine gespeicherte Regeldatei; dieses Skript kennt nur die "
                 "Standardregeln.")
    ind = pd.read_sql("SELECT id AS indicator_id, code, unit, polarity, periodicity FROM indicator",
                      con)
    ind["sign"] = ind["polarity"].str.strip().str.lower().map(POLARITY).fillna(0)
    ind["periodicity"] = ind["periodicity"].str.strip().str.lower().map(PERIODICITY)
    ind[["min_abs", "min_rel"]] = [min_change(u) for u in ind["unit"]]
    areas = pd.read_sql("SELECT a.id AS area_id, a.code, a.level, p.code AS parent FROM area a "
                        "LEFT JOIN area p ON p.id = a.parent_id", con)
    obs = pd.read_sql("SELECT indicator_id, area_id, breakdown, period, value, flags "
                      "FROM observation", con)
    periods = {c: parse_period(c) for c in obs["period"].unique()}
    obs["pkey"] = obs["period"].map(lambda c: periods[c][0])
    obs["brk"] = obs["flags"].str.contains("b", regex=False).fillna(False)
    return ind, areas, obs, periods


def trend(ind, obs):
    """Worsening streaks of the last TREND_PERIODS steps on every area's total."""
    watched = ind[ind["sign"] != 0]
    t = obs[(obs["breakdown"] == "") & obs["indicator_id"].isin(watched["indicator_id"])]
    t = t.sort_values(["indicator_id", "area_id", "pkey"])
    keys = ["indicator_id", "area_id"]
    t = t[t.groupby(keys).cumcount(ascending=False) <= TREND_PERIODS]
    for col in ["sign", "min_abs", "min_rel"]:
        t[col] = t["indicator_id"].map(watched.set_index("indicator_id")[col])
    g = t.groupby(keys, sort=False)
    prev_value, prev_key = g["value"].shift(), g["pkey"].shift()
    adjacent = (t["pkey"] - prev_key == 1) | (t["pkey"] >= DATE * KIND_STEP)
    worse = np.sign(t["value"] - prev_value) == -t["sign"]
    t["step"] = adjacent & ~t["brk"] & worse & prev_value.notna()
    s = t.groupby(keys).agg(n=("value", "size"), values=("value", "count"),
                            first=("value", "first"), last=("value", "last"),
                            steps=("step", "sum"), min_abs=("min_abs", "first"),
                            min_rel=("min_rel", "first"))
    s = s[(s["n"] == TREND_PERIODS + 1) & (s["values"] == s["n"]) & (s["steps"] == TREND_PERIODS)]
    total = np.where(s["first"] != 0, (s["last"] - s["first"]).abs() / s["first"].abs() * 100,
                     np.inf)
    fires = (total >= TREND_MIN_PERCENT) & reached(s["first"], s["last"], s["min_abs"],
                                                     s["min_rel"])
    return int(fires.sum())


def population(obs, ind, children, periods):
    """DEM-01's totals of the areas below the city, or None."""
    pop_id = ind.loc[ind["code"] == POPULATION_INDICATOR, "indicator_id"]
    if pop_id.empty:
        return None
    p = obs[(obs["indicator_id"] == pop_id.iloc[0]) & (obs["breakdown"] == "")
            & obs["area_id"].isin(children)].sort_values(["area_id", "pkey"])
    p = p.assign(start=p["period"].map(lambda c: periods[c][1]))
    return p[["area_id", "pkey", "start", "value"]]


def status_dynamics(ind, areas, obs, periods):
    """Areas with a low status and negative dynamics, per indicator that is not neutral."""
    city = areas[areas["parent"].isna() & (areas["level"] == 0)]
    if city.empty:
        return 0
    children = areas.loc[areas["parent"] == city["code"].iloc[0], "area_id"]
    pop = population(obs, ind, children, periods)
    t = obs[(obs["breakdown"] == "") & obs["area_id"].isin(children)]
    found = 0
    for row in ind[ind["sign"] != 0].itertuples():
        s = t[t["indicator_id"] == row.indicator_id]
        with_value = s[s["value"].notna()]
        if with_value.empty:
            continue
        latest = with_value["pkey"].max()
        now = s[s["pkey"] == latest].set_index("area_id")["value"].dropna()
        earlier = latest - DYNAMICS_PERIODS if latest < DATE * KIND_STEP else None
        before = s[s["pkey"] == earlier].set_index("area_id")["value"]
        x = pd.DataFrame({"value": now, "earlier": before.reindex(now.index)})
        if pop is not None:
            end = next(e for k, _, e in periods.values() if k == latest)
            cand = pop[(pop["pkey"] <= latest) | (pop["start"] <= end)]
            people = cand.groupby("area_id").tail(1).set_index("area_id")["value"]
            x["people"] = people.reindex(x.index)
            x = x[~(x["people"] < MIN_POPULATION)]
        if len(x) < 3:
            continue
        sd = x["value"].std(ddof=0)
        z = row.sign * -1 * (x["value"] - x["value"].mean()) / sd if sd > 0 else 0.0 * x["value"]
        change = x["value"] - x["earlier"]
        if change.count() < 3:
            continue
        csd = change.std(ddof=0)
        zd = row.sign * -1 * (change - change.mean()) / csd if csd > 0 else 0.0 * change
        substantive = reached(x["earlier"], x["value"], row.min_abs, row.min_rel)
        worse = -row.sign * change > 0
        negative = (zd > 1) & substantive & worse
        found += int(((z > 1) & negative).sum())
    return found


def overdue(ind, obs, periods, as_of):
    """Indicators whose latest value is overdue."""
    latest = obs[obs["value"].notna()].groupby("indicator_id")["pkey"].max()
    ends = {k: d for k, _, d in periods.values()}
    found = 0
    for row in ind[ind["periodicity"] != "irregular"].itertuples():
        if row.indicator_id not in latest.index:
            continue
        due = ends[latest[row.indicator_id]] + dt.timedelta(
            days=EXPECTED_DAYS[row.periodicity] + GRACE_DAYS)
        found += as_of > due
    return found


def stored(con):
    """The active warnings kimo keeps, per rule type."""
    rows = con.execute("SELECT kind, COUNT(*) FROM warning WHERE active = 1 GROUP BY kind")
    return dict(rows.fetchall())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("database", help="SQLite-Datei von kimo")
    ap.add_argument("--as-of", help="Stichtag JJJJ-MM-TT (Standard: heute)")
    ap.add_argument("--compare", action="store_true",
                    help="mit den von kimo gespeicherten aktiven Warnhinweisen vergleichen")
    args = ap.parse_args()
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    con = sqlite3.connect(args.database)
    ind, areas, obs, periods = load(con)
    counts = {
        "trend": trend(ind, obs),
        "status_dynamik": status_dynamics(ind, areas, obs, periods),
        "ueberfaellig": overdue(ind, obs, periods, as_of),
    }
    print(f"{len(obs)} Werte geprüft")
    for kind, n in counts.items():
        print(f"{kind}: {n}")
    if args.compare:
        kimo = stored(con)
        same = all(kimo.get(k, 0) == n for k, n in counts.items()) and set(kimo) <= set(counts)
        print("kimo:", ", ".join(f"{k}: {n}" for k, n in sorted(kimo.items())))
        print("gleich" if same else "VERSCHIEDEN")
        sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
