"""Errors: a wrong type or dtype is a TypeError, a wrong shape or layout a ValueError (each naming
what was expected), the engine's refusals are espnetv2.Error (a RuntimeError) with its message.
Random-weight models: no reference data needed."""

import pickle

import numpy as np
import pytest

import espnetv2
from conftest import make_photo, ramp_input, random_classifier, random_segmenter


@pytest.fixture()
def session() -> espnetv2.Session:
    return espnetv2.Session(random_classifier(), threads=1)


def test_error_classes() -> None:
    assert issubclass(espnetv2.Error, RuntimeError)
    assert issubclass(espnetv2.SessionInUseError, espnetv2.Error)


@pytest.mark.parametrize(
    "bad, error, message",
    [
        ([[1.0]], TypeError, "numpy.ndarray of float32, got list"),
        (np.zeros((1, 3, 32, 32), np.float64), TypeError, "dtype float32, got float64"),
        (np.zeros((1, 3, 32, 32), np.float16), TypeError, "dtype float32"),
        (np.zeros((1, 3, 32, 32), ">f4"), TypeError, "dtype float32, got >f4"),
        (np.zeros((3, 32, 32), np.float32), ValueError, "N x 3 x H x W"),
        (np.zeros((1, 4, 32, 32), np.float32), ValueError, "got shape (1, 4, 32, 32)"),
        (np.zeros((0, 3, 32, 32), np.float32), ValueError, "N >= 1"),
        (np.zeros((1, 3, 32, 64), np.float32)[:, :, :, ::2], ValueError, "C-contiguous"),
        (np.zeros((1, 32, 32, 3), np.float32).transpose(0, 3, 1, 2), ValueError, "C-contiguous"),
    ],
)
def test_run_rejects_bad_input(session, bad, error, message) -> None:
    with pytest.raises(error) as raised:
        session.run(bad)
    assert message in str(raised.value)


def test_engine_errors_carry_its_message(session) -> None:
    with pytest.raises(espnetv2.Error, match="/nonexistent/model.pth"):
        espnetv2.Model.load("/nonexistent/model.pth")
    x = ramp_input(64, 64)
    x[0, 1, 2, 3] = np.nan
    with pytest.raises(espnetv2.Error, match=r"NaN at \[n, c, y, x\] = \[0, 1, 2, 3\]"):
        session.run(x)
    # Segmentation needs multiples of 16.
    seg = espnetv2.Session(random_segmenter(), threads=1)
    with pytest.raises(espnetv2.Error, match="16"):
        seg.run(ramp_input(50, 64))
    # Wrong task.
    with pytest.raises(espnetv2.Error, match="segmentation model"):
        espnetv2.segment(session, make_photo())
    with pytest.raises(espnetv2.Error, match="detection"):
        espnetv2.detect(session, make_photo())
    with pytest.raises(espnetv2.Error, match="classification model"):
        espnetv2.classify(seg, make_photo())
    with pytest.raises(espnetv2.Error, match="cannot open"):
        espnetv2.decode_image("/nonexistent/photo.jpg")
    with pytest.raises(espnetv2.Error, match="<bytes>"):
        espnetv2.decode_image(b"not an image")


def test_non_finite_input_can_be_let_through() -> None:
    session = espnetv2.Session(random_classifier(), threads=1, allow_non_finite_input=True)
    x = ramp_input(64, 64)
    x[0, 0, 0, 0] = np.inf
    assert not np.isfinite(session.run(x)["logits"]).all()


@pytest.mark.parametrize(
    "bad, error, message",
    [
        ("photo.jpg", TypeError, "numpy.ndarray of uint8, got str"),
        (np.zeros((10, 10, 3), np.float32), TypeError, "dtype uint8, got float32"),
        (np.zeros((10, 10), np.uint8), ValueError, "H x W x 3"),
        (np.zeros((10, 10, 4), np.uint8), ValueError, "got shape (10, 10, 4)"),
    ],
)
def test_photos_must_be_rgb_uint8(session, bad, error, message) -> None:
    with pytest.raises(error) as raised:
        espnetv2.classify(session, bad)
    assert message in str(raised.value)


def test_argument_checks(session) -> None:
    with pytest.raises(ValueError, match="top_k"):
        espnetv2.classify(session, make_photo(), top_k=0)
    with pytest.raises(ValueError, match="threads"):
        espnetv2.Session(random_classifier(), threads=-1)
    with pytest.raises(TypeError):
        espnetv2.Session(None)
    with pytest.raises(TypeError, match="callable"):
        session.set_trace(42)
    with pytest.raises(ValueError, match="alpha"):
        espnetv2.overlay(make_photo(), make_photo(), 1.5)
    with pytest.raises(espnetv2.Error):
        espnetv2.overlay(make_photo(10, 10), make_photo(10, 12), 0.5)
    with pytest.raises(ValueError, match="label map"):
        espnetv2.colorize(np.zeros((2, 3, 4), np.uint8), random_segmenter())
    with pytest.raises(ValueError, match="detection_input_size"):
        espnetv2.Model.load("x.pth", detection_input_size=416)
    with pytest.raises(ValueError, match="task"):
        espnetv2.Model.random("regression", 1.0, 10, "x")


def test_a_trace_callback_exception_reaches_the_caller(session) -> None:
    def fail(name, value):
        raise KeyError(f"stop at {name}")

    session.set_trace(fail)
    with pytest.raises(KeyError, match="stop at level1"):
        session.run(ramp_input(64, 64))
    session.set_trace(None)
    assert session.run(ramp_input(64, 64))["logits"].shape == (1, 1000)


def test_pickling() -> None:
    model = random_segmenter()
    again = pickle.loads(pickle.dumps(model))
    assert repr(again) == repr(model) and again.path is None
    x = ramp_input(64, 64)
    np.testing.assert_array_equal(
        espnetv2.Session(again).run(x)["output"], espnetv2.Session(model).run(x)["output"]
    )
    with pytest.raises(TypeError, match="Session cannot be pickled"):
        pickle.dumps(espnetv2.Session(model))
