"""Admin for the cases domain: computed fields read-only, writes through the services.

Records a service writes are read-only here, or saved through their update service (which
checks the version and recomputes eligibility and priority). Case grants are managed on
guardian's object-permission page.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from guardian.admin import GuardedModelAdmin

from beaconport.accounts.admin import AuditedObjectPermissionsMixin
from beaconport.audit.admin_mixins import AuditedAdminMixin, JustifiedChangeViewMixin
from cases.models import (
    Case,
    CaseAccessRequest,
    CaseCriterion,
    CaseNetwork,
    CaseParty,
    CaseTransition,
    DecisionLogEntry,
    Finding,
    Force,
    InvestigativeEvent,
    LineOfInquiry,
    LinkageModel,
    LinkageRun,
    Network,
    Nominal,
    NominalMember,
    Offence,
    OffenceChange,
    Person,
    PersonIdentifier,
    PersonLink,
    SuspectFlag,
    Team,
)
from cases.services import cases as case_services
from cases.services import findings, inquiries, people
from cases.services.teams import team_save

COMPUTED = ("status", "priority", "eligibility", "version", "created_at", "updated_at")


class ReadOnlyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """A record only the services write: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ServiceSavedAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Edits are saved by the record's update service, never by `obj.save()`.

    The service is given the fields the form changed and the version the page was loaded
    with; a refusal (a stale edit, a broken rule) is shown as an error and nothing is saved.
    """

    service_fields: tuple[str, ...] = ()
    service_target = "obj"  # the keyword the update service takes the record under

    def update(self, *, obj, by, version, fields):  # pragma: no cover - overridden
        raise NotImplementedError

    def get_readonly_fields(self, request, obj=None):
        own = [f.name for f in self.model._meta.fields if f.name not in self.service_fields]
        return [*own, *super().get_readonly_fields(request, obj)]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            raise PermissionDenied
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if not fields:
            return
        # The form has already set the new values on obj; the service compares against the
        # version the admin loaded (unchanged on obj) and writes through its own lock.
        try:
            self.update(obj=obj, by=request.user, version=obj.version, fields=fields)
        except ValidationError as error:
            request._service_refused = error

    def save_related(self, request, form, formsets, change):
        if not getattr(request, "_service_refused", None):
            super().save_related(request, form, formsets, change)
            return
        for formset in formsets:
            # Nothing of a refused edit is saved; the admin's change message still asks.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def log_change(self, request, obj, message):
        if not getattr(request, "_service_refused", None):
            super().log_change(request, obj, message)

    def response_change(self, request, obj):
        error = getattr(request, "_service_refused", None)
        if error is None:
            return super().response_change(request, obj)
        for text in error.messages:
            self.message_user(request, f"Not saved: {text}", level=messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


@admin.register(Force)
class ForceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Teams are saved by `team_save` (audited, forces and members with the name); members
    are found by search, never offered as a list of every user."""

    list_display = ("name",)
    search_fields = ("name",)
    filter_horizontal = ("forces",)
    autocomplete_fields = ("members",)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            team_save(
                team=obj,
                name=data["name"],
                forces=data["forces"],
                members=data["members"],
                by=request.user,
            )
        except ValidationError as error:
            request._service_refused = error

    def save_related(self, request, form, formsets, change):
        """The service already set forces and members with the team, in one audit row."""

    def response_change(self, request, obj):
        error = getattr(request, "_service_refused", None)
        if error is None:
            return super().response_change(request, obj)
        for text in error.messages:
            self.message_user(request, f"Not saved: {text}", level=messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


class CriterionInline(ReadOnlyInline):
    model = CaseCriterion
    fields = ("name", "result", "reason")
    readonly_fields = fields


class TransitionInline(ReadOnlyInline):
    model = CaseTransition
    fields = ("at", "from_status", "to_status", "by", "reason")
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(AuditedObjectPermissionsMixin, GuardedModelAdmin, ServiceSavedAdmin):
    """Cases come in through the import; their facts are edited through `case_update`.

    Grants made on guardian's "Object permissions" pages are audited and logged.
    """

    list_display = (
        "reference",
        "force",
        "force_reference",
        "status",
        "priority",
        "eligibility",
        "eligibility_decision",
        "received_on",
    )
    list_filter = ("status", "priority", "eligibility", "force")
    search_fields = ("force_reference",)
    list_select_related = ("force",)
    ordering = ("-pk",)
    inlines = (CriterionInline, TransitionInline)
    service_fields = case_services.CASE_EDITABLE

    def update(self, *, obj, by, version, fields):
        case_services.case_update(case=obj, by=by, version=version, **fields)

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        from cases.models import parse_reference

        pk = parse_reference(search_term.strip().upper())
        if pk is not None:
            queryset |= self.model.objects.filter(pk=pk)
        return queryset, duplicates


@admin.register(CaseCriterion)
class CaseCriterionAdmin(ReadOnlyAdmin):
    list_display = ("case", "name", "result", "reason")
    list_filter = ("name", "result")
    list_select_related = ("case",)


@admin.register(Person)
class PersonAdmin(JustifiedChangeViewMixin, ServiceSavedAdmin):
    """The person index. Names are listed nowhere: opening a record asks for a reason first,
    logged with the read."""

    def justification_subject(self, obj) -> dict:
        return {"person": obj.pk}

    list_display = ("__str__", "gender", "ethnicity", "ethnicity_source")
    list_filter = ("gender", "ethnicity_source")
    service_fields = (
        "surname",
        "forenames",
        "date_of_birth",
        "gender",
        "ethnicity",
        "ethnicity_source",
    )

    def update(self, *, obj, by, version, fields):
        people.person_update(person=obj, by=by, version=version, **fields)


@admin.register(CaseParty)
class CasePartyAdmin(JustifiedChangeViewMixin, ServiceSavedAdmin):
    """A person's part in a case; opening one asks for a reason first, logged with the read."""

    def justification_subject(self, obj) -> dict:
        return {"case": obj.case_id, "person": obj.person_id}

    list_display = ("__str__", "role", "deceased", "interviewed", "age_at_first_offence")
    list_filter = ("role", "deceased")
    list_select_related = ("case",)
    service_fields = ("deceased", "interviewed", "age_at_first_offence")

    def update(self, *, obj, by, version, fields):
        people.party_update(party=obj, by=by, version=version, **fields)


@admin.register(Offence)
class OffenceAdmin(ReadOnlyAdmin):
    list_display = ("case", "type")
    list_filter = ("type",)
    list_select_related = ("case",)


@admin.register(CaseTransition)
class CaseTransitionAdmin(ReadOnlyAdmin):
    list_display = ("case", "from_status", "to_status", "by", "at")
    list_filter = ("to_status",)
    list_select_related = ("case", "by")


@admin.register(InvestigativeEvent)
class InvestigativeEventAdmin(ReadOnlyAdmin):
    list_display = ("case", "type", "occurred_on", "recorded_by", "recorded_at")
    list_filter = ("type",)
    list_select_related = ("case", "recorded_by")


@admin.register(LineOfInquiry)
class LineOfInquiryAdmin(ServiceSavedAdmin):
    list_display = ("__str__", "case", "origin", "status", "allocated_to", "due_on")
    list_filter = ("status", "origin")
    list_select_related = ("case", "allocated_to")
    autocomplete_fields = ("allocated_to",)  # thousands of users: searched, never listed
    service_fields = (
        "description",
        "origin",
        "status",
        "rationale",
        "allocated_to",
        "due_on",
        "result",
    )

    def update(self, *, obj, by, version, fields):
        inquiries.inquiry_update(inquiry=obj, by=by, version=version, **fields)


@admin.register(Finding)
class FindingAdmin(ServiceSavedAdmin):
    list_display = ("__str__", "case", "severity", "recorded_by", "recorded_at")
    list_filter = ("category", "severity")
    list_select_related = ("case", "recorded_by")
    service_fields = ("category", "description", "severity")

    def update(self, *, obj, by, version, fields):
        findings.finding_update(finding=obj, by=by, version=version, **fields)


@admin.register(SuspectFlag)
class SuspectFlagAdmin(ReadOnlyAdmin):
    """Flags are set and cleared on the case page, where the reason and review date go."""

    list_display = ("__str__", "party", "basis", "set_by", "set_at", "review_by", "cleared_at")
    list_filter = ("kind", "basis")
    list_select_related = ("party__case", "set_by")


# --- the review's own record (issue 13): append-only, so the admin only reads it ---------


@admin.register(DecisionLogEntry)
class DecisionLogEntryAdmin(ReadOnlyAdmin):
    """Decisions are recorded on the case's decision log page, never changed or deleted."""

    list_display = ("__str__", "case", "recorded_by", "recorded_at", "revises")
    list_select_related = ("case", "recorded_by", "revises")


@admin.register(OffenceChange)
class OffenceChangeAdmin(ReadOnlyAdmin):
    """Offences are added, corrected and removed on the case page, each with its reason."""

    list_display = ("__str__", "case", "type_before", "type_after", "by", "at")
    list_filter = ("kind",)
    list_select_related = ("case", "by")


# --- the person index (issue 10) ----------------------------------------------------------
# Linkage writes these rows (`link_people`, the decision services on the lead's pages); the
# admin only looks, so a link is never merged or split behind the audit trail's back.


@admin.register(PersonIdentifier)
class PersonIdentifierAdmin(JustifiedChangeViewMixin, ReadOnlyAdmin):
    """An alias, phone, postcode or vehicle from a file: personal values, so the list shows
    only whose and what kind, and opening one asks for a reason first."""

    def justification_subject(self, obj) -> dict:
        return {"person": obj.person_id}

    list_display = ("__str__", "kind")
    list_filter = ("kind",)


@admin.register(LinkageModel)
class LinkageModelAdmin(ReadOnlyAdmin):
    """The trained models, newest first; each link names the one that scored it."""

    list_display = ("version", "trained_at", "records", "auto_threshold", "review_threshold")


@admin.register(LinkageRun)
class LinkageRunAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "started_at",
        "incremental",
        "records",
        "comparisons",
        "links",
        "review",
        "clusters",
        "seconds",
    )
    list_filter = ("incremental",)
    list_select_related = ("model",)


