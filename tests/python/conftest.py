"""Shared fixtures of the espnetv2 Python tests: the reference data folder (ESPNET_REF_DIR, else
the path CMake was configured with), the espnet CLI (ESPNET_CLI, set by ctest) for comparing
with the C++ results, cached models, and random-weight models for tests that need no data."""

import functools
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import espnetv2


def reference_dir() -> Path:
    return Path(
        os.environ.get("ESPNET_REF_DIR")
        or os.environ.get("ESPNET_DEFAULT_REF_DIR")
        or Path(__file__).resolve().parents[2] / ".." / "shared" / "espnetv2-ref"
    )


def have_reference_data() -> bool:
    return (reference_dir() / "manifest.json").is_file()


def require_reference_data() -> Path:
    if not have_reference_data():
        pytest.skip(f"reference data not found at {reference_dir()} (set ESPNET_REF_DIR)")
    return reference_dir()


@functools.lru_cache(maxsize=None)
def manifest() -> dict:
    with open(reference_dir() / "manifest.json") as f:
        return json.load(f)


@functools.lru_cache(maxsize=None)
def reference_model(relative_path: str) -> espnetv2.Model:
    return espnetv2.Model.load(str(reference_dir() / relative_path))


def run_cli_plain(*args: str) -> str:
    """Runs the C++ command line (the reference for the task calls) and returns its output."""
    cli = os.environ.get("ESPNET_CLI")
    if not cli or not os.access(cli, os.X_OK):
        pytest.skip("the espnet CLI is not known (ctest sets ESPNET_CLI)")
    return subprocess.run([cli, *args], capture_output=True, text=True, check=True).stdout


def run_cli(*args: str) -> object:
    """Runs the C++ command line with --json and returns its parsed output."""
    return json.loads(run_cli_plain(*args, "--json"))


@functools.lru_cache(maxsize=None)
def random_classifier(scale: float = 0.5) -> espnetv2.Model:
    return espnetv2.Model.random("classification", scale, 1000, "imagenet")


@functools.lru_cache(maxsize=None)
def random_segmenter(scale: float = 0.5) -> espnetv2.Model:
    return espnetv2.Model.random("segmentation", scale, 21, "pascal")


def ramp_input(height: int, width: int, batch: int = 1) -> np.ndarray:
    """A deterministic, non-trivial float32 N x 3 x H x W input."""
    x = np.arange(batch * 3 * height * width, dtype=np.float32) % 97 / 97.0 - 0.5
    return x.reshape(batch, 3, height, width)


def make_photo(height: int = 120, width: int = 160) -> np.ndarray:
    """A deterministic H x W x 3 uint8 picture with some structure."""
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([x * 255 // width, y * 255 // height, (x * 7 + y * 3) % 256], axis=-1)
    return rgb.astype(np.uint8)
