from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    """Finding what a community already knows, above the content apps: search pages and API, "Who knows?",
    related threads, "asked already?" while asking, and routing a question to suggested experts."""

    name = "practica.discovery"
    label = "discovery"

    def ready(self) -> None:
        from practica.discovery.routing import routing_panel
        from practica.discussions import hooks

        hooks.provide_routing(routing_panel)  # the thread page's suggested experts (practica/discussions/hooks.py)
