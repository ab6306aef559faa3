from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "practica.search"
    label = "search"

    def ready(self) -> None:
        # The engine hears what the apps' indexes say changed (practica/lib/indexing.py).
        from practica.lib import indexing
        from practica.search.scheduling import Scheduler

        indexing.connect(Scheduler())
