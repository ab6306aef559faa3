from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "practica.events"
    label = "events"
    verbose_name = "Events and meetings"
