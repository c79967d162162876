"""GET /certificate-types names every institution and its certificate in Japanese and in English (issue #10, 8a),
so the kiosk's English screens never show the Japanese names."""

from __future__ import annotations

import re

from tests.helpers.intermediary_world import API, IntermediaryWorld

KANA_OR_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_every_type_has_real_japanese_and_english_names(iw: IntermediaryWorld) -> None:
    items = iw.http().get(f"{API}/certificate-types").json()["items"]
    assert {item["type_id"] for item in items} == {"jp-green-council", "intl-rec-registry"}
    for item in items:
        for field in ("institution_ja", "name_ja"):
            assert KANA_OR_KANJI.search(item[field]), (field, item)
        for field in ("institution_en", "name_en"):
            assert item[field].strip() and not KANA_OR_KANJI.search(item[field]), (field, item)
        primary = "ja" if item["language"] == "ja" else "en"
        assert (item["institution"], item["name"]) == (item[f"institution_{primary}"], item[f"name_{primary}"])
