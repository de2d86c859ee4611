"""Runs the SQL blocks of docs/parquet.md that start with `-- name: NAME` with DuckDB, in the
current directory (where the test wrote packets.parquet), and prints {NAME: rows} as JSON.
Timestamps become epoch seconds. Usage: python parquet_queries.py DOC.md"""
import datetime
import json
import re
import sys

import duckdb


def value(v):
    if isinstance(v, datetime.datetime):
        return int(v.timestamp())
    return v


def main():
    doc = open(sys.argv[1], encoding="utf-8").read()
    results = {}
    for block in re.findall(r"```sql\n(.*?)```", doc, re.S):
        first = block.splitlines()[0]
        m = re.match(r"-- name: (\w+)", first)
        if not m:
            continue
        con = duckdb.connect()
        rows = []
        for statement in (s.strip() for s in block.split(";")):
            if statement and not all(l.startswith("--") for l in statement.splitlines()):
                rows = con.execute(statement).fetchall()
        results[m.group(1)] = [[value(v) for v in row] for row in rows]
        con.close()
    json.dump(results, sys.stdout)


main()
