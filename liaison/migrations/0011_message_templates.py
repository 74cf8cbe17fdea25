"""Seed the phrases that promise an outcome, and the first message templates (issue 13).

Victims must be dealt with honestly, without unrealistic expectations: a message drafted
for a victim is refused while it holds one of these phrases, and the officer is shown the
reason. The list is maintained in admin; a phrase ending in "*" also matches the words it
starts ("guarantee*": guarantee, guaranteed, guarantees). The templates are synthetic
wording, honest about what the review can and cannot do, in text and letter for each
register; their placeholders are {reference}, {officer_name} and {next_update_on}.

`load_message_templates` only adds what is missing, so re-running it (tests flush and reload
reference data) never overwrites an edit made in admin or a newer version of a template.
"""

from django.db import migrations

_CHARGE = (
    "Whether anyone is charged is decided by the police and the Crown Prosecution Service "
    "on the evidence; the review cannot promise it."
)
_COURT = "Only a court decides guilt and sentence; no one can promise a verdict or a sentence."
_ARREST = "An arrest depends on the evidence and on officers' decisions; it cannot be promised."
_CERTAIN = (
    "It states a certainty nobody has about the outcome: say what will happen next and when "
    "you will next be in touch instead."
)
_PROMISE = (
    "A promise about the case sets an expectation the review may not meet: promise only what "
    "you will do (call, write, update) and when."
)
_JUSTICE = (
    "Justice means different things to different victims, and the review cannot promise an "
    "outcome: say what the review will look at instead."
)
_REOPEN = "Whether the investigation is reopened is the review's decision, not yet made."

# phrase: the reason shown to the officer
PHRASES = {
    "will be charged": _CHARGE,
    "will get charged": _CHARGE,
    "will be prosecuted": _CHARGE,
    "will face charges": _CHARGE,
    "will go to court": _COURT,
    "will go to trial": _COURT,
    "will be convicted": _COURT,
    "will be found guilty": _COURT,
    "will go to prison": _COURT,
    "will be sent to prison": _COURT,
    "will be punished": _COURT,
    "will be arrested": _ARREST,
    "guarantee*": _CERTAIN,
    "definitely": _CERTAIN,
    "certainly will": _CERTAIN,
    "without a doubt": _CERTAIN,
    "I promise": _PROMISE,
    "we promise": _PROMISE,
    "justice will be done": _JUSTICE,
    "you will get justice": _JUSTICE,
    "will be reopened": _REOPEN,
}

# Synthetic template wording: (key, title) and, for each channel and register, the body.
UPDATE = ("update", "Update on the review")
ACKNOWLEDGED = ("review_request_acknowledged", "Right to Review request acknowledged")
REFERRAL = ("support_referral_made", "Support referral made")

