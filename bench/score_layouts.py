"""Scores the layouts of bench/browser_cluster.mjs and prints one line per comparison.

    python bench/score_layouts.py DIM RESULTS_JSON [--sample 5000]

Trustworthiness at 15 neighbours (cosine in the original space) on the same
seeded sample of points for every tool, as bench/cluster_peers.py does natively.
"""
import argparse
import json

import numpy as np
from sklearn.manifold import trustworthiness


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dim", type=int)
    p.add_argument("results")
    p.add_argument("--sample", type=int, default=5000)
    a = p.parse_args()
    results = json.load(open(a.results))
    layouts = [r for r in results if r["what"] == "layout" and "layout" in r]
    for r in layouts:
        x = np.fromfile(r["vectors"], dtype=np.float32).reshape(-1, a.dim)
        y = np.fromfile(r["layout"], dtype=np.float32).reshape(-1, 2)
        sample = np.sort(np.random.default_rng(1).choice(len(x), min(a.sample, len(x)), replace=False))
        r["trust"] = float(trustworthiness(x[sample], y[sample], n_neighbors=15, metric="cosine"))
    for n in sorted({r["n"] for r in layouts}):
        ours = next((r for r in layouts if r["n"] == n and r["tool"] == "kleio"), None)
        if ours is None:
            continue
        for peer in ("umap-js", "embedding-atlas"):
            theirs = next((r for r in layouts if r["n"] == n and r["tool"] == peer), None)
            if theirs is None:
                print(f"browser layout n={n}: kleio {ours['seconds']:.2f} s (trustworthiness {ours['trust']:.4f}); {peer} did not finish")
                continue
            print(f"browser layout n={n}: kleio {ours['seconds']:.2f} s (trustworthiness {ours['trust']:.4f}), "
                  f"{peer} {theirs['seconds']:.2f} s (trustworthiness {theirs['trust']:.4f}): {theirs['seconds'] / ours['seconds']:.2f}x")
    json.dump(results, open(a.results, "w"), indent=1)


if __name__ == "__main__":
    main()
