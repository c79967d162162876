"""Operator settings: validated on load with errors that name the file and the setting; the PIN stored as an
scrypt hash; only what differs from the start-up configuration is written."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace

import pytest

from kiosk import KioskConfig
from kiosk.core.settings import (
    DEFAULT_PIN,
    MAX_PIN_ATTEMPTS,
    PIN_LOCK_S,
    KioskSettings,
    SettingsError,
    SettingsStore,
    hash_pin,
    verify_pin,
)
from tests.helpers.kiosk_driver import FakeClock


@pytest.fixture
def config(tmp_path):
    return KioskConfig("http://127.0.0.1:8001", printer="kiosk", save_dir=tmp_path / "saved",
                       config_dir=tmp_path / "config", idle_timeout_s=0.5)


@pytest.fixture
def store(config):
    return SettingsStore.open(config, clock=FakeClock())


def write(config, document):
    config.settings_path.parent.mkdir(parents=True, exist_ok=True)
    text = document if isinstance(document, str) else json.dumps(document)
    config.settings_path.write_text(text, encoding="utf-8")


def test_settings_path_defaults_to_a_folder_next_to_the_saved_pdfs(tmp_path):
    config = KioskConfig("http://x", save_dir=tmp_path / "demo" / "printed")
    assert config.settings_path == tmp_path / "demo" / "kiosk" / "settings.json"
    assert KioskConfig("http://x", config_dir=tmp_path / "etc").settings_path == tmp_path / "etc" / "settings.json"


def test_without_a_file_the_start_up_values_and_the_default_pin_apply(store, config):
    assert store.settings == KioskSettings.from_config(config)
    assert store.problem is None
    assert store.uses_default_pin
    assert store.check_pin(DEFAULT_PIN)
    assert not config.settings_path.exists(), "opening never writes"


def test_save_writes_only_what_differs_and_survives_a_restart(store, config):
    changed = replace(store.settings, mode="manual", paper_size="A3", idle_timeout_s=300)
    store.save(changed, new_pin="24680")
    document = json.loads(config.settings_path.read_text())
    assert {k for k in document if k != "pin"} == {"version", "mode", "paper_size", "idle_timeout_s"}
    assert document["pin"]["scheme"] == "scrypt"
    assert "24680" not in config.settings_path.read_text()
    assert stat.S_IMODE(os.stat(config.settings_path).st_mode) == 0o600
    again = SettingsStore.open(config)
    assert again.settings == changed
    assert not again.uses_default_pin
    assert again.check_pin("24680") and not again.check_pin(DEFAULT_PIN)


def test_a_value_set_back_to_its_default_follows_the_start_up_configuration_again(store, config, tmp_path):
    store.save(replace(store.settings, printer=None))
    assert json.loads(config.settings_path.read_text())["printer"] is None  # null: save as PDF, on purpose
    store.save(replace(store.settings, printer="kiosk"))
    assert "printer" not in json.loads(config.settings_path.read_text())
    moved = replace(config, printer="MFP-3F")
    assert SettingsStore.open(moved).settings.printer == "MFP-3F"


def test_saving_keeps_the_pin_when_no_new_one_is_given(store, config):
    store.save(store.settings, new_pin="13579")
    store.save(replace(store.settings, language="en"))
    assert SettingsStore.open(config).check_pin("13579")


@pytest.mark.parametrize(("document", "match"), [
    ("{not json", r"settings\.json: expected JSON, found a syntax error"),
    ("[1, 2]", r"settings\.json: expected a JSON object, found list"),
    ({"mode": "list"}, r'settings\.json: expected "version": 1, found None'),
    ({"version": 1, "colour": "green"}, r"unknown setting\(s\) colour; expected some of mode, "),
    ({"version": 1, "mode": "grid"}, r"settings\.json: mode: expected one of list, manual, found 'grid'"),
    ({"version": 1, "intermediary_url": "ftp://x"}, r"intermediary_url: expected an http:// or https:// URL"),
    ({"version": 1, "intermediary_url": "http://"}, r"intermediary_url: expected an http:// or https:// URL"),
    ({"version": 1, "printer": ""}, r"printer: expected a CUPS queue name or null"),
    ({"version": 1, "paper_size": "A0"}, r"paper_size: expected one of A4, A3, B5, Letter, found 'A0'"),
    ({"version": 1, "language": "fr"}, r"language: expected one of ja, en, found 'fr'"),
    ({"version": 1, "idle_timeout_s": 5}, r"idle_timeout_s: expected seconds from 10 to 3600, found 5"),
    ({"version": 1, "idle_timeout_s": True}, r"idle_timeout_s: expected seconds from 10 to 3600, found True"),
    ({"version": 1, "pin": "0000"}, r'pin: expected an object with "scheme": "scrypt"'),
    ({"version": 1, "pin": {**hash_pin("1234"), "extra": 1}}, r"pin: expected exactly the keys"),
    ({"version": 1, "pin": {**hash_pin("1234"), "n": 3}}, r"pin: expected n a power of two"),
    ({"version": 1, "pin": {**hash_pin("1234"), "salt": "zz"}}, r"pin: expected salt and hash in hex"),
    ({"version": 1, "pin": {**hash_pin("1234"), "hash": "00"}}, r"pin: expected a salt of 16 to 64 bytes"),
])
def test_a_bad_file_is_refused_with_a_clear_error(config, document, match):
    write(config, document)
    with pytest.raises(SettingsError, match=match):
        SettingsStore(config.settings_path, KioskSettings.from_config(config)).load()


def test_open_keeps_working_on_a_bad_file_and_says_why(config):
    write(config, {"version": 1, "mode": "grid"})
    store = SettingsStore.open(config)
    assert store.settings == KioskSettings.from_config(config)
    assert "mode: expected one of list, manual" in store.problem
    store.save(replace(store.settings, mode="manual"))  # saving replaces the bad file
    assert store.problem is None
    assert SettingsStore.open(config).settings.mode == "manual"


def test_the_start_up_configuration_may_use_values_an_operator_may_not(store):
    assert store.settings.idle_timeout_s == 0.5  # e.g. a test or a demo
    store.save(replace(store.settings, mode="manual"))  # untouched values are not held to the operator's range
    with pytest.raises(SettingsError, match="idle_timeout_s: expected seconds from 10 to 3600, found 2"):
        store.save(replace(store.settings, idle_timeout_s=2))


def test_an_unwritable_directory_is_a_settings_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    config = KioskConfig("http://x", config_dir=blocker / "config")
    store = SettingsStore.open(config)
    with pytest.raises(SettingsError, match="cannot be written"):
        store.save(replace(store.settings, mode="manual"))
    assert store.settings.mode == "list", "nothing changes when saving fails"


def test_pin_hash_round_trip_and_format():
    record = hash_pin("0042", salt=bytes(16))
    assert record["salt"] == "00" * 16 and len(bytes.fromhex(record["hash"])) == 32
    assert verify_pin("0042", record) and not verify_pin("0043", record)
    assert hash_pin("0042")["salt"] != hash_pin("0042")["salt"], "a random salt each time"
    for bad in ("123", "123456789", "12a4", "１２３４"):
        with pytest.raises(SettingsError, match="pin: expected 4 to 8 digits"):
            hash_pin(bad)


def test_wrong_pins_lock_the_settings_for_a_while(config):
    clock = FakeClock()
    store = SettingsStore.open(config, clock=clock)
    for _ in range(MAX_PIN_ATTEMPTS):
        assert not store.check_pin("9999")
    assert store.locked_for() == PIN_LOCK_S
    assert not store.check_pin(DEFAULT_PIN), "locked: even the right PIN is refused"
    clock.advance(PIN_LOCK_S)
    assert store.check_pin(DEFAULT_PIN)


def test_the_node_url_may_name_several_validator_nodes(store, config):
    """A consortium: the direct mode's ``node_url`` may list several nodes, separated by commas."""
    nodes = "http://10.0.0.7:8701, http://10.0.0.8:8701"
    store.save(replace(store.settings, backend="direct", node_url=nodes))
    assert SettingsStore.open(config).settings.node_url == nodes
    with pytest.raises(SettingsError, match=r"node_url: expected an http:// or https:// URL \(or several"):
        store.save(replace(store.settings, backend="direct", node_url="http://10.0.0.7:8701,ftp://x"))
    assert KioskConfig("http://127.0.0.1:8001", backend="direct", node_url=nodes).node_url == nodes
    with pytest.raises(ValueError, match="node_url must be an http"):
        KioskConfig("http://127.0.0.1:8001", backend="direct", node_url="http://a:1,b:2")
