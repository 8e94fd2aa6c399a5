"""Export of approved records: the eLTAX 統一CSV (給与支払報告書), the 公的年金等支払報告書 record,
the 申告書's own CSV/JSON layout, and the immutable numbered batches the filing feed serves (R17).
"""
