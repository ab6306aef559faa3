from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "practica.lib"
    label = "lib"
    verbose_name = "Practica library"
