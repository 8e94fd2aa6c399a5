"""One exception hierarchy for the whole service."""

from __future__ import annotations


class TaxIntakeError(Exception):
    """Base of every error the service raises on purpose."""


class ConfigurationError(TaxIntakeError):
    """The service cannot start as configured (missing model files, bad settings)."""


class InputRejected(TaxIntakeError):
    """The input cannot be processed; ``reason`` tells a scanning operator what to do.

    ``code`` is a stable machine-readable key (``blank_page``, ``blurred``, ``unknown_form`` …).
    """

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class UnsupportedFile(InputRejected):
    """The uploaded bytes are not a PDF, TIFF, JPEG or PNG we can open."""


class PageRejected(InputRejected):
    """One page failed a capture-quality check or could not be identified or registered."""


class InvalidTransition(TaxIntakeError):
    """A document was asked to move to a status its current status does not allow."""


class PermissionDenied(TaxIntakeError):
    """The acting user or token lacks the right for this action."""
