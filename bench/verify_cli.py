"""Benchmark: how long a person waits for ``greencert verify`` on a certificate PDF (issue 16: the command line
starts in ≤ 300 ms, a whole verification of a PDF takes ≤ 0.5 s), against the interpreter's own start measured
in the same run.

A real certificate: the embedded demo (node and intermediary on loopback, in this process) issues one through
the intermediary's API, its PDF (with the audit bundle) is fetched, and one online verification caches the trust
list. Timed round-robin, ``--runs`` times each (so that a busy machine slows every figure alike):

* ``baseline``: ``python -c pass``, the interpreter's start;
* ``help``: ``python -m greencert --help``, the command line's start;
* ``verify_offline``: ``python -m greencert verify --offline --trust FILE certificate.pdf`` (exit 0 checked),
  signature, printed text and the audit bundle's proofs of inclusion, finality and record;
* ``verify_online``: ``python -m greencert verify --node URL --trust FILE certificate.pdf`` against the demo's
  node (exit 0 checked), what issue 16's "whole online verification of a PDF ≤ 0.5 s" is about;
* ``read_pdf``: ``printing.reading.read_certificate_pdf`` in this process (PDFium in its child process);
* ``read_pdf_in_process``: the same work (``printing.pdf_worker.read``) without the child, what isolating
  PDFium costs;
* ``read_pdf_poppler``: what the reading did before issue 16 — ``pdfinfo``, ``pdftotext`` and ``pdftoppm``
  subprocesses, zxing-cpp on the PNG, pypdf for the bundle — rebuilt here from those steps for the comparison;
* ``cold_read_child`` and ``cold_read_in_process``: a new interpreter reading the PDF once, through the child
  (``read_certificate_pdf``) or with PDFium loaded in that interpreter (``pdf_worker.read``; both import
  ``printing.reading`` and ``ledger_lite.audit``, as the verifier has): what isolating PDFium costs a one-shot
  command such as ``greencert verify``.

With ``--compare DIR`` (another checkout of this project, e.g. ``git worktree add /tmp/verify-before <commit>``),
``help``, ``verify_offline`` and ``verify_online`` are also timed with that checkout's code first on the module path
(``*_compare``, same interpreter and packages, same certificate, node and round-robin), and ``*_vs_compare`` is this
checkout's p50 (and p95) over that one's: a before/after measured in one run on a noisy machine.

Besides wall time (``_ms``), the CPU time each took (user + system, its child processes included: ``_cpu_ms``,
median), which a busy machine inflates far less. A command's CPU time is its own process tree's only; an in-process
reading's also counts this process, where the demo's node and intermediary run too.

Child interpreters get a byte-code cache (``PYTHONPYCACHEPREFIX`` in a temporary directory, each command run once
before timing), as an installed package has. Prints one JSON line with p50/p95 in ms and p50 ratios to the
baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure the checkout this script is in

from backend_client import IntermediaryClient  # noqa: E402
from greencert.demo import Demo  # noqa: E402
from greencert.verify import GENUINE, verify  # noqa: E402
from ledger_lite.audit import BUNDLE_NAME, MAX_BUNDLE_BYTES  # noqa: E402
from printing import pdf_worker  # noqa: E402
from printing.reading import read_certificate_pdf, read_qr_codes  # noqa: E402
from tests.helpers.demo import running_demo  # noqa: E402

START_BUDGET_MS = 300.0
IN_PROCESS = frozenset({"read_pdf", "read_pdf_in_process", "read_pdf_poppler"})  # the rest: commands run
VERIFY_BUDGET_MS = 500.0


def issue_certificate(demo: Demo, folder: Path) -> tuple[Path, Path]:
    """A certificate PDF issued through the demo's intermediary and a trust list cached by one online
    verification."""
    pdf, trust = folder / "certificate.pdf", folder / "trust.json"
    with IntermediaryClient(demo.url, timeout=30) as client:
        session = client.login("demo", "demo")
        row = next(r for r in client.eligible_transactions(session) if not r.issued)
        cert = client.issue_certificate(session, [row.item_id], "jp-green-council", uuid.uuid4().hex)
        pdf.write_bytes(client.certificate_pdf(session, cert.certificate_id))
    report = verify(str(pdf), node_url=demo.node_url, offline=False, trust_cache=trust)
    if report.exit_code != GENUINE:
        raise SystemExit(f"expected the issued certificate to verify online, found exit code {report.exit_code}")
    return pdf, trust


def read_with_poppler(pdf: Path) -> tuple[str, list[str], bytes | None]:
    """The reading before issue 16: page boxes, text and a 150-dpi PNG from poppler, the QR from the PNG, the
    bundle with pypdf."""
    from pypdf import PdfReader

    def tool(*command: str) -> bytes:
        return subprocess.run(command, capture_output=True, check=True, timeout=60).stdout

    tool("pdfinfo", "-box", "-f", "1", "-l", "10", str(pdf))
    text = tool("pdftotext", "-enc", "UTF-8", str(pdf), "-").decode()
    with tempfile.TemporaryDirectory() as tmp:
        tool("pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-singlefile", "-png", str(pdf), f"{tmp}/page")
        payloads = read_qr_codes(Path(tmp) / "page.png")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = PdfReader(pdf).attachments.get(BUNDLE_NAME)
    return text, payloads, bytes(found[0]) if found else None


def command(*arguments: str, env: dict[str, str], cwd: Path, expect: int = 0) -> Callable[[], object]:
    """``python ARGUMENTS`` run in ``cwd`` (the bench's own temporary folder): ``python -m`` puts the current
    directory first on the module path, so a checkout the bench is started from would win over ``PYTHONPATH``."""
    def run() -> object:
        done = subprocess.run([sys.executable, *arguments], capture_output=True, env=env, timeout=120, check=False,
                              cwd=cwd)
        if done.returncode != expect:
            raise SystemExit(f"{arguments}: expected exit status {expect}, found {done.returncode}: "
                             f"{done.stdout.decode()[-500:]} {done.stderr.decode()[-500:]}")
        return done

    return run


def cpu_seconds(*, own: bool = True) -> float:
    """User and system time of this process's children that ended and, with ``own``, of this process (which also
    runs the demo's node and intermediary: a command's figure leaves it out)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = children.ru_utime + children.ru_stime
    if own:
        mine = resource.getrusage(resource.RUSAGE_SELF)
        spent += mine.ru_utime + mine.ru_stime
    return spent


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--compare", type=Path, metavar="DIR",
                        help="another checkout of the project whose greencert command is timed alongside")
    args = parser.parse_args(argv)
    if args.compare is not None and not (args.compare / "greencert" / "cli.py").is_file():
        parser.error(f"--compare: expected a checkout of this project (greencert/cli.py in it), found {args.compare}")

    with tempfile.TemporaryDirectory(prefix="bench-verify-cli-") as tmp, \
            running_demo(Path(tmp) / "demo", days=2) as demo:
        folder = Path(tmp)
        pdf, trust = issue_certificate(demo, folder)
        online_trust = folder / "trust-online.json"  # online runs write the headers they checked into theirs
        online_trust.write_bytes(trust.read_bytes())
        compare_trust = folder / "trust-online-compare.json"
        compare_trust.write_bytes(trust.read_bytes())
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
        os.environ.clear()
        os.environ.update(env)  # the reader's PDFium child too

        expected = read_certificate_pdf(pdf)
        in_process = pdf_worker.read(str(pdf), BUNDLE_NAME, MAX_BUNDLE_BYTES)
        poppler = read_with_poppler(pdf)
        if not (expected.payloads == tuple(in_process["payloads"]) == tuple(poppler[1])
                and expected.bundle == poppler[2] and expected.certificate_id and expected.amount_wh):
            raise SystemExit("expected the three readings of the PDF to find the same QR payload and bundle")

        timed: dict[str, Callable[[], object]] = {
            "baseline": command("-c", "pass", env=env, cwd=folder),
            "help": command("-m", "greencert", "--help", env=env, cwd=folder),
            "verify_offline": command("-m", "greencert", "verify", "--offline", "--trust", str(trust), str(pdf),
                                      env=env, cwd=folder),
            "verify_online": command("-m", "greencert", "verify", "--node", demo.node_url, "--trust",
                                     str(online_trust), str(pdf), env=env, cwd=folder),
            "read_pdf": lambda: read_certificate_pdf(pdf),
            "read_pdf_in_process": lambda: pdf_worker.read(str(pdf), BUNDLE_NAME, MAX_BUNDLE_BYTES),
            "read_pdf_poppler": lambda: read_with_poppler(pdf),
            "cold_read_child": command("-c", "import sys; from printing.reading import read_certificate_pdf; "
                                       "read_certificate_pdf(sys.argv[1])", str(pdf), env=env, cwd=folder),
            "cold_read_in_process": command("-c", "import sys; from printing.reading import read_certificate_pdf; "
                                            "from ledger_lite.audit import BUNDLE_NAME; from printing.pdf_worker "
                                            "import read; read(*sys.argv[1:3], int(sys.argv[3]))", str(pdf),
                                            BUNDLE_NAME, str(MAX_BUNDLE_BYTES), env=env, cwd=folder),
        }
        if args.compare is not None:
            other = {**env, "PYTHONPATH": os.pathsep.join([str(args.compare.resolve()),
                                                           *filter(None, [os.environ.get("PYTHONPATH")])])}
            for code_env, where in ((env, ROOT), (other, args.compare.resolve())):  # which code each one runs
                found = subprocess.run([sys.executable, "-c", "import greencert.verify as m; print(m.__file__)"],
                                       capture_output=True, text=True, env=code_env, cwd=folder, check=True).stdout
                if not Path(found.strip()).is_relative_to(where):
                    raise SystemExit(f"expected greencert from {where}, found {found.strip()}")
            timed["help_compare"] = command("-m", "greencert", "--help", env=other, cwd=folder)
            timed["verify_offline_compare"] = command("-m", "greencert", "verify", "--offline", "--trust", str(trust),
                                                      str(pdf), env=other, cwd=folder)
            timed["verify_online_compare"] = command("-m", "greencert", "verify", "--node", demo.node_url, "--trust",
                                                     str(compare_trust), str(pdf), env=other, cwd=folder)
        for run in timed.values():  # byte-code cache, page cache, imports of this process
            run()
        samples: dict[str, list[float]] = {name: [] for name in timed}
        cpu: dict[str, list[float]] = {name: [] for name in timed}
        for _ in range(args.runs):
            for name, run in timed.items():
                own = name in IN_PROCESS
                began, began_cpu = time.perf_counter(), cpu_seconds(own=own)
                run()
                samples[name].append(time.perf_counter() - began)
                cpu[name].append(cpu_seconds(own=own) - began_cpu)
        load = os.getloadavg()[0]

    figures: dict[str, object] = {"bench": "verify_cli", "runs": args.runs, "cpus": os.cpu_count(),
                                  "load_average_1min": round(load, 2), "bytecode_cache": True}
    base = statistics.median(samples["baseline"])
    for name, values in samples.items():
        figures[f"{name}_p50_ms"] = round(statistics.median(values) * 1e3, 1)
        figures[f"{name}_p95_ms"] = round(percentile(values, 0.95) * 1e3, 1)
        figures[f"{name}_cpu_ms"] = round(statistics.median(cpu[name]) * 1e3, 1)
        if name != "baseline":
            figures[f"{name}_ratio"] = round(statistics.median(values) / base, 2)
    figures["verify_offline_cpu_ratio"] = round(statistics.median(cpu["verify_offline"])
                                                / statistics.median(cpu["baseline"]), 2)
    figures["read_pdf_speedup_over_poppler"] = round(statistics.median(samples["read_pdf_poppler"])
                                                     / statistics.median(samples["read_pdf"]), 2)
    if args.compare is not None:
        figures["compare"] = str(args.compare)
        for name in ("help", "verify_offline", "verify_online"):
            figures[f"{name}_vs_compare"] = round(statistics.median(samples[name])
                                                  / statistics.median(samples[f"{name}_compare"]), 2)
            figures[f"{name}_p95_vs_compare"] = round(percentile(samples[name], 0.95)
                                                      / percentile(samples[f"{name}_compare"], 0.95), 2)
            figures[f"{name}_cpu_vs_compare"] = round(statistics.median(cpu[name])
                                                      / statistics.median(cpu[f"{name}_compare"]), 2)
    figures["start_budget_ms"], figures["verify_budget_ms"] = START_BUDGET_MS, VERIFY_BUDGET_MS
    figures["start_within_budget"] = percentile(samples["help"], 0.95) * 1e3 <= START_BUDGET_MS
    figures["verify_within_budget"] = all(percentile(samples[name], 0.95) * 1e3 <= VERIFY_BUDGET_MS
                                          for name in ("verify_offline", "verify_online"))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
