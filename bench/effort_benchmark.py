"""Correction effort on the document screen: key presses and seconds to approve a slip.

    python bench/effort_benchmark.py [--repeat 3] [--form kyuyo_kojinbetsu] [--out DIR]

The same browser set-up as the browser tests (bench/browser_session.py: the real app under
uvicorn, Debian chromium, 1366×768) drives the document screen by keyboard only, for

* a clean slip: every value right. Enter confirms each field that needs a look,
  Ctrl+Shift+Enter confirms the rest as a group (「まとめて確認」), Ctrl+Enter approves
  (Enter again if the warning dialog asks);
* a slip with three wrong fields: three amounts misread, each at a low confidence as an OCR
  run leaves them (so they are among the fields that need a look). On a wrong field the
  right value is typed (the field's text is selected on arrival, so typing replaces it),
  then the same as above.

Every key press sent is counted (Enter, each typed character, Ctrl+Shift+Enter, Ctrl+Enter);
seconds run from opening the document to the answer of the approval request. The script
types instantly, so the seconds are the screen's own latency (page load, saves,
validation), not a person's reading and typing time. Writes ``effort.md`` and
``effort.json`` (default ``bench/results/``).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import random
import secrets
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Page, Response

REPO = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO / "bench" / "results"
USER = "bench-corrector"
PASSWORD = "effort benchmark password"
WRONG_FIELDS = 3
#: The confidence the sample data gives a misread value (review_ui.sample_data).
MISREAD_CONFIDENCE = 0.62
CASES = ("clean", "three_wrong")


@dataclass
class Run:
    """One slip approved by keyboard."""

    case: str
    seed: int
    fields: int
    needs_look: int
    keys: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def key_presses(self) -> int:
        return sum(self.keys.values())


class CountingKeyboard:
    """The page's keyboard, counting every key press it sends."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.counts: Counter[str] = Counter()

    def press(self, key: str) -> None:
        self.counts[key] += 1
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.counts["typed"] += len(text)
        self.page.keyboard.type(text)


def isolated_environment(folder: Path) -> str:
    """Point the settings at a fresh SQLite database, store and master key in ``folder``."""
    from intake.settings import get_settings
    from storage.db import upgrade

    key = folder / "master.key"
    key.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
    key.chmod(0o600)
    url = f"sqlite:///{folder / 'effort.sqlite3'}"
    os.environ.update(
        {
            "DATABASE_URL": url,
            "STORE_DIR": str(folder / "store"),
            "TAX_INTAKE_VAR_DIR": str(folder / "var"),
            "TAX_INTAKE_MASTER_KEY_FILE": str(key),
        }
    )
    os.environ.pop("TAX_INTAKE_MASTER_KEY", None)
    get_settings.cache_clear()
    upgrade(url)
    return url


def seed_slip(form_id: str, seed: int, wrong: int) -> tuple[str, dict[int, str], int, int]:
    """A slip in NEEDS_REVIEW with ``wrong`` amounts misread; returns its id, the text to type
    into each wrong field (what the person reads on the image), the field count and the
    number of fields that need a look."""
    from review_ui.record import store_findings, validate_document
    from review_ui.sample_data import seed_document
    from storage.db import session_scope
    from storage.store import get_store

    with session_scope() as db:
        doc = seed_document(db, get_store(), form_id, seed, misread=False)
        rng = random.Random(f"effort:{form_id}:{seed}")
        amounts = [
            fv
            for fv in doc.fields
            if fv.field_type == "amount" and isinstance(fv.value, int) and fv.value > 0
        ]
        fixes: dict[int, str] = {}
        for fv in rng.sample(amounts, wrong):
            fixes[fv.id] = str(fv.value)
            misread = fv.value + 9 * 10 ** rng.randint(1, 3)  # one misread digit
            fv.value = fv.ocr_value = misread
            fv.raw_text = str(misread)
            fv.confidence = MISREAD_CONFIDENCE
            fv.needs_review = True
        findings = validate_document(doc)
        store_findings(doc, findings)
        for fv in doc.fields:
            if findings.of(fv):
                fv.needs_review = True
        needs_look = sum(1 for fv in doc.fields if fv.needs_review)
        return doc.id, fixes, len(doc.fields), needs_look


def _focused(page: Page) -> dict[str, Any]:
    return dict(
        page.evaluate(
            """() => {
              const el = document.activeElement;
              const row = el && el.closest ? el.closest('.field') : null;
              return {id: row ? row.dataset.id : null, group: row ? row.dataset.group : null,
                      hidden: Boolean(el && el.dataset && el.dataset.hidden),
                      element: el ? el.id : null};
            }"""
        )
    )


def _wait_until_moved(page: Page, element_id: str | None) -> None:
    """Wait for the screen to answer a key: focus moved on and no request in flight."""
    page.wait_for_function(
        "id => document.activeElement.id !== id && window.TaxIntake.pending() === 0",
        arg=element_id,
    )


