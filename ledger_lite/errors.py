"""Errors raised by the ledger protocol.

    Error
    ├── EncodingError          bytes are not canonical CBOR of the expected shape
    ├── KeyError_              a key or address is malformed
    └── VerificationError      a check failed; names the step
        ├── SignatureError     an Ed25519 signature does not verify
        ├── ProofError         a Merkle proof does not lead to the expected root
        ├── CommitError        a block commit lacks a quorum of valid signatures
        └── PayloadError       a certificate QR payload is malformed or untrusted
"""

from __future__ import annotations


class Error(Exception):
    """Base of every error raised by ``ledger_lite``."""

    code = "ledger_lite_error"


class EncodingError(Error):
    code = "bad_encoding"


class KeyFormatError(Error):
    code = "bad_key"


class VerificationError(Error):
    code = "verification_failed"


class SignatureError(VerificationError):
    code = "bad_signature"


class ProofError(VerificationError):
    code = "bad_proof"


class CommitError(VerificationError):
    code = "bad_commit"


class PayloadError(VerificationError):
    """A certificate payload failed one decoding or verification step.

    ``step`` names the step (``prefix``, ``base45``, ``zlib``, ``cose``, ``kid``, ``signature``, ``claims``).
    """

    code = "bad_payload"

    def __init__(self, step: str, message: str) -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
