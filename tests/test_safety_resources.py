"""The operator-editable crisis-lines file: structure, required lines, and clear errors when broken."""

import pytest
import yaml

from eva_cli.errors import EvaError
from eva_cli.safety.replies import RESOURCES_PATH, load_resources, parse_resources, resolve_region


def test_resources_file_structure():
    data = yaml.safe_load(RESOURCES_PATH.read_text(encoding="utf-8"))
    res = parse_resources(data)  # raises on any structural problem
    assert {"UA", "US", "GB", "IE"} <= set(res.regions)
    for region in list(res.regions.values()) + [res.fallback]:
        assert region.lines
        for line in region.lines:
            assert line.name["en"] and line.name["uk"]
            assert line.contact
        assert region.country["en"] and region.country["uk"]
    for region in res.regions.values():
        assert sum(ln.emergency for ln in region.lines) == 1  # one number for immediate danger


def test_required_lines_are_present():
    res = load_resources()
    ua = {ln.contact for ln in res.regions["UA"].lines}
    assert {"7333", "116 111", "112"} <= ua
    assert any("103" in ln.note["en"] for ln in res.regions["UA"].lines)
    assert "988" in {ln.contact for ln in res.regions["US"].lines}
    assert "116 123" in {ln.contact for ln in res.regions["GB"].lines}
    assert "116 123" in {ln.contact for ln in res.regions["IE"].lines}
    assert "findahelpline.com" in res.fallback.lines[0].contact
    assert res.regions["UA"].main.contact == "7333"


@pytest.mark.parametrize(
    "data,message",
    [
        ({}, "locales"),
        ({"locales": {"UA": {"country": {"en": "U", "uk": "У"}, "lines": []}}, "fallback": {}}, "lines"),
        ({"locales": {"UA": {"country": {"en": "U", "uk": "У"}, "lines": [{"name": {"en": "x", "uk": "х"}}]}}, "fallback": {}}, "phone or a url"),
        ({"locales": {"UA": {"country": {"en": "U"}, "lines": [{"name": "x", "phone": "1"}]}}, "fallback": {}}, "country"),
        ({"locales": {"UA": {"country": "U", "lines": [{"name": "x", "phone": "1"}]}}, "aliases": {"X": "ZZ"}, "fallback": {}}, "aliases"),
    ],
)
def test_broken_structure_is_reported(data, message):
    with pytest.raises(ValueError, match=message):
        parse_resources(data)


def test_operator_copy_via_env_and_broken_file_is_one_clear_error(tmp_path, monkeypatch):
    good = tmp_path / "lines.yaml"
    good.write_text(
        "locales:\n  UA:\n    country: Ukraine\n    lines:\n      - {name: Test line, phone: '0 800 000 000'}\n"
        "fallback:\n  country: elsewhere\n  lines:\n    - {name: Find, url: 'https://findahelpline.com'}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EVA_CRISIS_RESOURCES", str(good))
    assert resolve_region("uk").lines[0].contact == "0 800 000 000"
    bad = tmp_path / "bad.yaml"
    bad.write_text("locales: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("EVA_CRISIS_RESOURCES", str(bad))
    with pytest.raises(EvaError, match="invalid"):
        load_resources()