@admin.register(PersonLink)
class PersonLinkAdmin(ReadOnlyAdmin):
    """Links are decided by leads on their pages (or the API), with a reason, never here."""

    list_display = (
        "__str__",
        "left",
        "right",
        "status",
        "cross_role",
        "match_probability",
        "model",
        "decided_at",
    )
    list_filter = ("status", "cross_role")
    list_select_related = ("left__case", "right__case", "model")


class MemberInline(ReadOnlyInline):
    model = NominalMember
    fields = ("party",)
    readonly_fields = fields


@admin.register(Nominal)
class NominalAdmin(ReadOnlyAdmin):
    """A cluster and the records in it (recomputed from the links, never edited)."""

    list_display = ("__str__", "role", "created_at", "updated_at")
    list_filter = ("role",)
    inlines = (MemberInline,)


@admin.register(NominalMember)
class NominalMemberAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "party", "nominal")
    list_select_related = ("party__case", "nominal")


@admin.register(Network)
class NetworkAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "case_count", "force_count", "computed_at")


@admin.register(CaseNetwork)
class CaseNetworkAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "case", "network")
    list_select_related = ("case", "network")


@admin.register(CaseAccessRequest)
class CaseAccessRequestAdmin(ReadOnlyAdmin):
    """Asked for on a case page and decided by a lead there; the admin only looks."""

    list_display = ("__str__", "case", "from_case", "requested_by", "status", "requested_at")
    list_filter = ("status",)
    list_select_related = ("case", "from_case", "requested_by")
