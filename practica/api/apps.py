from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "practica.api"
    label = "api"
