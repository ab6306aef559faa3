from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "practica.discussions"
    label = "discussions"

    def ready(self) -> None:
        from practica.discussions.models import Thread
        from practica.discussions.notifications import thread_feed_entries, thread_to_watch
        from practica.discussions.search import ThreadIndex
        from practica.lib import indexing
        from practica.notifications import feeds, targets

        indexing.register(ThreadIndex())  # what it makes searchable (practica/lib/indexing.py)
        targets.register("thread", Thread, thread_to_watch)  # what people may watch (practica/notifications/targets.py)
        feeds.register_source("thread", thread_feed_entries, order=0)  # its communities' Atom feeds
