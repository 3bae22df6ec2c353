"""Builds the privacy evaluation set: each row is an oasst1 conversation
whose first user turn starts with a sentence from presidio_synth_pii, so the
sentence's planted values (`pii_spans`) sit inside real conversations.

    python3 docs/eval/make_privacy_set.py ../shared/data > privacy-set.jsonl

Every presidio row is used once (rows without planted values stay in as the
auditor's negatives); conversations are reused round-robin. Each row keeps
the presidio row's synthetic account. Deterministic: no randomness."""
import json
import pathlib
import sys

data = pathlib.Path(sys.argv[1])
limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
conversations = [json.loads(l) for l in open(data / "oasst1_en_validation/normalized/conversations.jsonl", encoding="utf-8")]
presidio = [json.loads(l) for l in open(data / "presidio_synth_pii/normalized/pii.jsonl", encoding="utf-8")]
for i, p in enumerate(presidio[:limit]):
    base = conversations[i % len(conversations)]
    messages = [dict(m) for m in base["messages"]]
    first = next(j for j, m in enumerate(messages) if m["role"] == "user")
    sentence = p["messages"][0]["content"]
    messages[first]["content"] = sentence + "\n\n" + messages[first]["content"]
    print(json.dumps({
        "id": f"planted-{i:05d}",
        "account_id": p["account_id"],
        "messages": messages,
        "pii_spans": [{"type": s["type"], "value": s["value"]} for s in p["pii_spans"]],
        "source": {"conversation": base["id"], "pii_row": p["id"]},
    }, ensure_ascii=False))
