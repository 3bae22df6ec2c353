#!/usr/bin/env bash
# The privacy evaluation on the planted-PII set as published and with each
# obfuscation of obfuscate_privacy_set.py: how many rows' identifying values
# survive into the facet answers, the clusters and the published dashboard,
# and how often the auditor flags a conversation with planted details.
# Writes docs/eval/privacy/obfuscations.md.
#   bash docs/eval/obfuscations.sh [SHARED_DATA_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source scripts/env.sh
data="${1:-../shared/data}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kleio="$CARGO_TARGET_DIR/release/kleio"
python3 docs/eval/make_privacy_set.py "$data" >"$work/plain.jsonl"
for kind in plain fullwidth zero-width digits lowercase; do
  [ "$kind" = plain ] || python3 docs/eval/obfuscate_privacy_set.py "$kind" <"$work/plain.jsonl" >"$work/$kind.jsonl"
  "$kleio" eval privacy "$work/$kind.jsonl" --out "$work/out-$kind" --backend cpu >&2
done
python3 - "$work" <<'PY' >docs/eval/privacy/obfuscations.md
import re, sys
work = sys.argv[1]
kinds = ["plain", "fullwidth", "zero-width", "digits", "lowercase"]
print("# Planted details, obfuscated\n")
print("Made by `bash docs/eval/obfuscations.sh`: the privacy set of `make_privacy_set.py`, as it is and with every planted value")
print("rewritten by `obfuscate_privacy_set.py` (fullwidth forms, a zero-width space after every character, Arabic-Indic digits,")
print("lower case), through `kleio eval privacy --backend cpu` with the offline analyst. A row counts at a stage when any of its")
print("identifying values is found there, in any of these spellings (both sides are normalised as the privacy rules read text).\n")
print("| spelling | rows with identifying values | in facet answers | in cluster names and summaries | published | auditor flags rows with details |")
print("|---|---|---|---|---|---|")
for kind in kinds:
    report = open(f"{work}/out-{kind}/report.md").read()
    def stage(label):
        m = re.search(r"\| " + re.escape(label) + r"[^|]*\| (\d+) \| ([\d.]+%) \|", report)
        return f"{m.group(1)} ({m.group(2)})" if m else "?"
    raw = re.search(r"\| raw conversations \| (\d+) \|", report).group(1)
    flagged = re.search(r"\| with identifying details \(should be flagged\) \| \d+ \| ([\d.]+) \|", report)
    print(f"| {kind} | {raw} | {stage('facet answers')} | {stage('cluster names and summaries')} | {stage('published dashboard')} | {flagged.group(1) if flagged else '?'} |")
PY
cat docs/eval/privacy/obfuscations.md
