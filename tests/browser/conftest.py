"""Browser fixtures: Debian's Chromium through Playwright, tabs that watch for console errors,
Content-Security-Policy violations and requests to other hosts, and numbered screenshots
under test-artifacts/screenshots/."""

import importlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.db import connections

from tests.conftest import IN_CI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber} on ${location.pathname}`
  );
});
"""
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _after_a_flush(transactional_db: None) -> None:
    """A transactional test may follow one that flushed the tables: restore the four plans
    with the data migration that creates them, and forget content-type ids cached before
    the flush (the admin's change log refers to them)."""
    plans = importlib.import_module("billing.migrations.0002_the_four_plans")
    plans.create_plans(django_apps, None)
    ContentType.objects.clear_cache()


LIVE_SERVER_TESTS = ("tests/browser/", "tests/docs/test_docs_examples.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run our live-server tests after every other test: each one ends by flushing the
    database, which the transactional tests of other modules do not expect."""
    ours = [item for item in items if item.nodeid.startswith(LIVE_SERVER_TESTS)]
    others = [item for item in items if not item.nodeid.startswith(LIVE_SERVER_TESTS)]
    items[:] = others + ours


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which makes Django
    # refuse the tests' own ORM calls; the live server's thread is unaffected.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
            # ORM calls made while Playwright runs open their own connection (its greenlet has
            # its own context); close it here, or it outlives the test database.
            connections.close_all()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@dataclass
class Tab:
    """One browser context and its page, with what it saw."""

    page: Any
    base_url: str
    name: str
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def watch(self) -> None:
        host = urlsplit(self.base_url).netloc
        # Every page reports what its Content-Security-Policy blocked (an inline script or
        # style, an event handler attribute, a foreign source) back to the test.
        self.page.expose_function(
            "reportCspViolation", lambda text: self.csp_violations.append(text)
        )
        self.page.add_init_script(CSP_LISTENER)
        self.page.on(
            "console",
            lambda message: (
                message.type == "error"
                and self.console_errors.append(f"{message.text} {message.location.get('url', '')}")
            ),
        )
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

        def check(request: Any) -> None:
            parts = urlsplit(request.url)
            if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != host:
                self.foreign_requests.append(request.url)

        self.page.on("request", check)

    def go(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def shot(self, label: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        count = len(list(SCREENSHOTS.glob(f"{self.name}-*.png"))) + 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        path = SCREENSHOTS / f"{self.name}-{count:02d}-{slug}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def open_tab(browser: Any, live_server: Any) -> Iterator[Any]:
    """open_tab(name, viewport) -> Tab; every tab is checked for console errors and foreign
    requests when the test ends."""
    contexts, tabs = [], []

    def open_tab(name: str, viewport: dict[str, int] = DESKTOP) -> Tab:
        for old in SCREENSHOTS.glob(f"{name}-*.png"):
            old.unlink()
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = Tab(page=context.new_page(), base_url=live_server.url, name=name)
        tab.watch()
        tabs.append(tab)
        return tab

    yield open_tab
    for context in contexts:
        context.close()
    for tab in tabs:
        assert tab.console_errors == [], (tab.name, tab.console_errors)
        assert tab.foreign_requests == [], (tab.name, tab.foreign_requests)
        assert tab.csp_violations == [], (tab.name, tab.csp_violations)
