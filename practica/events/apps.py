from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "practica.events"
    label = "events"
    verbose_name = "Events and meetings"

    def ready(self) -> None:
        from practica.events.search import EventIndex
        from practica.lib import indexing

        indexing.register(EventIndex())  # what it makes searchable (practica/lib/indexing.py)
