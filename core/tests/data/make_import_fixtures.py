"""Writes the import fixtures: the same synthetic conversations, shaped like
WildChat-1M and LMSYS-Chat-1M rows, as Parquet (every codec public datasets
use, several row groups), as JSON Lines, and as JSON Lines compressed with
gzip and zstd, and a file of every physical type in two layouts.
core/tests/import_formats.rs checks that every file gives the same
conversations. The texts are made up; no row comes from a real
dataset. Run from this folder: python3 make_import_fixtures.py
"""

import datetime as dt
import decimal
import json
import random

import pyarrow as pa
import pyarrow.parquet as pq

CATEGORIES = ["harassment", "hate", "self-harm", "sexual", "violence", "violence/graphic"]
REQUESTS = [
    "How do I reverse a linked list in Python?",
    "Write a short poem about autumn rain.",
    "Explain the difference between TCP and UDP.",
    "Help me plan a three-day trip to Lisbon on a budget.",
    "What is a good recipe for vegetable soup?",
    "Translate 'good morning' into Japanese.",
    "Как выучить английский язык быстрее?",
    "如何提高写作水平？",
    "Summarise the plot of Hamlet in three sentences.",
    "Debug this SQL: SELECT * FROM users WHERE id = ;",
]
MODELS = ["gpt-3.5-turbo-0613", "gpt-4-0314", "vicuna-13b"]
LANGUAGES = {6: "Russian", 7: "Chinese"}


def moderation(rng, flagged_category):
    categories = {c: c == flagged_category for c in CATEGORIES}
    scores = {c: (0.9 if c == flagged_category else round(rng.random() * 0.01, 6)) for c in CATEGORIES}
    return {"categories": categories, "category_scores": scores, "flagged": flagged_category is not None}


