"""Regions, gates and edit specs: properties of the gate, JSON round trips, validation messages."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textsep.edits import (
    EditError,
    EditSpec,
    Region,
    clip_regions,
    fade_length,
    full_gate,
    gate,
    regions_from_windows,
)

RATES = st.sampled_from([8000, 16000, 22050, 44100, 48000, 96000])
prompts = st.text(min_size=1, max_size=30).filter(lambda s: s.strip())


@st.composite
def regions(draw, max_start=20.0):
    start = draw(st.floats(0, max_start, allow_nan=False, allow_infinity=False))
    length = draw(st.floats(1e-3, 10.0, allow_nan=False, allow_infinity=False))
    return Region(start, start + length, draw(prompts), draw(st.sampled_from(["keep", "remove"])),
                  draw(st.floats(0, 500, allow_nan=False, allow_infinity=False)), draw(st.booleans()),
                  draw(st.floats(0.5, 120, allow_nan=False, allow_infinity=False)))


@settings(max_examples=150, deadline=None)
@given(r=regions(max_start=3.0), sr=RATES)
def test_gate_properties(r, sr):
    n_total = int(14 * sr)
    g = full_gate(r, sr, n_total)
    a, b = r.span(sr)
    assert g.shape == (n_total,)
    assert np.all((g >= 0) & (g <= 1))
    assert np.all(g[:a] == 0) and np.all(g[b:] == 0), "the gate must be exactly 0 outside the region"
    inside = g[a:b]
    assert np.all(inside > 0), "every sample of the region is edited at least a little"
    f = fade_length(r, sr)
    assert 2 * f <= b - a, "fades lie inside the region"
    if b - a > 2 * f:
        assert np.all(inside[f: b - a - f] == 1), "1 between the fades"
    if f > 0:
        assert np.all(np.diff(inside[:f]) > 0) and inside[f - 1] < 1, "fade in rises, below 1"
        assert np.all(np.diff(inside[b - a - f:]) < 0) and inside[b - a - f] < 1, "fade out falls"
        np.testing.assert_allclose(inside[:f], inside[::-1][:f], atol=1e-12)  # symmetric


def test_gate_middle_of_long_region_is_one():
    r = Region(1.0, 3.0, "x", fade_ms=70)
    g = gate(r, 44100)
    f = fade_length(r, 44100)
    assert f == round(0.07 * 44100)
    assert np.all(g[f:-f] == 1.0) and g[0] < 0.01 and g[-1] < 0.01


@settings(max_examples=100, deadline=None)
@given(st.lists(regions(), max_size=6))
def test_edit_spec_json_round_trip(rs):
    spec = EditSpec(rs)
    back = EditSpec.from_json(spec.to_json())
    assert back.regions == spec.regions
    assert back.active() == [r for r in rs if r.enabled]


def test_edit_spec_file_round_trip(tmp_path):
    spec = EditSpec([Region(0, 1.5, "dog bark", "remove"), Region(2, 3, "rain", fade_ms=0, enabled=False)])
    spec.save(tmp_path / "e.json")
    assert EditSpec.load(tmp_path / "e.json").regions == spec.regions
    assert json.loads((tmp_path / "e.json").read_text())["version"] == 1
    assert EditSpec.from_json(json.dumps([r.to_dict() for r in spec.regions])).regions == spec.regions


def test_numpy_scalars_accepted_and_normalised():
    r = Region(np.float32(0.5), np.int64(2), "x", fade_ms=np.float64(10))
    assert type(r.start_s) is float and r.end_s == 2.0
    assert json.loads(EditSpec([r]).to_json())["regions"][0]["start_s"] == 0.5


@pytest.mark.parametrize("kwargs,message", [
    ({"start_s": -1, "end_s": 1}, "negative"),
    ({"start_s": 2, "end_s": 1}, "empty or inverted"),
    ({"start_s": 1, "end_s": 1}, "empty or inverted"),
    ({"start_s": 0, "end_s": math.nan}, "finite"),
    ({"start_s": 0, "end_s": math.inf}, "finite"),
    ({"start_s": True, "end_s": 2}, "finite"),
    ({"start_s": "0", "end_s": 2}, "finite"),
    ({"prompt": "   "}, "prompt is empty"),
    ({"prompt": ""}, "prompt is empty"),
    ({"prompt": 3}, "must be text"),
    ({"mode": "mute"}, "Unknown mode"),
    ({"fade_ms": -5}, "fade_ms"),
    ({"enabled": "yes"}, "enabled"),
    ({"depth_db": 0}, "depth_db"),
    ({"depth_db": -3}, "depth_db"),
    ({"depth_db": 121}, "depth_db"),
    ({"depth_db": math.inf}, "finite"),
])
def test_region_validation(kwargs, message):
    args = {"start_s": 0, "end_s": 1, "prompt": "dog bark", "mode": "keep"}
    args.update(kwargs)
    with pytest.raises(EditError, match=message):
        Region(**args)


@pytest.mark.parametrize("text,message", [
    ("{not json", "not valid JSON"),
    ('{"regions": 3}', "must be"),
    ('"hello"', "must be"),
    ('{"version": 99, "regions": []}', "newer"),
    ('{"version": "1", "regions": []}', "integer"),
    ('{"regions": [{"start_s": 0, "end_s": 1}]}', "missing: prompt"),
    ('{"regions": [{"start_s": 0, "end_s": 1, "prompt": "x", "volume": 3}]}', "Unknown region field"),
    ('{"regions": [[0, 1, "x"]]}', "must be an object"),
])
def test_edit_spec_validation(text, message):
    with pytest.raises(EditError, match=message):
        EditSpec.from_json(text)


def test_edit_spec_load_missing_file(tmp_path):
    with pytest.raises(EditError, match="Cannot read edit spec"):
        EditSpec.load(tmp_path / "nope.json")


def test_windows():
    rs = regions_from_windows("dog", "remove", [0, 4, 2, 6], 10)
    assert [(r.start_s, r.end_s, r.mode, r.fade_ms) for r in rs] == [(0, 4, "remove", 10), (2, 6, "remove", 10)]
    with pytest.raises(EditError, match="pairs"):
        regions_from_windows("dog", "keep", [0, 4, 2])
    with pytest.raises(EditError, match="numbers"):
        regions_from_windows("dog", "keep", ["a", 1])


def test_clip_regions():
    out, warnings = clip_regions([Region(0, 1, "a"), Region(2, 9, "b")], 5.0)
    assert out[1].end_s == 5.0 and len(warnings) == 1 and "Region 2" in warnings[0]
    with pytest.raises(EditError, match="starts after the end"):
        clip_regions([Region(0, 1, "a"), Region(5.0, 6, "b")], 5.0)


def test_depth_defaults_and_older_specs_still_load():
    r = Region.from_dict({"start_s": 0, "end_s": 1, "prompt": "dog bark"})  # a spec written before depth_db
    assert r.depth_db == 20.0 and r.floor_gain == pytest.approx(0.1)
    assert Region(0, 1, "x", depth_db=120).floor_gain == pytest.approx(1e-6)
    assert [x.depth_db for x in regions_from_windows("x", "remove", [0, 1, 2, 3], 10, 35.0)] == [35.0, 35.0]
