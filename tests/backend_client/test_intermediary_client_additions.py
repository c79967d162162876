"""What issue #10 added to the intermediary's answers reaches the kiosk: each row's category, the list's as_of,
and every institution's names in both languages (older servers that send none give empty values)."""

from __future__ import annotations

import json

from tests.backend_client.test_intermediary_client import SESSION, client_for, ok

ROW = {"item_id": "i1", "period_start": 1_790_812_800, "period_end": 1_790_814_600, "production_method": "oil",
       "amount_wh": 5, "issued": False, "certificate_id": None}


def test_rows_carry_their_category_and_the_lists_as_of() -> None:
    client, _ = client_for({"GET /eligible-transactions": ok({"user_name": "Consumer Ca", "as_of": 1_790_900_000,
                                                              "items": [{**ROW, "category": "fossil"}]})})
    [item] = client.eligible_transactions(SESSION)
    assert (item.category, item.as_of) == ("fossil", 1_790_900_000)


def test_rows_of_an_older_server_have_no_category_nor_as_of() -> None:
    client, _ = client_for({"GET /eligible-transactions": ok({"user_name": "Consumer Ca", "items": [ROW]})})
    [item] = client.eligible_transactions(SESSION)
    assert (item.category, item.as_of, item.allocations) == ("", None, None)


def test_rows_carry_how_many_allocations_they_hold_and_nonsense_counts_are_dropped() -> None:
    items = [{**ROW, "allocations": 37}, {**ROW, "item_id": "i2", "allocations": -1},
             {**ROW, "item_id": "i3", "allocations": True}, {**ROW, "item_id": "i4", "allocations": "9"}]
    client, _ = client_for({"GET /eligible-transactions": ok({"user_name": "Consumer Ca", "items": items})})
    assert [i.allocations for i in client.eligible_transactions(SESSION)] == [37, None, None, None]


def test_certificate_types_carry_both_languages() -> None:
    body = {"items": [{"type_id": "jp", "institution": "協議会", "name": "証明書", "language": "ja",
                       "institution_en": "Council", "name_en": "Certificate", "institution_ja": "協議会",
                       "name_ja": "証明書"}]}
    client, _ = client_for({"GET /certificate-types": ok(body)})
    [kind] = client.certificate_types()
    assert (kind.institution_en, kind.name_en, kind.institution_ja, kind.name_ja) == ("Council", "Certificate",
                                                                                       "協議会", "証明書")


def test_usage_reports_are_posted_and_each_outcome_read() -> None:
    result = {"consumer_id": "Ca", "start": 1_790_812_800, "status": "partial", "renewable_wh": 5, "fossil_wh": 2,
              "unallocated_wh": 1, "tx_id": None, "message": "short of renewable assets"}
    client, seen = client_for({"POST /usage-reports": ok({"results": [result]})})
    [outcome] = client.usage_reports(["ab12"])
    assert (outcome.consumer_id, outcome.status, outcome.renewable_wh, outcome.message) == \
        ("Ca", "partial", 5, "short of renewable assets")
    assert seen.requests[-1].method == "POST" and json.loads(seen.requests[-1].content) == {"reports": ["ab12"]}
