"""Chinese forms of Japanese characters, which the recogniser answers for them (查 for 査).

PP-OCR was trained mostly on Chinese text, and its dictionary holds the simplified and the
traditional Chinese form of a character beside the Japanese one. For a field masked to what
the record can hold (Shift_JIS), the probability the network put on a Chinese form of the
very character written is lost: a clean 主査 reads 査 at 0.04, because 查 took 0.96. That
probability belongs to the Japanese character and is folded into it before decoding.

The pairs come from OpenCC's character tables (shipped inside the
``opencc-python-reimplemented`` package, read locally; Apache-2.0): STCharacters
(simplified → traditional) and JPVariants (traditional → Japanese 新字体). A form that
stands for more than one character (发: 發, 髮) is left alone.

The same holds for a kanji the recogniser answers for the katakana it looks like (才 for a
blurred ｵ, 夕 for ﾀ): in a field that holds only kana, that probability is the katakana's.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from intake.errors import ConfigurationError


def _tables() -> Path:
    spec = importlib.util.find_spec("opencc")
    if spec is None or spec.origin is None:
        raise ConfigurationError(
            "the 'ppocr' engine needs the opencc-python-reimplemented package, which ships "
            "the Chinese/Japanese character tables (pip install opencc-python-reimplemented)"
        )
    return Path(spec.origin).parent / "dictionary"


def _pairs(path: Path) -> dict[str, list[str]]:
    """One tab-separated table: a character and the characters it becomes."""
    table: dict[str, list[str]] = {}
    for line in path.read_text("utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if len(source) == 1 and targets:
            table[source] = targets.split()
    return table


@lru_cache(maxsize=1)
def japanese_forms() -> dict[str, str]:
    """Each Chinese form that stands for exactly one other character, and that character
    as Japanese writes it (查: 査, 宫: 宮, 说: 説)."""
    directory = _tables()
    to_traditional = _pairs(directory / "STCharacters.txt")
    to_japanese = {k: v[0] for k, v in _pairs(directory / "JPVariants.txt").items()}
    forms: dict[str, str] = {}
    for source in to_traditional.keys() | to_japanese.keys():
        targets = {to_japanese.get(t, t) for t in to_traditional.get(source, [])}
        if source in to_japanese:
            targets.add(to_japanese[source])
        targets.discard(source)
        if len(targets) == 1:
            forms[source] = targets.pop()
    return forms


#: Kanji drawn exactly like a katakana, and those katakana: beside katakana in a name or an
#: address they are the katakana (ocr.read_text).
KANJI_LIKE_KATAKANA = ("口工力夕卜二八", "ロエカタトニハ")
#: Kanji the recogniser, trained mostly on Chinese, answers for blurred or half-width kana
#: (ｵｵﾀ reads 才才夕), and the katakana they stand for in a field that holds only kana.
KATAKANA_LOOKALIKES = {**dict(zip(*KANJI_LIKE_KATAKANA, strict=True)), "才": "オ", "一": "ー"}


def folded_forms() -> dict[str, str]:
    """Each character whose probability belongs to another where a field may hold the
    other but not it: the Chinese forms of Japanese characters and the kanji look-alikes
    of katakana."""
    return {**japanese_forms(), **KATAKANA_LOOKALIKES}
