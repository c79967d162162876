"""Issue 15, the intermediary for real: the demo's ledger registers two intermediaries (Da, whose server the demo
runs, and Db, with its own key and no server), so a new user of the demo walks S21-S25 as the seed does: logs in as
producer-aa, sees two intermediaries in the pull-down, registers Da and sees the completion screen; names are shown
in Japanese on a Japanese page. A data directory made before Db (its genesis names Da only) still starts and gets Db
through the ledger's governance."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from greencert.consortium import validator_keys
from greencert.demo import demo_period, start_demo
from greencert.servers import free_port_range
from greencert.world import INTERMEDIARY_DA, INTERMEDIARY_DB, genesis_of, load_world
from ledger.genesis import Genesis
from tests.helpers.etcd_cluster import requires_etcd
from tests.helpers.portal import csrf_of, portal_login

OPTION = re.compile(r'<option value="(gc1[0-9a-f]{40})"[^>]*>([^<]+)</option>')


def test_the_genesis_registers_two_intermediaries_with_their_own_keys(tmp_path: Path) -> None:
    world = load_world(tmp_path)
    genesis = genesis_of(world, 0)
    found = [(e.address, e.name, e.attrs.get("name_ja")) for e in genesis.entries if e.role == "intermediary"]
    assert found == [(world.intermediary.address, *INTERMEDIARY_DA), (world.other_intermediary.address,
                                                                        *INTERMEDIARY_DB)]
    assert world.other_intermediary.address != world.intermediary.address
    meter = next(e for e in genesis.entries if e.role == "meter" and e.attrs["provider"] == "Aa")
    assert meter.name == "Smart meter of Producer Aa" and meter.attrs["name_ja"] == "生産者Aaのスマートメーター"
    assert Genesis.from_json(genesis.to_json()) == genesis  # the registry's rules take the Japanese names


def test_a_producer_registers_its_intermediary_on_the_demo(tmp_path: Path) -> None:
    demo = start_demo(tmp_path, port=0, node_port=0, days=1, progress=lambda _: None)
    try:
        with httpx.Client(base_url=demo.url, timeout=60) as http:
            assert portal_login(http, "producer-aa", "demo").headers["location"] == "/portal/"
            home = http.get("/portal/producer/?lang=ja")
            assert "生産者Aaのスマートメーター" in home.text and "未登録" in home.text
            meter = demo.world.meters["Aa"].address
            form_path = f"/portal/producer/meters/{meter}/intermediary"
            form = http.get(form_path)  # the language stays Japanese (cookie)
            assert OPTION.findall(form.text) == [(demo.world.intermediary.address, "仲介事業者Da（当事業者）"),
                                                 (demo.world.other_intermediary.address, "仲介事業者Db")]
            assert OPTION.findall(http.get(form_path + "?lang=en").text) == [
                (demo.world.intermediary.address, "Intermediary Da (this intermediary)"),
                (demo.world.other_intermediary.address, "Intermediary Db")]
            sent = http.post(form_path, data={"csrf": csrf_of(form.text),
                                              "intermediary": demo.world.intermediary.address})
            assert sent.status_code == 303
            done = http.get(sent.headers["location"])
            assert done.status_code == 200 and "Registration of the intermediary is complete." in done.text
            assert re.search(r'class="reports-to">Intermediary Da<', http.get("/portal/producer/").text)
        with httpx.Client(base_url=demo.url, timeout=60) as consumer:  # the consumer's pages name it in Japanese
            portal_login(consumer, "demo", "demo")
            home = consumer.get("/portal/?lang=ja", follow_redirects=True).text
            assert "需要家Ca" in home and "生産者Aa (" in home
    finally:
        demo.stop()


def old_genesis(made: Genesis, other: bytes) -> Genesis:
    """``made`` as the demo made it before Db (public key ``other``) and Japanese names."""
    return Genesis(made.chain_id, made.time, tuple(
        replace(e, attrs={k: v for k, v in e.attrs.items() if k != "name_ja"}) for e in made.entries
        if e.public_key != other))


def test_a_data_directory_from_before_the_second_intermediary_starts_and_gets_it(tmp_path: Path) -> None:
    world = load_world(tmp_path)
    start, _ = demo_period(int(time.time()), 1)
    made = genesis_of(world, start)
    old = old_genesis(made, world.other_intermediary.public.raw)
    old.save(tmp_path / "genesis.json")  # what the demo stored before Db and Japanese names
    said: list[str] = []
    demo = start_demo(tmp_path, port=0, node_port=0, days=1, progress=said.append)
    try:
        assert Genesis.load(tmp_path / "genesis.json") == old  # the chain's genesis is kept as it was
        assert not any("failed" in line and " 0 paid" in line for line in said), said  # the field data as before
        assert any("Intermediary Db and Japanese names of 7 entries added through governance" in line
                   and line.endswith("registered)") for line in said), said
        assert demo.node is not None
        registry = {e["address"]: e for e in demo.node.registry()}
        intermediaries = {a for a, e in registry.items() if e["role"] == "intermediary"}
        assert intermediaries == {world.intermediary.address, world.other_intermediary.address}
        for e in made.entries:  # every name the new genesis gives, in Japanese too, and nothing else changed
            assert registry[e.address]["attrs"] == e.attrs and registry[e.address]["name"] == e.name
    finally:
        demo.stop()
    said.clear()
    again = start_demo(tmp_path, port=0, node_port=0, days=1, progress=said.append)
    again.stop()
    assert not any("through governance" in line for line in said)  # once


@pytest.mark.etcd
@requires_etcd()
def test_a_consortium_directory_from_before_the_second_intermediary_gets_it_from_a_quorum(tmp_path: Path) -> None:
    world = load_world(tmp_path)
    keys = validator_keys(tmp_path / "keys", 3)
    made = genesis_of(world, demo_period(int(time.time()), 1)[0], validators=keys)
    old_genesis(made, world.other_intermediary.public.raw).save(tmp_path / "genesis.json")
    said: list[str] = []
    base = free_port_range(9)  # nodes, etcd clients, etcd peers
    demo = start_demo(tmp_path, port=0, node_port=base, days=1, validators=3, etcd_port=base + 3,
                      etcd_peer_port=base + 6, progress=said.append)
    try:
        assert any("Intermediary Db and Japanese names of 9 entries added through governance" in line
                   and line.endswith("registered)") for line in said), said
        with httpx.Client(base_url=demo.url, timeout=60) as http:
            portal_login(http, "producer-aa", "demo")
            form = http.get(f"/portal/producer/meters/{world.meters['Aa'].address}/intermediary?lang=ja")
            assert [name for _, name in OPTION.findall(form.text)] == ["仲介事業者Da（当事業者）", "仲介事業者Db"]
    finally:
        demo.stop()
