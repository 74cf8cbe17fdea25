"""In the browser: a review lead takes in a force's referral file without a terminal (issue 12).

The lead uploads a file with three bad referrals and reads every problem (referral index,
force reference, JSON path, reason) once a REAL worker has checked it; then uploads the
mended file, watches its progress bar (waiting for a worker, then moved by the page's own
polling) and sees the counts. Screenshots go to INTAKE_SCREENSHOT_DIR
(/tmp/intake-screenshots by default).
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from cases.models import Case, ReferralBatch
from tests.browser import sign_in
from tests.cases.referral_files import file_bytes, referrals, spoil

SCREENSHOTS = Path(os.environ.get("INTAKE_SCREENSHOT_DIR", "/tmp/intake-screenshots"))
REFERRALS = 1500  # enough that a worker takes a moment over it, so progress can be seen


def _upload(page, path: Path) -> None:
    page.get_by_role("link", name="Intake", exact=True).click()
    page.get_by_role("link", name="Send a referral file").click()
    page.get_by_label("Referral file").set_input_files(str(path))
    page.get_by_role("button", name="Send the file").click()


@pytest.mark.browser
@pytest.mark.worker
def test_a_review_lead_reads_every_problem_then_imports_the_mended_file(
    filesystem_documents, start_worker, page, review_lead, tmp_path
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    drawn = referrals(REFERRALS, seed=12)
    mended = file_bytes(drawn)
    spoiled = spoil(drawn, [2, 700, 1400])
    bad_path, good_path = tmp_path / "kent-bad.json", tmp_path / "kent-mended.json"
    bad_path.write_bytes(file_bytes(drawn))
    good_path.write_bytes(mended)
    start_worker()  # after the storage fixture, so the worker reads the same directory

    sign_in(page, review_lead.username)
    _upload(page, bad_path)
    # The page follows the run by itself and shows the problems when it is done.
    expect(page.get_by_role("heading", name="Problems")).to_be_visible(timeout=120_000)
    expect(page.get_by_text("3 problems in 3 referrals: nothing was written")).to_be_visible()
    rows = page.locator("table.intake-problems tbody tr")
    expect(rows).to_have_count(3)
    for row, (index, reference, path) in enumerate(spoiled):
        cells = rows.nth(row).locator("td")
        expect(cells.nth(0)).to_have_text(str(index))
        expect(cells.nth(1)).to_have_text(reference)
        expect(cells.nth(2)).to_have_text(path)
        expect(cells.nth(3)).to_contain_text("2024-02-30")
    page.screenshot(path=str(SCREENSHOTS / "intake-problems.png"), full_page=True)
    assert not Case.objects.exists()

    _upload(page, good_path)
    progress = page.locator("#batch-progress")
    stage = page.locator("#batch-stage")
    expect(progress).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "intake-progress-start.png"), full_page=True)
    try:  # a moment while it runs, if the machine is slow enough to catch one (no assertion)
        page.wait_for_function(
            "() => { const s = document.getElementById('batch-stage');"
            " const b = document.getElementById('batch-progress');"
            " return s && b && s.dataset.status !== 'queued' && b.value > 0; }",
            timeout=60_000,
        )
        page.screenshot(path=str(SCREENSHOTS / "intake-progress-running.png"), full_page=True)
    except PlaywrightError:
        pass
    expect(stage).to_contain_text("Imported", timeout=180_000)
    counts = page.locator("table.intake-counts tbody tr td")
    expect(counts).to_have_text([str(REFERRALS), str(REFERRALS), "0", "0", "0"])
    expect(page.locator("#batch-progress")).to_have_count(0)
    expect(page.locator("#sha256")).to_have_text(ReferralBatch.objects.first().sha256)
    page.screenshot(path=str(SCREENSHOTS / "intake-imported.png"), full_page=True)

    page.get_by_role("link", name="Intake history").click()
    history = page.locator("table.intake-history tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("kent-mended.json")
    expect(history.nth(0)).to_contain_text("Imported")
    expect(history.nth(1)).to_contain_text("Refused: problems found")
    page.screenshot(path=str(SCREENSHOTS / "intake-history.png"), full_page=True)
    assert Case.objects.count() == REFERRALS
