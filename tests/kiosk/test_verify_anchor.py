"""The auditor brings their own trust anchor to the kiosk (issue #13): a ``GCT1:`` QR scanned on the verify screen is
loaded for that auditor only, every check then trusts the anchor (brought up to date through what its validators
signed, against a real node) and never the kiosk's own list, and Finish, Back and the idle timeout forget it."""

from __future__ import annotations

import pytest

from kiosk.camera_frames import FrameReading
from kiosk.i18n import tr
from kiosk.widgets.controls import TOUCH_MIN_PX
from ledger_lite import SigningKey
from printing.step_texts import step_text
from tests.helpers.kiosk_driver import KioskDriver
from tests.kiosk.test_verify_flow import open_verify, scan


@pytest.fixture
def online(make_window, verify_world, tmp_path, qtbot):
    return KioskDriver(qtbot, make_window(auditor=verify_world.online(tmp_path / "trust.json")))


def checked(kiosk: KioskDriver, payload: str):
    scan(kiosk, payload)
    kiosk.wait_screen("verifyResult", timeout_ms=20_000)
    result = kiosk.window.verify_result.verification
    assert result is not None
    return result


def trust_step(result):
    return next(s for s in result.report.steps if s.name == "trust")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_certificate_checked_with_the_auditors_anchor_is_genuine_and_says_whose_trust(online, verify_world,
                                                                                        tmp_path, lang):
    online.window.set_language(lang)
    open_verify(online)
    assert online.text("anchorHint") == tr(lang, "verify.anchor_hint"), "the auditor is told they may bring one"
    assert not online.find("anchorNote").isVisible()
    scan(online, verify_world.anchor())
    assert not online.find("anchorHint").isVisible()
    assert online.screen == "verify", "an anchor is loaded, not checked as a certificate"
    chain = verify_world.world.ledger.chain_id
    short = chain if len(chain) <= 16 else chain[:15] + "…"
    assert online.text("anchorNote") == tr(lang, "verify.anchor_in_use", chain=short, count=1)
    assert online.text("notice") == tr(lang, "verify.anchor_loaded")
    stop = online.find("verifyStopAnchor")
    assert stop.isVisible() and stop.text() == tr(lang, "verify.anchor_stop") and stop.height() >= TOUCH_MIN_PX

    result = checked(online, verify_world.payload)
    assert result.verdict == "genuine" and result.source == "node" and result.trust_from == "anchor"
    step = trust_step(result)
    assert (step.ok, step.code) == (True, "trust.anchor")
    issuers = len(verify_world.trust().trust.issuers)  # the same issuers, each proven from the anchor
    assert step.params == {"chain": chain, "validators": 1, "issuers": issuers} and issuers >= 1
    assert online.text("stepText-trust").endswith(step_text(step, lang)), "the result says whose trust was used"
    assert not (tmp_path / "trust.json").exists(), "nothing of an anchored check is written to the kiosk's disk"

    online.click("verifyAnother")  # the same auditor's next check: the anchor stays
    online.wait_screen("verify")
    assert online.window.verify.anchor is not None and online.find("anchorNote").isVisible()
    assert online.text("notice") == ""


@pytest.mark.parametrize("other", ["validators", "chain"])
def test_an_anchor_of_another_chain_fails_the_trust_step_though_the_kiosks_list_passes(online, verify_world,
                                                                                        other):
    open_verify(online)
    assert checked(online, verify_world.payload).verdict == "genuine", "the kiosk's own list would pass"
    online.click("verifyAnother")
    online.wait_screen("verify")
    anchor = (verify_world.anchor(validators=[SigningKey.derive("test/someone-else").public]) if other == "validators"
              else verify_world.anchor(chain_id="greencert-another-area"))
    scan(online, anchor)
    assert online.window.verify.anchor is not None
    result = checked(online, verify_world.payload)
    assert result.verdict == "not genuine" and result.failed_step() == "trust"
    step = trust_step(result)
    assert (step.ok, step.code) == (False, "trust.anchor_unproven")
    assert "the kiosk's own trust list was not used" in step.detail
    assert [s.name for s in result.report.steps] == ["read", "trust"], "nothing is checked against another trust"
    assert online.text("failedAt") == tr("en", "verify_result.failed_at", step=tr("en", "verify_step.trust"))
    assert online.text("stepText-trust").endswith(step.detail)


