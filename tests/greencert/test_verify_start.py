"""What ``greencert verify`` does first (issue 16): a PDF's child starts before the verifier's modules load, so that
PDFium reads while ledger_lite, cryptography and the node client are loaded; naming the command's exit statuses and
helpers loads none of them; a payload that happens to end in ``.pdf`` and name a file is still a payload."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import ledger_lite.audit
from greencert.verify import GENUINE, NOT_GENUINE, UNCHECKED, verify
from tests.helpers.hostile_files import pdf_of_size

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("ledger_lite", "cryptography", "backend_client", "httpx", "PIL", "pypdfium2", "zxingcpp", "reportlab")


def fresh(code: str) -> object:
    """``result`` of ``code`` run in a new interpreter."""
    script = f"import json, sys\nsys.path.insert(0, {str(ROOT)!r})\n{code}\nprint(json.dumps(result))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_exit_statuses_are_the_light_node_s_verdicts() -> None:
    assert (GENUINE, NOT_GENUINE, UNCHECKED) == (ledger_lite.audit.GENUINE, ledger_lite.audit.NOT_GENUINE,
                                                 ledger_lite.audit.UNCHECKED) == (0, 1, 2)


def test_what_the_command_line_names_loads_no_verifier_module() -> None:
    found = fresh("from greencert.verify import UNCHECKED, NodeNotFound, choose_node, language_of, render, verify\n"
                  f"result = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})")
    assert found == []


def test_the_light_node_s_names_are_still_there() -> None:
    import greencert.verify as module
    from ledger_lite.audit import Report, check_ledger, check_printed
    from ledger_lite.verification import Step, Trust, TrustFormatError

    assert (module.Report, module.check_ledger, module.check_printed, module.Step, module.Trust,
            module.TrustFormatError) == (Report, check_ledger, check_printed, Step, Trust, TrustFormatError)
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        module.nothing  # noqa: B018


def test_the_pdf_s_child_starts_before_the_verifier_s_modules_load(tmp_path: Path) -> None:
    pdf = pdf_of_size(tmp_path / "blank.pdf", 595, 842)
    found = fresh("import printing.reading\nstarted = printing.reading._Worker.__init__\nresult = {}\n"
                  "def spy(self, *args):\n"
                  f"    result['loaded'] = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})\n"
                  "    started(self, *args)\n"
                  "printing.reading._Worker.__init__ = spy\n"
                  "from pathlib import Path\nfrom greencert.verify import verify\n"
                  f"report = verify({str(pdf)!r}, node_url=None, offline=True, trust_cache=Path({str(tmp_path)!r}) "
                  "/ 'none.json')\nresult['steps'] = [(s.name, s.ok) for s in report.steps]")
    assert found == {"loaded": [], "steps": [["read", False]]}  # a PDF without a QR code is not genuine


def test_a_payload_that_ends_in_pdf_and_names_a_file_is_a_payload(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    text = "GC1:NOT-A-CERTIFICATE.pdf"
    monkeypatch.chdir(tmp_path)
    alone = verify(text, node_url=None, offline=True, trust_cache=tmp_path / "none.json")
    pdf_of_size(tmp_path / text, 595, 842)
    beside = verify(text, node_url=None, offline=True, trust_cache=tmp_path / "none.json")
    assert [(s.name, s.ok, s.detail) for s in beside.steps] == [(s.name, s.ok, s.detail) for s in alone.steps]
    assert beside.exit_code == alone.exit_code and not any(s.name == "read" for s in beside.steps)
