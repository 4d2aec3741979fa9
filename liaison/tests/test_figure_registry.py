"""Every figure a restricted audience sees is registered, and what each registered figure returns
passes the disclosure audit (liaison/insights/registry.py, docs/disclosure.md)."""

from __future__ import annotations

import csv
import io

from django.db.models import Count
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from liaison.agreements.models import Evaluation
from liaison.agreements.tests.test_public_figures import _record, month_closed, published
from liaison.agreements.vocabulary import Outcome
from liaison.insights.access import equity_scope_for
from liaison.insights.crdc import crdc_counted
from liaison.insights.figures import restricted_table
from liaison.insights.public_figures import enforcement_table
from liaison.insights.registry import registered_figures, registered_url_names
from liaison.insights.selectors import equity_counted
from liaison.insights.tests.test_disclosure_attacks import small_reference
from liaison.insights.tests.test_equity import YEAR
from liaison.interactions.models import EnforcementDetail
from liaison.lib.disclosure_audit import audit

__all__ = ["month_closed", "published", "small_reference"]  # fixtures


# Reviewed: none of these shows aggregate figures about students to a restricted audience. They are
# forms, records, sign-in and administration; lists and dashboards only unrestricted roles reach
# (evaluators are refused the interaction counts, presence and MOU dashboards); documents (the MOU).
NO_RESTRICTED_FIGURES = {
    "api:wave_detail",  # the wave's settings and schools: no count of any kind
    # The work queue and notifications: counts of the viewer's own pending items; the evaluator's
    # queue is links only (workflows/queues.py), the officers' week is for the agency's managers.
    "queue_badge",
    "api:my_queue",
    "api:my_notifications",
    "api:my_notifications_read",
    "notifications:list",
    "notifications:mark_read",
    "notifications:preferences",
    "notifications:badge",
    "accounts:audit_export",
    "accounts:confirm",
    "accounts:email_confirm",
    "accounts:mfa_totp",
    "accounts:mfa_totp_remove",
    "accounts:passkey_remove",
    "accounts:recovery_codes",
    "accounts:sso_callback",
    "accounts:sso_link",
    "accounts:sso_settings",
    "accounts:sso_start",
    "accounts:mfa_verify",
    "accounts:passkey_add",
    "accounts:passkey_auth",
    "accounts:passkey_auth_options",
    "accounts:passkey_options",
    "accounts:person_mfa_reset",
    "accounts:person_unlock",
    "accounts:sign_out_everywhere",
    "accounts:unlock",
    "accounts:unlock_resume",
    "api:student_keys_detail",
    "api:student_keys_set",
    "app_icon",
    "favicon",
    "app_manifest",
    "interactions:offline_session",
    "interactions:student_keys",
    "metrics",
    "service_worker",
    "accounts:account",
    "accounts:api_token_new",
    "accounts:api_token_revoke",
    "accounts:audit_log",
    "accounts:invitation_resend",
    "accounts:login",
    "accounts:logout",
    "accounts:membership_remove",
    "accounts:no_access",
    "accounts:password_change",
    "accounts:password_reset",
    "accounts:password_reset_complete",
    "accounts:password_reset_confirm",
    "accounts:password_reset_sent",
    "accounts:people",
    "accounts:person_add",
    "accounts:person_edit",
    "accounts:role_grant",
    "agreements:changes",
    "agreements:create",
    "agreements:dashboard",
    "agreements:detail",
    "agreements:document",
    "agreements:document_pdf",
    "agreements:draft_create",
    "agreements:list",
    "agreements:publish",
    "agreements:review_close",
    "agreements:review_comment",
    "agreements:review_detail",
    "agreements:reviews",
    "agreements:rules_save",
    "agreements:sections_save",
    "agreements:sign",
    "agreements:submit",
    "agreements:terms_save",
    "api:agency_coverage",
    "api:agency_create",
    "api:agency_dashboard",
    "api:agency_detail",
    "api:agency_list",
    "api:agency_update",
    "api:agreement_create",
    "api:agreement_detail",
    "api:agreement_list",
    "api:agreement_update",
    "api:api-root",
    "api:api_token_create",
    "api:api_token_list",
    "api:api_token_revoke_endpoint",
    "api:assignment_create",
    "api:assignment_detail",
    "api:assignment_list",
    "api:assignment_update",
    "api:audit_list",
    "api:curriculum_create",
    "api:curriculum_detail",
    "api:curriculum_list",
    "api:curriculum_update",
    "api:district_create",
    "api:district_dashboard",
    "api:district_detail",
    "api:district_list",
    "api:district_update",
    "api:enrollment_list",
    "api:enrollment_put",
    "api:evaluate",
    "api:instrument_list",
    "api:interaction_counts",
    "api:interaction_create",
    "api:interaction_detail",
    "api:interaction_list",
    "api:interaction_update",
    "api:interaction_void",
    "api:interaction_week_summary",
    "api:invitation_resend",
    "api:liaison_cancel",
    "api:liaison_create",
    "api:liaison_held",
    "api:liaison_list",
    "api:me",
    "api:meeting_create",
    "api:meeting_list",
    "api:meeting_remove",
    "api:membership_remove",
    "api:notice_acknowledge",
    "api:notice_list",
    "api:officer_create",
    "api:officer_detail",
    "api:officer_list",
    "api:officer_update",
    "api:openapi-json",
    "api:openapi-view",
    "api:partnership_create",
    "api:partnership_detail",
    "api:partnership_list",
    "api:partnership_update",
    "api:people_list",
    "api:person_add",
    "api:person_update",
    "api:presence_officers",
    "api:presence_schools",
    "api:public_mous",
    "api:relationship_create",
    "api:relationship_detail",
    "api:relationship_list",
    "api:relationship_status",
    "api:reminders",
    "api:response_submit",
    "api:review_close",
    "api:review_comment",
    "api:review_detail",
    "api:review_list",
    "api:role_grant",
    "api:rule_delete",
    "api:rule_put",
    "api:school_calendar_list",
    "api:school_calendar_set",
    "api:school_create",
    "api:school_detail",
    "api:school_list",
    "api:school_reported_put",
    "api:school_update",
    "api:section_put",
    "api:session_cancel",
    "api:session_create",
    "api:session_deliver",
    "api:session_detail",
    "api:session_list",
    "api:session_undeliver",
    "api:session_update",
    "api:training_record_create",
    "api:training_record_detail",
    "api:training_record_list",
    "api:training_record_update",
    "api:training_requirements",
    "api:training_requirements_set",
    "api:version_create",
    "api:version_detail",
    "api:version_diff",
    "api:version_sign",
    "api:version_submit",
    "api:version_update",
    "api:burst_decide",
    "api:burst_list",
    "api:form_token",
    "api:wave_close",
    "api:wave_create",
    "api:wave_list",
    "directory:agency_coverage",
    "directory:agency_create",
    "directory:agency_detail",
    "directory:agency_edit",
    "directory:agency_list",
    "directory:assignment_create",
    "directory:assignment_end",
    "directory:district_create",
    "directory:district_detail",
    "directory:district_edit",
    "directory:district_list",
    "directory:enrollment_create",
    "directory:enrollment_edit",
    "directory:import_oneroster",
    "directory:import_status",
    "directory:import_status_partial",
    "directory:import_confirm",
    "directory:local_codes",
    "directory:local_codes_download",
    "directory:local_codes_upload",
    "directory:officer_create",
    "directory:officer_detail",
    "directory:officer_edit",
    "directory:partnership_create",
    "directory:partnership_edit",
    "directory:school_create",
    "directory:school_detail",
    "directory:school_edit",
    "directory:training_record_create",
    "directory:training_requirements_edit",
    "healthz",
    "home",
    "insights:school_reported_edit",
    "interactions:detail",
    "interactions:edit",
    "interactions:enforcement_mou_check",
    "interactions:enforcement_new",
    "interactions:export",
    "interactions:import",
    "interactions:import_status",
    "interactions:import_status_partial",
    "interactions:list",
    "interactions:quick_log",
    "interactions:undo",
    "interactions:void",
    "programs:calendar",
    "programs:curricula",
    "programs:curriculum_create",
    "programs:curriculum_edit",
    "programs:feed",
    "programs:feed_reset",
    "programs:feedback",
    "programs:home",
    "programs:liaison",
    "programs:liaison_cancel",
    "programs:liaison_create",
    "programs:liaison_held",
    "programs:meeting_create",
    "programs:meeting_remove",
    "programs:mentoring",
    "programs:notice_acknowledge",
    "programs:notices",
    "programs:presence",
    "programs:relationship",
    "programs:relationship_create",
    "programs:relationship_status",
    "programs:school_calendar_set",
    "programs:school_calendars",
    "programs:session",
    "programs:session_cancel",
    "programs:session_create",
    "programs:session_deliver",
    "programs:session_edit",
    "programs:session_undeliver",
    "programs:sessions",
    "public_mou",
    "public_mou_pdf",
    "public_mous",
    "public_reports",  # the published reports' titles, no figure
    "public_outcomes",  # the published outcomes' districts, agencies and years, no figure
    "insights:outcomes-publish",  # a form that publishes a district's outcomes
    "insights:outcomes-agency-publish",  # a form that publishes an agency's outcomes
    "insights:report_build",  # a form that asks for a build
    "insights:report_publish",  # a form that publishes the public version
    "insights:report_status",  # the build's progress: no figure
    "survey_short_link",
    "surveys:burst_decide",
    "surveys:home",
    "surveys:poster",
    "surveys:qr",
    "surveys:slips",
    "surveys:take",
    "surveys:wave_close",
    "surveys:wave_create",
}


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _url_names(pattern.url_patterns, inner)
        elif pattern.name:
            yield namespace + pattern.name


