from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "practica.discussions"
    label = "discussions"

    def ready(self) -> None:
        from practica.discussions.search import ThreadIndex
        from practica.lib import indexing

        indexing.register(ThreadIndex())  # what it makes searchable (practica/lib/indexing.py)
