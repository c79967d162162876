"""``greencert verify``: is a certificate genuine? Offline: the issuer's signature against the trust list.
Online: the issuance transaction is in a final block of the ledger, its record matches, it is not revoked.

The checks are the light node's (``ledger_lite.verification``: ``verify_payload``, ``verify_issuance``, the
direct-mode kiosk runs the same); here is what is the command's: reading the file (a PDF's printed text and QR
codes, a photo's QR code, through ``printing``), comparing the printed text with the signed claims, the trust
list cached in a file, choosing the node, and the report for a terminal. Everything read may be hostile (issue
#9): echoed input is clipped, and escaped before it reaches a terminal.
"""

from __future__ import annotations

import importlib
import json
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # loaded when first used (issue 16): a PDF's child starts before any of them (``verify``)
    from backend_client import CertificateReader, LightNode
    from ledger_lite import Claims
    from ledger_lite.audit import Report, check_ledger, check_printed
    from ledger_lite.verification import Step, Trust, TrustFormatError
    from printing.reading import PdfReading, PrintedCertificate

# Step and Trust (with its JSON form, which the trust cache file holds) are the light node's: named here too.
__all__ = ["GENUINE", "NOT_GENUINE", "UNCHECKED", "NodeNotFound", "Report", "Step", "Trust", "TrustFormatError",
           "check_ledger", "check_printed", "choose_node", "facts_of", "language_of",
           "printable", "render", "verify"]

# The exit statuses of the public contract (DESIGN.md: 0 genuine, 1 not genuine, 2 could not check), the same as
# ledger_lite.audit's verdicts (a test checks it): written here so that naming them loads no verifier module.
GENUINE, NOT_GENUINE, UNCHECKED = 0, 1, 2

# The light node's names this module hands on, imported when first asked for (PEP 562, as ``printing`` does).
_LIGHT_NODE = {"Report": "ledger_lite.audit", "check_ledger": "ledger_lite.audit",
               "check_printed": "ledger_lite.audit", "Step": "ledger_lite.verification",
               "Trust": "ledger_lite.verification", "TrustFormatError": "ledger_lite.verification"}


