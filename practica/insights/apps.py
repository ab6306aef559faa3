from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Evaluation of a community: its health metrics and the daily activity they are computed from."""

    name = "practica.insights"
    label = "insights"
    verbose_name = "Insights"
