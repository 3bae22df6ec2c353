"""The vectors the clustering and layout benchmarks share, as raw f32 files.

    python bench/vectors.py embed KLEIO N OUT     # N texts (bench/cluster_texts.py), MiniLM via `kleio embed`
    python bench/vectors.py subset IN DIM N OUT   # a seeded sample of N rows of IN, in their order

Kleio's own embedder makes them (it matches sentence-transformers to cosine
0.999, embed/tests/parity.rs), so the benchmark needs no PyTorch.
"""
import json
import pathlib
import subprocess
import sys

import numpy as np

here = pathlib.Path(__file__).parent


def embed(kleio, n, out):
    texts = subprocess.run([sys.executable, str(here / "cluster_texts.py"), str(n)], check=True, capture_output=True, text=True).stdout
    proc = subprocess.run([kleio, "embed", "--model", "minilm", "--backend", "cpu"], input=texts, check=True, capture_output=True, text=True)
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == n, f"{len(rows)} vectors for {n} texts"
    np.asarray(rows, dtype=np.float32).tofile(out)


def subset(src, dim, n, out):
    x = np.fromfile(src, dtype=np.float32).reshape(-1, dim)
    pick = np.sort(np.random.default_rng(0).choice(len(x), n, replace=False))
    x[pick].tofile(out)


if __name__ == "__main__":
    if sys.argv[1] == "embed":
        embed(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "subset":
        subset(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(f"unknown command {sys.argv[1]!r}: expected embed or subset")
