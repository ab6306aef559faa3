"""Who may do what in discussions: one predicate per rule over the viewer's ``Access``, each with its refusal.

Services call ``.require()`` as their guard (``PermissionDenied`` with the rule's message: 403 in the API, a
flashed message or a 403 page in the pages), selectors and views read the same predicates as the page's flags
(``bool(decision)``), and the API's ``permission_classes`` wrap them (``practica/discussions/api/permissions.py``).
Reading itself (404 for what the viewer may not see) stays with the selectors: these rules decide only between
allowed and 403 for someone who can already read the thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from practica.communities.selectors import Access
from practica.discussions.models import Post, Thread


@dataclass(frozen=True)
class Decision:
    """Allowed, or refused with the message the person is shown."""

    allowed: bool
    message: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    def require(self) -> None:
        """Raise ``PermissionDenied`` with the refusal's message unless allowed."""
        if not self.allowed:
            raise PermissionDenied(self.message)


ALLOWED = Decision(True)


def _rule(allowed: bool, message: str) -> Decision:
    return ALLOWED if allowed else Decision(False, message)


def _viewer_id(access: Access) -> int | None:
    return access.user.id if access.user.is_authenticated else None


def _is_author(access: Access, author_id: int | None) -> bool:
    viewer = _viewer_id(access)
    return viewer is not None and author_id == viewer


# --- Taking part ----------------------------------------------------------------------------------


def may_participate(access: Access, action: str = "take part") -> Decision:
    """Start threads, reply, comment, vote and flag: active members (and network admins)."""
    return _rule(access.is_member or access.is_admin, f"Join this community to {action}.")


def thread_open_to(access: Access, thread: Thread) -> Decision:
    """A locked thread takes replies and comments from coordinators only; a deleted one from nobody."""
    if thread.is_locked and not access.can_coordinate:
        return Decision(False, "This thread is locked: it takes no more replies or comments.")
    return _rule(thread.deleted_at is None, "This thread was deleted.")


def _first_refusal(*decisions: Decision) -> Decision:
    for decision in decisions:
        if not decision:
            return decision
    return ALLOWED


def may_reply(access: Access, thread: Thread) -> Decision:
    """Reply to a thread: a member, in a thread open to them."""
    return _first_refusal(may_participate(access, "reply"), thread_open_to(access, thread))


def may_comment(access: Access, thread: Thread, post: Post) -> Decision:
    """Comment under a post (of ``thread``): a member, in a thread open to them, on a post that stands."""
    return _first_refusal(
        may_participate(access, "comment"),
        thread_open_to(access, thread),
        _rule(post.deleted_at is None, "This post was deleted."),
    )


def may_vote(access: Access, post: Post) -> Decision:
    """Up-vote a post: a member, not on their own post, not on a deleted one."""
    return _first_refusal(
        may_participate(access, "vote"),
        _rule(not _is_author(access, post.author_id), "You cannot vote on your own post."),
        _rule(post.deleted_at is None, "This post was deleted."),
    )


def may_flag(access: Access) -> Decision:
    """Flag a post for the coordinators: members."""
    return may_participate(access, "flag posts")


# --- Authors and coordinators ---------------------------------------------------------------------


def may_edit(access: Access, post: Post) -> Decision:
    """Edit a post: its author or a coordinator."""
    return _rule(_is_author(access, post.author_id) or access.can_coordinate,
                 "Only the author or a coordinator can edit this post.")


def may_delete(access: Access, post: Post) -> Decision:
    """Soft-delete a post (the opening post deletes its thread): its author or a coordinator."""
    return _rule(_is_author(access, post.author_id) or access.can_coordinate,
                 "Only the author or a coordinator can delete this post.")


def may_restore(access: Access, post: Post) -> Decision:
    """Undo a soft delete: the post's author or a coordinator (the only people who still see it)."""
    return _rule(_is_author(access, post.author_id) or access.can_coordinate,
                 "Only the author or a coordinator can restore this post.")


def may_accept(access: Access, thread: Thread) -> Decision:
    """Mark (or unmark) a question's accepted answer: the asker or a coordinator."""
    return _rule(_is_author(access, thread.author_id) or access.can_coordinate,
                 "Only the person who asked or a coordinator can accept an answer.")


def may_ask_experts(access: Access, thread: Thread) -> Decision:
    """Ask a suggested expert to look at a question, and see who was asked: the asker or a coordinator."""
    return _rule(_is_author(access, thread.author_id) or access.can_coordinate,
                 "Only the person who asked or a coordinator can ask experts.")


def may_see_history(access: Access, post: Post) -> Decision:
    """A post's revisions: whoever may read the post (the selector has answered 404 to the others). A rule of its
    own so that the pages and the API ask the same question if it ever narrows."""
    return ALLOWED


# --- Coordinators ---------------------------------------------------------------------------------


def _coordinators(access: Access, message: str) -> Decision:
    return _rule(access.can_coordinate, message)


def may_moderate(access: Access) -> Decision:
    """Lock, unlock, pin, unpin, hide or unhide a thread."""
    return _coordinators(access, "Only coordinators moderate threads.")


def may_hide_posts(access: Access) -> Decision:
    return _coordinators(access, "Only coordinators hide posts.")


def may_move(access: Access) -> Decision:
    """Move a thread out of this community (the target must be coordinated too: the service checks it)."""
    return _coordinators(access, "Only coordinators move threads.")


def may_mark_duplicate(access: Access) -> Decision:
    return _coordinators(access, "Only coordinators mark duplicates.")


def may_set_idea_status(access: Access) -> Decision:
    return _coordinators(access, "Only coordinators set the status of an idea.")


def may_handle_flags(access: Access) -> Decision:
    """Hide a flagged post or dismiss its flags."""
    return _coordinators(access, "Only coordinators handle flags.")


def may_see_flags(access: Access) -> Decision:
    """The community's queue of open flags."""
    return _coordinators(access, "The flag queue is for coordinators.")


def may_see_unheard(access: Access) -> Decision:
    """The queue of threads nobody but their author has answered: coordinators and core members."""
    return _rule(access.is_core, "The unheard queue is for coordinators and core members.")
