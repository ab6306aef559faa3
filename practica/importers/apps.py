from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "practica.importers"
    label = "importers"

    def ready(self) -> None:
        from practica.communities import permissions as community_permissions
        from practica.importers.permissions import IMPORT

        community_permissions.register("import_content", IMPORT)  # the community nav's "Import" link
