from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "practica.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save, pre_save

        from practica.accounts import signals
        from practica.accounts.models import User

        pre_save.connect(signals.remember_old_credentials, sender=User, dispatch_uid="accounts-old-credentials")
        post_save.connect(signals.revoke_tokens_on_new_credentials, sender=User, dispatch_uid="accounts-revoke-tokens")
        user_logged_in.connect(signals.mark_known_device, dispatch_uid="accounts-known-device")
