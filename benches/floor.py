"""The floor: polars reads both waves' CSVs (every column) and nothing else.

Usage: python3 benches/floor.py DIR   (DIR holds wave-2025.csv and wave-2026.csv)
Prints the rows read and the process's peak memory in MiB.
"""
import resource
import sys

import polars as pl

d = sys.argv[1]
rows = sum(pl.read_csv(f"{d}/wave-{y}.csv").height for y in (2025, 2026))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(rows, round(peak, 1))
