"""PP-OCR text recognition (PP-OCRv6 small, shipped inside the rapidocr wheel).

Only the recognition network is used: the field readers already know where each line of a
field is (the box is on the registered page and its ink is found against the blank form), so
text detection would only add time and memory. The network's CTC output is decoded here
rather than by rapidocr so that it can be masked to the characters a field may contain.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from intake.errors import ConfigurationError
from intake.settings import get_settings
from ocr.engines.base import OcrWord
from ocr.engines.networks import load_network
from ocr.engines.variants import folded_forms

#: Height the recognition network was trained on; crops are scaled to it.
_REC_HEIGHT = 48
#: Images narrower than this ratio are padded, as PaddleOCR does: the network is unstable
#: on very short inputs (one or two characters).
_MIN_WH_RATIO = 2.0
#: A character read with less certainty than this carries the engine's next guesses for
#: it (up to ALTERNATIVES, each at least MIN_ALTERNATIVE likely): a name the reading
#: beside it contradicts can then be put right from them (後滕 → 後藤).
ALTERNATIVES_BELOW = 0.999
ALTERNATIVES = 4
MIN_ALTERNATIVE = 0.005
#: Crops are batched by similar width so that padding stays cheap: a batch holds crops
#: at most this much wider than its narrowest.
_MAX_BATCH = 16
_BATCH_SPREAD = 1.25


def default_rec_model() -> Path:
    """The PP-OCRv6 small recognition model inside the installed rapidocr package.

    The package is located, not imported: nothing of rapidocr runs (it could fetch models).
    """
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or spec.origin is None:
        raise ConfigurationError(
            "the 'ppocr' engine needs the rapidocr package, which ships its model files "
            "(pip install rapidocr==3.10.0)"
        )
    return Path(spec.origin).parent / "models" / "PP-OCRv6_rec_small.onnx"


class PpOcrEngine:
    """PP-OCR recognition of single text lines, one ONNX session per process."""

    name = "ppocr"
    retains_input = False
    learns_from_input = False

    def __init__(
        self, rec_model: Path | None = None, threads: int = 1, runtime: str | None = None
    ) -> None:
        path = rec_model or default_rec_model()
        if not path.is_file():
            raise ConfigurationError(f"PP-OCR recognition model not found: {path}")
        self._network = load_network(path, runtime or get_settings().ocr_runtime, threads)
        # Class 0 is the CTC blank; the last class is a space.
        self._classes = ["", *self._network.characters, " "]
        self._index = {ch: i for i, ch in enumerate(self._classes) if i}
        self._masks: dict[str, np.ndarray] = {}
        self._folds: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._folded_forms = folded_forms()

    @property
    def runtime(self) -> str:
        """Where the network runs, for reports ("OpenVINO bfloat16")."""
        return self._network.description

    def read_line(self, image: np.ndarray, charset: str | None = None) -> list[OcrWord]:
        """Recognise one text line; returns one OcrWord per character (see :meth:`read_lines`)."""
        return self.read_lines([image], [charset])[0]

    def read_lines(
        self, images: Sequence[np.ndarray], charsets: Sequence[str | None]
    ) -> list[list[OcrWord]]:
        """Recognise many text-line crops in few network calls.

        Each result is one OcrWord per recognised character, its bbox spanning the CTC
        frames the character was read from (full crop height) and its confidence the
        network's probability for it. With a charset, decoding only chooses among those
        characters: a probability that stays low then tells that the ink looked like
        something else.
        """
        results: list[list[OcrWord]] = [[] for _ in images]
        for batch in _batches(images):
            max_ratio = max(_MIN_WH_RATIO, *(_ratio(images[i]) for i in batch))
            width = self._network.padded_width(math.ceil(_REC_HEIGHT * max_ratio))
            tensor = np.stack([_normalise(images[i], width) for i in batch])
            probs = self._network.run(tensor)
            for row, i in enumerate(batch):
                used = _resized_width(images[i]) / width
                results[i] = self._decode(probs[row], charsets[i], images[i].shape, used)
        return results

    def _mask(self, charset: str | None) -> np.ndarray | None:
        if charset is None:
            return None
        mask = self._masks.get(charset)
        if mask is None:
            mask = np.zeros(len(self._classes), dtype=bool)
            mask[0] = True
            for ch in set(charset):
                if ch in self._index:
                    mask[self._index[ch]] = True
            self._masks[charset] = mask
        return mask

    def _fold(self, charset: str) -> tuple[np.ndarray, np.ndarray]:
        """The classes ``charset`` masks out that are a Chinese form of a character it
        holds, or a kanji drawn like a katakana it holds, and the class of that character
        (see :mod:`ocr.engines.variants`)."""
        fold = self._folds.get(charset)
        if fold is None:
            allowed = set(charset)
            pairs = [
                (i, self._index[target])
                for i, ch in enumerate(self._classes)
                if i
                and ch not in allowed
                and (target := self._folded_forms.get(ch)) in allowed
                and target in self._index
            ]
            fold = (
                np.array([a for a, _ in pairs], dtype=np.intp),
                np.array([b for _, b in pairs], dtype=np.intp),
            )
            self._folds[charset] = fold
        return fold

    def _decode(
        self,
        probs: np.ndarray,
        charset: str | None,
        shape: tuple[int, ...],
        used_fraction: float,
    ) -> list[OcrWord]:
        mask = self._mask(charset)
        scores = probs if mask is None else np.where(mask, probs, 0.0)
        if charset is not None:
            # A Chinese form of a character the field may hold is that character (查, 査);
            # in a kana field, 才 is オ.
            sources, targets = self._fold(charset)
            if sources.size:
                np.add.at(scores.T, targets, probs[:, sources].T)  # targets repeat
        best = scores.argmax(axis=1)
        # Frames past the crop are padding: neither characters nor gaps of this line.
        frames = max(1, min(len(best), math.ceil(len(best) * used_fraction)))
        # How sure each frame is that nothing is written there: CTC's blank or its space.
        nothing = probs[:frames, 0] + probs[:frames, -1]
        height, width = shape[:2]
        px_per_frame = width / max(len(best) * used_fraction, 1e-6)
        words: list[OcrWord] = []
        likely: np.ndarray | None = None
        gap_start = 0
        previous: int | None = None
        t = 0
        while t < frames:
            cls = int(best[t])
            end = t + 1
            while end < frames and best[end] == cls:
                end += 1
            if cls != 0:
                x0 = round(t * px_per_frame)
                x1 = min(width, round(end * px_per_frame))
                gap = _gap_certainty(nothing, scores, gap_start, t, previous, cls)
                conf = min(float(scores[t:end, cls].max()), gap)
                previous = cls
                if x0 < width:
                    box = (x0, 0, max(1, x1 - x0), height)
                    others: tuple[tuple[str, float], ...] = ()
                    if conf < ALTERNATIVES_BELOW:
                        if likely is None:  # the classes worth a look, once per line
                            likely = np.flatnonzero(scores[:frames].max(axis=0) >= MIN_ALTERNATIVE)
                        others = self._alternatives(scores[t:end], cls, likely)
                    words.append(OcrWord(self._classes[cls], box, conf, others))
                gap_start = end
            t = end
        if words:
            # The gap after the last character counts against it, as leading gaps do.
            last = words[-1]
            tail = _gap_certainty(nothing, scores, gap_start, frames, previous, None)
            words[-1] = OcrWord(last.text, last.bbox, min(last.confidence, tail), last.alternatives)
        return words

    def _alternatives(
        self, frames: np.ndarray, chosen: int, likely: np.ndarray
    ) -> tuple[tuple[str, float], ...]:
        """The likeliest other characters over a character's frames, among the line's
        ``likely`` classes (blank, space and ``chosen`` aside)."""
        others = likely[(likely != 0) & (likely != chosen) & (likely != len(self._classes) - 1)]
        peak = frames[:, others].max(axis=0) if others.size else np.zeros(0)
        ranked = np.argsort(-peak)[:ALTERNATIVES]
        return tuple(
            (self._classes[others[i]], float(peak[i])) for i in ranked if peak[i] >= MIN_ALTERNATIVE
        )


def _gap_certainty(
    nothing: np.ndarray,
    scores: np.ndarray,
    start: int,
    end: int,
    before: int | None,
    after: int | None,
) -> float:
    """How sure the frames between two characters are that they hold none.

    A CTC network drops a character it is unsure of: the blank wins its frames and the
    characters around it still look certain. A blank won by a small margin is that doubt,
    and it counts against the next character read. Not so the character's own class in the
    frame touching it (9 at 0.95 then 9 at 0.46): read there, it would merge into the
    same character, not add one.
    """
    if end <= start:
        return 1.0
    empty = nothing[start:end].copy()
    if before is not None:
        empty[0] += scores[start, before]
    if after is not None:
        empty[-1] += scores[end - 1, after]
    return float(min(1.0, empty.min()))


def _batches(images: Sequence[np.ndarray]) -> list[list[int]]:
    """Indices grouped into batches of similar width: the network's time grows with the
    padded width of the batch, so a long address must not pad twenty short amounts."""
    order = sorted(range(len(images)), key=lambda i: _ratio(images[i]))
    batches: list[list[int]] = []
    for i in order:
        ratio = max(_MIN_WH_RATIO, _ratio(images[i]))
        if (
            batches
            and len(batches[-1]) < _MAX_BATCH
            and ratio <= _BATCH_SPREAD * max(_MIN_WH_RATIO, _ratio(images[batches[-1][0]]))
        ):
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


def _ratio(image: np.ndarray) -> float:
    return image.shape[1] / max(1, image.shape[0])


def _resized_width(image: np.ndarray) -> int:
    return max(1, math.ceil(_REC_HEIGHT * _ratio(image)))


def _normalise(image: np.ndarray, width: int) -> np.ndarray:
    """Scale to the network height, map to [-1, 1], pad right with the network's zero."""
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    resized_w = min(width, _resized_width(image))
    shrink = image.shape[0] > _REC_HEIGHT
    interpolation = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    resized = cv2.resize(image, (resized_w, _REC_HEIGHT), interpolation=interpolation)
    chw = resized.astype(np.float32).transpose(2, 0, 1) / 127.5 - 1.0
    out = np.zeros((3, _REC_HEIGHT, width), dtype=np.float32)
    out[:, :, :resized_w] = chw
    return out