TEMPLATES = {
    UPDATE: {
        ("text", "plain"): (
            "This is {officer_name} from the case review, reference {reference}. The review of "
            "your case is still going on. Nothing has been decided yet. I will update you by "
            "{next_update_on}, or sooner if there is news. Reply or call me if you want to talk."
        ),
        ("text", "formal"): (
            "{officer_name}, case review, reference {reference}. The review of your case is "
            "continuing and no decision has been made. You will receive a further update by "
            "{next_update_on}. Please contact me if you have any questions."
        ),
        ("text", "young_person"): (
            "Hi, it's {officer_name} from the review (your reference is {reference}). We are "
            "still looking at your case and nothing is decided yet. I'll message you again by "
            "{next_update_on}. You can message me any time if you want to talk."
        ),
        ("letter", "plain"): (
            "Your reference: {reference}\n\n"
            "I am writing to update you on the review of your case.\n\n"
            "The review is still looking at how your case was handled. Nothing has been "
            "decided yet, and I cannot tell you what the outcome will be. When there is a "
            "decision, I will tell you what it is and what it means for you.\n\n"
            "I will write to you again by {next_update_on}, or sooner if there is news. If "
            "you would like to talk before then, please contact me.\n\n"
            "{officer_name}\nVictim liaison officer"
        ),
        ("letter", "formal"): (
            "Reference: {reference}\n\n"
            "I write to provide an update on the independent review of your case.\n\n"
            "The review of the original investigation is continuing and no decision has yet "
            "been made. It would not be right for me to anticipate its outcome. You will be "
            "informed of any decision, and of what it means for you, as soon as it is "
            "made.\n\n"
            "You will receive a further update no later than {next_update_on}. Should you "
            "wish to discuss the review in the meantime, please do not hesitate to contact "
            "me.\n\n"
            "Yours sincerely,\n{officer_name}\nVictim liaison officer"
        ),
        ("letter", "young_person"): (
            "Your reference: {reference}\n\n"
            "Hello,\n\n"
            "I wanted to let you know how the review of your case is going.\n\n"
            "We are still looking carefully at what happened in your case. Nothing has been "
            "decided yet, and nobody knows yet what the answer will be. When there is news, "
            "I will tell you and explain what it means.\n\n"
            "I will write to you again by {next_update_on}. If you want to talk before then, "
            "or if anything is worrying you, you can contact me.\n\n"
            "{officer_name}\nVictim liaison officer"
        ),
    },
    ACKNOWLEDGED: {
        ("text", "plain"): (
            "This is {officer_name} from the case review, reference {reference}. We have "
            "received your request for a review of the decision. Someone who was not part of "
            "the decision will look at it. I will update you by {next_update_on}."
        ),
        ("text", "formal"): (
            "{officer_name}, case review, reference {reference}. Your request for a review of "
            "the decision has been received and will be considered by someone independent of "
            "it. You will be updated by {next_update_on}."
        ),
        ("text", "young_person"): (
            "Hi, it's {officer_name} from the review (reference {reference}). We got your "
            "request to look at the decision again. Someone who didn't make the decision will "
            "look at it. I'll let you know how it's going by {next_update_on}."
        ),
        ("letter", "plain"): (
            "Your reference: {reference}\n\n"
            "Thank you for asking for the decision in your case to be reviewed. This letter "
            "confirms that we have received your request.\n\n"
            "Your request will be looked at by someone who was not involved in the decision. "
            "They may agree with the decision or change it; I cannot say yet which it will "
            "be. We aim to give you an answer within 30 working days. If it will take longer, "
            "I will tell you why.\n\n"
            "I will update you by {next_update_on}. Please contact me if you have questions.\n\n"
            "{officer_name}\nVictim liaison officer"
        ),
        ("letter", "formal"): (
            "Reference: {reference}\n\n"
            "I acknowledge receipt of your request, under the Victims' Right to Review, that "
            "the decision in your case be reviewed.\n\n"
            "Your request will be considered by a person who had no part in the original "
            "decision. The review may uphold or overturn that decision, and its outcome "
            "cannot be anticipated. We aim to provide you with a decision within 30 working "
            "days; should further time be needed, you will be informed of the reason.\n\n"
            "You will receive a further update no later than {next_update_on}.\n\n"
            "Yours sincerely,\n{officer_name}\nVictim liaison officer"
        ),
        ("letter", "young_person"): (
            "Your reference: {reference}\n\n"
            "Hello,\n\n"
            "Thank you for asking us to look at the decision in your case again. This letter "
            "is to tell you that we have got your request.\n\n"
            "Someone who did not make the first decision will look at it. They might keep the "
            "decision or change it, and we don't know yet which. We try to give you an answer "
            "within 30 working days (about six weeks). If it takes longer, I'll tell you "
            "why.\n\n"
            "I will be in touch again by {next_update_on}. You can contact me any time.\n\n"
            "{officer_name}\nVictim liaison officer"
        ),
    },
    REFERRAL: {
        ("text", "plain"): (
            "This is {officer_name} from the case review, reference {reference}. As we agreed, "
            "I have passed your details to the support service. They should contact you. Let "
            "me know if you do not hear from them. I will update you by {next_update_on}."
        ),
        ("text", "formal"): (
            "{officer_name}, case review, reference {reference}. As agreed, you have been "
            "referred to the support service, which should contact you directly. Please tell "
            "me if it does not. Your next update is due by {next_update_on}."
        ),
        ("text", "young_person"): (
            "Hi, it's {officer_name} from the review (reference {reference}). Like we talked "
            "about, I've asked the support service to get in touch with you. Tell me if they "
            "don't. I'll message you again by {next_update_on}."
        ),
        ("letter", "plain"): (
            "Your reference: {reference}\n\n"
            "As we agreed, I have referred you to the support service. They support people "
            "who have been through what you have, and they are independent of the police "
            "and the review.\n\n"
            "They should contact you directly. If you do not hear from them, or if you change "
            "your mind, please tell me.\n\n"
            "I will update you on the review by {next_update_on}.\n\n"
            "{officer_name}\nVictim liaison officer"
        ),
        ("letter", "formal"): (
            "Reference: {reference}\n\n"
            "Further to our conversation, and with your consent, I have referred you to the "
            "support service. The service is independent of the police and of the review.\n\n"
            "The service should contact you directly. Should you not hear from it, or should "
            "you no longer wish to be referred, please let me know.\n\n"
            "You will receive a further update on the review no later than "
            "{next_update_on}.\n\n"
            "Yours sincerely,\n{officer_name}\nVictim liaison officer"
        ),
        ("letter", "young_person"): (
            "Your reference: {reference}\n\n"
            "Hello,\n\n"
            "Like we talked about, I have asked the support service to get in touch with you. "
            "They help young people who have been through things like this, and they are not "
            "part of the police.\n\n"
            "They should contact you themselves. If they don't, or if you change your mind, "
            "just tell me.\n\n"
            "I will write to you about the review again by {next_update_on}.\n\n"
            "{officer_name}\nVictim liaison officer"
        ),
    },
}


def load_message_templates(apps, schema_editor):
    phrase_model = apps.get_model("liaison", "PromisePhrase")
    template_model = apps.get_model("liaison", "MessageTemplate")
    for phrase, reason in PHRASES.items():
        phrase_model.objects.get_or_create(phrase=phrase, defaults={"reason": reason})
    for (key, title), bodies in TEMPLATES.items():
        for (channel, register), body in bodies.items():
            # Any version present (an edit in admin made a newer one): leave it alone.
            if template_model.objects.filter(key=key, channel=channel, register=register).exists():
                continue
            template_model.objects.create(
                key=key, title=title, channel=channel, register=register, body=body, version=1
            )


def unload_message_templates(apps, schema_editor):
    apps.get_model("liaison", "PromisePhrase").objects.filter(
        phrase__in=PHRASES, added_by__isnull=True
    ).delete()
    # Templates are kept: messages name the version they were drafted from (PROTECT).


class Migration(migrations.Migration):
    dependencies = [("liaison", "0010_victims_rights")]

    operations = [migrations.RunPython(load_message_templates, unload_message_templates)]
