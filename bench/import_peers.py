"""Parquet import: Kleio (cli/benches/import.rs) against pyarrow reading the
same file into Python objects (pyarrow.parquet.read_table + to_pylist), on a
WildChat-shaped file of ROWS synthetic conversations written by pyarrow with
zstd (the codec WildChat-1M is published with).

    python3 bench/import_peers.py [ROWS]      (run by bench/run; needs pyarrow)

Prints one line per reader and the ratio; JSON to $KLEIO_CACHE/bench/last/import.json.
"""

import json
import os
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "core", "tests", "data"))
import make_import_fixtures as shapes  # noqa: E402


def write(path, rows):
    base = shapes.rows()[:40]
    records = []
    for i in range(rows):
        r = dict(base[i % 40])
        r["index"] = i
        # Longer, distinct texts, as real conversations are.
        r["turns"] = [(role, f"{text} (conversation {i}) " + "More words in this turn. " * 20) for role, text in r["turns"]]
        records.append(shapes.wildchat(r))
    table = pa.Table.from_pylist(records, schema=shapes.WILDCHAT)
    pq.write_table(table, path, compression="zstd", row_group_size=10_000)


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    work = os.path.join(os.environ.get("KLEIO_CACHE", os.path.expanduser("~/.cache/kleio")), "bench")
    os.makedirs(os.path.join(work, "last"), exist_ok=True)
    path = os.path.join(work, f"wildchat-{rows}.zstd.parquet")
    if not os.path.exists(path):
        write(path, rows)
    size_mb = os.path.getsize(path) / 1e6

    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        objects = pq.read_table(path).to_pylist()
        best = min(best, time.perf_counter() - started)
    assert len(objects) == rows
    pyarrow_s = best

    out = subprocess.run(
        ["cargo", "bench", "--quiet", "--locked", "-p", "kleio", "--bench", "import", "--", path],
        check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]
    kleio = json.loads(out)
    assert kleio["rows_in_file"] == rows, kleio
    sample = json.loads(subprocess.run(
        ["cargo", "bench", "--quiet", "--locked", "-p", "kleio", "--bench", "import", "--", path, "10000"],
        check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1])

    result = {
        "rows": rows, "file_mb": round(size_mb, 1),
        "pyarrow_rows_per_s": round(rows / pyarrow_s), "kleio_rows_per_s": round(rows / kleio["seconds"]),
        "ratio": round(pyarrow_s / kleio["seconds"], 2), "kleio_sample_10000_s": round(sample["seconds"], 2),
    }
    print(f"parquet import, {rows} WildChat-shaped rows ({size_mb:.1f} MB zstd): pyarrow to Python objects "
          f"{result['pyarrow_rows_per_s']} rows/s, Kleio {result['kleio_rows_per_s']} rows/s, Kleio/pyarrow {result['ratio']}x; "
          f"Kleio's seeded sample of 10,000 {result['kleio_sample_10000_s']} s")
    with open(os.path.join(work, "last", "import.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
