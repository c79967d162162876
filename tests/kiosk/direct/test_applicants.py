"""The direct mode's applicant database: scrypt hash, lock-out, the user key sealed under the password."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from kiosk.direct import ApplicantDB, AuthenticationFailed, EnrolmentError, LockedOut, RecordDamaged, enrol
from kiosk.direct.applicants import LOCK_S, MAX_FAILED_LOGINS, open_key, seal_key
from ledger_lite import SigningKey
from tests.helpers.kiosk_driver import FakeClock

ROOT = Path(__file__).resolve().parents[3]
KEY = SigningKey.derive("test/user/Ca")
OTHER = SigningKey.derive("test/user/Cb")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_790_900_000.0)


@pytest.fixture
def db(tmp_path: Path, clock: FakeClock) -> ApplicantDB:
    applicants = ApplicantDB(tmp_path / "kiosk" / "applicants.sqlite", clock=clock)
    applicants.enrol("demo", "demo-pass", "Consumer Ca", KEY)
    return applicants


def row(db: ApplicantDB, applicant_id: str = "demo") -> dict[str, object]:
    with sqlite3.connect(db.path) as connection:
        connection.row_factory = sqlite3.Row
        found = dict(connection.execute("SELECT * FROM applicants WHERE applicant_id = ?", (applicant_id,)).fetchone())
    connection.close()
    return found


def edit(db: ApplicantDB, sql: str, *params: object) -> None:
    with sqlite3.connect(db.path) as connection:
        connection.execute(sql, params)
    connection.close()


def test_the_right_password_gives_the_user_key(db):
    applicant = db.authenticate("demo", "demo-pass")
    assert applicant.key.seed() == KEY.seed()
    assert (applicant.applicant_id, applicant.user_name, applicant.owner) == ("demo", "Consumer Ca", KEY.address)


def test_the_password_is_stored_only_as_a_salted_scrypt_hash(db, tmp_path):
    stored = row(db)
    assert len(stored["password_hash"]) == 32 and len(stored["password_salt"]) == 16
    assert (stored["n"], stored["r"], stored["p"]) == (2**14, 8, 1)
    again = ApplicantDB(tmp_path / "other.sqlite")
    again.enrol("demo", "demo-pass", "Consumer Ca", KEY)
    assert row(again)["password_hash"] != stored["password_hash"], "a random salt per applicant"
    assert stored["key_salt"] != stored["password_salt"], "the sealing key is derived apart from the hash"
    raw = db.path.read_bytes()
    assert b"demo-pass" not in raw and KEY.seed() not in raw and KEY.seed().hex().encode() not in raw


def test_the_file_is_readable_by_its_owner_only(db):
    assert stat.S_IMODE(os.stat(db.path).st_mode) == 0o600


def test_a_wrong_password_or_an_unknown_id_is_refused_alike(db):
    with pytest.raises(AuthenticationFailed, match="applicant ID or password is wrong"):
        db.authenticate("demo", "wrong")
    with pytest.raises(AuthenticationFailed, match="applicant ID or password is wrong"):
        db.authenticate("nobody", "demo-pass")
    assert row(db)["failed_logins"] == 1


def test_repeated_wrong_passwords_lock_the_applicant_for_a_while(db, clock):
    for _ in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthenticationFailed):
            db.authenticate("demo", "wrong")
    with pytest.raises(LockedOut) as locked:
        db.authenticate("demo", "wrong")
    assert locked.value.retry_after == LOCK_S
    clock.advance(60)
    with pytest.raises(LockedOut) as still:
        db.authenticate("demo", "demo-pass")  # even the right password: a locked account is not checked
    assert still.value.retry_after == LOCK_S - 60
    clock.advance(LOCK_S - 60)
    assert db.authenticate("demo", "demo-pass").owner == KEY.address


def test_a_successful_sign_in_resets_the_count(db):
    for _ in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthenticationFailed):
            db.authenticate("demo", "wrong")
    db.authenticate("demo", "demo-pass")
    assert row(db)["failed_logins"] == 0
    with pytest.raises(AuthenticationFailed):
        db.authenticate("demo", "wrong")  # counts from one again, not locked


def test_sealing_round_trip_and_a_wrong_password_never_decrypts():
    salt, nonce, sealed = seal_key(KEY.seed(), "demo-pass", "demo", KEY.address)
    assert len(nonce) == 12 and len(sealed) == 32 + 16  # seed + GCM tag
    params = {"n": 2**14, "r": 8, "p": 1}
    assert open_key("demo-pass", "demo", KEY.address, salt, nonce, sealed, **params) == KEY.seed()
    with pytest.raises(InvalidTag):
        open_key("demo-pas", "demo", KEY.address, salt, nonce, sealed, **params)
    with pytest.raises(InvalidTag):  # bound to the row: another applicant ID or owner does not open it
        open_key("demo-pass", "demo2", KEY.address, salt, nonce, sealed, **params)
    again = seal_key(KEY.seed(), "demo-pass", "demo", KEY.address)
    assert again[0] != salt and again[1] != nonce and again[2] != sealed, "random salt and nonce every time"


@pytest.mark.parametrize("column", ["key_sealed", "key_nonce", "key_salt"])
def test_a_tampered_key_record_is_refused_even_with_the_right_password(db, column):
    value = bytearray(row(db)[column])
    value[0] ^= 0x01
    edit(db, f"UPDATE applicants SET {column} = ? WHERE applicant_id = 'demo'", bytes(value))
    with pytest.raises(RecordDamaged, match="does not decrypt with the right password"):
        db.authenticate("demo", "demo-pass")


def test_a_record_pointed_at_another_owner_is_refused(db):
    edit(db, "UPDATE applicants SET owner = ? WHERE applicant_id = 'demo'", OTHER.address)
    with pytest.raises(RecordDamaged):
        db.authenticate("demo", "demo-pass")


def test_a_sealed_key_moved_to_another_applicant_does_not_open(db):
    db.enrol("cb", "demo-pass", "Consumer Cb", OTHER)
    theirs = row(db, "cb")
    edit(db, "UPDATE applicants SET key_salt = ?, key_nonce = ?, key_sealed = ? WHERE applicant_id = 'demo'",
         theirs["key_salt"], theirs["key_nonce"], theirs["key_sealed"])
    with pytest.raises(RecordDamaged):
        db.authenticate("demo", "demo-pass")
    assert db.authenticate("cb", "demo-pass").owner == OTHER.address


def test_enrolment_checks_its_input_and_does_not_overwrite_by_accident(db, tmp_path):
    with pytest.raises(EnrolmentError, match="is enrolled already"):
        db.enrol("demo", "new-pass", "Consumer Ca", KEY)
    db.enrol("demo", "new-pass", "Consumer Ca", KEY, replace=True)
    assert db.authenticate("demo", "new-pass").owner == KEY.address
    with pytest.raises(AuthenticationFailed):
        db.authenticate("demo", "demo-pass")
    for bad in [("", "pass", "n", KEY), (" x", "pass", "n", KEY), ("x", "abc", "n", KEY), ("x", "pass", " ", KEY),
                ("x", "pass", "n", KEY.seed())]:
        with pytest.raises(EnrolmentError):
            db.enrol(*bad)
    assert db.applicant_ids() == ["demo"] and db.count() == 1
    assert db.remove("demo") and not db.remove("demo")
    enrol(tmp_path / "fresh" / "applicants.sqlite", "demo", "demo", "Consumer Ca", KEY)
    assert ApplicantDB(tmp_path / "fresh" / "applicants.sqlite").authenticate("demo", "demo").owner == KEY.address


def test_nothing_is_created_by_looking(tmp_path):
    db = ApplicantDB(tmp_path / "none" / "applicants.sqlite")
    assert db.count() == 0 and db.applicant_ids() == []
    assert not db.path.exists()


def test_the_operator_tool_enrols_with_a_key_file(tmp_path):
    key_file = tmp_path / "user.key"
    key_file.write_text(KEY.seed().hex() + "\n")
    path = tmp_path / "applicants.sqlite"
    command = [sys.executable, "-m", "kiosk.direct"]
    done = subprocess.run([*command, "enrol", "--db", str(path), "--applicant-id", "e-1", "--user-name",
                           "Consumer Ca", "--key-file", str(key_file)], input="pass-word\n", capture_output=True,
                          text=True, timeout=60, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert ApplicantDB(path).authenticate("e-1", "pass-word").owner == KEY.address
    listed = subprocess.run([*command, "list", "--db", str(path)], capture_output=True, text=True, timeout=60,
                            check=True, cwd=ROOT)
    assert listed.stdout.split() == ["e-1"]
    again = subprocess.run([*command, "enrol", "--db", str(path), "--applicant-id", "e-1", "--user-name", "X",
                            "--generate"], input="pass-word\n", capture_output=True, text=True, timeout=60,
                           check=False, cwd=ROOT)
    assert again.returncode == 2 and "is enrolled already" in again.stderr
