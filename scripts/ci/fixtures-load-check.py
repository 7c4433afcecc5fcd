#!/usr/bin/env python3
"""Loads generated NDJSON fixtures into the real schemas on ClickHouse (chdb) with strict parsing.

usage: fixtures-load-check.py PROJECT_DIR FIXTURE_DIR
For every <datasource>.ndjson in FIXTURE_DIR: creates the table from PROJECT_DIR/datasources/
<datasource>.datasource, checks every line has exactly the schema's keys, inserts with
input_format_skip_unknown_fields=0 and basic DateTime parsing (no best-effort guessing), and prints
`<datasource> <lines> <rows in table>`. Exits 1 on the first problem, naming it.
"""
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "local-target"))
import chdb  # noqa: E402
from datafiles import read_datasource  # noqa: E402
from engine import create_table_sql, quote_ident  # noqa: E402


def main() -> int:
    project, fixtures = Path(sys.argv[1]), Path(sys.argv[2])
    with tempfile.TemporaryDirectory() as data:
        conn = chdb.connect(f"{data}/chdb?session_timezone=UTC")
        for path in sorted(fixtures.glob("*.ndjson")):
            name = path.stem
            ds = read_datasource(project / "datasources" / f"{name}.datasource")
            columns = [c.name for c in ds.columns]
            payload = path.read_bytes()
            lines = payload.splitlines()
            for number, line in enumerate(lines, 1):
                keys = list(json.loads(line).keys())
                if keys != columns:
                    print(f"{path}:{number}: keys {keys} differ from the schema {columns}")
                    return 1
            conn.query(create_table_sql(ds))
            sql = (f"INSERT INTO {quote_ident(name)} SETTINGS input_format_skip_unknown_fields=0,"
                   " input_format_allow_errors_num=0, date_time_input_format='basic'")
            try:
                with conn.send_insert(sql, "JSONEachRow") as insert:
                    insert.append(payload)
                    insert.finish()
            except Exception as error:  # ClickHouse names the row and column
                print(f"{path}: ClickHouse rejected the data: {error}")
                return 1
            rows = int(conn.query(f"SELECT count() FROM {quote_ident(name)}", "CSV").bytes().decode().strip())
            print(f"{name} {len(lines)} {rows}")
            if rows != len(lines):
                return 1
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
