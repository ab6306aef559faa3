from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "practica.importers"
    label = "importers"
