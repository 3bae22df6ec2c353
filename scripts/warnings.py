"""Reads cargo's JSON messages on stdin, shows every warning and error a Kleio
crate got (clippy's included: scripts/env.sh makes clippy-driver compile them),
and exits 1 if there was any. Cargo replays the messages of crates it did not
recompile, so this sees the whole workspace after a build that had nothing to do."""

import json
import sys

found = 0
for line in sys.stdin:
    try:
        message = json.loads(line)
    except json.JSONDecodeError:
        sys.stderr.write(line)
        continue
    if message.get("reason") != "compiler-message":
        continue
    diagnostic = message["message"]
    if diagnostic["level"] not in ("warning", "error"):
        continue
    found += 1
    sys.stderr.write(diagnostic.get("rendered") or diagnostic["message"])
if found:
    sys.stderr.write(f"{found} warnings or errors in Kleio's crates; the test command allows none\n")
    sys.exit(1)
