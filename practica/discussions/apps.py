from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "practica.discussions"
    label = "discussions"

    def ready(self) -> None:
        from practica.communities import hooks as community_hooks
        from practica.communities import permissions as community_permissions
        from practica.discussions import permissions, selectors
        from practica.discussions.models import Thread
        from practica.discussions.notifications import thread_feed_entries, thread_to_watch
        from practica.discussions.search import ThreadIndex
        from practica.lib import indexing
        from practica.notifications import feeds, targets
        from practica.people import hooks as people_hooks

        indexing.register(ThreadIndex())  # what it makes searchable (practica/lib/indexing.py)
        targets.register("thread", Thread, thread_to_watch)  # what people may watch (practica/notifications/targets.py)
        feeds.register_source("thread", thread_feed_entries, order=0)  # its communities' Atom feeds
        # The pages of the floors below show threads and posts through their hooks (communities/hooks.py, people/hooks.py).
        community_hooks.provide_activity(
            lambda community, access: {
                "recent_threads": selectors.threads_list(community=community, access=access)[:6],
                "unheard_count": selectors.unheard_count(community=community),
            }
        )
        # The community's navigation and overview show its links by the rules (``access.may.<name>``).
        community_permissions.register("start_thread", permissions.may_start_thread)
        community_permissions.register("see_unheard", permissions.may_see_unheard)
        community_permissions.register("see_flags", permissions.may_see_flags)
        people_hooks.provide_contributions(lambda person, viewer: selectors.user_contributions(user=person, viewer=viewer))
