from django.apps import AppConfig


class TopicsConfig(AppConfig):
    name = "practica.topics"
    label = "topics"