def test_every_url_is_registered_or_declared_to_show_no_restricted_figures():
    names = {name for name in _url_names(get_resolver().url_patterns) if not name.startswith("admin:")}
    unclassified = names - registered_url_names() - NO_RESTRICTED_FIGURES
    assert unclassified == set(), "Register the figure (liaison/insights/registry.py) or declare it here."
    assert registered_url_names() & NO_RESTRICTED_FIGURES == set()
    assert registered_url_names() <= names  # nothing registered that does not exist


# --- what each registered figure returns, fed to the audit ---------------------------------------


def _equity_shown(body, shown):
    for point in body["points"]:
        if point["total"] is not None:
            shown[(point["key"], "total")] = point["total"]
        for group in point["groups"]:
            if group["events"] is not None:
                shown[(point["key"], group["group"])] = group["events"]


def _equity_csv_shown(text, shown):
    for row in csv.DictReader(io.StringIO(text)):
        if row["events"] != "suppressed":
            shown[(row["decision_point"], row["group"])] = int(row["events"])


def _crdc_shown(body, shown, pks):
    for school in body["schools"]:
        pk = pks[school["school"]]
        for kind in ("referred", "arrested"):
            found = school[kind]
            for name, value in (
                ("instances", found["instances"]),
                ("without_key", found["without_student_key"]),
                ("reported", found["school_reported"]),
            ):
                if value is not None:
                    shown[(pk, kind, name)] = value
            if found["students_collected"]:
                if found["students"] is not None:
                    shown[(pk, kind, "students")] = found["students"]
                for split, values in found["splits"].items():
                    for value, count in values.items():
                        if count is not None:
                            shown[(pk, kind, split, value)] = count


