# Type stubs of the compiled part of espnetv2 (src/python/*.cpp); the public API is re-exported
# by espnetv2/__init__.py, which carries its own annotations.
import os
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

_Path = Union[str, "os.PathLike[str]"]

class Error(RuntimeError):
    """Raised by the engine; str(e) is its message (file, value or size at fault)."""

class SessionInUseError(Error):
    """A Session entered by a thread while another thread is using it."""

class Model:
    """A loaded network with its weights: immutable, shareable between threads and sessions.

    Pickles as its file name (the receiving process loads the file again)."""

    @staticmethod
    def load(path: _Path, detection_input_size: int = 0) -> Model: ...
    @staticmethod
    def random(
        task: str,
        scale: float,
        classes: int,
        dataset: str,
        family: str = "edgenets",
        input_size: int = 0,
        seed: int = 1,
    ) -> Model: ...
    @property
    def task(self) -> str: ...
    @property
    def family(self) -> str: ...
    @property
    def scale(self) -> float: ...
    @property
    def classes(self) -> int: ...
    @property
    def dataset(self) -> str: ...
    @property
    def params(self) -> int: ...
    @property
    def input_size(self) -> int: ...
    @property
    def class_names(self) -> List[str]: ...
    @property
    def path(self) -> Optional[str]: ...
    def conv_mmacs(self, height: int, width: int) -> float: ...
    def save(self, path: _Path) -> None: ...
    @property
    def quantization(self) -> Optional[Dict[str, Any]]: ...
    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]: ...

class Session:
    """Runs a Model; one thread at a time (one Session per thread)."""

    def __init__(
        self,
        model: Model,
        threads: int = 0,
        allow_non_finite_input: bool = False,
        precision: str = "fp32",
    ) -> None: ...
    def run(self, input: npt.NDArray[np.float32]) -> Dict[str, npt.NDArray[np.float32]]: ...
    def set_trace(
        self, callback: Optional[Callable[[str, npt.NDArray[np.float32]], Any]]
    ) -> None: ...
    @property
    def model(self) -> Model: ...
    @property
    def threads(self) -> int: ...
    @property
    def allow_non_finite_input(self) -> bool: ...
    @property
    def activation_bytes(self) -> int: ...
    @property
    def precision(self) -> str: ...
    @property
    def precision_report(self) -> Dict[str, Any]: ...

def quantize(
    model: Model,
    photos: List[npt.NDArray[np.uint8]],
    path: _Path,
    min_pixel_agreement: float = 0.995,
    max_output_error: float = 0.05,
    range: str = "mse",
    guard_margin: float = 0.1,
    threads: int = 0,
    bias_correction: bool = True,
) -> Model: ...
def decode_image(source: Union[_Path, bytes, bytearray, memoryview]) -> npt.NDArray[np.uint8]: ...
def write_png(path: _Path, image: npt.NDArray[np.uint8]) -> None: ...
def overlay(
    photo: npt.NDArray[np.uint8], colours: npt.NDArray[np.uint8], alpha: float = 0.7
) -> npt.NDArray[np.uint8]: ...
def _classify(session: Session, rgb: np.ndarray, top_k: int) -> List[Tuple[int, str, float]]: ...
def _segment(session: Session, rgb: np.ndarray, width: int, height: int) -> Dict[str, Any]: ...
def _detect(
    session: Session,
    rgb: np.ndarray,
    score_threshold: float,
    iou_threshold: float,
    top_k_per_class: int,
    max_detections: int,
) -> List[Tuple[float, float, float, float, float, int, str]]: ...
def _colorize(labels: np.ndarray, model: Model) -> npt.NDArray[np.uint8]: ...
def _draw_detections(
    photo: np.ndarray, detections: Iterable[Tuple[float, float, float, float, float, int, str]]
) -> npt.NDArray[np.uint8]: ...
