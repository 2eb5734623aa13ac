"""Schemathesis hooks of the schema fuzz (test_schema_fuzz.py loads this file into the fuzzer's
own process through SCHEMATHESIS_HOOKS): shapes of hostile input that a schema alone never
generates, each of which once found a bug that the plain fuzz had missed.

- a body nested thousands deep (was a RecursionError, a 500, on every endpoint);
- a body just over the upload limit (was Django's HTML 400, which no operation documents; the
  test lowers the limit for the run, so that the reports of failing cases stay readable);
- dates at the ends of the calendar in date parameters (to=9999-12-31 was an OverflowError, a 500);
- control characters in every string of a body or a query (a line break in a display name).

About one generated case in HOSTILE_ONE_IN is hostile, so that the rest of the run still explores
the valid and invalid inputs of the schema. Bytes bodies go on the wire as they are.
"""

import os

import schemathesis
from hypothesis import strategies as st

HOSTILE_ONE_IN = 4
# The upload limit of the server under test (DATA_UPLOAD_MAX_MEMORY_SIZE), passed by the test.
BODY_LIMIT = int(os.environ["FUZZ_BODY_LIMIT"])

# Deeper than Python's parser can go (about a thousand levels), cut off or whole.
DEEP_BODIES = [b"[" * 3_000, b'{"a":' * 3_000, b"[" * 2_000 + b"]" * 2_000]
OVERSIZED_BODY = b'{"text": "' + b"a" * BODY_LIMIT + b'"}'
EXTREME_DATES = ["0001-01-01", "1969-12-31", "9999-12-31", "2999-02-28"]
CONTROL_CHARACTERS = ["\n", "\r\nBcc: someone@example.com", "\x00", "\x1b[31m", "\u2028", "\x7f", "\t"]


def _sometimes(plain, hostile: st.SearchStrategy) -> st.SearchStrategy:
    return st.integers(1, HOSTILE_ONE_IN).flatmap(lambda n: hostile if n == 1 else st.just(plain))


def _with_control_characters(value: dict) -> st.SearchStrategy:
    """`value` with a control character added inside each of its top-level strings."""
    names = [name for name, item in value.items() if isinstance(item, str)]
    if not names:
        return st.nothing()
    return st.fixed_dictionaries({name: st.sampled_from(CONTROL_CHARACTERS) for name in names}).map(
        lambda added: {name: item + added[name] + item if name in added else item for name, item in value.items()}
    )


@schemathesis.hook
def flatmap_body(context, body):
    hostile = st.sampled_from([*DEEP_BODIES, OVERSIZED_BODY])
    if isinstance(body, dict):
        hostile = hostile | _with_control_characters(body)
    return _sometimes(body, hostile)


@schemathesis.hook
def flatmap_query(context, query):
    query = query or {}
    dates = [p.name for p in context.operation.query if p.definition.get("schema", {}).get("format") == "date"]
    hostile = _with_control_characters(query)
    if dates:
        extreme = st.fixed_dictionaries({}, optional={name: st.sampled_from(EXTREME_DATES) for name in dates})
        hostile = hostile | extreme.filter(bool).map(lambda chosen: {**query, **chosen})
    return _sometimes(query, hostile)
