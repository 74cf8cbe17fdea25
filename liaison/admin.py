"""Admin: Victims' Code rules are edited here; other liaison data is read-only evidence."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from beaconport.audit.admin_mixins import AuditedAdminMixin
from beaconport.inputs import CappedTextField, PlausibleDateField
from liaison.models import (
    FollowUp,
    MessageTemplate,
    PromisePhrase,
    ReminderDelivery,
    VictimsCodeRule,
)
from liaison.services import messages as message_services
from liaison.workdays import MAX_WORKING_DAYS


class VictimsCodeRuleForm(forms.ModelForm):
    """A rule as an administrator edits it: a plausible start and limits a count can take.

    A limit past MAX_WORKING_DAYS would make every event under the rule fail to get its
    deadline (the working-day count refuses it), so it is refused here, naming the field.
    """

    effective_from = PlausibleDateField(label="Effective from")
    source = CappedTextField(widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = VictimsCodeRule
        fields = ["trigger", "enhanced_days", "standard_days", "source", "effective_from"]

    def clean(self):
        data = super().clean()
        for name in ("enhanced_days", "standard_days"):
            days = data.get(name)
            if days is not None and days > MAX_WORKING_DAYS:
                self.add_error(name, f"A limit is at most {MAX_WORKING_DAYS} working days.")
        return data


@admin.register(VictimsCodeRule)
class VictimsCodeRuleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = VictimsCodeRuleForm
    list_display = ("trigger", "enhanced_days", "standard_days", "effective_from")
    list_filter = ("trigger",)
    ordering = ("trigger", "-effective_from")


class ReadOnlyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Shown for support and audit; changed only through the liaison services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ("pk", "case", "rule", "status", "due_on", "next_reminder_at")
    list_filter = ("status", "rule__trigger")
    list_select_related = ("case", "rule")
    raw_id_fields = ("record", "case", "officer", "completed_by_contact", "created_by")


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("follow_up", "stage", "recipient_count", "sent_at")
    list_filter = ("stage",)


# --- honest messages (issue 13): templates and the phrase list, written by their services ---


class ServiceWrittenAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Adds and edits are written by a service (`write`), never by `obj.save()`; a refusal
    the form could not foresee (a race) is shown as an error and nothing is saved."""

    def write(self, request, obj, form, change):  # pragma: no cover - overridden
        raise NotImplementedError

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            saved = self.write(request, obj, form, change)
        except ValidationError as error:
            request._service_refused = error
            return
        request._service_saved = saved
        if not change:  # the admin logs and links the row the service made
            obj.pk, obj._state.adding = saved.pk, False

    def save_related(self, request, form, formsets, change):
        if not getattr(request, "_service_refused", None):
            super().save_related(request, form, formsets, change)

    def log_addition(self, request, obj, message):
        if not getattr(request, "_service_refused", None):
            return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if not getattr(request, "_service_refused", None):
            return super().log_change(request, obj, message)

    def _refused(self, request):
        error = getattr(request, "_service_refused", None)
        if error is None:
            return None
        for text in error.messages:
            self.message_user(request, f"Not saved: {text}", level=messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def response_add(self, request, obj, post_url_continue=None):
        return self._refused(request) or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        saved = getattr(request, "_service_saved", None) or obj
        return self._refused(request) or super().response_change(request, saved)


class MessageTemplateForm(forms.ModelForm):
    """A template's words, checked as the service checks them: no promised outcome, only the
    known placeholders."""

    class Meta:
        model = MessageTemplate
        fields = ["key", "title", "channel", "register", "body"]

    def clean(self):
        data = super().clean()
        if "channel" in self.fields and data.get("channel") not in (
            None,
            *message_services.WRITTEN_CHANNELS,
        ):
            self.add_error("channel", "Templates are for written messages: text, email or letter.")
        family = {name: data.get(name) for name in ("key", "channel", "register")}
        if (
            self.instance.pk is None
            and MessageTemplate.objects.filter(active=True, **family).exists()
        ):
            self.add_error(
                "key", "A current template exists for this purpose, channel and register: edit it."
            )
        problems = message_services.template_problems(
            title=data.get("title", ""), body=data.get("body", "")
        )
        for field, errors in problems.items():
            for error in errors:
                if field in self.fields and field not in self.errors:
                    self.add_error(field, error)
        return data


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ServiceWrittenAdmin):
    """Saving an edit makes the template's next version; the old one is kept, read-only,
    because the messages drafted from it name it."""

    form = MessageTemplateForm
    list_display = ("title", "key", "channel", "register", "version", "active")
    list_filter = ("active", "channel", "register", "key")
    ordering = ("key", "channel", "register", "-version")
    KEPT = ("key", "channel", "register", "version", "supersedes", "created_by", "created_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["key", "title", "channel", "register", "body"]
        return ["key", "channel", "register", "version", "active", "title", "body", *self.KEPT[4:]]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if not obj.active:
            return self.get_fields(request, obj)
        return (*self.KEPT, "active")

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.active:
            return False  # a retired version is kept exactly as it was
        return super().has_change_permission(request, obj)

    def write(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            return message_services.message_template_revise(
                template=obj, by=request.user, title=data["title"], body=data["body"]
            )
        return message_services.message_template_add(
            by=request.user,
            key=data["key"],
            title=data["title"],
            channel=data["channel"],
            register=data["register"],
            body=data["body"],
        )


@admin.register(PromisePhrase)
class PromisePhraseAdmin(ServiceWrittenAdmin):
    """The phrases a message may not hold, each with the reason the officer is shown. End a
    phrase with * to match the words it starts. Switched off, never deleted."""

    list_display = ("phrase", "active", "reason")
    list_filter = ("active",)
    search_fields = ("phrase",)

    def get_fields(self, request, obj=None):
        return ["phrase", "reason"] if obj is None else ["phrase", "reason", "active", "added_by"]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("phrase", "added_by")

    # A phrase has no version: the change page carries what it showed (a hidden initial),
    # and a field left as shown is not sent to the service, so a page opened before another
    # administrator switched the phrase off (or changed its reason) does not undo that.
    KEPT_AS_SHOWN = ("reason", "active")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in self.KEPT_AS_SHOWN:
            field.show_hidden_initial = True
        return field

    @staticmethod
    def _changed(form, name: str) -> bool:
        """Whether the administrator changed the field from what their page showed (a post
        without the page's hidden initial counts as a change, as before)."""
        if form.add_initial_prefix(name) not in form.data:
            return True
        return name in form.changed_data

    def write(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            return message_services.promise_phrase_update(
                promise=obj,
                by=request.user,
                reason=data["reason"] if self._changed(form, "reason") else None,
                active=data["active"] if self._changed(form, "active") else None,
            )
        return message_services.promise_phrase_add(
            by=request.user, phrase=data["phrase"], reason=data["reason"]
        )
