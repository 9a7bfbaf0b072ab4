import numpy as np

from textsep.edits import Region


def test_outside_region_is_bit_identical(tiny_separator, noise_audio):
    sr = 22050
    x = noise_audio(2.0, sr, 2)
    r = Region(0.5, 1.2, "dog bark", "remove")
    y = tiny_separator.separate(x, sr, [r]).audio
    a, b = r.span(sr)
    assert y.shape == x.shape
    assert np.array_equal(y[:, :a], x[:, :a]) and np.array_equal(y[:, b:], x[:, b:])
    assert not np.array_equal(y[:, a:b], x[:, a:b])
