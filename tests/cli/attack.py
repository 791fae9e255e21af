"""An independent differencing attacker on a written evidence pack (scipy's HiGHS LP solver).

Reads only the pack's CSV tables, as a hostile reader would, and for every family of figures
builds the linear system the published figures define:

- the staff survey: each item (wave, question), its groups' positive, neutral and negative
  counts, bounded by each group's published respondents;
- the staff survey's sizes: each wave's responses and HR headcounts by group (a withheld
  headcount is pinned as surely as a withheld count), each indicator's respondents, and each
  key-driver outcome's respondents analysed (listwise, so the groups add up like any count);
- member feedback: each question, indicator and the forms count by quarter, with the
  quarter's months as one more breakdown (a month's committee rows are committee × month
  cells); a question's positive answers are its % positive × n; bounded by the group's
  published forms, else its meetings' attendees.

Beside the LP it reads what is not linear: the weighting summary's spread of weights
(weight_cv, design_effect, effective_n) is published only when no weighting margin's category
has its respondents or headcount withheld (with one margin each weight is headcount /
respondents, so the spread pins a withheld group's respondents); a key driver's score is
withheld wherever the group's result for that theme is; no item cell of member feedback on
fewer than twice the feedback threshold's forms is all positive or none.

Each group's counts are non-negative; the whole organisation is the sum of each field's
groups and a one-way group the sum of its row or column of every cross; a withheld group's
published reason bounds its size (primary: below the threshold; secondary: at least the
threshold; any other reason says nothing). For every withheld group it finds the least and
greatest value of each count, of its size, and of its size less each count, and prints every
value with no room (a recovered figure), skipping what a published group containing it
already says (no one in it gave that answer, or everyone did), a size equal to its published
upper bound, and the counts of a group shown to be empty.

Usage: python3 attack.py <pack folder> <threshold> [<meeting-feedback threshold>]
(prints "recovered N" last)
"""

import csv
import sys
from collections import defaultdict

import numpy as np
from scipy.optimize import linprog


def read(path):
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))
    except FileNotFoundError:
        return []


def num(v):
    try:
        return float(v)
    except ValueError:
        return None


def group_fields(rows):
    fields = {}
    for g in rows:
        sides = []
        for i in (1, 2):
            if g.get(f"field_{i}_id"):
                sides.append((g[f"field_{i}_id"], g[f"category_{i}"]))
        fields[g["group_key"]] = tuple(sides)
    return fields


def lines_of(fields):
    """(totals, parts) by cell position: the parts add up to the totals. `fields` is each
    cell's tuple of (field, category). A cross's category that no one-way group has but that
    joins one-way categories with " + " is a merge: its column adds up to those groups."""
    one_way = defaultdict(list)
    cross = defaultdict(list)
    overall = None
    for i, fs in enumerate(fields):
        if len(fs) == 0:
            overall = i
        elif len(fs) == 1:
            one_way[fs[0][0]].append(i)
        elif len(fs) == 2:
            cross[(fs[0][0], fs[1][0])].append(i)
    lines = []
    if overall is not None:
        for parts in one_way.values():
            lines.append(([overall], parts))
    for (fa, fb), members in cross.items():
        for side, f in ((0, fa), (1, fb)):
            by = defaultdict(list)
            for i in members:
                by[fields[i][side][1]].append(i)
            group = {fields[j][0][1]: j for j in one_way.get(f, [])}
            for cat, parts in by.items():
                if cat in group:
                    lines.append(([group[cat]], parts))
                elif " + " in cat and all(p in group for p in cat.split(" + ")):
                    lines.append(([group[p] for p in cat.split(" + ")], parts))
    return lines