def rows():
    rng = random.Random(7)
    start = dt.datetime(2023, 4, 9, 0, 2, 53, tzinfo=dt.timezone.utc)
    out = []
    for i in range(40):
        request = REQUESTS[i % len(REQUESTS)]
        # Each request comes back every ten rows with another answer: copies
        # the importer collapses where the user's turns are the same.
        turns = [("user", request), ("assistant", f"Here is an answer ({i}).")]
        if i % 7 == 3:
            turns += [("user", "Thanks! Can you say more?"), ("assistant", "Certainly.")]
        flagged = CATEGORIES[i % len(CATEGORIES)] if i % 5 == 4 else None
        out.append(
            {
                "index": i,
                "turns": turns,
                "time": start + dt.timedelta(days=i, seconds=rng.randrange(86_400)),
                "model": MODELS[i % len(MODELS)],
                "language": LANGUAGES.get(i % len(REQUESTS), "English"),
                "account": f"ip-{i % 9:04x}",
                "moderation": [moderation(rng, flagged if t == 0 else None) for t in range(len(turns) // 2)],
                "toxic": flagged is not None,
                "redacted": i % 11 == 0,
            }
        )
    # One row without a user message: skipped by every reader alike.
    out.append(dict(out[1], index=40, turns=[("assistant", "Hello?")], moderation=[]))
    return out


def wildchat(r):
    return {
        "conversation_hash": f"wc{r['index']:05d}",
        "model": r["model"],
        "timestamp": r["time"],
        "conversation": [
            {"content": text, "role": role, "language": r["language"], "toxic": r["toxic"], "redacted": r["redacted"], "turn_identifier": r["index"] * 10 + n}
            for n, (role, text) in enumerate(r["turns"])
        ],
        "turn": len(r["turns"]) // 2,
        "language": r["language"],
        "openai_moderation": r["moderation"],
        "toxic": r["toxic"],
        "redacted": r["redacted"],
        "country": "Portugal",
        "hashed_ip": r["account"],
        "header": {"accept-language": "en-US,en;q=0.9", "user-agent": "Mozilla/5.0"},
    }


def lmsys(r):
    return {
        "conversation_id": f"ly{r['index']:05d}",
        "model": r["model"],
        "conversation": [{"content": text, "role": role} for role, text in r["turns"]],
        "turn": len(r["turns"]) // 2,
        "language": r["language"],
        "openai_moderation": r["moderation"],
        "redacted": r["redacted"],
    }


MODERATION = pa.list_(
    pa.struct(
        [
            ("categories", pa.struct([(c, pa.bool_()) for c in CATEGORIES])),
            ("category_scores", pa.struct([(c, pa.float64()) for c in CATEGORIES])),
            ("flagged", pa.bool_()),
        ]
    )
)
WILDCHAT = pa.schema(
    [
        ("conversation_hash", pa.string()),
        ("model", pa.string()),
        ("timestamp", pa.timestamp("us", tz="UTC")),
        (
            "conversation",
            pa.list_(
                pa.struct(
                    [
                        ("content", pa.string()),
                        ("role", pa.string()),
                        ("language", pa.string()),
                        ("toxic", pa.bool_()),
                        ("redacted", pa.bool_()),
                        ("turn_identifier", pa.int64()),
                    ]
                )
            ),
        ),
        ("turn", pa.int64()),
        ("language", pa.string()),
        ("openai_moderation", MODERATION),
        ("toxic", pa.bool_()),
        ("redacted", pa.bool_()),
        ("country", pa.string()),
        ("hashed_ip", pa.string()),
        ("header", pa.struct([("accept-language", pa.string()), ("user-agent", pa.string())])),
    ]
)
LMSYS = pa.schema(
    [
        ("conversation_id", pa.string()),
        ("model", pa.string()),
        ("conversation", pa.list_(pa.struct([("content", pa.string()), ("role", pa.string())]))),
        ("turn", pa.int64()),
        ("language", pa.string()),
        ("openai_moderation", MODERATION),
        ("redacted", pa.bool_()),
    ]
)


def as_json(value):
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    raise TypeError(value)


def write(name, schema, records, codecs):
    table = pa.Table.from_pylist(records, schema=schema)
    for codec in codecs:
        # Sixteen rows a group: every file has several row groups.
        pq.write_table(table, f"{name}.{codec}.parquet", compression=codec, row_group_size=16)
    lines = "".join(json.dumps(r, default=as_json, ensure_ascii=False) + "\n" for r in records).encode()
    with open(f"{name}.jsonl", "wb") as f:
        f.write(lines)
    for codec, suffix in [("gzip", "gz"), ("zstd", "zst")]:
        with pa.CompressedOutputStream(f"{name}.jsonl.{suffix}", codec) as f:
            f.write(lines)


def write_encodings(name, schema, records):
    """The same rows in the other encodings writers use: version 2 data pages
    (Spark, DuckDB and pyarrow's newer writers), plain values with no
    dictionary, and the delta encodings of text and integers."""
    table = pa.Table.from_pylist(records, schema=schema)
    pq.write_table(table, f"{name}.v2-plain.parquet", compression="zstd", row_group_size=16, data_page_version="2.0", use_dictionary=False)
    strings = [f.name for f in schema if f.type == pa.string()] + ["conversation.list.element.content", "conversation.list.element.role"]
    pq.write_table(
        table,
        f"{name}.delta.parquet",
        compression="snappy",
        row_group_size=16,
        use_dictionary=False,
        column_encoding={c: "DELTA_LENGTH_BYTE_ARRAY" if i % 2 else "DELTA_BYTE_ARRAY" for i, c in enumerate(strings)} | {"turn": "DELTA_BINARY_PACKED"},
    )


def write_cut_text_value():
    """A file whose first row group's plain text page has a value longer
    than the page, leaving a partial length where the next value should be:
    the parquet crate once read it blindly and panicked."""
    table = pa.table({"text": ["first request", "second request", "third request", "fourth request"]})
    pq.write_table(table, "cut-text-value.parquet", compression="none", use_dictionary=False, write_statistics=False, row_group_size=2)
    with open("cut-text-value.parquet", "rb") as f:
        data = bytearray(f.read())
    first = data.index(b"\x0d\x00\x00\x00first request")
    # 13 + 4 + 14 - 2: the next length would start two bytes before the end.
    data[first] = 13 + 4 + 14 - 2
    with open("cut-text-value.parquet", "wb") as f:
        f.write(data)


def write_every_type():
    """Requests beside a column of every physical type Parquet has (booleans,
    32- and 64-bit integers, doubles, INT96 and 64-bit timestamps, decimals,
    fixed-length bytes, lists of integers, lists of records holding a
    timestamp), a third of each null, in two
    layouts: version 1 pages of plain values with INT96 timestamps, and
    version 2 pages with byte-stream-split floats and bytes, delta-encoded
    integers and a dictionary of the texts. Both must import whole, with the
    same rows."""
    rng = random.Random(3)
    n = 120

    def maybe(value, null_share=0.3):
        return None if rng.random() < null_share else value

    table = pa.table(
        {
            "text": pa.array([maybe(REQUESTS[i % len(REQUESTS)], 0.1) for i in range(n)], pa.string()),
            "flag": pa.array([maybe(rng.random() < 0.5) for _ in range(n)], pa.bool_()),
            "count": pa.array([maybe(rng.randint(-1000, 1000)) for _ in range(n)], pa.int32()),
            "score": pa.array([maybe(rng.random()) for _ in range(n)], pa.float64()),
            "time": pa.array([maybe(dt.datetime(2023, 1, 1) + dt.timedelta(seconds=37 * i)) for i in range(n)], pa.timestamp("ns")),
            "price": pa.array([maybe(decimal.Decimal(rng.randint(0, 10**4)) / 100) for _ in range(n)], pa.decimal128(6, 2)),
            "digest": pa.array([maybe(bytes([i % 256]) * 4) for i in range(n)], pa.binary(4)),
            "turns": pa.array([maybe([maybe(j, 0.2) for j in range(rng.randint(0, 3))]) for _ in range(n)], pa.list_(pa.int64())),
            "events": pa.array(
                [maybe([{"at": dt.datetime(2023, 2, 1) + dt.timedelta(minutes=i + j), "kind": maybe("edit", 0.2)} for j in range(rng.randint(0, 2))]) for i in range(n)],
                pa.list_(pa.struct([("at", pa.timestamp("ns")), ("kind", pa.string())])),
            ),
        }
    )
    pq.write_table(table, "types.v1-int96.parquet", compression="none", data_page_version="1.0", use_dictionary=False, use_deprecated_int96_timestamps=True)
    pq.write_table(
        table,
        "types.v2-split-delta.parquet",
        compression="none",
        data_page_version="2.0",
        use_dictionary=["text"],
        column_encoding={"score": "BYTE_STREAM_SPLIT", "digest": "BYTE_STREAM_SPLIT", "count": "DELTA_BINARY_PACKED", "turns.list.element": "DELTA_BINARY_PACKED"},
    )


if __name__ == "__main__":
    data = rows()
    write("wildchat", WILDCHAT, [wildchat(r) for r in data], ["none", "snappy", "gzip", "zstd", "lz4"])
    write("lmsys", LMSYS, [lmsys(r) for r in data], ["snappy", "zstd"])
    write_encodings("wildchat", WILDCHAT, [wildchat(r) for r in data])
    write_cut_text_value()
    write_every_type()
