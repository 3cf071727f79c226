"""espnetv2.quantize and int8 / bf16 sessions from Python: the quantized file is written, loads
with its plan, runs in int8 (reporting what ran how), pickles by its path, and the same photos
give the same file; bad calls raise."""

import pickle
from pathlib import Path

import numpy as np
import pytest

import espnetv2
from conftest import make_photo, ramp_input, random_classifier


def photos() -> list:
    return [make_photo(120, 160), make_photo(96, 128)[:, ::-1].copy()]


def test_quantize_writes_a_model_that_runs_in_int8(tmp_path: Path) -> None:
    model = random_classifier()
    assert model.quantization is None
    quantized = espnetv2.quantize(model, photos(), tmp_path / "a.espnet")
    assert quantized.path == str(tmp_path / "a.espnet")
    plan = quantized.quantization
    assert plan["range_method"] == "mse" and plan["calibration_inputs"] == 2
    assert plan["guard_margin"] == pytest.approx(0.1)
    assert plan["bias_correction"] is True
    int8_layers = [l for l in plan["layers"] if l["precision"] == "int8"]
    assert int8_layers, plan
    assert len(int8_layers[0]["input_scale"]) == len(int8_layers[0]["zero_point"]) > 0

    session = espnetv2.Session(quantized, threads=1, precision="int8")
    assert session.precision == "int8"
    x = ramp_input(64, 64)
    logits = session.run(x)["logits"]
    report = session.precision_report
    assert report["precision"] == "int8"
    assert report["reduced_convolutions"] + report["int8_fallbacks"] == len(int8_layers)
    # An fp32 session of the quantized model is the fp32 model's.
    fp32 = espnetv2.Session(model, threads=1).run(x)["logits"]
    same = espnetv2.Session(quantized, threads=1).run(x)["logits"]
    np.testing.assert_array_equal(fp32, same)
    assert np.isfinite(logits).all()

    # Deterministic: the same photos give the same bytes.
    espnetv2.quantize(model, photos(), tmp_path / "b.espnet", threads=2)
    assert (tmp_path / "a.espnet").read_bytes() == (tmp_path / "b.espnet").read_bytes()
    # Pickled by its path: the plan comes back with the file.
    again = pickle.loads(pickle.dumps(quantized))
    assert again.quantization == plan


def test_int8_needs_a_quantized_model_and_bad_calls_raise(tmp_path: Path) -> None:
    model = random_classifier()
    with pytest.raises(espnetv2.Error, match="espnet quantize"):
        espnetv2.Session(model, precision="int8")
    with pytest.raises(espnetv2.Error, match="fp16"):
        espnetv2.Session(model, precision="fp16")
    with pytest.raises(ValueError):
        espnetv2.quantize(model, [], tmp_path / "x.espnet")
    with pytest.raises(espnetv2.Error, match="range method"):
        espnetv2.quantize(model, photos(), tmp_path / "x.espnet", range="median")
    with pytest.raises(TypeError):
        espnetv2.quantize(model, [np.zeros((8, 8), dtype=np.float32)], tmp_path / "x.espnet")
    assert not (tmp_path / "x.espnet").exists()


def test_save_writes_a_file_that_loads_the_same(tmp_path: Path) -> None:
    model = random_classifier()
    model.save(tmp_path / "m.espnet")
    loaded = espnetv2.Model.load(tmp_path / "m.espnet")
    x = ramp_input(32, 32)
    np.testing.assert_array_equal(
        espnetv2.Session(model).run(x)["logits"], espnetv2.Session(loaded).run(x)["logits"]
    )
