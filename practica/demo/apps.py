from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo network and ``manage.py seed_demo``: data for every app, written through each app's services."""

    name = "practica.demo"
    label = "demo"
    verbose_name = "Demo data"
