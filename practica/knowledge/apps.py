from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "practica.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"