def _assert_derived_hide_with_their_counts(body, shown):
    """A rate, RRI, interval or finding is shown only when the counts it is computed from are."""
    for point in body["points"]:
        first = point["key"] == "referral"
        for group in point["groups"]:
            if group["group"] == "unknown":
                continue
            needs = [(point["key"], group["group"])] + ([] if first else [("referral", group["group"])])
            if group["rate"] is not None:
                assert all(cell in shown for cell in needs), (point["key"], group["group"], "rate")
            index_needs = needs + [(point["key"], "white")] + ([] if first else [("referral", "white")])
            if group["rri"] is not None or group["ci_low"] is not None or group["finding"]:
                assert all(cell in shown for cell in index_needs), (point["key"], group["group"], "index")


def test_what_the_evaluator_is_shown_by_every_registered_door_passes_the_audit(api_as, page_as, small_reference):
    world = small_reference
    doors = {(f.url_name, f.door) for f in registered_figures() if "evaluator" in f.audiences}
    assert doors >= {("api:equity", "api"), ("api:crdc", "api"), ("insights:equity", "csv"), ("insights:crdc", "page")}
    shown: dict = {}
    equity = api_as("evaluator").get(f"/insights/equity/{world.district.uuid}", school_year=YEAR).json()
    crdc = api_as("evaluator").get(f"/insights/crdc/{world.district.uuid}", school_year=YEAR).json()
    equity_csv = page_as("evaluator").get(
        reverse("insights:equity", args=[world.district.uuid]), {"school_year": YEAR, "format": "csv"}
    )
    pks = {str(school.uuid): school.pk for school in (world.elementary, world.high)}
    _equity_shown(equity, shown)
    _equity_csv_shown(equity_csv.content.decode(), shown)
    _crdc_shown(crdc, shown, pks)
    _assert_derived_hide_with_their_counts(equity, shown)

    scope = equity_scope_for(world.users["evaluator"], world.district.uuid)
    truth = restricted_table(equity_counted(scope, YEAR), crdc_counted(scope, YEAR))
    for key, value in shown.items():
        assert truth.cells[key] == value, key  # every shown figure is the true one
    hidden = {key for key in truth.cells if key not in shown and key not in truth.unpublished}
    assert hidden, "the fixture has small cells"
    report = audit(truth, hidden, threshold=10)
    assert report.passed, {key: report.ranges[key] for key in report.unprotected}


