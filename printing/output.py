"""S214a: output the certificate data — always save the PDF first, then print it when a printer is set."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from printing import messages
from printing.cups_printer import print_pdf
from printing.errors import Error, PrinterUnavailable, PrintFailed


@dataclass(frozen=True)
class Delivery:
    """Where the certificate went: kind "printed" (and saved) or "saved" only, with the reason."""

    kind: str  # "printed" | "saved"
    path: Path
    printer: str | None
    job_id: int | None
    message_en: str
    message_ja: str


def deliver(
    pdf: bytes,
    filename: str,
    *,
    save_dir: Path,
    printer: str | None,
    server: str | None = None,
    media: str = "A4",
    timeout: float = 60.0,
    copies: int = 1,
    duplex: bool = False,
) -> Delivery:
    """Save ``pdf`` as ``save_dir/filename`` (nothing is lost), then print it on ``printer`` if given.

    ``copies``, ``media`` and ``duplex`` are passed to :func:`printing.print_pdf`.
    """
    path = save_pdf(pdf, filename, Path(save_dir))
    if printer is None:
        en, ja = messages.saved(path)
        return Delivery("saved", path, None, None, en, ja)
    try:
        outcome = print_pdf(
            path,
            printer,
            title=path.stem,
            copies=copies,
            media=media,
            duplex=duplex,
            server=server,
            timeout=timeout,
        )
    except (PrinterUnavailable, PrintFailed) as exc:
        en, ja = messages.not_printed(path, (exc.message, exc.message_ja))
        return Delivery("saved", path, printer, None, en, ja)
    if outcome.ok:
        en, ja = outcome.message_en, outcome.message_ja
        return Delivery(
            "printed",
            path,
            printer,
            outcome.job_id,
            f"{en} {messages.saved(path)[0]}",
            f"{ja}{messages.saved(path)[1]}",
        )
    en, ja = messages.not_printed(path, (outcome.message_en, outcome.message_ja))
    return Delivery("saved", path, printer, outcome.job_id, en, ja)


def save_pdf(pdf: bytes, filename: str, save_dir: Path) -> Path:
    """Write atomically (temp file + rename), so a crash never leaves half a certificate behind."""
    if not filename or Path(filename).name != filename or filename in (".", ".."):
        raise Error(f"filename: expected a plain file name such as 'certificate.pdf', found {filename!r}")
    if not pdf.startswith(b"%PDF-"):
        raise Error(f"pdf: expected PDF bytes starting with '%PDF-', found {pdf[:8]!r}")
    save_dir.mkdir(parents=True, exist_ok=True)
    path = save_dir / (filename if filename.lower().endswith(".pdf") else f"{filename}.pdf")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=save_dir)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pdf)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path.resolve()