def _is_approval(response: Response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/approve")


def approve_by_keyboard(
    page: Page, server: str, document_id: str, fixes: dict[int, str]
) -> tuple[dict[str, int], float]:
    """Open the document and approve it with the keyboard only: key presses by kind and
    seconds to the approval's answer."""
    keys = CountingKeyboard(page)
    started = time.monotonic()
    page.goto(f"{server}/documents/{document_id}")
    # Fields that need a look (errors first): type the right value where it is wrong, Enter.
    while (now := _focused(page))["group"] in ("error", "check"):
        if now["hidden"]:  # a masked 個人番号: Enter shows it (audited), then it is checked
            keys.press("Enter")
            page.wait_for_function("!document.activeElement.dataset.hidden")
            continue
        if int(now["id"]) in fixes:
            keys.type(fixes[int(now["id"])])
        keys.press("Enter")
        _wait_until_moved(page, now["element"])
    keys.press("Control+Shift+Enter")  # 「まとめて確認」: the rest confirmed as a group
    page.wait_for_function("window.TaxIntake.pending() === 0")
    with page.expect_response(_is_approval) as answer:
        keys.press("Control+Enter")
    if answer.value.status == 409:  # warnings: the dialog's 「承認する」 has the focus
        page.wait_for_selector("#confirm-dialog", state="visible")
        with page.expect_response(_is_approval) as answer:
            keys.press("Enter")
    seconds = time.monotonic() - started
    if answer.value.status != 200:
        raise RuntimeError(f"approval refused: {answer.value.status} {answer.value.text()}")
    return dict(keys.counts), seconds


def measure(form_id: str, repeat: int) -> list[Run]:
    """Approve ``repeat`` clean and ``repeat`` three-wrong slips, alternating."""
    from bench.browser_session import launch_browser, open_page, serve_app
    from intake.commands.users import add_user

    add_user(USER, "corrector", PASSWORD, may_see_my_number=True)
    runs = []
    with serve_app() as server, launch_browser() as browser:
        page = open_page(browser, server, USER, PASSWORD)
        for index in range(repeat):
            for case in CASES:
                seed = 100 + index
                wrong = WRONG_FIELDS if case == "three_wrong" else 0
                document_id, fixes, fields, needs_look = seed_slip(form_id, seed, wrong)
                pressed, seconds = approve_by_keyboard(page, server, document_id, fixes)
                run = Run(case, seed, fields, needs_look, pressed, seconds)
                runs.append(run)
                print(f"{case:12} seed {seed}: {run.key_presses} keys {run.seconds:.2f} s")
    return runs


def summarize(runs: list[Run]) -> list[dict[str, Any]]:
    """Median keys and seconds per case, with the key kinds of the median run."""
    rows = []
    for case in CASES:
        mine = [r for r in runs if r.case == case]
        median_keys = statistics.median(r.key_presses for r in mine)
        typical = min(mine, key=lambda r: abs(r.key_presses - median_keys))
        rows.append(
            {
                "case": case,
                "runs": len(mine),
                "fields": typical.fields,
                "needs_look_median": statistics.median(r.needs_look for r in mine),
                "keys_median": median_keys,
                "keys_range": [min(r.key_presses for r in mine), max(r.key_presses for r in mine)],
                "seconds_median": round(statistics.median(r.seconds for r in mine), 2),
                "seconds_range": [
                    round(min(r.seconds for r in mine), 2),
                    round(max(r.seconds for r in mine), 2),
                ],
                "keys_of_typical_run": typical.keys,
            }
        )
    return rows


CASE_TITLES = {"clean": "clean slip (all values right)", "three_wrong": "three wrong fields"}


def render_markdown(command: str, meta: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    lines = [
        "# Correction effort benchmark (document screen, keyboard only)",
        "",
        "```",
        command,
        "```",
        "",
        f"Form {meta['form']}, {meta['repeat']} slips per case (synthetic, `ocr.synth` seeds "
        f"100–{99 + meta['repeat']}); Debian chromium headless at 1366×768 against the app "
        f"under uvicorn, SQLite. Machine: {meta['cpus']} CPUs, load average "
        f"{meta['load_before']} before; code {meta['commit']}.",
        "",
        "| case | fields | need a look (median) | key presses median (range) "
        "| seconds median (range) | keys of the median run |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(row["keys_of_typical_run"].items()))
        lines.append(
            f"| {CASE_TITLES[row['case']]} | {row['fields']} | {row['needs_look_median']:g} "
            f"| {row['keys_median']:g} ({row['keys_range'][0]}–{row['keys_range'][1]}) "
            f"| {row['seconds_median']:.2f} ({row['seconds_range'][0]:.2f}–"
            f"{row['seconds_range'][1]:.2f}) | {kinds} |"
        )
    lines += [
        "",
        "Keys: every press sent, each typed character counted once (`typed`). Seconds: from "
        "opening the document to the answer of the approval request, with the script typing "
        "instantly, so they measure the screen (page load, saves, live validation), not a "
        "person reading the image. The three wrong fields are amounts at a low confidence, as "
        "an OCR run leaves a misread; their right values are typed without digit separators. "
        "The approval hands the slip to the blind double check (R16), which is not counted here.",
        "",
        "Ctrl+Shift+Enter is 「まとめて確認」, wherever the cursor is. Confirming the rest is "
        "not required to approve (`review_ui.record.approval_blockers` counts only the fields "
        "that need a look), so Ctrl+Enter alone approves a clean slip: 1 key.",
        "",
    ]
    return "\n".join(lines)


def _commit() -> str:
    result = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return result.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3, help="slips per case")
    parser.add_argument("--form", default="kyuyo_kojinbetsu")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    command = "python " + " ".join(
        shlex.quote(a) for a in ["bench/effort_benchmark.py", *sys.argv[1:]]
    )
    meta = {
        "form": args.form,
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "load_before": round(os.getloadavg()[0], 2),
        "commit": _commit(),
        "python": platform.python_version(),
    }
    with tempfile.TemporaryDirectory(prefix="effort-") as folder:
        isolated_environment(Path(folder))
        runs = measure(args.form, args.repeat)
    rows = summarize(runs)
    markdown = render_markdown(command, meta, rows)
    print(markdown)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "effort.md").write_text(markdown)
    (args.out / "effort.json").write_text(
        json.dumps(
            {
                "command": command,
                **meta,
                "summary": rows,
                "runs": [asdict(r) | {"key_presses": r.key_presses} for r in runs],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
