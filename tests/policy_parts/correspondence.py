"""Access policy for victims' correspondence on the liaison record (issue 12): those who see
the record (its officer, the team's liaison leads, national leads) list it and add to it;
a copy is given only once they have said why (302 to the reason form, once per record).
Everyone else, investigators and review leads included, gets 404, as for a record that is
not there. The list and the copy answer GET only (405 to anyone who posts, like the record
page); an empty POST to the add form is refused (400: no file chosen). The world's file has
no bytes behind it: no route here reads it before the reason is given."""

from liaison.models import Correspondence
from tests.access_policy import RECORD_SEERS, everyone, only, page, record_form

POLICY = {
    "liaison:correspondence": page(only(RECORD_SEERS, 200), everyone(405)),
    "liaison:correspondence_add": record_form(),
    "liaison:correspondence_download": page(only(RECORD_SEERS, 302), everyone(405)),
}

PK_OF = {
    "liaison:correspondence": "record",
    "liaison:correspondence_add": "record",
    "liaison:correspondence_download": "correspondence",
}


def world(world, *, investigator, liaison_officer):
    """A letter from the victim on the liaison officer's record (synthetic, no bytes)."""
    world["correspondence"] = Correspondence.objects.create(
        record=world["record"],
        direction="from_victim",
        title="Letter about the interview (synthetic)",
        received_or_sent_on="2026-01-05",
        filename="letter.pdf",
        content_type="application/pdf",
        size=4,
        sha256="e" * 64,
        storage_name="liaison/synthetic/policy-letter.pdf",
        added_by=liaison_officer,
    )
