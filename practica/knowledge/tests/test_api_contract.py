"""The knowledge API answers what its OpenAPI schema says: every successful answer of every knowledge endpoint is
validated against the schema the API publishes at /api/v1/schema/, strictly (a field the schema does not declare
is an error, as is a status code it does not list)."""

from __future__ import annotations

import io
from typing import Any

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.response import Response

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions import services as discussions
from practica.knowledge import services
from practica.lib.testing.client import Api
from practica.lib.testing.content import draft, person, published
from practica.lib.testing.openapi import assert_matches_schema, component_schema

pytestmark = pytest.mark.django_db


class Contract:
    """The published schema, and a check of one answer against the operation that made it."""

    def __init__(self, api: Api) -> None:
        self.openapi = api.as_user(None).get("/api/v1/schema/?format=json").json()
        self.checked: list[str] = []

    def component(self, name: str) -> Any:
        return component_schema(name)

    def check(self, method: str, path: str, response: Response) -> Any:
        """A success, as the schema declares it (``assert_matches_schema``); its body, None for a 204."""
        assert response.status_code < 300, (method, path, response.content)
        assert_matches_schema(response, path, method)
        self.checked.append(f"{method} {path} {response.status_code}")
        return None if response.status_code == 204 else response.json()


def test_every_knowledge_answer_matches_the_published_schema(
    api: Api, community: Community, member: User, owner: User
) -> None:
    contract = Contract(api)
    expert = person("expert", community, expertise=["Well integrity"])
    as_member, as_owner, as_expert = Api().as_user(member), Api().as_user(owner), Api().as_user(expert)
    item_path = "/api/v1/knowledge/{item_id}/"

    created = contract.check("POST", "/api/v1/communities/{slug}/knowledge/", as_member.post(
        "/api/v1/communities/public-wells/knowledge/",
        {"kind": "lesson-learned", "title": "Test twice", "summary": "Always", "body": "Two tests.",
         "tags": ["Well integrity"], "details": {"context": "Deep wells"}}, format="json",
    ))
    item_id = created["id"]
    url = f"/api/v1/knowledge/{item_id}/"
    contract.check("PATCH", item_path, as_member.patch(url, {"summary": "Always twice"}, format="json"))
    contract.check("POST", item_path + "submit/", as_member.post(url + "submit/", {}, format="json"))
    contract.check("POST", item_path + "review/", as_owner.post(url + "review/", {"decision": "approve"}, format="json"))
    contract.check("PATCH", item_path, as_member.patch(url, {"body": "Two tests, then a log.", "note": "Log"}, format="json"))
    contract.check("POST", item_path + "restore/", as_member.post(url + "restore/", {"version": 1}, format="json"))
    contract.check("POST", item_path + "endorse/", as_expert.post(url + "endorse/", {"comment": "Works"}, format="json"))
    contract.check("POST", item_path + "helpful/", as_expert.post(url + "helpful/", {"note": "Used it"}, format="json"))
    upload = SimpleUploadedFile("guide.pdf", b"%PDF-1.4\n%%EOF")
    contract.check("POST", item_path + "attachments/", as_member.post(url + "attachments/", {"file": upload}, format="multipart"))
    contract.check("POST", item_path + "verify/", as_owner.post(url + "verify/", {}, format="json"))
    for who in (as_owner, as_member, Api().as_user(None)):  # with and without the review history
        detail = contract.check("GET", item_path, who.get(url))
    assert detail["versions"] and detail["endorsements"] and detail["helpful"] and detail["attachments"]
    attachment = f"/api/v1/knowledge/attachments/{detail['attachments'][0]['id']}/"
    contract.check("GET", "/api/v1/knowledge/attachments/{attachment_id}/", as_member.get(attachment))
    contract.check("DELETE", "/api/v1/knowledge/attachments/{attachment_id}/", as_member.delete(attachment))
    stewardship = "/api/v1/communities/{slug}/knowledge/stewardship/"
    queue_url = "/api/v1/communities/public-wells/knowledge/stewardship/"
    services.item_submit(item=draft(community, member, title="Waiting"), actor=member)
    queue = contract.check("GET", stewardship, as_owner.get(queue_url))
    assert [i["title"] for i in queue["in_review"]] == ["Waiting"]
    contract.check("PATCH", stewardship, as_owner.patch(queue_url, {"review_months": 6}, format="json"))
    contract.check("GET", "/api/v1/communities/{slug}/knowledge/", as_member.get("/api/v1/communities/public-wells/knowledge/"))
    contract.check("DELETE", item_path + "endorse/", as_expert.delete(url + "endorse/"))
    contract.check("POST", item_path + "archive/", as_owner.post(url + "archive/", {}, format="json"))
    contract.check("POST", item_path + "unarchive/", as_owner.post(url + "unarchive/", {}, format="json"))
    thread = discussions.thread_create(community=community, author=owner, kind="question", title="Why?", body="Because")
    captured = contract.check(
        "POST", "/api/v1/threads/{thread_id}/capture/", as_member.post(f"/api/v1/threads/{thread.id}/capture/", {}, format="json")
    )
    assert captured["source_thread"]["id"] == thread.id

    collections = "/api/v1/communities/{slug}/knowledge/collections/"
    collection = contract.check("POST", collections, as_owner.post(
        "/api/v1/communities/public-wells/knowledge/collections/", {"title": "Start here"}, format="json"
    ))
    other = published(community, member, owner, title="Another")
    entries = f"/api/v1/knowledge/collections/{collection['id']}/items/"
    contract.check("POST", "/api/v1/knowledge/collections/{collection_id}/items/",
                   as_owner.post(entries, {"item": item_id}, format="json"))
    as_owner.post(entries, {"item": other.id}, format="json")
    contract.check("POST", "/api/v1/knowledge/collections/{collection_id}/items/{item_id}/move/",
                   as_owner.post(f"{entries}{other.id}/move/", {"direction": "up"}, format="json"))
    contract.check("GET", "/api/v1/knowledge/collections/{collection_id}/items/{item_id}/", as_member.get(f"{entries}{item_id}/"))
    contract.check("GET", collections, as_member.get("/api/v1/communities/public-wells/knowledge/collections/"))
    contract.check("GET", "/api/v1/knowledge/collections/{collection_id}/",
                   as_member.get(f"/api/v1/knowledge/collections/{collection['id']}/"))
    contract.check("DELETE", "/api/v1/knowledge/collections/{collection_id}/items/{item_id}/",
                   as_owner.delete(f"{entries}{other.id}/"))
    contract.check("DELETE", "/api/v1/knowledge/collections/{collection_id}/",
                   as_owner.delete(f"/api/v1/knowledge/collections/{collection['id']}/"))

    knowledge_operations = {
        f"{method.upper()} {path}"
        for path, operations in contract.openapi["paths"].items()
        if "/knowledge/" in path or path == "/api/v1/threads/{thread_id}/capture/"
        for method in operations
        if method in ("get", "post", "patch", "put", "delete")
    }
    assert knowledge_operations == {line.rsplit(" ", 1)[0] for line in contract.checked}, "an operation is not checked"


