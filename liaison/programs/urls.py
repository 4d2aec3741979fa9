from __future__ import annotations

from django.urls import path

from . import views

app_name = "programs"

urlpatterns: list = [
    path("", views.home, name="home"),
    # --- curricula ---
    path("curricula/", views.curriculum_list, name="curricula"),
    path("curricula/new/", views.curriculum_create, name="curriculum_create"),
    path("curricula/<uuid:uuid>/", views.curriculum_edit, name="curriculum_edit"),
    # --- sessions ---
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<uuid:uuid>/", views.session_detail, name="session"),
    path("sessions/<uuid:uuid>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<uuid:uuid>/deliver/", views.session_deliver, name="session_deliver"),
    path("sessions/<uuid:uuid>/undeliver/", views.session_undeliver, name="session_undeliver"),
    path("sessions/<uuid:uuid>/cancel/", views.session_cancel, name="session_cancel"),
    # --- calendars and feeds (the feed needs no sign-in: its token is the key) ---
    path("calendar/", views.calendar, name="calendar"),
    path("feeds/<uuid:uuid>/reset/", views.feed_reset, name="feed_reset"),
    path("feeds/<str:token>.ics", views.feed, name="feed"),
    # --- teacher feedback (no sign-in: the session's token is the key) ---
    path("feedback/<str:token>/", views.feedback, name="feedback"),
    # --- mentoring ---
    path("mentoring/", views.mentoring_list, name="mentoring"),
    path("mentoring/new/", views.relationship_create, name="relationship_create"),
    path("mentoring/<uuid:uuid>/", views.relationship_detail, name="relationship"),
    path("mentoring/<uuid:uuid>/status/", views.relationship_status, name="relationship_status"),
    path("mentoring/<uuid:uuid>/meetings/", views.meeting_create, name="meeting_create"),
    path("mentoring/meetings/<uuid:uuid>/remove/", views.meeting_remove, name="meeting_remove"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<uuid:uuid>/acknowledge/", views.notice_acknowledge, name="notice_acknowledge"),
    # --- presence ---
    path("presence/", views.presence, name="presence"),
    # --- liaison meetings ---
    path("liaison/", views.liaison_list, name="liaison"),
    path("liaison/new/", views.liaison_create, name="liaison_create"),
    path("liaison/<uuid:uuid>/held/", views.liaison_held, name="liaison_held"),
    path("liaison/<uuid:uuid>/cancel/", views.liaison_cancel, name="liaison_cancel"),
    # --- school calendars ---
    path("school-calendars/", views.school_calendars, name="school_calendars"),
    path("school-calendars/<uuid:uuid>/", views.school_calendar_set, name="school_calendar_set"),
]