def test_what_the_public_is_shown_passes_the_audit(api_as, world, published):
    for action_type, times in (("warning", 14), ("referral_to_law_enforcement", 4), ("arrest", 2), ("search", 11)):
        for _ in range(times):
            _record(world, kind="enforcement", action_type=action_type)
    page = Client().get(reverse("public_figures", args=[published.uuid])).context["figures"]
    body = api_as("anonymous").get(f"/public/mous/{published.uuid}/figures").json()
    details = EnforcementDetail.objects.filter(interaction__agency=world.agency, interaction__voided=False)
    by_type = {row["action_type"]: row["n"] for row in details.values("action_type").annotate(n=Count("*"))}
    within = Evaluation.objects.filter(interaction__in=details.values("interaction_id"), outcome=Outcome.WITHIN).count()
    truth = enforcement_table(by_type, within)
    labels = {
        str(label): value
        for value, label in __import__("liaison.interactions.vocabulary", fromlist=["x"]).ActionType.choices
    }
    shown = {("action", labels[a["action"]]): a["count"] for a in body["by_action"] if a["count"] is not None}
    for name in ("enforcement_total", "referrals"):
        if body[name] is not None:
            shown[name] = body[name]
    assert body["enforcement_total"] == page.enforcement_total
    for key, value in shown.items():
        assert truth.cells[key] == value, key
    if body["within_mou_percent"] is not None:
        shown["within_mou"] = truth.cells["within_mou"]  # the share and the total give it
        shown["not_within_mou"] = truth.cells["not_within_mou"]
    hidden = {key for key in truth.cells if key not in shown}
    assert hidden
    assert audit(truth, hidden, threshold=10).passed
