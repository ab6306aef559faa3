from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "practica.notifications"
    label = "notifications"
    verbose_name = "Notifications and channels"

    def ready(self) -> None:
        from practica.notifications import feeds

        # A known debt: the knowledge app should register its own entries (see feeds.knowledge_entries).
        feeds.register_source("knowledge", feeds.knowledge_entries, order=1)
