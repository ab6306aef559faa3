"""Who may do what in discussions: one rule per action over the viewer's ``Access``, each with its refusal, in the
one form of ``practica/lib/permissions.py``.

Services call ``rule.require(...)`` as their guard (``PermissionDenied`` with the rule's message: 403 in the API, a
flashed message or a 403 page in the pages), selectors and views ask ``rule(...)`` for the page's flags, and the
API's ``permission_classes`` wrap them (``practica/discussions/api/permissions.py``). Reading itself (404 for what
the viewer may not see) stays with the selectors: these rules decide only between allowed and 403 for someone who
can already read the thing (``may_read`` is the services' own 404 for a caller no selector vetted).
"""

from __future__ import annotations

from practica.communities.selectors import Access
from practica.discussions.models import Post, Thread
from practica.lib.permissions import Decision, Rule, decides, first_refusal, rule


def _viewer_id(access: Access) -> int | None:
    return access.user.id if access.user.is_authenticated else None


def _is_author(access: Access, author_id: int | None) -> bool:
    viewer = _viewer_id(access)
    return viewer is not None and author_id == viewer


@rule("No such thread.", hidden=True)
def may_read(access: Access) -> bool:
    """Whoever reads the community reads its threads (the selectors answer the same 404 for the others)."""
    return access.can_read


may_read_post = may_read.saying("No such post.")


# --- Taking part ----------------------------------------------------------------------------------


@decides
def may_participate(access: Access, action: str = "take part") -> Decision:
    """Start threads, reply, comment, vote and flag: active members (and network admins)."""
    return Decision(access.is_member or access.is_admin, f"Join this community to {action}.")


@decides
def may_start_thread(access: Access) -> Decision:
    """Ask a question, start a discussion or propose an idea: a reader who takes part (404 for the others)."""
    return first_refusal(may_read.decide(access), may_participate.decide(access, "start a thread"))


@decides
def thread_open_to(access: Access, thread: Thread) -> Decision:
    """A locked thread takes replies and comments from coordinators only; a deleted one from nobody."""
    if thread.is_locked and not access.can_coordinate:
        return Decision(False, "This thread is locked: it takes no more replies or comments.")
    return Decision(thread.deleted_at is None, "This thread was deleted.")


@decides
def may_reply(access: Access, thread: Thread) -> Decision:
    """Reply to a thread: a member, in a thread open to them."""
    return first_refusal(may_participate.decide(access, "reply"), thread_open_to.decide(access, thread))


@decides
def may_comment(access: Access, thread: Thread, post: Post) -> Decision:
    """Comment under a post (of ``thread``): a member, in a thread open to them, on a post that stands."""
    return first_refusal(
        may_participate.decide(access, "comment"),
        thread_open_to.decide(access, thread),
        Decision(post.deleted_at is None, "This post was deleted."),
    )


@decides
def may_vote(access: Access, post: Post) -> Decision:
    """Up-vote a post: a member, not on their own post, not on a deleted one."""
    return first_refusal(
        may_participate.decide(access, "vote"),
        Decision(not _is_author(access, post.author_id), "You cannot vote on your own post."),
        Decision(post.deleted_at is None, "This post was deleted."),
    )


@decides
def may_flag(access: Access) -> Decision:
    """Flag a post for the coordinators: members."""
    return may_participate.decide(access, "flag posts")


# --- Authors and coordinators ---------------------------------------------------------------------


@rule("Only the author or a coordinator can edit this post.")
def may_edit(access: Access, post: Post) -> bool:
    """Edit a post: its author or a coordinator."""
    return _is_author(access, post.author_id) or access.can_coordinate


@rule("Only the author or a coordinator can delete this post.")
def may_delete(access: Access, post: Post) -> bool:
    """Soft-delete a post (the opening post deletes its thread): its author or a coordinator."""
    return _is_author(access, post.author_id) or access.can_coordinate


@rule("Only the author or a coordinator can restore this post.")
def may_restore(access: Access, post: Post) -> bool:
    """Undo a soft delete: the post's author or a coordinator (the only people who still see it)."""
    return _is_author(access, post.author_id) or access.can_coordinate


@rule("Only the person who asked or a coordinator can accept an answer.")
def may_accept(access: Access, thread: Thread) -> bool:
    """Mark (or unmark) a question's accepted answer: the asker or a coordinator."""
    return _is_author(access, thread.author_id) or access.can_coordinate


@rule("Only the person who asked or a coordinator can ask experts.")
def may_ask_experts(access: Access, thread: Thread) -> bool:
    """Ask a suggested expert to look at a question, and see who was asked: the asker or a coordinator."""
    return _is_author(access, thread.author_id) or access.can_coordinate


@rule("")
def may_see_history(access: Access, post: Post) -> bool:
    """A post's revisions: whoever may read the post (the selector has answered 404 to the others). A rule of its
    own so that the pages and the API ask the same question if it ever narrows."""
    return True


# --- Coordinators ---------------------------------------------------------------------------------


def _coordinates(access: Access) -> bool:
    return access.can_coordinate


def _is_core(access: Access) -> bool:
    return access.is_core


# Lock, unlock, pin, unpin, hide or unhide a thread.
may_moderate = Rule(_coordinates, "Only coordinators moderate threads.")
may_hide_posts = Rule(_coordinates, "Only coordinators hide posts.")
# Move a thread out of this community (the target must be coordinated too: the service checks it).
may_move = Rule(_coordinates, "Only coordinators move threads.")
may_mark_duplicate = Rule(_coordinates, "Only coordinators mark duplicates.")
may_set_idea_status = Rule(_coordinates, "Only coordinators set the status of an idea.")
# Hide a flagged post or dismiss its flags.
may_handle_flags = Rule(_coordinates, "Only coordinators handle flags.")
# The community's queue of open flags.
may_see_flags = Rule(_coordinates, "The flag queue is for coordinators.")
# The queue of threads nobody but their author has answered: coordinators and core members.
may_see_unheard = Rule(_is_core, "The unheard queue is for coordinators and core members.")
