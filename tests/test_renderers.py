"""The JSON renderer (foundation/renderers.py) writes JSON text it wrote before as it is: a response
holding such texts anywhere in lists and dicts is written byte for byte as DRF's own renderer, the
reference, writes the same values, compact or indented."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from rest_framework import renderers

from foundation.renderers import JSONRenderer, RenderedJSON

INDENTED = "application/json; indent=4"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.datetimes(timezones=st.just(UTC), min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


@st.composite
def with_some_written(draw, strategy=values):
    """A value, and the same value with some of its parts already written by JSONRenderer."""
    value = draw(strategy)

    def written_in_parts(part):
        if draw(st.booleans()):
            return JSONRenderer.written(part)
        if isinstance(part, list):
            return [written_in_parts(item) for item in part]
        if isinstance(part, dict):
            return {key: written_in_parts(item) for key, item in part.items()}
        return part

    # A response of None alone has no body in DRF; a view never serves a written null alone.
    return value, written_in_parts(value) if value is not None else None


@given(with_some_written())
def test_a_value_with_written_parts_is_written_as_drf_writes_the_value(pair):
    value, written = pair
    assert JSONRenderer().render(written) == renderers.JSONRenderer().render(value)


@given(with_some_written())
def test_asked_for_indented_json_it_writes_what_drf_writes_indented(pair):
    value, written = pair
    assert JSONRenderer().render(written, INDENTED, {}) == renderers.JSONRenderer().render(value, INDENTED, {})


def test_a_written_text_alone_is_served_as_it_is_and_none_is_null():
    text = JSONRenderer.written({"id": 1, "at": datetime(2026, 1, 1, tzinfo=UTC)})
    assert isinstance(text, RenderedJSON)
    assert JSONRenderer().render(text) is text
    assert JSONRenderer.written(None) == b"null"
    assert JSONRenderer().render(None) == renderers.JSONRenderer().render(None) == b""


def test_a_response_without_written_texts_is_drfs_own():
    page = {"count": 2, "next": None, "results": [{"id": 1}, {"id": 2}]}
    assert JSONRenderer().render(page) == renderers.JSONRenderer().render(page)
