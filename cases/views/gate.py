"""The review's gate (issue 13): "no failings found", recorded or withdrawn while the review
is open, by an assigned investigator or a lead. The rules live in
`cases.services.review_gate`; these pages only collect the reason and the version."""

from cases.forms_gate import NoFailingsForm, NoFailingsWithdrawForm
from cases.permissions import CHANGE
from cases.services import review_gate
from cases.views.base import case_for_change, case_methods, render_form, save_or_show

RECORD = {
    "title": "Record 'no failings found'",
    "submit_label": "Record 'no failings found'",
    "intro": "Record this only when the review examined the case and found no failings: it "
    "stands in place of a finding for 'review complete'. It can be withdrawn while the "
    "review is open.",
}
WITHDRAW = {
    "title": "Withdraw 'no failings found'",
    "submit_label": "Withdraw",
    "danger": True,
    "intro": "The case will need a finding, or 'no failings found' recorded again, before "
    "its review can be marked complete.",
}


@case_methods("GET", "POST")
def no_failings_record(request, reference):
    """Record that the review found no failings, and why."""
    case = case_for_change(request, reference, CHANGE)
    if request.method == "POST":

        def write(data):
            review_gate.case_record_no_failings(
                case=case, by=request.user, reason=data["reason"], version=data["version"]
            )

        return save_or_show(request, case, NoFailingsForm, write, anchor="gate", **RECORD)
    form = NoFailingsForm(initial={"version": case.version})
    return render_form(request, case, form, **RECORD)


@case_methods("GET", "POST")
def no_failings_withdraw(request, reference):
    """Withdraw a recorded "no failings found" (the page shows what is withdrawn)."""
    case = case_for_change(request, reference, CHANGE)
    page = {**WITHDRAW, "intro": _withdraw_intro(case)}
    if request.method == "POST":

        def write(data):
            review_gate.case_withdraw_no_failings(
                case=case, by=request.user, version=data["version"]
            )

        return save_or_show(request, case, NoFailingsWithdrawForm, write, anchor="gate", **page)
    form = NoFailingsWithdrawForm(initial={"version": case.version})
    return render_form(request, case, form, **page)


def _withdraw_intro(case) -> str:
    recorded = case.no_failings_reason or "nothing is recorded"
    return f"Recorded: \u201c{recorded}\u201d. {WITHDRAW['intro']}"
