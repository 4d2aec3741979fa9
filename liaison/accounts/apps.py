from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "liaison.accounts"
    label = "accounts"
    verbose_name = "Accounts and audit"

    def ready(self) -> None:
        # The audit log's privilege check and its sign-in, sign-out, lockout and unlock entries;
        # lockout, second factor, re-authentication and session limits connect their signal receivers.
        from . import checks, lockout, mfa, reauth, sessions, signin_audit  # noqa: F401
