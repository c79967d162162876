"""What the kiosk tells the applicant about a print job (S214a), in English and Japanese."""

from __future__ import annotations

from pathlib import Path

Message = tuple[str, str]  # (English, Japanese)


def job_completed(printer: str, job_id: int) -> Message:
    return (
        f"Printed on {printer} (job {job_id}).",
        f"{printer} で印刷しました（ジョブ {job_id}）。",
    )


def job_aborted(printer: str, job_id: int, reason: str) -> Message:
    return (
        f"The printer {printer} could not print the certificate: job {job_id} was aborted ({reason}).",
        f"プリンター {printer} で印刷できませんでした。ジョブ {job_id} は中断されました（{reason}）。",
    )


def job_stopped(printer: str, job_id: int, reason: str) -> Message:
    return (
        f"The printer {printer} could not print the certificate: job {job_id} stopped ({reason}) "
        "and was cancelled.",
        f"プリンター {printer} で印刷できませんでした。"
        f"ジョブ {job_id} が停止したため取り消しました（{reason}）。",
    )


def job_cancelled(printer: str, job_id: int) -> Message:
    return (
        f"Job {job_id} on {printer} was cancelled before it printed.",
        f"{printer} のジョブ {job_id} は印刷前に取り消されました。",
    )


def printer_stopped(printer: str, job_id: int, reason: str) -> Message:
    return (
        f"The printer {printer} is stopped ({reason}), so the certificate was not printed. "
        f"Job {job_id} was cancelled so that it does not print later unattended.",
        f"プリンター {printer} が停止しているため印刷できませんでした（{reason}）。"
        f"後で無人のまま印刷されないよう、ジョブ {job_id} を取り消しました。",
    )


def job_timed_out(printer: str, job_id: int, timeout: float, state: str) -> Message:
    return (
        f"Printing on {printer} did not finish within {timeout:g} s (job {job_id} was still {state}); "
        "the job was cancelled.",
        f"{printer} での印刷が {timeout:g} 秒以内に終わりませんでした（ジョブ {job_id} の状態: {state}）。"
        "ジョブを取り消しました。",
    )


def saved(path: Path) -> Message:
    return (f"The certificate PDF is saved at {path}.", f"証明書のPDFを {path} に保存しました。")


def not_printed(path: Path, reason: Message) -> Message:
    """``reason`` is a whole sentence in each language, e.g. an outcome's or an error's message."""
    return (
        f"{reason[0]} The certificate PDF is saved at {path}.",
        f"{reason[1]}証明書のPDFは {path} に保存されています。",
    )
