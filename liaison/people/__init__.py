"""People and their roles at an agency or a district: the pages, API and rules that need both the
accounts app (users, memberships, invitations) and the directory (agencies, districts, schools).

Not a Django app (no models): it sits above both in the layers (docs/architecture.md), so that
accounts stays at the bottom and imports nothing from the directory. Its URLs keep the `accounts:`
names (liaison/urls.py joins them to the accounts app's).
"""
