"""Settings of the export (environment prefix ``TAX_INTAKE_EXPORT_``).

Values the paper slips do not carry and choices the spec marks UNCONFIRMED live here, so a
deployment can follow the official 統一CSVレイアウト仕様書 without a code change.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from validators.checkdigits import is_valid_municipality_code


class ExportSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TAX_INTAKE_EXPORT_", extra="ignore")

    #: 提出先市町村コード (統一CSV item 139, pension item 48): the city's 6-digit
    #: 全国地方公共団体コード (5 digits + check digit). Required for the national layouts.
    municipality_code: str | None = None
    #: 作成区分 (item 147; 144 in 令和6年分): 0 国税のみ, 1 地方のみ, 2 両方. Slips received by the
    #: city go to the city only.
    creation_kind: Literal["0", "1", "2"] = "1"
    #: 普通徴収 (item 134), not on the slip: "0" as in the public sample, "" to leave it blank.
    ordinary_collection: Literal["", "0", "1"] = "0"
    #: CR+LF is the conservative choice for PCdesk; the sample file used LF (UNCONFIRMED, §1.2).
    line_ending: Literal["crlf", "lf"] = "crlf"
    #: 元号 codes of the records: 1 昭和 2 大正 3 明治 4 平成 5 令和 (partially confirmed, §1.4).
    era_codes: dict[str, str] = Field(
        default_factory=lambda: {"昭和": "1", "大正": "2", "明治": "3", "平成": "4", "令和": "5"}
    )
    #: Item 23 (控除対象配偶者の有無): 有 → "1" (luca-jp); 従有 → "3" is UNCONFIRMED (§1.4).
    spouse_present_code: str = "1"
    spouse_secondary_code: str = "3"
    #: Pension item 34 (控除対象配偶者の有無等, 1–3): 有 and 老人 codes are UNCONFIRMED.
    pension_spouse_code: str = "1"
    pension_spouse_elderly_code: str = "2"
    #: 令和 年分 → 統一CSV layout file (``intake/export/layouts/<name>.json``). Add a year here
    #: once eLTAX confirms which layout it uses (令和8年分 is not published yet).
    kyuyo_layouts: dict[int, str] = Field(
        default_factory=lambda: {6: "kyuyo_315_r6", 7: "kyuyo_315_r7"}
    )

    @field_validator("municipality_code")
    @classmethod
    def _six_digits(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_municipality_code(value):
            raise ValueError(
                "municipality_code is the 6-digit 全国地方公共団体コード with its check digit"
            )
        return value

    @property
    def newline(self) -> bytes:
        return b"\r\n" if self.line_ending == "crlf" else b"\n"


@lru_cache
def get_export_settings() -> ExportSettings:
    return ExportSettings()
