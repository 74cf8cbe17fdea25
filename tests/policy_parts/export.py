"""Who may export a case as a PDF bundle (issue 12): its leads only.

The case's review lead and a national lead open the form (200) and, posting it empty, are
told what is missing (400); everyone else, the case's own investigator included, gets 404.
"""

from tests.access_policy import CASE_LEADS, case_form

POLICY = {
    "export:case": case_form(CASE_LEADS),
}