def __getattr__(name: str) -> Any:
    module = _LIGHT_NODE.get(name)
    if module is None:
        raise AttributeError(f"module 'greencert.verify' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def printable(text: str) -> str:
    """``text`` with control, format (bidi overrides, zero-width) and line-separator characters escaped, so
    that nothing read from a payload or a node can move the cursor, recolour or rewrite a terminal line."""
    return "".join(ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _UNPRINTABLE
                   else ch for ch in text)


_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def read_source(source: str, report: Report) -> tuple[str | None, dict[str, Any]]:
    """The payload text and, for a PDF, what is printed on it."""
    from ledger_lite.audit import PREFIX, one_payload, payload_text
    from ledger_lite.verification import clip, shown

    path = Path(source)
    if payload_text(source).startswith(PREFIX):  # the payload, or a /verify link carrying it
        return payload_text(source), {}
    try:
        exists = path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        exists = False
    if not exists:
        report.add("read", None, f"expected a {PREFIX!r} payload or an existing file, found neither: {shown(source)}",
                   code="read.not_found", params={"found": shown(source)})
        return None, {}
    from printing import ReadError, read_certificate_pdf, read_qr_codes

    try:
        if path.suffix.lower() == ".pdf":
            return pdf_read(read_certificate_pdf(path), path, report)
        if path.suffix.lower() in IMAGE_SUFFIXES:
            # An image without a readable QR may just be a poor photo: that is "could not check".
            return one_payload(read_qr_codes(path), path.name, report, missing=None), {"kind": "image"}
    except ReadError as exc:
        report.add("read", None, f"cannot read {clip(path.name)}: {clip(exc, 300)}", code="read.unreadable",
                   params={"name": clip(path.name), "reason": clip(exc, 300)})
        return None, {}
    report.add("read", None, f"expected a payload, a .pdf or an image, found {clip(path.name)}",
               code="read.unsupported", params={"name": clip(path.name)})
    return None, {}


def pdf_read(printed: PrintedCertificate, path: Path, report: Report) -> tuple[str | None, dict[str, Any]]:
    """The payload (step ``read``) and what is printed, of a PDF read."""
    from ledger_lite.audit import one_payload

    payload = one_payload(printed.payloads, path.name, report, missing=False)
    return payload, {"kind": "pdf", "amount_wh": printed.amount_wh, "certificate_id": printed.certificate_id,
                     "short_reference": printed.short_reference, "bundle": printed.bundle}


def start_pdf(source: str) -> PdfReading | None:
    """A PDF ``source`` being read in its child process, else ``None`` (not a PDF, or one that cannot be started:
    ``read_source`` then reads it and words the failure). Issue 16: started first, before the verifier's modules
    load, so that the child's start and PDFium's run while this process loads them and asks the node; loads only
    ``printing.reading`` (the standard library), so a payload that happens to end in ``.pdf`` is told apart later
    (``verify``)."""
    if not source.lower().endswith(".pdf"):
        return None
    from printing import ReadError
    from printing.reading import PdfReading

    try:
        return PdfReading(Path(source)) if Path(source).is_file() else None
    except (ReadError, OSError, ValueError):
        return None


def finish_pdf(reading: PdfReading, report: Report) -> tuple[str | None, dict[str, Any]]:
    """``read_source``'s answer for a PDF started with ``start_pdf``."""
    from ledger_lite.verification import clip
    from printing import ReadError

    try:
        return pdf_read(reading.result(), reading.path, report)
    except ReadError as exc:
        name = reading.path.name
        report.add("read", None, f"cannot read {clip(name)}: {clip(exc, 300)}", code="read.unreadable",
                   params={"name": clip(name), "reason": clip(exc, 300)})
        return None, {}


NODE_HINT = ("pass the node's URL with --node URL (the 'Ledger node API' URL `greencert demo` prints, without "
             "/v1), or --data-dir DIR for a demo started with --data-dir DIR")


class NodeNotFound(ValueError):
    """No node URL can be found for ``greencert verify``."""


def demo_node_url(data_dir: Path) -> str | None:
    """The node URL a running (or last run) demo wrote to ``DIR/demo.json`` (a consortium's nodes, comma-separated:
    the client fails over across them), or ``None``."""
    try:
        info = json.loads((data_dir / "demo.json").read_text())
    except (OSError, ValueError):
        return None
    urls = info.get("node_urls") if isinstance(info, dict) else None
    if isinstance(urls, list) and urls and all(isinstance(u, str) and u.startswith(("http://", "https://"))
                                               for u in urls):
        return ",".join(urls)
    url = info.get("node_url") if isinstance(info, dict) else None
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None


def choose_node(node: str | None, data_dir: Path | None, default_dir: Path, default_url: str) -> str:
    """``--node``, else the node of the demo in ``--data-dir`` (``NodeNotFound`` if none is there), else the
    default demo's, else ``default_url``."""
    if node:
        return node
    if data_dir is not None:
        found = demo_node_url(data_dir)
        if found is None:
            raise NodeNotFound(f"expected {data_dir / 'demo.json'} of a demo started with --data-dir {data_dir}, "
                               f"found none; {NODE_HINT}")
        return found
    return demo_node_url(default_dir) or default_url


def _read_cache(cache: Path, report: Report) -> Trust | None:
    from ledger_lite.verification import Trust, TrustFormatError, clip

    try:
        trust: Trust = Trust.from_json(json.loads(cache.read_text()))
        return trust
    except TrustFormatError as exc:
        report.add("trust", None, f"cached trust list {cache} is outdated ({exc}): run once online (--node URL) "
                                  f"to refresh it", code="trust.cache_outdated", params={"path": str(cache)})
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        report.add("trust", None, f"cached trust list {cache} is unreadable: {clip(exc, 300)}",
                   code="trust.cache_unreadable", params={"path": str(cache), "reason": clip(exc, 300)})
    return None


def anchor_file(cache: Path) -> Path:
    """Beside the cached trust list: the anchor it was last brought up to date from (``load_trust``)."""
    return cache.with_name(cache.name + ".anchor")


def _cache_from(anchor: str, anchored: Trust, cache: Path, report: Report) -> Trust | None:
    """The cached trust list if an online check brought it up to date from this very anchor (``anchor_file``) and it
    is of the anchor's chain, else None: offline, an anchor names the validators only, while the cache also holds
    the issuers' keys that they proved."""
    try:
        if anchor_file(cache).read_text().strip() != anchor.strip():
            return None
    except OSError:
        return None
    cached = _read_cache(cache, report)
    return cached if cached is not None and cached.chain_id == anchored.chain_id else None


def load_trust(node: LightNode | None, cache: Path, report: Report, *, anchor: str | None = None) -> Trust | None:
    """The trust list: from ``anchor`` (a ``GCT1:`` text), else the cache file; online, brought up to date only
    through what the trusted validators signed (``ledger_lite.trust_anchor.refresh``) and saved to the cache, with
    the anchor it started from beside it (``anchor_file``), so that the same anchor offline takes the cache rather
    than the validators alone. The first online use without either trusts the node's genesis validators and says
    so."""
    from ledger_lite.keys import PublicKey
    from ledger_lite.trust_anchor import ConflictingHeaders, TrustError, decode_anchor, refresh
    from ledger_lite.verification import Trust, clip

    known: Trust | None = None
    if anchor is not None:
        try:
            known = decode_anchor(anchor)
        except TrustError as exc:
            report.add("trust", None, str(exc), exc.detail_code, exc.params)
            return None
    elif cache.exists():
        known = _read_cache(cache, report)
        if known is None:
            return None
    first_use = known is None
    anchored: Trust | None = None  # not reaching the ledger: the cache brought up to date from this anchor
    if node is not None:
        from backend_client import ClientError, TrustReader

        try:
            if known is None:
                status, sets = node.status(), node.validator_sets()
                genesis = next(s for s in sets if s.get("from_height") == 0)
                known = Trust(str(status["chain_id"]), {}, [PublicKey.from_hex(v) for v in genesis["validators"]], {})
                report.note(f"first use: the genesis validators of chain {clip(known.chain_id)} were taken from the "
                            f"node, and every later change was checked against them; pin them with --anchor "
                            f"GCT1:... from someone you trust", code="note.first_use",
                            params={"chain": clip(known.chain_id)})
            trust, _ = refresh(known, TrustReader(node))  # the registry with its proofs in one answer
        except ConflictingHeaders as exc:
            cache.parent.mkdir(parents=True, exist_ok=True)
            evidence = cache.with_suffix(".evidence.json")
            evidence.write_text(json.dumps(exc.evidence, indent=1))
            report.add("trust", None, f"{exc} (evidence in {evidence})", exc.detail_code, exc.params)
            return None
        except TrustError as exc:
            report.add("trust", None, f"ledger node {clip(node.base_url)}: {exc}", exc.detail_code, exc.params)
            return None
        except (ClientError, StopIteration, KeyError, TypeError, ValueError) as exc:
            anchored = None if anchor is None or known is None else _cache_from(anchor, known, cache, report)
            if anchor is None or anchored is not None:
                report.add("ledger", None, f"ledger node {clip(node.base_url)} "
                                           f"unreachable ({clip(exc, 300)}); using the cached trust list. To check "
                                           f"against the ledger, {NODE_HINT}", code="ledger.unreachable_cached_trust",
                           params={"node": clip(node.base_url), "reason": clip(exc, 300)})
            else:
                report.add("ledger", None, f"ledger node {clip(node.base_url)} unreachable ({clip(exc, 300)}), and "
                                           f"no trust list was brought up to date from this anchor here: it names "
                                           f"the validators only, not the issuers. Check once online with it; "
                                           f"{NODE_HINT}", code="ledger.unreachable_anchor_only",
                           params={"node": clip(node.base_url), "reason": clip(exc, 300)})
        else:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(trust.to_json(), indent=1))
            if anchor is not None:
                anchor_file(cache).write_text(anchor.strip() + "\n")
            elif first_use:
                anchor_file(cache).unlink(missing_ok=True)  # no anchor behind this list
            return trust
    elif anchor is not None and known is not None:  # offline
        anchored = _cache_from(anchor, known, cache, report)
    known = anchored or known
    if known is not None:
        return known
    report.add("trust", None, f"no trust list: run once online to fetch it into {cache}: {NODE_HINT}",
               code="trust.none", params={"path": str(cache)})
    return None


