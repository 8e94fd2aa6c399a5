"""The PP-OCR recognition network on one of two inference runtimes.

Both load the same ONNX file from the rapidocr wheel and give the same interface: the
model's character list, the width a batch of a given width is padded to, and a run from a
batch of normalised line images to the network's per-frame class probabilities.

The default, ``auto``, takes OpenVINO on a CPU with bfloat16 units (AMX, AVX-512 BF16),
where it runs the network in bfloat16, about 1.7 times as fast as ONNX Runtime's float32
(two workers did 139 slips a minute against 118), reading the benchmark sets as well: the
same fields on one, a few fields either way on the other (README, "Accuracy and speed").
Elsewhere it takes ONNX Runtime: OpenVINO's float32 was no faster on one such machine and
13 % slower on another (AVX2 only), with more memory.
"""

from __future__ import annotations

import importlib
import math
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from intake.errors import ConfigurationError

#: OpenVINO keeps a compiled plan per input shape; without it every new shape is planned
#: again, and the network takes twice as long. Each plan holds memory, so the shapes are
#: kept few: widths are padded up to steps this much apart (at least 8 px, one output
#: frame) and batches cut into pieces of these sizes. Wider steps (1.3) saved memory but,
#: padding lines further, changed readings: two more wrong values accepted on the second
#: benchmark set.
WIDTH_STEP = 1.15
SMALLEST_WIDTH = 96
BATCH_SIZES = (4, 1)
#: Lines times width of one network call. Memory follows it (the output alone holds 18,710
#: class probabilities per 8 px of width) and time does not: on 45 pages' lines, calls of
#: up to 4,096 px (sixteen short lines) took as long and 120 MB more.
MAX_CALL_PIXELS = 1024


class RecognitionNetwork(Protocol):
    """The recognition network as the engine uses it."""

    characters: list[str]
    #: The runtime and precision, for reports ("OpenVINO bfloat16").
    description: str

    def padded_width(self, width: int) -> int:
        """The width a batch whose widest line is ``width`` pixels is padded to."""
        ...

    def run(self, batch: np.ndarray) -> np.ndarray:
        """Class probabilities (batch, frames, classes) for a (batch, 3, 48, width) array."""
        ...


class OnnxRuntimeNetwork:
    """The network on ONNX Runtime, float32, one thread."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        ort = _runtime_package("onnxruntime")
        options = ort.SessionOptions()
        # One thread and no spinning: workers scale by process, and a spinning pool
        # doubles latency as soon as anything else runs on the machine.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        # The memory arena keeps what the widest batch needed instead of asking the system
        # for it on every run: recognition takes about 14 % less time with it (282 fields of
        # 12 pages, measured both ways, twice), and a worker's peak memory did not grow.
        options.enable_cpu_mem_arena = True
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input = self._session.get_inputs()[0].name
        meta = self._session.get_modelmeta().custom_metadata_map
        self.characters = _character_list(path, meta.get("character"))
        self.description = "ONNX Runtime float32"

    def padded_width(self, width: int) -> int:
        return width

    def run(self, batch: np.ndarray) -> np.ndarray:
        probs: np.ndarray = self._session.run(None, {self._input: batch})[0]
        return probs


class OpenVinoNetwork:
    """The network on OpenVINO's CPU plugin: bfloat16 where the CPU has it, one thread."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        ov = _runtime_package("openvino")
        core = ov.Core()
        model = core.read_model(str(path))
        precision = "bf16" if cpu_has_bfloat16() else "f32"
        config = {
            "INFERENCE_NUM_THREADS": threads,
            "NUM_STREAMS": 1,
            "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_PRECISION_HINT": precision,
            # Pinned threads would put every worker process on the same core.
            "ENABLE_CPU_PINNING": False,
        }
        self._request = core.compile_model(model, "CPU", config).create_infer_request()
        character = None
        if model.has_rt_info(["framework", "character"]):
            character = model.get_rt_info(["framework", "character"]).astype(str)
        self.characters = _character_list(path, character)
        self.description = "OpenVINO " + ("bfloat16" if precision == "bf16" else "float32")

    def padded_width(self, width: int) -> int:
        return stepped_width(width)

    def run(self, batch: np.ndarray) -> np.ndarray:
        # Lines are independent in the network: a batch cut in pieces reads as a whole.
        pieces = []
        start = 0
        for size in call_sizes(len(batch), batch.shape[-1]):
            result = self._request.infer({0: batch[start : start + size]})
            pieces.append(np.array(result[0]))
            start += size
        return np.concatenate(pieces)


def call_sizes(lines: int, width: int) -> list[int]:
    """How many lines of a batch each network call takes: pieces of BATCH_SIZES, the
    largest first, none over MAX_CALL_PIXELS unless it is a single line."""
    sizes: list[int] = []
    for size in BATCH_SIZES:
        if size == 1 or size * width <= MAX_CALL_PIXELS:
            sizes += [size] * ((lines - sum(sizes)) // size)
    return sizes


def stepped_width(width: int) -> int:
    """The smallest of the widths SMALLEST_WIDTH, then each WIDTH_STEP times the last
    (rounded up to 8 px), that holds ``width``."""
    padded = SMALLEST_WIDTH
    while padded < width:
        padded = max(padded + 8, math.ceil(padded * WIDTH_STEP / 8) * 8)
    return padded


def _runtime_package(name: str) -> Any:
    """The runtime's Python package, or ConfigurationError naming what to install."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ConfigurationError(
            f"the {name!r} runtime needs the {name} package (pip install {name})"
        ) from exc


def _character_list(path: Path, character: str | None) -> list[str]:
    if not character:
        raise ConfigurationError(f"{path} carries no character list (metadata 'character')")
    return character.splitlines()


def auto_runtime() -> str:
    """OpenVINO where the CPU has bfloat16 units, else ONNX Runtime (see the module's doc)."""
    return "openvino" if cpu_has_bfloat16() else "onnxruntime"


@lru_cache(maxsize=1)
def cpu_has_bfloat16() -> bool:
    """Whether OpenVINO finds bfloat16 units on this CPU (False without OpenVINO); asked
    once per process."""
    try:
        ov = importlib.import_module("openvino")
    except ImportError:  # pragma: no cover - depends on the installation
        return False
    return "BF16" in ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")


#: The runtime chosen by the machine (:func:`auto_runtime`), the default.
AUTO = "auto"
RUNTIMES: dict[str, type[OnnxRuntimeNetwork] | type[OpenVinoNetwork]] = {
    "openvino": OpenVinoNetwork,
    "onnxruntime": OnnxRuntimeNetwork,
}


def load_network(path: Path, runtime: str, threads: int = 1) -> RecognitionNetwork:
    """The network at ``path`` on the named runtime, or on :func:`auto_runtime`'s choice for
    ``auto`` (ConfigurationError if unknown)."""
    cls = RUNTIMES.get(auto_runtime() if runtime == AUTO else runtime)
    if cls is None:
        known = ", ".join([AUTO, *RUNTIMES])
        raise ConfigurationError(f"unknown OCR runtime {runtime!r}; known: {known}")
    return cls(path, threads)
