from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "practica.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from practica.knowledge.notifications import item_feed_entries
        from practica.knowledge.search import KnowledgeIndex
        from practica.lib import indexing
        from practica.notifications import feeds

        indexing.register(KnowledgeIndex())  # what it makes searchable (practica/lib/indexing.py)
        feeds.register_source("knowledge", item_feed_entries, order=1)  # its communities' Atom feeds