def _one_request_reader(node: LightNode) -> CertificateReader:
    """The node's reads for one check, asked in one request (``GET /v1/certificates/{id}/audit``)."""
    from backend_client import CertificateReader

    return CertificateReader(node)


def facts_of(claims: Claims) -> dict[str, str]:
    """What the signed payload says, worded as the paper words it (``printing.facts``; times in JST)."""
    from printing.facts import certificate_facts

    return certificate_facts(claims)


def verify(source: str, *, node_url: str | None, offline: bool, trust_cache: Path,
           anchor: str | None = None) -> Report:
    """Read ``source`` and run the light node's audit (``ledger_lite.audit``): against the node online, against
    the PDF's audit bundle offline (or when the node cannot be reached), else the signature alone."""
    # Issue 16: a PDF's child starts first; the verifier's modules load, the trust list is loaded (online: brought up
    # to date from the node) and the facts' wording is loaded while it reads. Their steps and notes come after the
    # read's, as when done in turn, and nothing more is done if the PDF carries no payload.
    reading = start_pdf(source)
    try:
        return _verify(source, reading, node_url=node_url, offline=offline, trust_cache=trust_cache, anchor=anchor)
    finally:
        if reading is not None:
            reading.close()


def _verify(source: str, reading: PdfReading | None, *, node_url: str | None, offline: bool, trust_cache: Path,
            anchor: str | None) -> Report:
    from ledger_lite.audit import (
        PREFIX,
        AuditBundle,
        BundleError,
        Report,
        audit,
        bundle_instead,
        damaged_bundle,
        payload_text,
    )
    from ledger_lite.trust_anchor import HeaderWatch

    report = Report()
    online = not offline and bool(node_url)
    if reading is not None and payload_text(source).startswith(PREFIX):  # a payload that ends in ".pdf"
        reading.close()
        reading = None
    early = report
    if reading is None:
        payload, printed = read_source(source, report)
        if payload is None:
            return report
    else:
        early = Report()
    node: LightNode | None = None
    try:
        if online:
            from backend_client import LightNode  # the standard library's HTTP: httpx is never loaded

            node = LightNode(str(node_url), timeout=10)
        trust = load_trust(node, trust_cache, early, anchor=anchor)
        if reading is not None:
            import printing.facts  # noqa: F401  (loaded while the child reads: facts_of needs it next)

            payload, printed = finish_pdf(reading, report)
            if payload is None:
                return report
            report.steps += early.steps
            report.notes += early.notes
            report.note_ids += early.note_ids
            report.evidence += early.evidence
        if trust is None or payload is None:
            return report
        unreached = next((s for s in report.steps if s.name == "ledger" and s.ok is None), None)
        if node is not None and unreached is not None:
            node.close()
            node = None
            if printed.get("bundle") is not None:  # the paper's own proofs stand in for the node
                bundle_instead(report, unreached)
        bundle = None
        if node is None and printed.get("bundle") is not None:
            try:
                bundle = AuditBundle.decode(printed["bundle"])
            except BundleError as exc:
                damaged_bundle(report, exc)
                return report
        if node is None and anchor is not None and not trust.issuers:
            # The anchor alone (no list brought up to date from it here): what it proves, the signature unchecked.
            from ledger_lite.anchor_offline import audit_anchor_offline

            reason = "--offline" if unreached is None else str(unreached.params.get("reason", unreached.detail))
            audit_anchor_offline(payload, trust, report, bundle=bundle, reason=reason)
            return report
        reader = None if node is None else HeaderWatch(_one_request_reader(node), trust)
        audit(payload, trust, report, printed=printed, node=reader,
              bundle=bundle, facts=facts_of)
        if node is not None and trust.headers:
            trust_cache.write_text(json.dumps(trust.to_json(), indent=1))  # the headers just checked, kept
    finally:
        if node is not None:
            node.close()
    return report


