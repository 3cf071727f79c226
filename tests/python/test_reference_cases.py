"""Every shared reference case through Session.run: each output within the manifest's tolerance
(|ours - expected| <= abs + rel * |expected|), strided outputs compared on the same samples, label
maps (argmax of the full output) within their mismatch fraction."""

import numpy as np
import pytest

import espnetv2
from conftest import have_reference_data, manifest, reference_dir, reference_model

CASES = [c["name"] for c in manifest()["cases"]] if have_reference_data() else ["(no data)"]

# Output files of a case -> the name Session.run gives that output.
OUTPUT_OF_FILE = {
    "logits": "logits",
    "output": "output",
    "confidences": "confidences",
    "locations": "locations",
}


# What `espnet run` writes for each task, one .npy per output.
OUTPUT_NAMES = {
    "classification": {"logits"},
    "segmentation": {"output"},
    "detection": {"confidences", "locations"},
}


def case_by_name(name: str) -> dict:
    return next(c for c in manifest()["cases"] if c["name"] == name)


def assert_within(ours: np.ndarray, expected: np.ndarray, tol: dict, what: str) -> None:
    assert ours.shape == expected.shape, f"{what}: shape {ours.shape} != {expected.shape}"
    bound = tol["abs"] + tol["rel"] * np.abs(expected)
    excess = np.abs(ours.astype(np.float64) - expected) - bound
    worst = int(np.argmax(excess))
    assert excess.flat[worst] <= 0, (
        f"{what}: {int((excess > 0).sum())} of {excess.size} elements outside tolerance, worst at "
        f"flat index {worst}: {ours.flat[worst]} vs {expected.flat[worst]}"
    )


@pytest.mark.parametrize("name", CASES)
def test_reference_case(name: str) -> None:
    if not have_reference_data():
        pytest.skip(f"reference data not found at {reference_dir()} (set ESPNET_REF_DIR)")
    case = case_by_name(name)
    model = reference_model(case["checkpoint"])
    session = espnetv2.Session(model)
    x = np.load(reference_dir() / case["input"]["file"])
    before = x.copy()
    outputs = session.run(x)
    np.testing.assert_array_equal(x, before, err_msg="run changed its input")
    assert set(outputs) == OUTPUT_NAMES[case["task"]]
    for out in case["outputs"]:
        if "file" not in out:
            continue  # the detection list: from the post-processing, see test_tasks.py
        stem = out["file"].rsplit("/", 1)[-1].split(".npy")[0]
        expected = np.load(reference_dir() / out["file"])
        if stem == "labels":
            labels = outputs["output"].argmax(axis=1).astype(np.uint8)
            mismatch = float(np.mean(labels != expected))
            assert mismatch <= out["tolerance"]["max_mismatch_fraction"], f"{name}: labels"
            continue
        key = stem.split("_stride")[0]
        if key not in OUTPUT_OF_FILE:
            continue  # priors and decoded boxes are not network outputs
        ours = outputs[OUTPUT_OF_FILE[key]]
        assert ours.dtype == np.float32 and ours.flags["C_CONTIGUOUS"] and ours.flags["WRITEABLE"]
        stride = out.get("stride", 1)
        if stride > 1:
            assert list(ours.shape) == out["full_shape"]
            ours = ours[:, :, ::stride, ::stride]
        assert_within(ours, expected, out["tolerance"], f"{name}: {stem}")
