"""Community pages: directory, domain and charter, membership, invitations, recruitment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.accounts.models import User
from practica.communities import hooks, permissions, selectors, services
from practica.communities.filters import DirectoryFilterSet, MemberFilterSet
from practica.communities.forms import (
    CharterForm,
    CommunityForm,
    GoalFormSet,
    InvitationForm,
    JoinForm,
    RoleForm,
    goals_from_formset,
)
from practica.communities.models import Cadence, Community, Role
from practica.lib.forms import add_service_errors
from practica.lib.http import flash_errors, render_page
from practica.lib.ids import id_from
from practica.lib.permissions import Rule
from practica.people.models import Organization


def _allowed(
    request: HttpRequest, slug: str, rule: Rule[[selectors.Access]]
) -> tuple[Community, selectors.Access]:
    return selectors.community_get_allowed(slug=slug, user=request.user, rule=rule)


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    # The API's filters (a query that does not parse lists the whole directory here, and answers 400 there).
    filterset = DirectoryFilterSet(
        request.GET or None, queryset=selectors.communities_visible_to(request.user), request=request
    )
    form, communities = filterset.form, filterset.qs
    page = Paginator(communities, 24).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "topics": selectors.topics_visible_to(request.user)[:60],
        "organizations": Organization.objects.order_by("name"),
    }
    return render_page(request, "communities/directory.html", context, partial="communities/_directory_results.html")


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    form = CommunityForm(request.POST or None)
    charter_form = CharterForm(request.POST or None, prefix="charter")
    goals = GoalFormSet(request.POST or None, prefix="goals")
    if request.method == "POST" and form.is_valid() and charter_form.is_valid() and goals.is_valid():
        data = form.cleaned_data
        try:
            community = services.community_create(
                creator=request.user,  # type: ignore[arg-type]
                name=data["name"],
                slug=data["slug"],
                domain=data["domain"],
                out_of_scope=data["out_of_scope"],
                topics=data["topics"],
                visibility=data["visibility"],
                stage=data["stage"],
                organizations=data["organizations"],
                purpose=charter_form.cleaned_data["purpose"],
                goals=goals_from_formset(goals),
                cadence=charter_form.cleaned_data["cadence"] or Cadence.NONE,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{community.name}” is created. You are its coordinator.")
            return redirect(community)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "communities/form.html",
        {"form": form, "charter_form": charter_form, "goals": goals, "creating": True},
        status=status,
    )


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get_for_user(slug=slug, user=request.user)
    access = selectors.community_access(community=community, user=request.user)
    context = {
        "community": community,
        "access": access,
        "charter": getattr(community, "charter", None),
        "goals": list(community.charter.goals.all()) if hasattr(community, "charter") else [],
        "topics": community.topics.order_by("name"),
        "organizations": community.organizations.order_by("name"),
        "leaders": selectors.community_leaders(community=community) if access.can_read else [],
        "member_count": community.memberships.filter(state="active").count(),
        "pending_count": (
            selectors.pending_requests(community=community).count() if permissions.SEE_REQUESTS(access) else 0
        ),
        # Recent threads and the unheard count: discussions plugs them in (communities/hooks.py).
        **(hooks.activity(community=community, access=access) if access.can_read else hooks.activity_unread()),
        "join_form": JoinForm(),
    }
    return render(request, "communities/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    community, _access = _allowed(request, slug, permissions.EDIT_COMMUNITY)
    form = CommunityForm(request.POST or None, initial=CommunityForm.initial_for(community))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            community = services.community_update(
                community=community,
                actor=request.user,  # type: ignore[arg-type]
                topics=data["topics"],
                organizations=data["organizations"],
                **{
                    k: data[k]
                    for k in ("name", "slug", "domain", "out_of_scope", "visibility", "stage", "members_can_add_tags")
                },
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(community)
    status = 400 if request.method == "POST" else 200
    return render(request, "communities/form.html", {"form": form, "community": community}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def charter_edit(request: HttpRequest, slug: str) -> HttpResponse:
    community, _access = _allowed(request, slug, permissions.EDIT_CHARTER)
    charter = getattr(community, "charter", None)
    initial_goals = [
        {"description": g.description, "metric": g.metric, "target_value": g.target_value, "due_date": g.due_date}
        for g in (charter.goals.all() if charter else [])
    ]
    form = CharterForm(
        request.POST or None,
        initial={"purpose": charter.purpose if charter else "", "cadence": charter.cadence if charter else "none"},
    )
    goals = GoalFormSet(request.POST or None, initial=initial_goals, prefix="goals")
    if request.method == "POST" and form.is_valid() and goals.is_valid():
        try:
            services.charter_update(
                community=community,
                actor=request.user,  # type: ignore[arg-type]
                purpose=form.cleaned_data["purpose"],
                goals=goals_from_formset(goals),
                cadence=form.cleaned_data["cadence"] or None,  # not sent: unchanged
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The charter is saved.")
            return redirect(community)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "communities/charter_form.html", {"community": community, "form": form, "goals": goals}, status=status
    )


@require_GET
def history(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = _allowed(request, slug, permissions.SEE_HISTORY)
    page = Paginator(selectors.community_history(community=community), 50).get_page(request.GET.get("page"))
    return render(request, "communities/history.html", {"community": community, "access": access, "page": page})


@require_GET
def members(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = selectors.community_get_readable(slug=slug, user=request.user)
    # The API's filters (a query that does not parse lists every member here, and answers 400 there).
    filterset = MemberFilterSet(
        request.GET or None, queryset=selectors.members_list(community=community), request=request
    )
    form, memberships = filterset.form, filterset.qs
    page = Paginator(memberships, 30).get_page(request.GET.get("page"))
    facets = selectors.member_facets(community=community)
    context = {
        "community": community,
        "access": access,
        "form": form,
        "page": page,
        "facets": facets,
        "roles": Role.choices,
        "role_counts": [(label, facets["roles"].get(value, 0)) for value, label in Role.choices],
    }
    return render_page(request, "communities/members.html", context, partial="communities/_member_results.html")


@login_required
@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get_for_user(slug=slug, user=request.user)
    form = JoinForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        membership = services.community_join(community=community, user=request.user, message=message)  # type: ignore[arg-type]
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        if membership.is_active:
            messages.success(request, f"Welcome to {community.name}!")
        else:
            messages.info(request, "Your request is sent. A coordinator will review it.")
    return redirect(community)


@login_required
@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get_for_user(slug=slug, user=request.user)
    try:
        services.community_leave(community=community, user=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"You are no longer in {community.name}.")
    return redirect(community if not community.is_private else "communities:directory")


@login_required
@require_POST
def respond_invitation(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get_for_user(slug=slug, user=request.user)
    accept = request.POST.get("accept") == "1"
    try:
        services.invitation_respond(community=community, user=request.user, accept=accept)  # type: ignore[arg-type]
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        if accept:
            messages.success(request, f"Welcome to {community.name}!")
        else:
            messages.info(request, "Invitation declined.")
    if not accept and community.is_private:
        return redirect("home")
    return redirect(community)


@login_required
@require_GET
def requests_list(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = _allowed(request, slug, permissions.SEE_REQUESTS)
    return render(
        request,
        "communities/requests.html",
        {
            "community": community,
            "access": access,
            "requests": selectors.pending_requests(community=community),
            "invited": selectors.pending_invitations(community=community),
        },
    )


@login_required
@require_POST
def request_decide(request: HttpRequest, slug: str, membership_id: int, decision: str) -> HttpResponse:
    community, _access = _allowed(request, slug, permissions.DECIDE_REQUESTS)
    if decision not in ("approve", "decline"):
        raise Http404("Unknown decision.")
    try:
        membership = services.membership_decide(
            community=community,
            actor=request.user,  # type: ignore[arg-type]
            membership_id=membership_id,
            approve=decision == "approve",
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        verb = "approved" if decision == "approve" else "declined"
        messages.success(request, f"{membership.user.display_name}'s request is {verb}.")
    return redirect("communities:requests", slug=community.slug)


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    community, _access = _allowed(request, slug, permissions.CHANGE_ROLES)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles: coordinator, core, member, sponsor.")
        return redirect("communities:members", slug=community.slug)
    try:
        membership = services.membership_set_role(
            community=community,
            actor=request.user,  # type: ignore[arg-type]
            membership_id=membership_id,
            role=form.cleaned_data["role"],
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"{membership.user.display_name} is now {membership.get_role_display().lower()}.")
    return redirect("communities:members", slug=community.slug)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    community, _access = _allowed(request, slug, permissions.REMOVE_MEMBERS)
    try:
        membership = services.membership_remove(
            community=community, actor=request.user, membership_id=membership_id  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"{membership.user.display_name} is removed from the community.")
    return redirect("communities:members", slug=community.slug)


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = _allowed(request, slug, permissions.INVITE)
    form = InvitationForm(request.POST or None)
    created_link = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invitation_create(
                community=community,
                actor=request.user,  # type: ignore[arg-type]
                email=data["email"] or "",
                role=data["role"],
                days=data["days"],
                max_uses=data["max_uses"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("role", str(exc))
        else:
            if invitation.email:
                messages.success(request, f"Invitation sent to {invitation.email}.")
                return redirect("communities:invitations", slug=community.slug)
            created_link = services.invitation_url(invitation)
            form = InvitationForm()
    invitation_rows = [
        {"invitation": inv, "url": services.invitation_url(inv)}
        for inv in selectors.open_invitations(community=community)[:50]
    ]
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "communities/invitations.html",
        {
            "community": community,
            "access": access,
            "form": form,
            "created_link": created_link,
            "invitation_rows": invitation_rows,
        },
        status=status,
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    community, _access = _allowed(request, slug, permissions.MANAGE_INVITATIONS)
    services.invitation_revoke(community=community, actor=request.user, invitation_id=invitation_id)  # type: ignore[arg-type]
    messages.success(request, "The invitation is withdrawn.")
    return redirect("communities:invitations", slug=community.slug)


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The landing page of an invitation link: shows the community; signed-in people accept it."""
    try:
        inv = services.invitation_from_token(token)
    except services.InvitationInvalid as exc:
        return render(request, "communities/invitation_invalid.html", {"message": exc.message}, status=exc.status)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        try:
            membership = services.invitation_accept(token=token, user=request.user)  # type: ignore[arg-type]
        except services.InvitationInvalid as exc:
            return render(request, "communities/invitation_invalid.html", {"message": exc.message}, status=exc.status)
        messages.success(request, f"Welcome to {membership.community.name}!")
        return redirect(membership.community)
    return render(request, "communities/invitation.html", {"invitation": inv, "community": inv.community})


@login_required
@require_http_methods(["GET", "POST"])
def recruit(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = _allowed(request, slug, permissions.RECRUIT)
    if request.method == "POST":
        user_id = id_from(request.POST.get("user_id"))
        user = User.objects.filter(id=user_id, is_active=True).first() if user_id else None
        if user is None:
            messages.error(request, "That person does not exist.")
        else:
            try:
                services.member_invite(community=community, actor=request.user, user=user)  # type: ignore[arg-type]
            except ValidationError as exc:
                flash_errors(request, exc)
            else:
                messages.success(request, f"{user.display_name} is invited.")
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "communities/_invited_row.html", {"person": user, "community": community})
        return redirect("communities:recruit", slug=community.slug)
    candidates = selectors.recruitment_candidates(community=community)
    return render(
        request, "communities/recruit.html", {"community": community, "access": access, "candidates": candidates}
    )
