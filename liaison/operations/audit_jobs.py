"""The audit log's periodic jobs, run by the worker (scheduler.py; registered when jobs.py imports this).

The chain itself is accounts' (accounts/audit_chain.py); its schedule is here because operations sits
above accounts (docs/architecture.md)."""

from __future__ import annotations

import datetime

from liaison.accounts.audit_chain import audit_anchor, audit_anchor_mail, audit_seal, audit_verify, configured_anchors

from .scheduler import register

MINUTE = datetime.timedelta(minutes=1)


def audit_seal_job() -> str:
    return f"{audit_seal()} audit entries sealed"


def audit_anchor_job() -> str:
    record = audit_anchor()
    return f"anchored {record['count']} entries, head {record['head'][:12]}"


def audit_anchor_mail_job() -> str:
    return f"anchor e-mailed to {audit_anchor_mail(audit_anchor())} platform admins"


def audit_verify_job() -> str:
    result = audit_verify(anchors=configured_anchors())
    return f"verified {result.entries} entries" if result.ok else f"FAILED: {result.problem}"


register("audit_seal", every=MINUTE, func=audit_seal_job)
register("audit_anchor", every=5 * MINUTE, offset=2 * MINUTE, func=audit_anchor_job)
register("audit_verify", every=60 * MINUTE, offset=7 * MINUTE, func=audit_verify_job)
register("audit_anchor_email", every=24 * 60 * MINUTE, offset=5 * 60 * MINUTE, func=audit_anchor_mail_job)
