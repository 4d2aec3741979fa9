"""The district admin's page for pseudonymous student keys."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from liaison.directory.access import district_get_for_user

from . import services
from .student_keys import STUDENT_KEYS_EXPLAINED, STUDENT_KEYS_OFF, STUDENT_KEYS_ON


class StudentKeysForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Officers may record a pseudonymous student key")


@login_required
@require_http_methods(["GET", "POST"])
def student_keys(request: HttpRequest, uuid: UUID) -> HttpResponse:
    district = district_get_for_user(request.user, uuid, write=True)
    enabled = services.student_keys_enabled(district=district)
    form = StudentKeysForm(request.POST if request.method == "POST" else None, initial={"enabled": enabled})
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["enabled"]
        if chosen != enabled:
            services.student_keys_enable(actor=request.user, district=district, enabled=chosen)
        messages.success(request, (STUDENT_KEYS_ON if chosen else STUDENT_KEYS_OFF).format(district=district.name))
        return redirect(reverse("interactions:student_keys", args=[district.uuid]))
    context = {"district": district, "enabled": enabled, "form": form, "explained": STUDENT_KEYS_EXPLAINED}
    return render(request, "interactions/student_keys.html", context)