def attack_family(label, keys, fields, shown, reasons, uppers, k, names):
    """Leaks of one family as printable lines. `shown[i]` is the published counts or None."""
    K = len(names)
    lines = lines_of(fields)
    hidden = [i for i in range(len(keys)) if shown[i] is None]
    if not hidden:
        return []
    none_above = defaultdict(set)
    all_above = defaultdict(set)
    for _ in range(3):
        for tots, parts in lines:
            # A merge's total is known when its members all are: their sum.
            vs = [shown[t] for t in tots]
            v = None if any(x is None for x in vs) else [sum(x[j] for x in vs) for j in range(K)]
            for j in range(K):
                none = (v is not None and v[j] == 0) or all(j in none_above[t] for t in tots)
                alls = (v is not None and v[j] > 0 and sum(v) - v[j] == 0) or (
                    len(tots) == 1 and j in all_above[tots[0]])
                for p in parts:
                    if none:
                        none_above[p].add(j)
                    if alls:
                        all_above[p].add(j)
    base = {c: K * i for i, c in enumerate(hidden)}
    nv = K * len(hidden)
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    for tots, parts in lines:
        for j in range(K):
            row = np.zeros(nv)
            rhs = 0.0
            for c, s in [(p, 1.0) for p in parts] + [(t, -1.0) for t in tots]:
                if shown[c] is None:
                    row[base[c] + j] += s
                else:
                    rhs -= s * shown[c][j]
            if row.any():
                a_eq.append(row)
                b_eq.append(rhs)
    for c in hidden:
        row = np.zeros(nv)
        row[base[c]:base[c] + K] = 1
        if reasons[c] == "primary":
            a_ub.append(row)
            b_ub.append(k - 1)
        elif reasons[c] == "secondary":
            a_ub.append(-row)
            b_ub.append(-k)
        if uppers[c] is not None:
            a_ub.append(row.copy())
            b_ub.append(uppers[c])
    kw = dict(A_ub=a_ub or None, b_ub=b_ub or None, A_eq=a_eq or None,
              b_eq=b_eq or None, bounds=(0, None), method="highs")
    targets = []
    for c in hidden:
        if K > 1:
            for j in range(K):
                if j not in none_above[c]:
                    o = np.zeros(nv)
                    o[base[c] + j] = 1
                    targets.append((c, names[j], o))
        o = np.zeros(nv)
        o[base[c]:base[c] + K] = 1
        targets.append((c, "n" if K > 1 else names[0], o))
        if K > 1:
            for j in range(K):
                if j not in none_above[c] and j not in all_above[c]:
                    o = np.zeros(nv)
                    o[base[c]:base[c] + K] = 1
                    o[base[c] + j] = 0
                    targets.append((c, f"n - {names[j]}", o))
    objs = np.array([o for _, _, o in targets])
    lo_seen = np.full(len(targets), np.inf)
    hi_seen = np.full(len(targets), -np.inf)
    leaks = []
    size = "n" if K > 1 else names[0]
    for i, (c, name, o) in enumerate(targets):
        for sign in (1.0, -1.0):
            if hi_seen[i] - lo_seen[i] >= 0.5:
                break
            res = linprog(sign * o, **kw)
            if res.status == 2:
                return [f"{label}: the published figures do not add up"]
            if res.status == 3:  # unbounded: no limit that way
                if sign < 0:
                    hi_seen[i] = np.inf
                else:
                    lo_seen[i] = -np.inf
                continue
            if res.status == 0:
                v = objs @ res.x
                lo_seen = np.minimum(lo_seen, v)
                hi_seen = np.maximum(hi_seen, v)
        if hi_seen[i] - lo_seen[i] < 0.5:
            if name == size and uppers[c] is not None and abs(lo_seen[i] - uppers[c]) < 0.5:
                continue
            leaks.append((c, name, round(lo_seen[i])))
    # A group shown to be empty gives nothing away about anyone.
    empty = {c for c, name, v in leaks if name == size and v == 0}
    return [f"{label} {keys[c]}: {name} = {v}" for c, name, v in leaks if c not in empty]


def staff(t, k):
    fields = group_fields(read(t + "dim_group.csv"))
    respondents = {}
    for r in read(t + "fact_response_rates.csv"):
        if num(r["responses"]) is not None:
            respondents[(r["wave_id"], r["group_key"])] = num(r["responses"])
    families = defaultdict(list)
    for r in read(t + "fact_item_results.csv"):
        families[(r["wave_id"], r["question_id"])].append(r)
    cols = ("n_positive", "n_neutral", "n_negative")
    out = []
    for (wave, q), rows in sorted(families.items()):
        keys = [r["group_key"] for r in rows]
        out += attack_family(
            f"{wave} {q}",
            keys,
            [fields.get(g, ()) for g in keys],
            [None if r["suppressed"] == "true" else [float(r[c]) for c in cols] for r in rows],
            [r["suppression_reason"] for r in rows],
            [respondents.get((wave, g)) for g in keys],
            k,
            cols,
        )
    return out


def sizes(t, k):
    """Responses, headcounts, indicator respondents and drivers' respondents analysed."""
    fields = group_fields(read(t + "dim_group.csv"))
    out = []

    def family(label, rows, value, reason):
        keys = [r["group_key"] for r in rows]
        return attack_family(
            label,
            keys,
            [fields.get(g, ()) for g in keys],
            [None if value(r) is None else [value(r)] for r in rows],
            [reason(r) for r in rows],
            [None] * len(rows),
            k,
            ("n",),
        )

    rates = defaultdict(list)
    for r in read(t + "fact_response_rates.csv"):
        rates[r["wave_id"]].append(r)
    for wave, rows in sorted(rates.items()):
        out += family(f"{wave} responses", rows, lambda r: num(r["responses"]),
                      lambda r: r["suppression_reason"])
        # Not stated has no headcount (HR has no such category): it takes no part. A
        # withheld headcount is empty too, with headcount_withheld.
        known = [r for r in rows if r["headcount"] != "" or r["headcount_withheld"] == "true"]
        out += family(f"{wave} headcount", known,
                      lambda r: None if r["headcount_withheld"] == "true" else num(r["headcount"]),
                      lambda r: "")
    inds = defaultdict(list)
    for r in read(t + "fact_indicator_results.csv"):
        # Not asked in the wave: no figure, and not withheld either.
        if r["n"] != "" or r["suppressed"] == "true":
            inds[(r["wave_id"], r["indicator_id"])].append(r)
    for (wave, ind), rows in sorted(inds.items()):
        out += family(f"{wave} {ind} respondents", rows,
                      lambda r: num(r["n"]) if r["suppressed"] == "false" else None,
                      lambda r: r["suppression_reason"])
    drivers = defaultdict(list)
    for r in read(t + "fact_driver_groups.csv"):
        drivers[(r["wave_id"], r["outcome_indicator_id"])].append(r)
    for (wave, outcome), rows in sorted(drivers.items()):
        out += family(f"{wave} drivers of {outcome}", rows,
                      lambda r: num(r["n"]) if r["status"] == "analysed" else None,
                      lambda r: "")
    return out


