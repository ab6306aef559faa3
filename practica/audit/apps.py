from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "practica.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from practica.audit import permissions, receivers
        from practica.communities import permissions as community_permissions
        from practica.lib.audit import audit_recorded

        audit_recorded.connect(receivers.store_entry, dispatch_uid="audit-store-entry")
        post_save.connect(receivers.mirror_admin_action, sender=LogEntry, dispatch_uid="audit-admin-actions")
        community_permissions.register("see_audit_log", permissions.SEE_AUDIT_LOG)  # the community nav's link
