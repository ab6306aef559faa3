"""Who may import into a community (a rule over the viewer's access, as in ``practica/communities/permissions.py``)."""

from __future__ import annotations

from practica.communities.permissions import Rule

# An import writes content in many people's names and can be large: the community's coordinators decide.
IMPORT = Rule(lambda access: access.can_coordinate, "Only coordinators can import content.")
