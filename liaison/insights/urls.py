from __future__ import annotations

from django.urls import path

from . import state_views, views

app_name = "insights"

urlpatterns = [
    path("equity/<uuid:uuid>/", views.equity, name="equity"),
    path("crdc/<uuid:uuid>/", views.crdc, name="crdc"),
    path("state/<str:state>/", state_views.state, name="state"),
    path("crdc/schools/<uuid:uuid>/<str:school_year>/", views.school_reported_edit, name="school_reported_edit"),
]
