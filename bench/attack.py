"""Runs the attacks of issue #20 against a `kleio serve` on 127.0.0.1 and
prints, for each, how many requests were tried, refused as they should be,
and failed (answered as they should not be); then how fast the health check
and a static file answered while the worst-case request of every task route
was being sent. Bounded: a fixed number of requests, loopback only, the
offline analyst (no key, no cost). Run through bench/attack.

    python3 bench/attack.py KLEIO_BINARY
"""
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

binary = sys.argv[1]
work = tempfile.mkdtemp(prefix="kleio-attack-")
dist = os.path.join(work, "dist")
os.makedirs(dist)
with open(os.path.join(dist, "index.html"), "w") as f:
    f.write("<html><body>Kleio</body></html>")
with open(os.path.join(dist, "app.js"), "w") as f:
    f.write("export default function init() {}\n" * 100)

random.seed(0)
rows = []


def start(port, extra_env=None):
    env = dict(os.environ, KLEIO_BACKEND="offline", RUST_LOG="warn", **(extra_env or {}))
    process = subprocess.Popen(
        [binary, "serve", "--addr", f"127.0.0.1:{port}", "--dist", dist, "--db", os.path.join(work, f"kleio-{port}.db")],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            request(port, "GET", "/api/v1/health")
            return process
        except OSError:
            time.sleep(0.1)
    sys.exit("kleio serve did not start")


def request(port, method, path, body=None, headers=None, timeout=120):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    payload = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    connection.request(method, path, body=payload, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def record(attack, tried, refused, note=""):
    rows.append((attack, tried, refused, tried - refused, note))


def vector(dimensions=384):
    v = [random.gauss(0, 1) for _ in range(dimensions)]
    norm = sum(x * x for x in v) ** 0.5
    return [round(x / norm, 5) for x in v]


def brief(i, words=6):
    return {"name": f"Cluster {i} " + "word " * words, "summary": "People asked for help with a task. " * 8, "size": 20, "embedding": vector()}


FACET = {"id": "request", "question": "What is the user's overall request for the assistant?", "kind": {"kind": "open_text"}}
conversation = {"messages": [{"role": "user", "content": "How do I make my sourdough rise more? " * 800}, {"role": "assistant", "content": "Try a warmer spot. " * 200}]}

port = 20000 + random.randrange(20000)
server = start(port)

# The worst case each route allows, sent while the health check is timed.
children = [brief(i) for i in range(1000)]
worst = [
    ("/api/v1/propose-parents", {"facet": FACET, "children": children, "outside": children[:100], "wanted": 500}),
    ("/api/v1/dedupe", {"facet": FACET, "proposals": children, "wanted": 500}),
    ("/api/v1/rename", {"facet": FACET, "children": children}),
    ("/api/v1/assign/batch", {"facet": FACET, "parents": children[:500], "children": children, "orders": [random.sample(range(500), 500) for _ in range(1000)]}),
    ("/api/v1/name-cluster", {"facet": FACET, "members": ["Bake bread at home with a starter. " * 80] * 200, "contrast": ["Fix a bicycle chain. " * 140] * 200}),
    ("/api/v1/audit", {"content": ("Email ann.smith@example.com or call 555-123-4567. " * 80)[:4000]}),
    ("/api/v1/extract/batch", {"items": [{"conversation": conversation, "facet": FACET}] * 400}),
]
latencies = {"/api/v1/health": [], "/app.js": []}
stop = threading.Event()


def probe(path):
    while not stop.is_set():
        started = time.perf_counter()
        request(port, "GET", path, timeout=30)
        latencies[path].append((time.perf_counter() - started) * 1000)
        time.sleep(0.02)


probes = [threading.Thread(target=probe, args=(p,)) for p in latencies]
for t in probes:
    t.start()
time.sleep(1)
baseline = {p: len(v) for p, v in latencies.items()}
route_seconds = []
for path, body in worst:
    # Two at once, as a client with two tabs would.
    results = []
    started = time.perf_counter()
    senders = [threading.Thread(target=lambda: results.append(request(port, "POST", path, body)[0])) for _ in range(2)]
    for t in senders:
        t.start()
    for t in senders:
        t.join()
    route_seconds.append((path, time.perf_counter() - started, results))
stop.set()
for t in probes:
    t.join()
for path, seconds, statuses in route_seconds:
    print(f"worst case {path}: 2 at once in {seconds:.1f} s, answered {statuses}")
for path, values in latencies.items():
    during = sorted(values[baseline[path]:])
    p99 = during[min(len(during) - 1, int(len(during) * 0.99))]
    print(f"{path} while the worst cases ran: {len(during)} requests, median {statistics.median(during):.1f} ms, p99 {p99:.1f} ms, max {during[-1]:.1f} ms")

# Requests past a route's bounds.
too_big = [
    ("/api/v1/propose-parents", {"facet": FACET, "children": children[:3], "outside": [], "wanted": 100000}),
    ("/api/v1/dedupe", {"facet": FACET, "proposals": children + children[:1], "wanted": 5}),
    ("/api/v1/rename", {"facet": FACET, "children": [{**children[0], "name": "n" * 301}]}),
    ("/api/v1/audit", {"content": "x" * 4001}),
    ("/api/v1/screen", {"conversation": conversation, "question": "?" * 2001}),
    ("/api/v1/name-cluster", {"facet": FACET, "members": ["m"] * 201, "contrast": []}),
    ("/api/v1/assign", {"facet": FACET, "child": children[0], "parents": children[:501]}),
    ("/api/v1/extract", {"conversation": conversation, "facet": {**FACET, "question": "q" * 2001}}),
]
refused = sum(request(port, "POST", path, body)[0] == 422 for path, body in too_big)
record("a request past its route's item or length bounds", len(too_big), refused, "422")

# DNS rebinding: a page whose name now points at 127.0.0.1 sends its own Host.
hosts = ["evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.1.nip.io"]
refused = sum(request(port, "GET", "/", headers={"Host": h})[0] == 403 for h in hosts) + sum(
    request(port, "POST", "/api/v1/audit", {"content": "hi"}, headers={"Host": h})[0] == 403 for h in hosts
)
record("a Host name the operator did not choose (DNS rebinding)", 2 * len(hosts), refused, "403")

# Publishing strings no audit reads, and a detached child.
hashes = [f"{i:064x}" for i in range(30)]


def cluster(cid, level, parent, **extra):
    return {"id": cid, "level": level, "parent": parent, "name": "Debug Python scripts", "summary": "People asked for help with Python.", "size": 30, "account_hashes": hashes, "position": [0, 0], **extra}


submissions = [
    {"title": "t", "facet": "Ann Smith's chats", "clusters": [cluster("a", 0, None)]},
    {"title": "t", "facet": "request", "clusters": [cluster("a", 0, None, breakdowns={"ann.smith@example.com": {"x": 30}})]},
    {"title": "t", "facet": "request", "clusters": [cluster("a", 0, None, breakdowns={"language": {f"v{i}": 1 for i in range(100)}})]},
    {"title": "t", "facet": "request", "clusters": [cluster("top", 1, None), cluster("child", 0, None)]},
    {"title": "t", "facet": "request", "clusters": [cluster("top", 1, None), cluster("child", 2**64 - 1, "top")]},
]
refused = sum(request(port, "POST", "/api/v1/dashboards", s)[0] == 422 for s in submissions)
record("a dashboard with free text outside the audit, or a broken tree", len(submissions), refused, "422")
status, data = request(port, "POST", "/api/v1/dashboards", {"title": "t", "facet": "request", "clusters": [cluster("ann-smith-555-0100", 0, None, breakdowns={"language": {"en": 25, "Ann Smith": 5}})]})
board = request(port, "GET", f"/api/v1/dashboards/{json.loads(data)['id']}")[1].decode() if status == 201 else ""
record("a cluster id or breakdown value that spells a person", 1, int(status == 201 and "ann-smith" not in board and "Ann Smith" not in board), "published as c1 and other")

# Text that once panicked the scrubber, and obfuscated details.
texts = ["Check ab1١abcdabcdab please", "ſ" * 50 + "1234", "jane＠example．com", "call ٥٥٥-١٢٣-٤٥٦٧", "ann\u200b@exa\u200bmple.com"]
answers = [request(port, "POST", "/api/v1/audit", {"content": t}) for t in texts]
record("text that panicked the scrubber", 2, sum(s == 200 for s, _ in answers[:2]), "answered, no panic")
record("an email or phone number in fullwidth, other digits or with zero-width spaces", 3, sum(json.loads(d)["score"] == 1 for _, d in answers[2:]), "scored 1")

# Headers sent a byte at a time (slowloris): the connection is closed.
slow = []
for _ in range(20):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
    slow.append(s)
started = time.time()
closed = 0
for s in slow:
    s.settimeout(max(0.1, 15 - (time.time() - started)))
    try:
        s.recv(1)  # the end of the stream, or an error status before it
        closed += 1
    except ConnectionResetError:
        closed += 1
    except socket.timeout:
        pass
    s.close()
record("headers that never finish (20 connections)", 20, closed, f"closed after the header timeout ({time.time() - started:.0f} s for all)")
server.terminate()
server.wait()

# A burst past the rate limit.
port += 1
server = start(port, {"KLEIO_RATE_PER_MINUTE": "60"})
statuses = [request(port, "GET", "/api/v1/health")[0] for _ in range(120)]
# The start-up check took one of the 60; a token may refill during the burst.
record("a burst of 120 requests with a limit of 60 a minute", 59, min(59, statuses.count(429)), f"429 past the bucket ({statuses.count(200)} answered)")
server.terminate()
server.wait()

print()
print("| attack | tried | refused | failed | how |")
print("|---|---|---|---|---|")
for attack, tried, refused, failed, note in rows:
    print(f"| {attack} | {tried} | {refused} | {failed} | {note} |")
print("\nThe spending caps need an LLM backend; the proxy's tests check them against a mock upstream (proxy/tests/upstream.rs).")