@pytest.mark.parametrize("text", ["GCT1:", "GCT1:not base45 !!", "gct1:ABCDEF", "GCT1:" + "A" * 600])
def test_a_malformed_anchor_gets_a_notice_and_changes_nothing(online, verify_world, text):
    open_verify(online)
    scan(online, text)
    assert online.screen == "verify"
    assert online.text("notice") == tr("en", "verify.anchor_bad")
    assert online.window.verify.anchor is None and not online.find("anchorNote").isVisible()
    scan(online, verify_world.anchor())
    loaded = online.window.verify.anchor
    scan(online, text)  # a bad one after a good one: the good one stays
    assert online.window.verify.anchor is loaded and online.text("notice") == tr("en", "verify.anchor_bad")
    result = checked(online, verify_world.payload)
    assert result.trust_from == "anchor" and result.verdict == "genuine"


def test_stop_using_it_goes_back_to_the_kiosks_list(online, verify_world):
    open_verify(online)
    scan(online, verify_world.anchor())
    online.click("verifyStopAnchor")
    assert online.window.verify.anchor is None and not online.find("verifyStopAnchor").isVisible()
    assert online.text("notice") == tr("en", "verify.anchor_stopped")
    assert online.window.verify.hasFocus(), "the scanner's keys still reach the screen"
    result = checked(online, verify_world.payload)
    assert result.trust_from == "online" and trust_step(result).code == "trust.fetched"


def test_back_finish_and_the_idle_timeout_forget_the_anchor(online, verify_world, clock):
    def loaded() -> None:
        open_verify(online)
        scan(online, verify_world.anchor())
        assert online.window.verify.anchor is not None

    def forgotten() -> None:
        online.wait_screen("login")
        assert online.window.verify.anchor is None
        open_verify(online)
        assert not online.find("anchorNote").isVisible() and not online.find("verifyStopAnchor").isVisible()
        online.click("back")
        online.wait_screen("login")

    loaded()
    online.click("back")
    forgotten()

    loaded()
    checked(online, verify_world.payload)
    online.click("back")  # Finish
    forgotten()

    loaded()
    clock.advance(online.window.flow.settings.idle_timeout_s + 1)
    online.window.flow.idle.check()
    forgotten()
    result = checked_after_open(online, verify_world.payload)
    assert result.trust_from == "online", "the next person's check uses the kiosk's list again"


def checked_after_open(kiosk: KioskDriver, payload: str):
    open_verify(kiosk)
    return checked(kiosk, payload)


def test_an_anchor_read_by_the_camera_is_passed_on_to_the_verify_screen(make_window, verify_world, tmp_path,
                                                                        qtbot):
    kiosk = KioskDriver(qtbot, make_window(auditor=verify_world.online(tmp_path / "trust.json")))
    open_verify(kiosk)
    camera = kiosk.window.verify_camera
    kiosk.window.flow.verifier.open_camera()
    kiosk.wait_screen("verifyCamera")
    camera.take(FrameReading("other", others=("https://example.com/", verify_world.anchor())))
    kiosk.wait_screen("verify")
    assert camera.state == "stopped"
    assert kiosk.window.verify.anchor is not None and kiosk.text("notice") == tr("en", "verify.anchor_loaded")
    kiosk.window.flow.verifier.open_camera()
    camera.take(FrameReading("other", others=("GCT1:broken",)))
    kiosk.wait_screen("verify")
    assert kiosk.text("notice") == tr("en", "verify.anchor_bad") and kiosk.window.verify.anchor is not None


def test_two_final_headers_for_one_height_leave_the_verdict_open_with_the_anchor(online, verify_world):
    open_verify(online)
    scan(online, verify_world.anchor())
    anchor = online.window.verify.anchor
    assert anchor is not None
    anchor.trust.headers[verify_world.world.node.head.height] = "00" * 32  # as if another had been checked before
    result = checked(online, verify_world.payload)
    assert result.verdict == "could not check" and result.trust_from == "anchor"
    step = trust_step(result)
    assert (step.ok, step.code) == (None, "ledger.conflicting_headers") and result.report.evidence
    assert "two different final headers" in online.text("stepText-trust")
    assert not online.find("sourceNote").isVisible(), "not 'the kiosk has no trust list': the step says why"
