"""Slip values shared by several test modules."""

from __future__ import annotations

from typing import Any

#: The decoded public 統一CSV sample record of spec §1.5 (令和6年分) as 給与支払報告書 slip
#: values. Two items of the sample are not public in full: 12 (the address is cut off,
#: 「東京都中野区…」) and 95 (the 個人番号 is masked); they are replaced by a full address
#: and a valid 個人番号.
PUBLIC_SAMPLE_RECORD: dict[str, Any] = {
    "year": 6,
    "recipient_address": "東京都中野区中野４丁目８番１号",
    "recipient_number": "1",
    "recipient_title": "代表取締役社長",
    "recipient_my_number": "621498320257",
    "recipient_kana": "タクアン　タロウ",
    "recipient_name": "沢庵　太郎",
    "payment_amount": 3_600_000,
    "income_after_deduction": 2_440_000,
    "total_deductions": 1_017_840,
    "withholding_tax": 72_500,
    "social_insurance": 537_840,
    "recipient_birth_era": "昭和",
    "recipient_birth_year": 60,
    "recipient_birth_month": 4,
    "recipient_birth_day": 10,
    "payer_number": "8000020130001",
    "payer_address": "東京都新宿区西新宿２丁目８番１号",
    "payer_name": "浅漬株式会社",
    "payer_phone": "03-5321-1111",
}
