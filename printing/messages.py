"""What the kiosk tells the applicant about a print job (S214a), in English and Japanese."""

from __future__ import annotations

from pathlib import Path

Message = tuple[str, str]  # (English, Japanese)


def job_completed(printer: str, job_id: int, copies: int = 1) -> Message:
    if copies == 1:
        return (f"Printed on {printer} (job {job_id}).", f"{printer} で印刷しました（ジョブ {job_id}）。")
    return (
        f"Printed {copies} copies on {printer} (job {job_id}).",
        f"{printer} で {copies} 部印刷しました（ジョブ {job_id}）。",
    )


def printed_one_sided(printer: str) -> Message:
    return (
        f"The printer {printer} cannot print on both sides, so the certificate was printed on one side only.",
        f"プリンター {printer} は両面印刷に対応していないため、片面で印刷しました。",
    )


def printer_reports(words_en: str, words_ja: str) -> Message:
    """State reasons of a printer that still printed, e.g. "toner low"."""
    return (f"The printer reports: {words_en}.", f"プリンターからの通知: {words_ja}。")


def job_aborted(printer: str, job_id: int, reason: Message) -> Message:
    return (
        f"The printer {printer} could not print the certificate: job {job_id} was aborted ({reason[0]}).",
        f"プリンター {printer} で印刷できませんでした。ジョブ {job_id} は中断されました（{reason[1]}）。",
    )


def job_stopped(printer: str, job_id: int, reason: Message) -> Message:
    return (
        f"The printer {printer} could not print the certificate: job {job_id} stopped ({reason[0]}) "
        "and was cancelled.",
        f"プリンター {printer} で印刷できませんでした。"
        f"ジョブ {job_id} が停止したため取り消しました（{reason[1]}）。",
    )


def job_cancelled(printer: str, job_id: int) -> Message:
    return (
        f"Job {job_id} on {printer} was cancelled before it printed.",
        f"{printer} のジョブ {job_id} は印刷前に取り消されました。",
    )


def printer_stopped(printer: str, job_id: int, reason: Message) -> Message:
    return (
        f"The printer {printer} is stopped ({reason[0]}), so the certificate was not printed. "
        f"Job {job_id} was cancelled so that it does not print later unattended.",
        f"プリンター {printer} が停止しているため印刷できませんでした（{reason[1]}）。"
        f"後で無人のまま印刷されないよう、ジョブ {job_id} を取り消しました。",
    )


def job_timed_out(printer: str, job_id: int, timeout: float, state: str) -> Message:
    return (
        f"Printing on {printer} did not finish within {timeout:g} s (job {job_id} was still {state}); "
        "the job was cancelled.",
        f"{printer} での印刷が {timeout:g} 秒以内に終わりませんでした（ジョブ {job_id} の状態: {state}）。"
        "ジョブを取り消しました。",
    )


def joined(messages: list[Message]) -> Message:
    """Sentences one after the other: a space between English ones, none between Japanese ones."""
    return " ".join(m[0] for m in messages), "".join(m[1] for m in messages)


def saved(path: Path) -> Message:
    return (f"The certificate PDF is saved at {path}.", f"証明書のPDFを {path} に保存しました。")


def not_printed(path: Path, reason: Message) -> Message:
    """``reason`` is a whole sentence in each language, e.g. an outcome's or an error's message."""
    return (
        f"{reason[0]} The certificate PDF is saved at {path}.",
        f"{reason[1]}証明書のPDFは {path} に保存されています。",
    )
