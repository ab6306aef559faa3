"""Who may import into a community (a rule over the viewer's access, in the form of ``practica/lib/permissions.py``)."""

from __future__ import annotations

from practica.communities.permissions import Access
from practica.lib.permissions import Rule


def _coordinates(access: Access) -> bool:
    return access.can_coordinate


# An import writes content in many people's names and can be large: the community's coordinators decide.
IMPORT = Rule(_coordinates, "Only coordinators can import content.")
