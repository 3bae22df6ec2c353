"""k-means and the 2-D layout, Kleio against scikit-learn and umap-learn, natively.

    python bench/cluster_peers.py KLEIO_BENCH DIM VECTORS... [--ks 100,1000]
        [--iterations 30] [--sample 5000] [--skip kmeans|layout] [--json OUT]

KLEIO_BENCH is the binary of `cli/benches/cluster.rs`; each VECTORS file is
raw f32, one input size (bench/run makes them with bench/vectors.py). Every
number that judges quality is computed here, the
same way for both sides: inertia from the labels (squared distances to the
means of the clusters), and trustworthiness at 15 neighbours (cosine in the
original space) on the same random sample of points.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def inertia(x, labels):
    total = 0.0
    for c in np.unique(labels):
        members = x[labels == c]
        total += float(((members - members.mean(axis=0)) ** 2).sum())
    return total


def kleio(binary, *args):
    out = subprocess.run([binary, *map(str, args)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("binary")
    p.add_argument("dim", type=int)
    p.add_argument("vectors", nargs="+")
    p.add_argument("--ks", default="100,1000")
    p.add_argument("--iterations", type=int, default=30)
    p.add_argument("--sample", type=int, default=5000)
    p.add_argument("--skip", default="", help="kmeans or layout, to leave one out")
    p.add_argument("--json")
    a = p.parse_args()

    from sklearn.cluster import KMeans
    from sklearn.manifold import trustworthiness
    import sklearn
    import umap

    results = []
    tmp = tempfile.mkdtemp()
    print(f"{os.cpu_count()} cores; scikit-learn {sklearn.__version__}, umap-learn {umap.__version__}", flush=True)
    for path in a.vectors:
        x = np.fromfile(path, dtype=np.float32).reshape(-1, a.dim)
        n = len(x)
        rng = np.random.default_rng(1)
        if "kmeans" not in a.skip:
            for k in map(int, a.ks.split(",")):
                start = time.perf_counter()
                km = KMeans(n_clusters=k, init="k-means++", n_init=1, max_iter=a.iterations, tol=0.0, algorithm="lloyd", random_state=0).fit(x)
                sk_s = time.perf_counter() - start
                ours = kleio(a.binary, "kmeans", path, a.dim, k, a.iterations, 0, os.path.join(tmp, "labels"))
                labels = np.fromfile(os.path.join(tmp, "labels"), dtype=np.uint32)
                r = {
                    "what": "kmeans", "n": n, "k": k, "kleio_device": ours["device"], "kleio_ms_per_iteration": ours.get("ms_per_iteration"),
                    "kleio_s": ours["seconds"], "kleio_iterations": ours["iterations"], "kleio_inertia": inertia(x, labels),
                    "sklearn_s": sk_s, "sklearn_iterations": int(km.n_iter_), "sklearn_inertia": inertia(x, km.labels_),
                }
                r["ratio"] = r["sklearn_s"] / r["kleio_s"]
                results.append(r)
                per = f", {r['kleio_ms_per_iteration']:.0f} ms per iteration" if r["kleio_ms_per_iteration"] else ""
                print(f"kmeans n={n} k={k}: kleio {r['kleio_s']:.2f} s ({r['kleio_iterations']} it{per}, inertia {r['kleio_inertia']:.1f}, {ours['device']}), "
                      f"scikit-learn {r['sklearn_s']:.2f} s ({r['sklearn_iterations']} it, inertia {r['sklearn_inertia']:.1f}): "
                      f"{r['ratio']:.2f}x", flush=True)
        if "layout" not in a.skip:
            # umap-learn compiles its kernels (numba) on first use; do that on a small input first, untimed
            # (6,000 points: below 4,096 it skips the nearest-neighbour descent and would compile less).
            umap.UMAP(n_neighbors=15, min_dist=0.0, metric="cosine").fit_transform(x[:6000])
            start = time.perf_counter()
            theirs = umap.UMAP(n_neighbors=15, min_dist=0.0, metric="cosine").fit_transform(x)
            umap_s = time.perf_counter() - start
            ours = kleio(a.binary, "layout", path, a.dim, 0, os.path.join(tmp, "layout"))
            layout = np.fromfile(os.path.join(tmp, "layout"), dtype=np.float32).reshape(-1, 2)
            sample = np.sort(rng.choice(n, min(a.sample, n), replace=False))
            t_ours = trustworthiness(x[sample], layout[sample], n_neighbors=15, metric="cosine")
            t_theirs = trustworthiness(x[sample], theirs[sample], n_neighbors=15, metric="cosine")
            r = {
                "what": "layout", "n": n, "kleio_device": ours["device"], "kleio_s": ours["seconds"], "kleio_knn_s": ours["knn_seconds"], "kleio_trust": float(t_ours),
                "umap_s": umap_s, "umap_trust": float(t_theirs),
            }
            r["ratio"] = r["umap_s"] / r["kleio_s"]
            results.append(r)
            print(f"layout n={n}: kleio {r['kleio_s']:.2f} s (kNN {r['kleio_knn_s']:.2f} s, trustworthiness {t_ours:.4f}), "
                  f"umap-learn {umap_s:.2f} s (trustworthiness {t_theirs:.4f}): {r['ratio']:.2f}x", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
