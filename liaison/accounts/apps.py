from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "liaison.accounts"
    label = "accounts"
    verbose_name = "Accounts and audit"

    def ready(self) -> None:
        # The audit log's privilege check and its sign-in, sign-out, lockout and unlock entries.
        from . import checks, signin_audit  # noqa: F401