def test_the_contract_is_strict_a_detail_answer_is_not_a_summary(
    api: Api, community: Community, member: User, owner: User
) -> None:
    """What the item endpoints declared before [P9]: the summary, which their answers do not match."""
    contract = Contract(api)
    item = published(community, member, owner)
    services.attachment_add(item=item, actor=member, stream=io.BytesIO(b"notes\n"), name="notes.txt")
    data = api.as_user(member).get(f"/api/v1/knowledge/{item.id}/").json()
    jsonschema.validate(data, contract.component("KnowledgeItemDetail"))
    with pytest.raises(jsonschema.ValidationError, match="Additional properties are not allowed"):
        jsonschema.validate(data, contract.component("KnowledgeItemSummary"))
    unpublished = draft(community, member)
    assert api.as_user(member).get(f"/api/v1/knowledge/{unpublished.id}/").json()["versions"] == []


def test_the_schema_names_every_status_and_credit_role_an_item_can_have(
    api: Api, community: Community, member: User, owner: User
) -> None:
    """A client generated from the schema knows the values, and an answer with any other would fail the contract."""
    contract = Contract(api)
    schemas = contract.openapi["components"]["schemas"]
    assert schemas["KnowledgeStatusEnum"]["enum"] == ["draft", "in-review", "published", "archived"]
    assert "KnowledgeStatusEnum" in str(schemas["KnowledgeItemSummary"]["properties"]["status"])
    assert schemas["KnowledgeCreditRoleEnum"]["enum"] == ["editor", "contributor"]
    item = published(community, member, owner)
    data = api.as_user(member).get(f"/api/v1/knowledge/{item.id}/").json()
    with pytest.raises(jsonschema.ValidationError, match="'lost' is not one of"):
        jsonschema.validate({**data, "status": "lost"}, contract.component("KnowledgeItemDetail"))
