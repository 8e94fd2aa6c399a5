"""Synthetic test data: the blank forms filled with fictitious values, scanned clean or badly.

Used by the demo mode, the integration tests, OCR development and the accuracy benchmark.
Nothing here reads real data; every name, number and address is made up.
"""

from ocr.synth.output import write_sample
from ocr.synth.reject import REJECT_KINDS, make_reject_sample
from ocr.synth.sample import CONDITIONS, Sample, make_sample

__all__ = [
    "CONDITIONS",
    "REJECT_KINDS",
    "Sample",
    "make_reject_sample",
    "make_sample",
    "write_sample",
]
