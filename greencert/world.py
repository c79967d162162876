"""The demo world: keys, the genesis registry and the intermediary's business data (seed Figs. 9-11)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from field.sites import DEMO_CONSUMERS, DEMO_PRODUCERS, DEMO_SITES, Consumer, Producer
from field.trading import demo_homes, genesis_entries
from greencert.keystore import load_or_create
from intermediary import models
from intermediary.passwords import hash_password
from ledger.genesis import Genesis, entry
from ledger.registry import Entry, category_of
from ledger_lite import PublicKey, SigningKey

DEMO_APPLICANTS = (("demo", "demo", "Ca"), ("demo-cb", "demo", "Cb"))  # consumers' accounts (kiosk and portal)
# Phone-portal staff accounts (issue 15): (applicant ID, password, role, provider id or None).
DEMO_STAFF = (("producer-aa", "demo", "producer", "Aa"), ("issuer", "demo", "issuer", None))
DEMO_REGION = "kanto"  # Tokyo, Chiba, Kawasaki, Yokohama: every demo site (Fig. 9A: providers near the user)
NEIGHBOURHOOD_HOMES = 12  # seed 003: houses trading through one storage battery
# The intermediaries on the demo's ledger (seed S21: the producer picks one of several), English and Japanese
# names. Da runs this demo's intermediary server; Db is registered with its own key but runs no server here: a meter
# moved to Db reports to Db, and Da's portal shows it as reporting elsewhere.
INTERMEDIARY_DA = ("Intermediary Da", "仲介事業者Da")
INTERMEDIARY_DB = ("Intermediary Db", "仲介事業者Db")


@dataclass(frozen=True)
class World:
    chain_id: str
    validator: SigningKey
    intermediary: SigningKey
    other_intermediary: SigningKey  # Db: registered on the ledger, no server in the demo
    users: dict[str, SigningKey]  # consumer id → user key
    meters: dict[str, SigningKey]  # site id → its smart meter's key
    homes: dict[str, SigningKey]  # seed 003 neighbourhood: house id → its controller's key
    storage: SigningKey  # seed 003: the storage management server 350's key


def meter_key_path(keys_dir: Path, site_id: str) -> Path:
    return keys_dir / f"meter-{site_id}.key"


def load_world(data_dir: Path, chain_id: str = "greencert-demo") -> World:
    """The demo's keys, random and made on first start in ``data_dir/keys`` (owner-only)."""
    keys = data_dir / "keys"
    return World(chain_id=chain_id, validator=load_or_create(keys / "validator.key"),
                 intermediary=load_or_create(keys / "intermediary.key"),
                 other_intermediary=load_or_create(keys / "intermediary-db.key"),
                 users={c.id: load_or_create(keys / f"user-{c.id}.key") for c in DEMO_CONSUMERS},
                 meters={s.id: load_or_create(meter_key_path(keys, s.id))
                         for s in DEMO_SITES},
                 homes={h.id: load_or_create(keys / f"home-{h.id}.key") for h in demo_homes(NEIGHBOURHOOD_HOMES)},
                 storage=load_or_create(keys / "storage.key"))


def genesis_of(world: World, start: int, *, validators: Sequence[SigningKey] = ()) -> Genesis:
    """The demo chain: the embedded validator (or ``validators``, a consortium's), the intermediaries Da and Db,
    the demo meters and users. Names people read carry a Japanese ``name_ja`` beside the English ``name``."""
    named = [entry(world.validator.public, "validator", "Embedded validator", name_ja="組み込み検証者")] \
        if not validators else [entry(k.public, "validator", f"Validator v{i}", name_ja=f"検証者v{i}")
                                for i, k in enumerate(validators, 1)]
    entries = [*named, intermediary_entry(world.intermediary.public, INTERMEDIARY_DA),
               intermediary_entry(world.other_intermediary.public, INTERMEDIARY_DB)]
    entries += [entry(world.meters[p.id].public, "meter", f"Smart meter of {p.name_en}", provider=p.id,
                      method=p.method, capacity_w=p.capacity_w, name_ja=f"{p.name_ja}のスマートメーター")
                for p in DEMO_PRODUCERS]
    entries += [entry(world.users[c.id].public, "user", c.name_en, name_ja=c.name_ja) for c in DEMO_CONSUMERS]
    # Seed 003: the storage management server and the neighbourhood's homes.
    entries += [entry(PublicKey(e["public_key"]), e["role"], e["name"], **e["attrs"])
                for e in genesis_entries(demo_homes(NEIGHBOURHOOD_HOMES), world.homes, world.storage)]
    return Genesis(chain_id=world.chain_id, time=start, entries=tuple(entries))


def intermediary_entry(key: PublicKey, names: tuple[str, str]) -> Entry:
    """A registry entry of an intermediary, ``names`` (English, Japanese)."""
    return entry(key, "intermediary", names[0], name_ja=names[1])


def _consumer_row(world: World, c: Consumer) -> models.Consumer:
    return models.Consumer(consumer_id=c.id, name=c.name_en, name_ja=c.name_ja,
                           ledger_address=world.users[c.id].address, meter_key=world.meters[c.id].public.hex(),
                           renewable_target_pct=c.renewable_target_pct, providers=list(c.providers),
                           region=DEMO_REGION)


def seed_business_data(db: Session, world: World) -> None:
    """Consumers, providers and demo applicants, once; a demo database made before the portal's staff accounts
    gets those it lacks, and one made before Japanese names (migration 0005) gets the demo's."""
    if db.get(models.Consumer, DEMO_CONSUMERS[0].id) is not None:
        _add_staff(db, [staff for staff in DEMO_STAFF if db.scalar(
            select(models.Applicant.id).where(models.Applicant.applicant_id == staff[0])) is None])
        _add_japanese_names(db)
        db.commit()
        return
    db.add_all([_consumer_row(world, c) for c in DEMO_CONSUMERS])
    # Fig. 9B available amount: what the site yields at full capacity, Wh per hour
    db.add_all([models.Provider(provider_id=p.id, name=p.name_en, name_ja=p.name_ja, method=p.method,
                                category=category_of(p.method), region=DEMO_REGION, available_wh=p.capacity_w)
                for p in DEMO_PRODUCERS])
    db.flush()  # consumers and providers exist before the applicants that refer to them
    db.add_all([models.Applicant(applicant_id=a, password_hash=hash_password(pw), consumer_id=c, role="consumer",
                                 failed_logins=0, locked_until=0) for a, pw, c in DEMO_APPLICANTS])
    _add_staff(db, DEMO_STAFF)
    db.commit()


def _add_japanese_names(db: Session) -> None:
    """The demo's Japanese names on its rows that have none (an English name someone changed is left alone)."""
    rows: list[tuple[models.Consumer | models.Provider | None, Consumer | Producer]] = [
        *((db.get(models.Consumer, c.id), c) for c in DEMO_CONSUMERS),
        *((db.get(models.Provider, p.id), p) for p in DEMO_PRODUCERS)]
    for row, site in rows:
        if row is not None and row.name_ja is None and row.name == site.name_en:
            row.name_ja = site.name_ja


def _add_staff(db: Session, staff: Sequence[tuple[str, str, str, str | None]]) -> None:
    db.add_all([models.Applicant(applicant_id=a, password_hash=hash_password(pw), consumer_id=None, role=role,
                                 provider_id=provider, failed_logins=0, locked_until=0)
                for a, pw, role, provider in staff])
