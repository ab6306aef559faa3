from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "practica.notifications"
    label = "notifications"
    verbose_name = "Notifications and channels"

    def ready(self) -> None:
        from practica.communities import hooks as community_hooks
        from practica.communities import permissions as community_permissions
        from practica.notifications import hooks, permissions

        community_hooks.listen_join_requested(hooks.join_requested)  # a request to join tells the coordinators
        community_permissions.register("manage_webhooks", permissions.MANAGE_WEBHOOKS)  # access.may.manage_webhooks
