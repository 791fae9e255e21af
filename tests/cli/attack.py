"""An independent differencing attacker on a written evidence pack (scipy's HiGHS LP solver).

Reads only the pack's CSV tables, as a hostile reader would, and for every item (wave,
question) builds the linear system the published figures define: each group's positive,
neutral and negative counts are non-negative; the whole organisation is the sum of each
field's groups and a one-way group the sum of its row or column of every cross; a withheld
group's published reason bounds its size (primary: below the threshold; secondary: at least
the threshold); its published respondents bound it above. For every withheld group it finds
the least and greatest value of each count, of its size, and of its size less each count,
and prints every value with no room (a recovered figure), skipping what a published group
containing it already says (no one in it gave that answer, or everyone did) and a size equal
to its published respondents, and the counts of a group shown to be empty.

Usage: python3 attack.py <pack folder> <threshold>   (prints "recovered N" last)
"""

import csv
import sys
from collections import defaultdict

import numpy as np
from scipy.optimize import linprog


def read(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def main(pack, k):
    t = pack + "/tables/"
    fields = {}
    for g in read(t + "dim_group.csv"):
        sides = []
        for i in (1, 2):
            if g[f"field_{i}_id"]:
                sides.append((g[f"field_{i}_id"], g[f"category_{i}"]))
        fields[g["group_key"]] = tuple(sides)
    respondents = {}
    for r in read(t + "fact_response_rates.csv"):
        if r["responses"] not in ("", "[c]"):
            respondents[(r["wave_id"], r["group_key"])] = float(r["responses"])
    families = defaultdict(list)
    for r in read(t + "fact_item_results.csv"):
        families[(r["wave_id"], r["question_id"])].append(r)
    recovered = 0
    for (wave, q), rows in sorted(families.items()):
        keys = [r["group_key"] for r in rows]
        at = {g: i for i, g in enumerate(keys)}
        cols = ("n_positive", "n_neutral", "n_negative")
        shown = [None if r["suppressed"] == "true" else [float(r[c]) for c in cols] for r in rows]
        # Lines: (total, parts).
        lines = []
        one_way = defaultdict(list)
        cross = defaultdict(list)
        for g, i in at.items():
            fs = fields.get(g, ())
            if len(fs) == 1:
                one_way[fs[0][0]].append(i)
            elif len(fs) == 2:
                cross[(fs[0][0], fs[1][0])].append(i)
        if "overall" in at:
            for parts in one_way.values():
                lines.append((at["overall"], parts))
        for (fa, fb), members in cross.items():
            for side, f in ((0, fa), (1, fb)):
                by = defaultdict(list)
                for i in members:
                    by[fields[keys[i]][side][1]].append(i)
                for cat, parts in by.items():
                    total = next((j for j in one_way.get(f, []) if fields[keys[j]][0][1] == cat), None)
                    if total is not None:
                        lines.append((total, parts))
        hidden = [i for i in range(len(rows)) if shown[i] is None]
        if not hidden:
            continue
        # What published groups say of the groups inside them.
        none_above = defaultdict(set)
        all_above = defaultdict(set)
        for _ in range(3):
            for tot, parts in lines:
                for j in range(3):
                    v = shown[tot]
                    none = (v is not None and v[j] == 0) or j in none_above[tot]
                    alls = (v is not None and v[j] > 0 and sum(v) - v[j] == 0) or j in all_above[tot]
                    for p in parts:
                        if none:
                            none_above[p].add(j)
                        if alls:
                            all_above[p].add(j)
        base = {c: 3 * i for i, c in enumerate(hidden)}
        nv = 3 * len(hidden)
        a_eq, b_eq, a_ub, b_ub = [], [], [], []
        for tot, parts in lines:
            for j in range(3):
                row = np.zeros(nv)
                rhs = 0.0
                for c, s in [(p, 1.0) for p in parts] + [(tot, -1.0)]:
                    if shown[c] is None:
                        row[base[c] + j] += s
                    else:
                        rhs -= s * shown[c][j]
                if row.any():
                    a_eq.append(row)
                    b_eq.append(rhs)
        for c in hidden:
            row = np.zeros(nv)
            row[base[c]:base[c] + 3] = 1
            reason = rows[c]["suppression_reason"]
            if reason == "primary":
                a_ub.append(row)
                b_ub.append(k - 1)
            elif reason == "secondary":
                a_ub.append(-row)
                b_ub.append(-k)
            up = respondents.get((wave, keys[c]))
            if up is not None:
                a_ub.append(row.copy())
                b_ub.append(up)

        kw = dict(A_ub=a_ub or None, b_ub=b_ub or None, A_eq=a_eq or None,
                  b_eq=b_eq or None, bounds=(0, None), method="highs")
        targets = []
        for c in hidden:
            for j in range(3):
                if j not in none_above[c]:
                    o = np.zeros(nv)
                    o[base[c] + j] = 1
                    targets.append((c, cols[j], o))
            o = np.zeros(nv)
            o[base[c]:base[c] + 3] = 1
            targets.append((c, "n", o))
            for j in range(3):
                if j not in none_above[c] and j not in all_above[c]:
                    o = np.zeros(nv)
                    o[base[c]:base[c] + 3] = 1
                    o[base[c] + j] = 0
                    targets.append((c, f"n - {cols[j]}", o))
        objs = np.array([o for _, _, o in targets])
        lo_seen = np.full(len(targets), np.inf)
        hi_seen = np.full(len(targets), -np.inf)
        inconsistent = False
        leaks = []
        for i, (c, name, o) in enumerate(targets):
            for sign in (1.0, -1.0):
                if hi_seen[i] - lo_seen[i] >= 0.5:
                    break
                res = linprog(sign * o, **kw)
                if res.status == 2:
                    inconsistent = True
                    break
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
            if inconsistent:
                print(f"{wave} {q}: the published figures do not add up")
                break
            if hi_seen[i] - lo_seen[i] < 0.5:
                up = respondents.get((wave, keys[c]))
                if name == "n" and up is not None and abs(lo_seen[i] - up) < 0.5:
                    continue
                leaks.append((c, name, round(lo_seen[i])))
        # A group shown to be empty gives nothing away about anyone.
        empty = {c for c, name, v in leaks if name == "n" and v == 0}
        for c, name, v in leaks:
            if c not in empty:
                recovered += 1
                print(f"{wave} {q} {keys[c]}: {name} = {v}")
    print(f"recovered {recovered}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
