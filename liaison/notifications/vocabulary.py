"""What a notification can be about, and how each person wants to hear of it."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    SIGNATURE = "signature", "A signature is requested"
    REVIEW_OPENED = "review_opened", "A review was opened"
    REVIEW_COMMENT = "review_comment", "A review has a new comment"
    MENTEE_NOTICE = "mentee_notice", "An enforcement action on a mentee"
    MOU_DUE = "mou_due", "An MOU needs attention"


class Delivery(models.TextChoices):
    AT_ONCE = "at_once", "E-mail at once"
    DIGEST = "digest", "In the daily digest e-mail"
    IN_APP = "in_app", "Only here in Liaison"


# Pending work someone else waits on: e-mailed at once unless the person chose otherwise. The rest
# (an MOU's review or expiry coming up) goes in the daily digest.
AT_ONCE_KINDS = frozenset({Kind.SIGNATURE, Kind.REVIEW_OPENED, Kind.REVIEW_COMMENT, Kind.MENTEE_NOTICE})


def default_delivery(kind: str) -> Delivery:
    return Delivery.AT_ONCE if kind in AT_ONCE_KINDS else Delivery.DIGEST
