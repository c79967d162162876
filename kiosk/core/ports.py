"""What the kiosk needs from the outside world, as protocols, so tests can pass fakes (no Qt here).

* ``IntermediaryPort`` — the subset of ``backend_client.IntermediaryClient`` the kiosk calls (unit 71). The
  direct mode of modification 2 (S401–S412: the kiosk's own applicant DB, signing with the applicant's user key,
  talking to a node) is another implementation of it, ``kiosk.direct.backend.DirectBackend``; the flows are the
  same for both (``kiosk.app.connect_backend`` picks one from the settings).
* ``Deliver`` — ``printing.deliver``: print the certificate PDF on ``media`` paper, or save it when there is no
  printer (print processing unit 75).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from backend_client import CertificateType, EligibleItem, IssuedCertificate, Session
from backend_client.intermediary import CertificateRecord


class IntermediaryPort(Protocol):
    def login(self, applicant_id: str, password: str) -> Session: ...

    def logout(self, session: Session) -> None: ...

    def eligible_transactions(self, session: Session) -> list[EligibleItem]: ...

    def certificate_types(self) -> list[CertificateType]: ...

    def issue_certificate(self, session: Session, item_ids: Sequence[str], type_id: str,
                          idempotency_key: str) -> IssuedCertificate: ...

    def certificate_pdf(self, session: Session, certificate_id: str, *, reprint: bool = False) -> bytes: ...

    def certificates(self, session: Session) -> list[CertificateRecord]: ...


class DeliveryLike(Protocol):
    """What ``printing.deliver`` returns: ``kind`` is "printed" or "saved"."""

    @property
    def kind(self) -> str: ...

    @property
    def path(self) -> Path | None: ...

    @property
    def printer(self) -> str | None: ...

    @property
    def message_en(self) -> str: ...

    @property
    def message_ja(self) -> str: ...


class Deliver(Protocol):
    def __call__(self, pdf: bytes, filename: str, *, save_dir: Path, printer: str | None,
                 server: str | None = None, media: str = "A4") -> DeliveryLike: ...
