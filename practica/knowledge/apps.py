from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "practica.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from practica.knowledge.search import KnowledgeIndex
        from practica.lib import indexing

        indexing.register(KnowledgeIndex())  # what it makes searchable (practica/lib/indexing.py)
