"""Rewrites the privacy evaluation set (make_privacy_set.py) with every planted
value spelled in a way that rules written for plain text miss, so the
evaluation measures how many survive the scrubber and reach the auditor:

    python3 docs/eval/obfuscate_privacy_set.py KIND < privacy-set.jsonl > privacy-KIND.jsonl

KIND is one of
  fullwidth    ASCII letters, digits and punctuation as their fullwidth forms (ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ)
  zero-width   a zero-width space after every character (j​a​n​e​@…)
  digits       ASCII digits as Arabic-Indic digits (٠١٢٣…)
  lowercase    the value in lower case (john smith)

Only the planted values change, wherever they occur in the conversation, and
each row's `pii_spans` holds the value as it now appears. Deterministic."""
import json
import sys

ZERO_WIDTH_SPACE = "\u200b"


def fullwidth(value):
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)


def zero_width(value):
    return ZERO_WIDTH_SPACE.join(value)


def arabic_indic_digits(value):
    return "".join(chr(0x660 + ord(c) - ord("0")) if "0" <= c <= "9" else c for c in value)


def lowercase(value):
    return value.lower()


KINDS = {"fullwidth": fullwidth, "zero-width": zero_width, "digits": arabic_indic_digits, "lowercase": lowercase}

if len(sys.argv) != 2 or sys.argv[1] not in KINDS:
    sys.exit(f"usage: obfuscate_privacy_set.py {{{'|'.join(KINDS)}}} < set.jsonl > obfuscated.jsonl")
obfuscate = KINDS[sys.argv[1]]
for line in sys.stdin:
    row = json.loads(line)
    # Longer values first, so that a value inside another is rewritten with it.
    values = sorted({s["value"] for s in row["pii_spans"]}, key=len, reverse=True)
    for message in row["messages"]:
        for value in values:
            message["content"] = message["content"].replace(value, obfuscate(value))
    row["pii_spans"] = [{"type": s["type"], "value": obfuscate(s["value"])} for s in row["pii_spans"]]
    print(json.dumps(row, ensure_ascii=False))
