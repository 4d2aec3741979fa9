"""Directory records in the Django admin (platform admins only; see accounts.admin), every edit audited."""

from __future__ import annotations

from django.contrib import admin

from liaison.accounts.admin_audit import AuditedModelAdmin

from .models import Agency, Assignment, District, Enrollment, Officer, Partnership, School, TrainingRecord


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "state", "ori"]
    search_fields = ["name", "ori"]


@admin.register(District)
class DistrictAdmin(AuditedModelAdmin):
    list_display = ["name", "state", "nces_id"]
    search_fields = ["name", "nces_id"]


@admin.register(School)
class SchoolAdmin(AuditedModelAdmin):
    list_display = ["name", "district", "level", "nces_id"]
    list_filter = ["level"]
    search_fields = ["name", "nces_id"]


@admin.register(Officer)
class OfficerAdmin(AuditedModelAdmin):
    list_display = ["__str__", "agency", "badge_number", "status"]
    list_filter = ["status", "agency"]


admin.site.register([Enrollment, Partnership, TrainingRecord, Assignment], AuditedModelAdmin)
