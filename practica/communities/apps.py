from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "practica.communities"
    label = "communities"

    def ready(self) -> None:
        from practica.communities.selectors import communities_visible_to, user_communities
        from practica.people import hooks as people_hooks

        # People's pages and API show communities through these (practica/people/hooks.py): people sits below.
        people_hooks.provide_memberships(lambda person, viewer: user_communities(user=person, viewer=viewer))
        people_hooks.provide_organization_communities(
            lambda organization, viewer: communities_visible_to(viewer).filter(organizations=organization).order_by("name")
        )
