from __future__ import annotations

from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("equity/<uuid:uuid>/", views.equity, name="equity"),
    path("crdc/<uuid:uuid>/", views.crdc, name="crdc"),
]
