"""Without a browser the browser tests skip, except where they must run (CI): there the run fails."""

from __future__ import annotations

import pytest

from tests import browser


def test_a_missing_browser_skips_the_browser_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", None)
    monkeypatch.delenv(browser.REQUIRE_BROWSER, raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium is not installed"):
        browser.require_browser()


def test_a_missing_browser_fails_where_the_browser_tests_must_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", None)
    monkeypatch.setenv(browser.REQUIRE_BROWSER, "1")
    with pytest.raises(pytest.fail.Exception, match="must run"):
        browser.require_browser()


def test_with_the_browser_the_tests_get_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser, "CHROMIUM", "/usr/bin/chromium")
    assert hasattr(browser.require_browser(), "sync_playwright")
