from django.apps import AppConfig


class FrontConfig(AppConfig):
    """The site's front door: the home page, which gathers what the apps below show, and the health check."""

    name = "practica.front"
    label = "front"
    verbose_name = "Front pages"
