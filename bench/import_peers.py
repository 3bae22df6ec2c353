"""Parquet import: Kleio (cli/benches/import.rs) against pyarrow reading the
same file into Python objects (pyarrow.parquet.read_table + to_pylist), on a
WildChat-shaped file of ROWS synthetic conversations written by pyarrow with
zstd (the codec WildChat-1M is published with).

    python3 bench/import_peers.py [ROWS]      (run by bench/run; needs pyarrow)
    python3 bench/import_peers.py --file ROWS  writes (once) and prints the file's path

Prints one line per reader and the ratio; JSON to $KLEIO_CACHE/bench/last/import.json.
"""

import json
import os
import random
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "core", "tests", "data"))
import make_import_fixtures as shapes  # noqa: E402


GROUP_ROWS = 10_000
# Words the synthetic turns are drawn from: text that zstd compresses about
# as much as real chat text (3-4x), not a repeated sentence it all but erases.
WORDS = [f"{a}{b}" for a in ("ka", "lo", "mi", "ne", "su", "ta", "vo", "ri", "pe", "du") for b in
         ("ran", "tel", "mos", "vik", "da", "ne", "sor", "lum", "pa", "gis", "to", "ber", "ax", "quo", "fen", "il", "ru", "zam", "hop", "et")]


def write(path, rows):
    """ROWS WildChat-shaped conversations in row groups of GROUP_ROWS, written
    a group at a time (a million rows never sit in Python at once)."""
    base = shapes.rows()[:40]
    rng = random.Random(11)
    with pq.ParquetWriter(path, shapes.WILDCHAT, compression="zstd") as writer:
        for first in range(0, rows, GROUP_ROWS):
            records = []
            for i in range(first, min(rows, first + GROUP_ROWS)):
                r = dict(base[i % 40])
                r["index"] = i
                # Longer, distinct texts, as real conversations are (about 1 kB a row).
                r["turns"] = [(role, f"{text} " + " ".join(rng.choices(WORDS, k=40))) for role, text in r["turns"]]
                records.append(shapes.wildchat(r))
            writer.write_table(pa.Table.from_pylist(records, schema=shapes.WILDCHAT), row_group_size=GROUP_ROWS)


def bench_file(rows):
    """The benchmark's file of ROWS rows, written once and kept."""
    work = os.path.join(os.environ.get("KLEIO_CACHE", os.path.expanduser("~/.cache/kleio")), "bench")
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, f"wildchat-{rows}-words.zstd.parquet")
    if not os.path.exists(path):
        write(path + ".tmp", rows)
        os.replace(path + ".tmp", path)
    return path


def main():
    if sys.argv[1:2] == ["--file"]:
        print(bench_file(int(sys.argv[2])))
        return
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    work = os.path.join(os.environ.get("KLEIO_CACHE", os.path.expanduser("~/.cache/kleio")), "bench")
    os.makedirs(os.path.join(work, "last"), exist_ok=True)
    path = bench_file(rows)
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
