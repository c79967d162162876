"""The demo's keys are random, made on first start and kept owner-only: nobody can sign for its meters."""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path

import pytest

from field.sites import DEMO_CONSUMERS, DEMO_PRODUCERS
from greencert.cli import main
from greencert.demo import StaleDemo, start_demo
from greencert.keystore import KeyFileError, load, load_or_create
from greencert.world import NEIGHBOURHOOD_HOMES, genesis_of, load_world
from ledger.registry import Entry
from ledger_lite import SigningKey

SITES = (*DEMO_PRODUCERS, *DEMO_CONSUMERS)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_demo_key_is_random_per_installation(tmp_path: Path) -> None:
    one, two = load_world(tmp_path / "one"), load_world(tmp_path / "two")
    for site in SITES:
        assert one.meters[site.id].address != two.meters[site.id].address
        # what earlier versions signed with: a key anyone could derive from the site's public name
        assert one.meters[site.id].address != SigningKey.derive(f"field/meter/{site.id}").address
    assert one.validator.address != two.validator.address
    assert one.intermediary.address != two.intermediary.address
    assert len({k.address for k in one.meters.values()}) == len(SITES)


def test_a_world_is_the_same_after_a_restart(tmp_path: Path) -> None:
    first, again = load_world(tmp_path), load_world(tmp_path)
    assert {k: v.address for k, v in first.meters.items()} == {k: v.address for k, v in again.meters.items()}
    assert first.validator.address == again.validator.address


def test_key_files_and_their_directory_are_the_owners_only(tmp_path: Path) -> None:
    load_world(tmp_path)
    keys = tmp_path / "keys"
    assert _mode(keys) == 0o700
    files = sorted(keys.iterdir())
    # validator, intermediaries Da and Db, users, meters, and seed 003's storage server and homes
    assert len(files) == 3 + len(DEMO_CONSUMERS) + len(SITES) + 1 + NEIGHBOURHOOD_HOMES
    assert {_mode(f) for f in files} == {0o600}


def test_genesis_registers_the_generated_meter_keys(tmp_path: Path) -> None:
    world = load_world(tmp_path)
    registered = {e.attrs["provider"]: e.public_key for e in genesis_of(world, 0).entries if e.role == "meter"}
    assert registered == {p.id: world.meters[p.id].public.raw for p in DEMO_PRODUCERS}


def test_a_demo_made_with_derivable_meter_keys_is_refused_plainly(tmp_path: Path) -> None:
    genesis = genesis_of(load_world(tmp_path), 1_790_000_000)

    def derived(e: Entry) -> Entry:
        if e.role != "meter":
            return e
        key = SigningKey.derive(f"field/meter/{e.attrs['provider']}").public
        return replace(e, address=key.address, public_key=key.raw)

    replace(genesis, entries=tuple(derived(e) for e in genesis.entries)).save(tmp_path / "genesis.json")
    with pytest.raises(StaleDemo, match="registers meter keys that are not its key files"):
        start_demo(tmp_path, port=0, node_port=0, days=1, progress=lambda _: None)


def test_a_key_file_that_is_not_a_key_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.key"
    path.write_text("not hex\n")
    with pytest.raises(KeyFileError, match=f"key file {path} does not hold a 32-byte hex Ed25519 seed"):
        load_or_create(path)
    with pytest.raises(KeyFileError, match=f"expected a key file at {tmp_path / 'none.key'}, found none"):
        load(tmp_path / "none.key")


def test_field_command_uses_the_meters_key_files_and_never_invents_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["field", "--start", "2026-10-01", "--keys", str(tmp_path / "nothing-here")])
    assert code == 2
    err = capsys.readouterr().err
    assert f"expected a key file at {tmp_path / 'nothing-here' / 'meter-Aa.key'}, found none" in err
    assert not (tmp_path / "nothing-here").exists()


def test_a_demo_database_from_before_the_portal_gets_the_staff_accounts(tmp_path: Path) -> None:
    """A demo started again on a data directory made before the portal's staff accounts (producer-aa, issuer)
    gets them added, and its existing applicants are kept as they are."""
    from sqlalchemy import delete, func, select
    from sqlalchemy.orm import Session

    from greencert.world import DEMO_STAFF, seed_business_data
    from intermediary import models
    from intermediary.database import open_database

    world = load_world(tmp_path / "demo")
    engine = open_database(f"sqlite:///{tmp_path / 'intermediary.sqlite'}")
    try:
        with Session(engine) as db:
            seed_business_data(db, world)
            db.execute(delete(models.Applicant).where(models.Applicant.role != "consumer"))  # as before the portal
            db.commit()
            demo_hash = db.scalar(select(models.Applicant.password_hash).where(models.Applicant.applicant_id == "demo"))
            seed_business_data(db, world)
            roles = dict(db.execute(select(models.Applicant.applicant_id, models.Applicant.role)).all())
            assert {a: roles.get(a) for a, _, _, _ in DEMO_STAFF} == {"producer-aa": "producer", "issuer": "issuer"}
            assert db.scalar(select(models.Applicant.password_hash)
                             .where(models.Applicant.applicant_id == "demo")) == demo_hash
            seed_business_data(db, world)  # and only once
            assert db.scalar(select(func.count()).select_from(models.Applicant)) == len(roles)
    finally:
        engine.dispose()



def test_a_demo_database_from_before_japanese_names_gets_them(tmp_path: Path) -> None:
    """Rows seeded before migration 0005 have no Japanese name; the next start gives the demo's rows theirs and
    leaves a name someone changed alone."""
    from sqlalchemy import update
    from sqlalchemy.orm import Session

    from greencert.world import seed_business_data
    from intermediary import models
    from intermediary.database import open_database

    world = load_world(tmp_path / "demo")
    engine = open_database(f"sqlite:///{tmp_path / 'intermediary.sqlite'}")
    try:
        with Session(engine) as db:
            seed_business_data(db, world)
            assert {p.provider_id: p.name_ja for p in db.query(models.Provider)} == \
                {p.id: p.name_ja for p in DEMO_PRODUCERS}
            db.execute(update(models.Provider).values(name_ja=None))  # as before 0005
            db.execute(update(models.Consumer).values(name_ja=None))
            db.execute(update(models.Provider).where(models.Provider.provider_id == "Ab").values(name="Oil Plant Ab"))
            db.commit()
            seed_business_data(db, world)
            names = {p.provider_id: p.name_ja for p in db.query(models.Provider)}
            assert names == {"Aa": "生産者Aa", "Aw": "風力発電所Aw", "Ab": None}
            assert {c.consumer_id: c.name_ja for c in db.query(models.Consumer)} == \
                {c.id: c.name_ja for c in DEMO_CONSUMERS}
    finally:
        engine.dispose()