def not_linear(t, k_meetings):
    """What the LP cannot model: spreads of weights, driver scores, unanimous feedback."""
    out = []
    hc_withheld = {(r["wave_id"], r["group_key"]) for r in read(t + "fact_response_rates.csv")
                   if r["headcount_withheld"] == "true"}
    withheld = {(r["wave_id"], r["group_key"]) for r in read(t + "fact_weighting_margins.csv")
                if r["suppressed"] == "true" or (r["wave_id"], r["group_key"]) in hc_withheld}
    for r in read(t + "fact_weighting_summary.csv"):
        spread = [r[c] for c in ("weight_cv", "design_effect", "effective_n") if r[c] != ""]
        hidden = sorted(g for w, g in withheld if w == r["wave_id"])
        if spread and hidden:
            out.append(f"{r['wave_id']} weighting: the weights' spread ({', '.join(spread)}) "
                       f"is published beside withheld margin groups {hidden}")
    results = {(r["wave_id"], r["indicator_id"], r["group_key"])
               for r in read(t + "fact_indicator_results.csv") if r["suppressed"] == "true"}
    for r in read(t + "fact_drivers.csv"):
        if (r["wave_id"], r["driver_indicator_id"], r["group_key"]) in results \
                and r["driver_score"] != "":
            out.append(f"{r['wave_id']} drivers of {r['outcome_indicator_id']} "
                       f"{r['group_key']}: {r['driver_indicator_id']} score {r['driver_score']} "
                       "is withheld in fact_indicator_results")
    if k_meetings is not None:
        for name in ("quarter", "month"):
            for r in read(t + f"fact_feedback_item_{name}.csv"):
                n, pct = num(r["n"]), num(r["pct_positive"])
                if r["suppressed"] == "false" and r["group_key"] != "overall" \
                        and n is not None and n < 2 * k_meetings and pct in (0.0, 100.0):
                    out.append(f"feedback {name} {r['question_id']} {r['group_key']}: "
                               f"{pct:g}% positive on {n:g} forms tells each answer")
    return out


def meetings(t, k):
    fields = group_fields(read(t + "dim_feedback_group.csv"))
    quarter_of = {m["month_start"]: m["quarter_key"] for m in read(t + "dim_month.csv")}
    # (period, group) → upper bound on forms: published forms, else attendees.
    forms, attendees = {}, {}
    for name, period in (("quarter", "quarter_key"), ("month", "month_start")):
        for r in read(t + f"fact_feedback_uptake_{name}.csv"):
            key = (r[period], r["group_key"])
            attendees[key] = num(r["attendees"])
            forms[key] = num(r["forms"]) if num(r["forms"]) is not None else num(r["attendees"])
    specs = [
        ("item", "question_id", ("positive answers", "n - positive answers"), forms,
         lambda r: [round(float(r["pct_positive"]) * float(r["n"]) / 100),
                    float(r["n"]) - round(float(r["pct_positive"]) * float(r["n"]) / 100)]),
        ("indicator", "indicator_id", ("n",), forms, lambda r: [float(r["n"])]),
        ("uptake", None, ("forms",), attendees, lambda r: [float(r["forms"])]),
    ]
    out = []
    for name, measure, names, bound, counts in specs:
        families = defaultdict(list)
        for r in read(t + f"fact_feedback_{name}_quarter.csv"):
            key = (r["quarter_key"], r[measure] if measure else "")
            families[key].append((r["group_key"], fields.get(r["group_key"], ()),
                                  (r["quarter_key"], r["group_key"]), r))
        for r in read(t + f"fact_feedback_{name}_month.csv"):
            m = r["month_start"]
            key = (quarter_of.get(m, m), r[measure] if measure else "")
            families[key].append((f"{m} {r['group_key']}",
                                  fields.get(r["group_key"], ()) + (("month", m),),
                                  (m, r["group_key"]), r))
        for (period, what), cells in sorted(families.items()):
            out += attack_family(
                f"{name} {period} {what}".rstrip(),
                [c[0] for c in cells],
                [c[1] for c in cells],
                [None if c[3]["suppressed"] == "true" else counts(c[3]) for c in cells],
                [c[3]["suppression_reason"] for c in cells],
                [bound.get(c[2]) for c in cells],
                k,
                names,
            )
    return out


def main(pack, k, k_meetings):
    t = pack + "/tables/"
    found = staff(t, k) + sizes(t, k) + not_linear(t, k_meetings)
    if k_meetings is not None:
        found += meetings(t, k_meetings)
    for line in found:
        print(line)
    print(f"recovered {len(found)}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else None)
