# No "from __future__ import annotations": django-ninja reads these annotations at runtime.
"""The signed-in person's work queue, as their home page shows it (`queues.queue_for`)."""

from django.http import HttpRequest
from ninja import Router, Schema

from liaison.lib.api_errors import ERROR_RESPONSES

from .queues import Queue, queue_for

router = Router(tags=["me"])


class QueueItemOut(Schema):
    label: str
    url: str
    detail: str
    waiting: bool


class QueueSectionOut(Schema):
    key: str
    title: str
    waiting: int
    empty: str
    more_url: str
    items: list[QueueItemOut]


class QueueOut(Schema):
    waiting: int
    sections: list[QueueSectionOut]


def _out(queue: Queue) -> dict:
    return {
        "waiting": queue.waiting,
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "waiting": s.waiting,
                "empty": s.empty,
                "more_url": s.more_url,
                "items": [vars(item) for item in s.items],
            }
            for s in queue.sections
        ],
    }


@router.get("/me/queue", response={200: QueueOut, **ERROR_RESPONSES})
def my_queue(request: HttpRequest) -> dict:
    """What waits for the signed-in person, section by section, for every role they hold. `waiting`
    counts the items they are the one to act on (the number the navigation shows)."""
    return _out(queue_for(request.user))
