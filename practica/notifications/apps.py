from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "practica.notifications"
    label = "notifications"
    verbose_name = "Notifications and channels"
