from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "practica.people"
    label = "people"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_save

        from practica.lib import indexing
        from practica.people.search import PersonIndex
        from practica.people.signals import create_profile_for_new_user

        post_save.connect(create_profile_for_new_user, sender=settings.AUTH_USER_MODEL, dispatch_uid="people_profile")
        indexing.register(PersonIndex())  # what it makes searchable (practica/lib/indexing.py)
