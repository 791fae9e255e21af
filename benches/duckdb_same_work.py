"""The same counting in DuckDB, for comparison: for each wave and each breakdown (the whole
organisation, every demographic field, and the two crosses the workload config asks for), one
SQL query of conditional sums: how many chose each answer of each item in each group.

Usage: python3 benches/duckdb_same_work.py DIR
"""
import sys

import duckdb

d = sys.argv[1]
fields = ["directorate", "grade", "line_manager", "sex", "age_band", "ethnicity",
          "disability", "work_pattern"]
breakdowns = [[]] + [[f] for f in fields] + [["directorate", "grade"], ["ethnicity", "grade"]]
items = [f"b{i:02d}" for i in range(1, 61)]
sums = ", ".join(f"sum(({q} = {a})::INT) AS {q}_{a}" for q in items for a in range(1, 6))
con = duckdb.connect()
cells = 0
for year in (2025, 2026):
    con.execute(f"CREATE OR REPLACE TABLE w AS SELECT * FROM read_csv_auto('{d}/wave-{year}.csv')")
    for b in breakdowns:
        by = ", ".join(b)
        sql = f"SELECT {by + ', ' if by else ''}count(*) AS n, {sums} FROM w"
        if by:
            sql += f" GROUP BY {by}"
        cells += len(con.execute(sql).fetchall())
print(cells)
