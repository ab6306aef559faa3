from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Evaluation of a community: its health metrics and the daily activity they are computed from."""

    name = "practica.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from practica.insights import receivers
        from practica.lib.activity import activity_contributed, activity_read

        # The content apps report reads and contributions through lib (they may not import insights).
        activity_read.connect(receivers.record_read, dispatch_uid="insights-record-read")
        activity_contributed.connect(receivers.record_contribution, dispatch_uid="insights-record-contribution")
