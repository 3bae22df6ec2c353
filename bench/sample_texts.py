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
per = n // len(files) + 1
out = []
for f in files:
    rows = [json.loads(l) for l in open(root / f) if l.strip()][:per]
    out += [" ".join(r["messages"][0]["content"].split()) for r in rows]
for t in out[:n]:
    print(t)
