"""The Dagster UI as the data team uses it, in headless Chromium (Debian's `chromium`, driven by
Playwright) against the stack's webserver, after the main job built everything: the asset graph
with every group, a 360° column traced back to its MySQL column, a materialization launched with a
click and watched to its success. Screenshots are kept in `.artifacts/ui/` (DATAPLATFORM_ARTIFACTS)."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import dagster as dg
import pytest

from dataplatform.localstack.dagster_services import WEBSERVER_URL as UI
from dataplatform.paths import stack_dagster_home
from tests.integration.helpers import artifacts_dir

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The first test to ask for `demo` waits for the main job (conftest.py).
pytestmark = pytest.mark.timeout(1800)
GROUPS = ("source", "raw", "curated", "quarantine", "warehouse", "marts", "serving")


@pytest.fixture(scope="module")
def artifacts() -> Path:
    folder = artifacts_dir("ui")
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


@pytest.fixture()
def page(demo, artifacts):
    """A page of a fresh headless Chromium at the UI's size (the main job ran first: `demo`)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: `./platform test` installs it", pytrace=False)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            # No calls home: this machine's network refuses them, many at a time.
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"])
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(60_000)
        # The community dialog of a first visit may open after the page has settled, and its
        # backdrop then takes every click: whenever it shows before an action, skip it.
        page.add_locator_handler(page.get_by_role("button", name="Skip"), lambda skip: skip.click())
        yield page
        browser.close()


def _open(page, path: str) -> None:
    page.goto(UI + path, wait_until="networkidle")


def test_the_asset_graph_shows_every_group(page, artifacts):
    _open(page, "/asset-groups")
    for group in GROUPS:
        # Once in the sidebar's tree, once as a box in the graph (which renders after the page
        # settles, so the count is polled until it is reached or the page's timeout passes).
        named = page.get_by_text(group, exact=True)
        deadline = time.monotonic() + 60
        while named.count() < 2 and time.monotonic() < deadline:
            page.wait_for_timeout(500)
        assert named.count() >= 2, f"group {group!r} is not in the asset graph"
    page.screenshot(path=artifacts / "asset-graph.png")


def test_a_360_column_traces_back_to_its_mysql_column(page, artifacts):
    _open(page, "/assets/serving/hbase/customer_360")
    page.get_by_text("column sources", exact=True).wait_for()
    page.screenshot(path=artifacts / "customer-360-overview.png", full_page=True)
    row = page.get_by_role("row").filter(has_text="column sources")
    row.get_by_text(re.compile("Show Markdown")).click()
    dialog = page.get_by_role("dialog")
    tier = dialog.get_by_role("row").filter(has=page.get_by_text("p:tier", exact=True))
    tier.scroll_into_view_if_needed()
    text = tier.inner_text()
    assert "warehouse/dim_customer.tier" in text and "mysql/shop/customers.tier" in text, text
    page.screenshot(path=artifacts / "customer-360-column-sources.png")


def test_a_materialization_launched_in_the_ui_succeeds(page, artifacts):
    _open(page, "/assets/marts/funnel_daily")
    page.get_by_role("button").filter(has_text=re.compile(r"^Materialize$")).click()
    page.get_by_text(re.compile(r"^Launched run [0-9a-f]{8}$")).wait_for()
    page.locator("a[href^='/runs/']").filter(has_text="View").click()  # the toast's link to the run
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}"))
    page.screenshot(path=artifacts / "run-launched.png")
    page.get_by_text("Success", exact=True).first.wait_for(timeout=300_000)
    page.screenshot(path=artifacts / "run-succeeded.png")
    # What the page said is what the instance recorded: that run, of that asset, succeeded.
    run_id = page.url.rstrip("/").rsplit("/", 1)[1]
    with dg.DagsterInstance.from_config(str(stack_dagster_home())) as instance:
        run = instance.get_run_by_id(run_id)
        assert run.status == dg.DagsterRunStatus.SUCCESS
        assert run.asset_selection == {dg.AssetKey(["marts", "funnel_daily"])}
        assert instance.fetch_materializations(dg.AssetKey(["marts", "funnel_daily"]), limit=1).records[0].run_id \
            == run_id
