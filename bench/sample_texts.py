"""Print N texts (one per line) drawn evenly from the shared datasets, first user turns only."""
import json
import pathlib
import sys

n = int(sys.argv[1])
root = pathlib.Path(__file__).resolve().parents[1] / "../shared/data"
files = [
    "banking77/normalized/test.jsonl",
    "hwu64/normalized/all-00000.jsonl",
    "arena_hard_prompts/normalized/arena-hard-v2.0.jsonl",
    "oasst1_en_validation/normalized/conversations.jsonl",
]
pools = [[" ".join(json.loads(l)["messages"][0]["content"].split()) for l in open(root / f) if l.strip()] for f in files]
# Round-robin over the datasets until n texts, so a small dataset does not shorten the sample.
out, i = [], 0
while len(out) < n and any(i < len(p) for p in pools):
    out += [p[i] for p in pools if i < len(p)]
    i += 1
for t in out[:n]:
    print(t)
