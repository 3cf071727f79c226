"""ESPNetv2 CPU inference engine: classification, segmentation and SSD detection from numpy.

>>> import espnetv2
>>> model = espnetv2.Model.load("espnetv2_s_2.0_pascal_384x384.pth")
>>> session = espnetv2.Session(model)            # one per thread; models are shared
>>> photo = espnetv2.decode_image("photo.jpg")   # H x W x 3 uint8
>>> result = espnetv2.segment(session, photo)    # result.labels: H x W uint8
>>> espnetv2.write_png("overlay.png", espnetv2.overlay(photo, espnetv2.colorize(result, model)))

``Session.run`` takes a normalised float32 N x 3 x H x W array and returns the raw outputs;
``classify``, ``segment`` and ``detect`` apply the official demos' preprocessing and return the
dataclasses below. The engine runs without the GIL. Errors are :class:`Error` (a RuntimeError)
with the engine's message; a wrong dtype or shape is a TypeError or ValueError.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Tuple, Union

import numpy as np

from . import _core
from ._core import (
    Error,
    Model,
    Session,
    SessionInUseError,
    decode_image,
    overlay,
    quantize,
    write_png,
)

__version__: str = _core.__version__

__all__ = [
    "ClassScore",
    "ClassShare",
    "Detection",
    "Error",
    "Model",
    "Segmentation",
    "Session",
    "SessionInUseError",
    "classify",
    "colorize",
    "decode_image",
    "detect",
    "draw_detections",
    "overlay",
    "quantize",
    "segment",
    "write_png",
]


@dataclass(frozen=True)
class ClassScore:
    """One class of a classification."""

    index: int  #: output index (the ImageNet class id for ImageNet models)
    name: str  #: class name, or "" when the model's classes are not a known dataset
    probability: float  #: softmax probability, 0..1


@dataclass(frozen=True)
class ClassShare:
    """The share of a label map taken by one class."""

    index: int  #: label value
    name: str  #: class name (VOC or Cityscapes), or ""
    pixels: int  #: pixels of the label map at the photo's size
    fraction: float  #: pixels / (width * height)


@dataclass(frozen=True, eq=False)
class Segmentation:
    """A segmented photo (arrays are new, owned by numpy)."""

    labels: np.ndarray  #: H x W uint8 class labels at the photo's size
    #: float32 network output [1, classes, network_height, network_width]; None without keep_logits
    logits: Optional[np.ndarray]
    network_labels: np.ndarray  #: argmax at the network's size, uint8
    classes: List[ClassShare]  #: classes present in ``labels``, by ascending label
    width: int  #: the photo's width
    height: int  #: the photo's height
    network_width: int  #: the size the network ran at
    network_height: int


@dataclass(frozen=True)
class Detection:
    """A detected object: a corner-form box in pixels of the photo (not clipped to it)."""

    x1: float
    y1: float
    x2: float
    y2: float
    score: float  #: class probability (softmax), 0..1
    label: int  #: class index of the network's output (0 is the background, never reported)
    name: str  #: class name ("person"), or "" where the classes are unnamed


def classify(session: Session, rgb: np.ndarray, top_k: int = 5) -> List[ClassScore]:
    """The ``top_k`` most probable classes of an H x W x 3 uint8 RGB photo, most probable first.

    Preprocessing as the standard ImageNet evaluation: shorter side to 256 (Pillow's bilinear),
    centre crop 224, ImageNet mean/std. Raises :class:`Error` when the session's model is not a
    classifier.
    """
    return [ClassScore(*row) for row in _core._classify(session, rgb, top_k)]


def segment(
    session: Session,
    rgb: np.ndarray,
    size: Optional[Tuple[int, int]] = None,
    keep_logits: bool = True,
) -> Segmentation:
    """Segments an H x W x 3 uint8 RGB photo with the official demo of the model's family.

    size: the network input as (width, height), multiples of 16; None picks it as the demo does
    (EdgeNets: each side rounded down to a multiple of 32; original repository: 1024 x 512).
    keep_logits: False leaves ``logits`` None, and the run then ends with the labels (the final
    upsampling and the argmax fused), so the full-size logits are never made: the same labels
    for less memory and time.
    """
    width, height = (0, 0) if size is None else size
    raw = _core._segment(session, rgb, int(width), int(height), bool(keep_logits))
    raw["classes"] = [ClassShare(*row) for row in raw["classes"]]
    return Segmentation(**raw)


def detect(
    session: Session,
    rgb: np.ndarray,
    score_threshold: Optional[float] = None,
    iou_threshold: float = 0.45,
    top_k_per_class: int = 200,
    max_detections: int = 0,
) -> List[Detection]:
    """Objects in an H x W x 3 uint8 RGB photo, as the EdgeNets detection demo finds them.

    score_threshold: class probabilities above it are kept; None takes the demo's default (0.4
    for PASCAL VOC models, 0.3 for COCO). Per-class NMS at ``iou_threshold``, at most
    ``top_k_per_class`` boxes per class and ``max_detections`` per image (0: no limit). Ordered
    by class, then by descending score.
    """
    threshold = -1.0 if score_threshold is None else float(score_threshold)
    rows = _core._detect(
        session, rgb, threshold, float(iou_threshold), int(top_k_per_class), int(max_detections)
    )
    return [Detection(*row) for row in rows]


def colorize(labels: Union[Segmentation, np.ndarray], model: Model) -> np.ndarray:
    """A label map (or a :class:`Segmentation`) in its dataset's colours: H x W x 3 uint8.

    The Cityscapes palette for Cityscapes models, the PASCAL VOC colour map otherwise.
    """
    if isinstance(labels, Segmentation):
        labels = labels.labels
    return _core._colorize(labels, model)


def draw_detections(photo: np.ndarray, detections: Iterable[Detection]) -> np.ndarray:
    """A copy of an H x W x 3 uint8 photo with each box and "name: score" drawn in its colour."""
    rows = [(d.x1, d.y1, d.x2, d.y2, d.score, d.label, d.name) for d in detections]
    return _core._draw_detections(photo, rows)



def _model_from_pickle(how: str, *args: Any) -> Model:
    # Model.__reduce__ points here: a pickled Model is its file name (or random description),
    # loaded again in the receiving process.
    if how == "load":
        return Model.load(*args)
    return Model.random(*args)
