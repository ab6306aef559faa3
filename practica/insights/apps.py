from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """Evaluation of a community: its health metrics and the daily activity they are computed from."""

    name = "practica.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from practica.communities import goal_metrics
        from practica.insights import receivers
        from practica.insights.catalogue import goal_choices
        from practica.lib.activity import activity_contributed, activity_read

        # Charter goals bind to a metric of the catalogue (practica/communities/goal_metrics.py): communities sits
        # below insights, so insights tells it which metrics there are.
        goal_metrics.provide(goal_choices)

        # The content apps report reads and contributions through lib (they may not import insights).
        activity_read.connect(receivers.record_read, dispatch_uid="insights-record-read")
        activity_contributed.connect(receivers.record_contribution, dispatch_uid="insights-record-contribution")
