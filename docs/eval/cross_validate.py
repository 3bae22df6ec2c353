"""Chooses the offline assign's weights by leave-one-set-out cross-validation.

Reads the lines docs/eval/cross_validate.sh collects from
`kleio eval reconstruct --sweep` ("set=S seed=N sweep temperature=T
placed_weight=W accuracy=A"), each run's own line ("set=S seed=N
accuracy=… misplaced_top=…") and the coherence runs' lines ("set=S
coherence_seed=N placed_weight=W accuracy=… misplaced_top=…"), and prints, as Markdown:
- for each set held out, the weights that do best on average over the other
  sets, and the accuracy they get on the held-out set (the honest figure);
- the defaults: among the weights whose accuracy, averaged over all sets
  (each set counting the same), is within TOLERANCE of the best, the weight
  of the placed children that leaves the fewest base clusters misplaced in
  the hierarchy (averaged over the sets), then the best temperature for it;
- each run's own figures (the defaults it ran with), per set over the seeds.

    python3 docs/eval/cross_validate.py LINES
"""

import re
import statistics
import sys
from collections import defaultdict

# One set's accuracy moves by 1 to 6 points from seed to seed, so a mean
# over three seeds is uncertain by about a point: differences below this
# are not told apart.
TOLERANCE = 0.01

sweep = defaultdict(list)  # (set, temperature, weight) -> accuracies over seeds
runs = defaultdict(list)  # set -> [(accuracy, misplaced_top, ceiling, base names closest to their own cluster, accuracy without clusters)]
coherence = defaultdict(list)  # (set, weight) -> [(accuracy, misplaced_top)] over seeds
for line in open(sys.argv[1]):
    fields = dict(re.findall(r"(\w+)=(\S+)", line))
    if "set" not in fields or "accuracy" not in fields:
        continue
    if " sweep " in line:
        key = (fields["set"], float(fields["temperature"]), float(fields["placed_weight"]))
        sweep[key].append(float(fields["accuracy"]))
    elif "seed" in fields:
        runs[fields["set"]].append(
            (
                float(fields["accuracy"]),
                float(fields["misplaced_top"]),
                float(fields.get("ceiling", "nan")),
                float(fields.get("names_first_l0", "nan")),
                float(fields.get("alone", "nan")),
            )
        )
    else:
        coherence[(fields["set"], float(fields["placed_weight"]))].append((float(fields["accuracy"]), float(fields["misplaced_top"])))

sets = sorted({s for s, _, _ in sweep})
grid = sorted({(t, w) for _, t, w in sweep})


def mean_over(chosen_sets, t, w):
    return statistics.mean(statistics.mean(sweep[(s, t, w)]) for s in chosen_sets)


def best(chosen_sets):
    # Ties go to the smaller weights: the simpler rule.
    return max(grid, key=lambda tw: (round(mean_over(chosen_sets, *tw), 4), -tw[1], -tw[0]))


def spread(xs):
    if min(xs) == max(xs):
        # A figure no seed moves (the reference without clusters) has no spread to show.
        return f"{100 * xs[0]:.1f} %"
    return f"{100 * statistics.mean(xs):.1f} % ({100 * min(xs):.1f}–{100 * max(xs):.1f})"


print("# Choosing the assign weights by cross-validation\n")
print("Made by `bash docs/eval/cross_validate.sh`. Accuracy is supervised reconstruction (paper C.2.2) with the offline")
print(f"analyst, the mean over {len(next(iter(sweep.values())))} seeds (lowest–highest in brackets); the grid is the soft maximum's")
print("temperature T × the weight W of the children already placed (0 turns the batch rounds off).\n")
print("## Each set held out\n")
print("| held out | weights chosen on the others (T, W) | held-out accuracy | best possible on it (T, W) |")
print("|---|---|---|---|")
for held in sets:
    others = [s for s in sets if s != held]
    t, w = best(others)
    own_t, own_w = best([held])
    print(f"| {held} | {t}, {w} | {spread(sweep[(held, t, w)])} | {spread(sweep[(held, own_t, own_w)])} at {own_t}, {own_w} |")
top = max(mean_over(sets, *tw) for tw in grid)
close = [tw for tw in grid if mean_over(sets, *tw) >= top - TOLERANCE]
weights = sorted({w for _, w in close if all((s, w) in coherence for s in sets)})


def coherence_mean(s, w, field):
    return statistics.mean(run[field] for run in coherence[(s, w)])


def misplaced(w):
    return statistics.mean(coherence_mean(s, w, 1) for s in sets)


if weights:
    w = min(weights, key=lambda w: (round(misplaced(w), 4), w))
    t = max((tw for tw in close if tw[1] == w), key=lambda tw: (round(mean_over(sets, *tw), 4), -tw[0]))[0]
else:
    t, w = best(sets)
print(f"\n## The defaults: T = {t}, W = {w}\n")
print(f"The best mean accuracy over the sets is {100 * top:.1f} %; within {100 * TOLERANCE:.1f} points of it:")
print(", ".join(f"T = {a}, W = {b} ({100 * mean_over(sets, a, b):.1f} %)" for a, b in close) + ".")
print("Among those, the weight of the placed children that leaves the fewest base clusters misplaced in the hierarchy, then the")
print("best temperature for it. Each set's accuracy under the defaults:\n")
print("| set | accuracy |")
print("|---|---|")
for s in sets:
    print(f"| {s} | {spread(sweep[(s, t, w)])} |")
print("\n## The runs themselves (the weights the build ran with)\n")
print("The ceiling is the accuracy of giving every base cluster its commonest true category: no assign rule")
print("can do better with those clusters, so the gap below it is the assign's and the rest the clustering's.\n")
print("Without clusters, each conversation is assigned alone by its embedded answer, as a cluster of one would be:")
print("how far the embedding alone tells the categories apart (`eval::reconstruct::assign_each_conversation`).\n")
print("A base cluster's name is found when, embedded alone, it is closer to the centre of its own cluster's")
print("answers than to any other base cluster's (no labels used; `eval::naming`).\n")
print("| set | accuracy | ceiling | without clusters | top-level base clusters misplaced | base names found |")
print("|---|---|---|---|---|---|")
for s in sorted(runs):
    accs, mis, ceilings, found, alone = (list(column) for column in zip(*runs[s]))
    print(f"| {s} | {spread(accs)} | {spread(ceilings)} | {spread(alone)} | {spread(mis)} | {spread(found)} |")
print(f"\n## How the hierarchy holds together (mean over {len(next(iter(coherence.values())))} seeds per set)\n")
print("A base cluster is misplaced when it is closer to another top-level cluster than to the rest of its own.\n")
print("| W | " + " | ".join(f"{s}: accuracy, misplaced" for s in sets) + " | mean misplaced |")
print("|---|" + "---|" * (len(sets) + 1))
for w in sorted({w for _, w in coherence}):
    if all((s, w) in coherence for s in sets):
        cells = [f"{100 * coherence_mean(s, w, 0):.1f} %, {100 * coherence_mean(s, w, 1):.1f} %" for s in sets]
        print(f"| {w} | " + " | ".join(cells) + f" | {100 * misplaced(w):.1f} % |")
print("\n## The whole grid (mean accuracy over seeds)\n")
print("| T | W | " + " | ".join(sets) + " | mean |")
print("|---|---|" + "---|" * (len(sets) + 1))
for t, w in grid:
    cells = [f"{100 * statistics.mean(sweep[(s, t, w)]):.1f}" for s in sets]
    print(f"| {t} | {w} | " + " | ".join(cells) + f" | {100 * mean_over(sets, t, w):.1f} |")
