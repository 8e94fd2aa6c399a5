"""The generator's command line writes images and a truth line per image."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from ocr.synth import make_sample
from ocr.synth.__main__ import main


def test_cli_writes_images_and_truth_jsonl(tmp_path: Path) -> None:
    args = ["--form", "nenkin_kojinbetsu", "--count", "2", "--seed", "5", "--out", str(tmp_path)]
    assert main([*args, "--format", "jpg"]) == 0
    assert main(["--form", "reject:blank", "--out", str(tmp_path)]) == 0
    records = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    assert [r["seed"] for r in records] == [5, 6, 0]
    first = records[0]
    assert set(first) == {"file", "form_id", "seed", "condition", "font", "truth"}
    assert first["truth"] == make_sample("nenkin_kojinbetsu", 5).truth
    assert first["condition"] == "clean" and first["font"]
    with Image.open(tmp_path / first["file"]) as image:
        assert image.format == "JPEG" and round(image.info["dpi"][0]) == 300
    assert records[2]["truth"] == {} and records[2]["form_id"] == ""
    assert (tmp_path / records[2]["file"]).is_file()
