"""Sentence vectors stored as int8 rows with a scale each; float16 blobs of older indexes still read."""

from __future__ import annotations

import numpy as np
import pytest

from qa import sentvec


@pytest.mark.parametrize("dim", [384, 7, 8, 1])
@pytest.mark.parametrize("n", [0, 1, 2, 5])
def test_int8_rows_come_back_within_half_a_step(dim, n):
    rng = np.random.default_rng(dim * 10 + n)
    v = rng.standard_normal((n, dim)).astype(np.float32)
    blob = sentvec.encode(v)
    assert len(blob) % 2 == 1  # what tells it from float16, whatever the shape
    if dim == 384:  # a row: 388 bytes against float16's 768
        assert len(blob) <= 2 + 388 * n
    back = sentvec.decode(blob, dim)
    assert back.shape == (n, dim)
    step = np.abs(v).max(axis=1, keepdims=True) / 127 if n else 0
    assert np.all(np.abs(back - v) <= step / 2 + 1e-6)
    if n:  # each row's largest value is kept exactly
        rows = np.arange(n)
        cols = np.abs(v).argmax(axis=1)
        np.testing.assert_allclose(back[rows, cols], v[rows, cols], rtol=1e-6)


def test_a_zero_row_stays_zero():
    v = np.zeros((2, 4), np.float32)
    v[1] = [0.5, -0.25, 0, 1]
    back = sentvec.decode(sentvec.encode(v), 4)
    assert np.all(back[0] == 0) and np.allclose(back[1], v[1], atol=1 / 254)


def test_float16_blobs_of_older_indexes_decode_as_before():
    v = np.random.default_rng(0).standard_normal((3, 384)).astype(np.float32)
    old = v.astype(np.float16).tobytes()
    np.testing.assert_array_equal(sentvec.decode(old, 384), v.astype(np.float16).astype(np.float32))
    # One passage each way, as in an index an older version wrote and this one updated.
    stacked, starts = sentvec.decode_many([old, sentvec.encode(v[:2])], 384)
    assert stacked.shape == (5, 384) and starts.tolist() == [0, 3]
    np.testing.assert_allclose(stacked[3:], v[:2], atol=np.abs(v).max() / 254 + 1e-6)


def test_a_blob_of_another_shape_is_refused():
    blob = sentvec.encode(np.ones((2, 8), np.float32))
    with pytest.raises(ValueError, match="not 16-dimensional"):
        sentvec.decode(blob, 16)


def test_int8_blobs_decode_together_as_each_alone():
    rng = np.random.default_rng(3)
    blobs = [sentvec.encode(rng.standard_normal((n, 16)).astype(np.float32)) for n in (1, 0, 3, 2)]
    stacked, starts = sentvec.decode_many(blobs, 16)
    np.testing.assert_array_equal(stacked, np.vstack([sentvec.decode(b, 16) for b in blobs]))
    assert stacked.dtype == np.float32 and starts.tolist() == [0, 1, 1, 4]
    empty, starts = sentvec.decode_many([], 16)
    assert empty.shape == (0, 16) and starts.tolist() == [0]
    with pytest.raises(ValueError, match="not 16-dimensional"):
        sentvec.decode_many([blobs[0], sentvec.encode(np.ones((2, 8), np.float32))], 16)
