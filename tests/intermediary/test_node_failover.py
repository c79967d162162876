"""The intermediary over several validator nodes (a consortium): ``Settings.node_url`` takes a list (or URLs
separated by commas); with the first node down, sign-in, the list, an issuance and the trust document go through
the second, over HTTP."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from greencert.servers import BackgroundServer, free_port
from intermediary.api.app import create_app
from intermediary.config import Settings
from intermediary.service import build_service
from ledger.api import create_app as create_node_app
from tests.helpers.intermediary_world import API, TYPE_ID, IntermediaryWorld


def test_settings_take_one_url_a_list_or_comma_separated_urls(iw: IntermediaryWorld) -> None:
    settings = iw.service.settings
    assert settings.node_urls == ("http://node.test",)
    assert replace(settings, node_url="http://a:1, http://b:2/").node_urls == ("http://a:1", "http://b:2")
    assert replace(settings, node_url=["http://a:1", "http://b:2"]).node_urls == ("http://a:1", "http://b:2")
    with pytest.raises(ValueError, match="node_url must be http"):
        replace(settings, node_url="http://a:1,ftp://b")
    with pytest.raises(ValueError, match="at least one base URL"):
        replace(settings, node_url=[])


def test_the_first_node_down_the_intermediary_works_through_the_second(iw: IntermediaryWorld) -> None:
    node = BackgroundServer(create_node_app(iw.node), "127.0.0.1", free_port()).start()
    down = f"http://127.0.0.1:{free_port()}"
    settings: Settings = replace(iw.service.settings, node_url=[down, node.url])
    service = build_service(settings, clock=iw.service.clock)
    try:
        assert service.node.base_urls == (down, node.url)
        iw.allocate(2)
        http = iw.http(app=create_app(service))
        auth = iw.login(http)
        row = iw.open_rows(http, auth)[0]
        created = http.post(f"{API}/certificates", headers=auth,
                            json={"item_ids": [row["item_id"]], "type_id": TYPE_ID,
                                  "idempotency_key": uuid.uuid4().hex})
        assert created.status_code == 201, created.text
        assert service.node.base_url == node.url  # preferred from now on
        trust = http.get(f"{API}/trust").json()
        assert (trust["node_url"], trust["node_urls"]) == (node.url, [down, node.url])
        assert [v["public_key"] for v in trust["validators"]] == [iw.ledger.validator.public.hex()]
    finally:
        service.node.close()
        service.engine.dispose()
        node.stop()
