"""Pool evidence packs as a reader holding all of them would: one folder whose tables hold
every row of every pack, keyed by each table's primary key (from tables/schema.json); where
the packs disagree about a row, the published one is kept (it tells the reader more).

Usage: python3 pool.py <pooled folder> <pack> <pack> [...]
(prints the rows that differed between packs, then "pooled N tables")
"""

import csv
import json
import os
import shutil
import sys


def read(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        r = csv.reader(f)
        header = next(r)
        return header, list(r)


def main(out, packs):
    os.makedirs(os.path.join(out, "tables"), exist_ok=True)
    for name in ("disclosure.json", "member_feedback_disclosure.json"):
        shutil.copy(os.path.join(packs[0], name), os.path.join(out, name))
    schema = json.load(open(os.path.join(packs[0], "tables", "schema.json")))
    differing = 0
    pooled = 0
    for table in schema["tables"]:
        file = table["name"] + ".csv"
        header, merged, order = None, {}, []
        for pack in packs:
            path = os.path.join(pack, "tables", file)
            if not os.path.exists(path):
                continue
            header, rows = read(path)
            key_at = [header.index(c) for c in table["primary_key"]]
            shown = header.index("suppressed") if "suppressed" in header else None
            for row in rows:
                key = tuple(row[i] for i in key_at)
                if key not in merged:
                    merged[key] = row
                    order.append(key)
                elif merged[key] != row:
                    differing += 1
                    print("differs:", table["name"], key)
                    if shown is not None and row[shown] == "false":
                        merged[key] = row
        if header is None:
            continue
        with open(os.path.join(out, "tables", file), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            for key in order:
                w.writerow(merged[key])
        pooled += 1
    print(f"pooled {pooled} tables, {differing} rows differed")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
