from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "practica.notifications"
    label = "notifications"
    verbose_name = "Notifications and channels"

    def ready(self) -> None:
        from practica.communities import hooks as community_hooks
        from practica.notifications import hooks

        community_hooks.listen_join_requested(hooks.join_requested)  # a request to join tells the coordinators