def render(report: Report, lang: str = "en") -> str:
    """The report for a terminal in ``lang`` (``en`` or ``ja``: the steps' details through ``printing.step_texts``):
    every piece of text that came from outside is escaped (``printable``)."""
    from ledger_lite.verification import clip

    if lang == "ja":
        return _render_ja(report)
    marks = {True: "OK  ", False: "FAIL", None: "??  "}
    lines = [f"[{marks[s.ok]}] {s.name}: {printable(s.detail)}" for s in report.steps]
    if report.claims:
        c = report.claims
        lines.insert(0, printable(f"certificate {clip(c['cid'])}: {c['wh'] / 1000:,.3f} kWh {clip(c['m'])} "
                                  f"for {clip(c['own'])}"))
    if report.facts:
        lines.append("verified facts (read them against the paper):" if report.exit_code == GENUINE else
                     "what the certificate claims (NOT verified):")
        lines += [f"  {name + ':':<13}{printable(value)}" for name, value in report.facts.items()]
    lines += [f"note: {printable(n)}" for n in report.notes]
    lines.append(f"verdict: {report.verdict.upper()}")
    return "\n".join(lines)


def _render_ja(report: Report) -> str:
    from ledger_lite import Claims
    from ledger_lite.verification import clip
    from printing.facts import certificate_facts
    from printing.step_texts import (
        FACT_WORDS,
        REPORT_WORDS,
        STEP_WORDS,
        VERDICT_WORDS,
        note_text,
        step_text,
        words,
    )
    from printing.words import METHOD_WORDS

    marks = {True: "OK  ", False: "FAIL", None: "??  "}
    lines = [f"[{marks[s.ok]}] {words(STEP_WORDS, s.name, 'ja')}: {printable(step_text(s, 'ja'))}"
             for s in report.steps]
    facts: dict[str, str] = {}
    if report.claims:
        c = report.claims
        try:
            facts = certificate_facts(Claims(**c), language="ja") if report.facts else {}
        except (TypeError, ValueError):  # claims a hostile payload made odd: the English facts stand
            facts = dict(report.facts)
        method = words(METHOD_WORDS, c["m"], "ja") if c["m"] in METHOD_WORDS else clip(c["m"])
        lines.insert(0, printable(words(REPORT_WORDS, "certificate", "ja").format(
            cid=clip(c["cid"]), amount=f"{c['wh'] / 1000:,.3f} kWh", method=method, owner=clip(c["own"]))))
    if facts:
        lines.append(words(REPORT_WORDS, "facts_ok" if report.exit_code == GENUINE else "facts_unverified", "ja"))
        for name, value in facts.items():
            if name == "method" and value in METHOD_WORDS:
                value = words(METHOD_WORDS, value, "ja")
            lines.append(f"  {words(FACT_WORDS, name, 'ja')}: {printable(value)}")
    note = words(REPORT_WORDS, "note", "ja")
    lines += [note + printable(note_text(*report.note_id(n), "ja", fallback=n)) for n in report.notes]
    lines.append(words(REPORT_WORDS, "verdict", "ja") + words(VERDICT_WORDS, report.verdict, "ja"))
    return "\n".join(lines)


def language_of(lang: str | None, environ: Mapping[str, str]) -> str:
    """``--lang`` when given, else the locale's (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``ja…`` → ``ja``), else
    English."""
    if lang in ("ja", "en"):
        return lang
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"
