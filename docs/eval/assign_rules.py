"""Compare ways of assigning base clusters to HWU64's known scenarios by
embeddings alone, the choice behind the offline analyst's assign rule
(docs/eval/README.md). Stand-ins for Kleio's own parts: sentence-transformers
for the embedder (the same weights, cosine >= 0.999 with Kleio's) and
scikit-learn's k-means; the utterance itself for its summary.

    python3 -m venv /tmp/rules && /tmp/rules/bin/python -m pip install \
        -r bench/requirements-embed.txt scikit-learn==1.9.1
    /tmp/rules/bin/python docs/eval/assign_rules.py ../shared/data weights/minilm [SEEDS]

Prints, per seed, the accuracy of each rule (share of rows whose cluster's
scenario is their label) next to the clustering's purity, which bounds them.
"""

import json
import pathlib
import sys

import numpy as np
from sentence_transformers import SentenceTransformer, models
from sklearn.cluster import KMeans

data, weights = pathlib.Path(sys.argv[1]), sys.argv[2]
seeds = range(int(sys.argv[3]) if len(sys.argv) > 3 else 3)
CLUSTERS = 200

rows = [json.loads(line) for f in ("all-00000.jsonl", "all-00001.jsonl") for line in open(data / "hwu64/normalized" / f)]
texts = [r["messages"][0]["content"] for r in rows]
level1 = [r["labels"]["level1"] for r in rows]
taxonomy = {}
for r in rows:
    taxonomy.setdefault(r["labels"]["level1"], set()).add(r["labels"]["level2"])
names = sorted(taxonomy)
human = lambda s: s.replace("_", " ").replace("-", " ")
# As `kleio eval reconstruct` describes a category, and its parts.
descriptions = [f"Requests about {human(c)}: " + ", ".join(human(x.removeprefix(c + "_")) for x in sorted(taxonomy[c])) + "." for c in names]
parts = [(i, human(x)) for i, c in enumerate(names) for x in sorted(taxonomy[c])]
part_of = np.array([i for i, _ in parts])
truth = np.array([names.index(c) for c in level1])

transformer = models.Transformer(weights, max_seq_length=256)
model = SentenceTransformer(modules=[transformer, models.Pooling(transformer.get_embedding_dimension(), "mean"), models.Normalize()], device="cpu")
rows_v = model.encode(texts, batch_size=64, convert_to_numpy=True)
descriptions_v = model.encode(descriptions, convert_to_numpy=True)
parts_v = model.encode([p for _, p in parts], convert_to_numpy=True)

unit = lambda a: a / np.linalg.norm(a, axis=-1, keepdims=True)
per_category = lambda cosines, f: np.stack([f(cosines[:, part_of == k]) for k in range(len(names))], 1)
soft_max = lambda t: lambda c: t * np.log(np.exp(c / t).sum(1))
soft_mean = lambda t: lambda c: t * np.log(np.exp(c / t).mean(1))



def placed_children(own, centroids, sizes, weight, rounds=10):
    """Kleio's batch assign: each round adds, per category, the cosine with the
    size-weighted sum of the other clusters placed there (the category's own
    score standing in where it has none), until no cluster moves."""
    picked = own.argmax(1)
    for _ in range(rounds - 1):
        sums = np.zeros((own.shape[1], centroids.shape[1]))
        np.add.at(sums, picked, sizes[:, None] * centroids)
        others = np.repeat(sums[None], len(picked), 0)
        others[np.arange(len(picked)), picked] -= sizes[:, None] * centroids
        norms = np.linalg.norm(others, axis=2)
        cosines = np.einsum("jkd,jd->jk", others, centroids) / np.maximum(norms, 1e-9)
        moved = (own + weight * np.where(norms > 1e-3, cosines, own)).argmax(1)
        if (moved == picked).all():
            break
        picked = moved
    return picked


for seed in seeds:
    labels = KMeans(CLUSTERS, n_init=1, random_state=seed).fit_predict(rows_v)
    centroids = unit(np.stack([rows_v[labels == j].mean(0) for j in range(CLUSTERS)]))
    accuracy = lambda picked: round(float((picked[labels] == truth).mean()), 4)
    majority = np.array([np.bincount(truth[labels == j], minlength=len(names)).argmax() for j in range(CLUSTERS)])
    to_parts = centroids @ parts_v.T
    shared = descriptions_v.mean(0)
    sizes = np.bincount(labels, minlength=CLUSTERS).astype(float)
    member_nearest = per_category(rows_v @ parts_v.T, soft_max(0.05)).argmax(1)
    results = {
        "purity (bound)": accuracy(majority),
        "one description vector": accuracy((centroids @ descriptions_v.T).argmax(1)),
        "centred description vectors": accuracy((unit(centroids - shared) @ unit(descriptions_v - shared).T).argmax(1)),
        "maximum over parts": accuracy(per_category(to_parts, lambda c: c.max(1)).argmax(1)),
        **{f"soft maximum, T={t}": accuracy(per_category(to_parts, soft_max(t)).argmax(1)) for t in (0.03, 0.05, 0.07)},
        "soft mean, T=0.05": accuracy(per_category(to_parts, soft_mean(0.05)).argmax(1)),
        **{f"soft maximum and placed clusters, weight {w}": accuracy(placed_children(per_category(to_parts, soft_max(0.05)), centroids, sizes, w)) for w in (1.0, 1.5, 2.0)},
        "members' vote": accuracy(np.array([np.bincount(member_nearest[labels == j], minlength=len(names)).argmax() for j in range(CLUSTERS)])),
    }
    print(f"seed {seed}: " + ", ".join(f"{k} {v:.3f}" for k, v in results.items()))
