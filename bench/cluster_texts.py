"""Print N distinct texts, one per line, for the clustering and layout benchmarks.

First every distinct message of the shared datasets (long ones cut into
sentences of 20 to 300 characters); where that is fewer than N, pairs of
those texts joined by a space fill the rest (seeded, so the same N gives the
same texts). The pairs read like a message that asks two things at once: real
text, not noise, so the vectors keep the structure of real embeddings.
The red-team dataset (hh_rlhf_harmless_base_test) is left out.
"""
import json
import pathlib
import random
import re
import sys

n = int(sys.argv[1])
root = pathlib.Path(__file__).resolve().parents[1] / "../shared/data"
files = [
    "banking77/normalized/train.jsonl",
    "banking77/normalized/test.jsonl",
    "hwu64/normalized/all-00000.jsonl",
    "hwu64/normalized/all-00001.jsonl",
    "arena_hard_prompts/normalized/arena-hard-v0.1.jsonl",
    "arena_hard_prompts/normalized/arena-hard-v2.0.jsonl",
    "oasst1_en_validation/normalized/conversations.jsonl",
    "presidio_synth_pii/normalized/pii.jsonl",
]
seen, texts = set(), []


def add(text):
    text = " ".join(text.split())
    if 3 <= len(text) and text not in seen:
        seen.add(text)
        texts.append(text)


for f in files:
    for line in open(root / f):
        if not line.strip():
            continue
        row = json.loads(line)
        for m in row.get("messages", []):
            content = m.get("content") or ""
            if len(content) <= 300:
                add(content)
            else:
                for s in re.split(r"(?<=[.!?])\s+|\n+", content):
                    if 20 <= len(s.strip()) <= 300:
                        add(s)
real = len(texts)
rng = random.Random(0)
while len(texts) < n:
    a, b = rng.randrange(real), rng.randrange(real)
    if a != b:
        add(texts[a] + " " + texts[b])
print(f"{min(real, n)} real texts, {max(0, n - real)} pairs", file=sys.stderr)
for t in texts[:n]:
    print(t)
