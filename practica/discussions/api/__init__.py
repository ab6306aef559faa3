"""REST API for threads, posts, comments, votes, accepted answers, revisions, flags, moderation and the
unheard queue (see ../shared/API.md), routed in ``practica/api/urls.py``.

- ``serializers.py``: every payload, in and out (the OpenAPI schema is generated from them);
- ``threads.py``: a community's threads (a ViewSet, filtered by ``discussions.filters.ThreadFilterSet`` as the
  page is), a thread, its replies, linked threads and the coordinators' moderation of a thread;
- ``posts.py``: a post, its history, comments, votes, acceptance and flags;
- ``queues.py``: the unheard queue and the flag queue;
- ``permissions.py``: the rules of ``discussions.permissions`` as DRF permission classes.

Views are thin: every read goes through a permission-scoped selector (404 for anything in a community the
caller may not read) and every write through a service, whose ``ValidationError``/``PermissionDenied`` the
project's exception handler turns into 400/403. Edit conflicts answer 409 with both versions.
"""

from practica.discussions.api.serializers import TagsField

__all__ = ["TagsField"]
