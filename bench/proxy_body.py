"""Prints one batch-extract request body: the first N conversations of a
normalized JSONL file, each asked the request facet."""
import json
import sys

path, n = sys.argv[1], int(sys.argv[2])
facet = {"id": "request", "question": "What is the user's overall request for the assistant?", "kind": {"kind": "open_text"}}
items = []
with open(path, encoding="utf-8") as f:
    for line in f:
        row = json.loads(line)
        messages = [{"role": m["role"], "content": m["content"]} for m in row["messages"] if m["role"] in ("user", "assistant")]
        items.append({"conversation": {"messages": messages}, "facet": facet})
        if len(items) == n:
            break
print(json.dumps({"items": items}))
