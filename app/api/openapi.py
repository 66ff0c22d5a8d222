"""The OpenAPI 3.0.3 description of /api/v1, written by hand (a test checks that every API
rule is described). The code lists' values come from app.core.codelists, so they stay true."""

from __future__ import annotations

from app.api.params import DEFAULT_PER_PAGE, LANGUAGES, MAX_PAGE, MAX_PER_PAGE, MAX_TEXT
from app.calls.models import CriterionKind, FundingModel
from app.core.codelists import ORGANISATION_TYPES, REGIONS
from app.search.analysis import MAX_QUERY_CHARS
from app.search.schema import FACETS
from app.search.service import SORTS, facet_codes

VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _string(description: str = "", **extra) -> dict:
    return {"type": "string", **({"description": description} if description else {}), **extra}


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


def _codes(code_list, description: str) -> dict:
    return {"type": "string", "enum": list(code_list.codes), "description": description}


TIME = _string("ISO 8601 time in UTC", format="date-time")
URL = _string(format="uri")
DATE = _string(format="date")
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}


def _object(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "properties": properties, "required": list(properties)}
    if description:
        schema["description"] = description
    return schema


def _schemas() -> dict:
    languages = _object({lang: _string() for lang in LANGUAGES},
                        "The same text in Finnish, Swedish and English (empty when not given)")
    markdown = _object({"markdown": _string("the source as written"),
                        "html": _string("rendered and sanitised HTML")})
    practice_fields = {
        "id": INTEGER,
        "external_id": _nullable(_string("The id given at import, if the model was imported")),
        "title": _string(),
        "language": _nullable(_codes(facet_codes("language"), "Language of the content")),
        "summary": _string(),
        "organisation": _ref("PracticeOrganisation"),
        "target_groups": _array(_codes(facet_codes("target_groups"), "target group")),
        "work_forms": _array(_codes(facet_codes("work_forms"), "form of work")),
        "regions": _array(_codes(facet_codes("regions"), "region")),
        "stage": _nullable(_codes(facet_codes("stage"), "development stage")),
        "evidence": _nullable(_codes(facet_codes("evidence"), "evidence level")),
        "tags": _array(_string()),
        "validated": BOOLEAN,
        "adoption_count": INTEGER,
        "published_at": _nullable({**TIME, "description": "First publication"}),
        "url": {**URL, "description": "The public HTML page"},
    }
    return {
        "Error": _object({"error": _object({
            "code": _string("bad_request, invalid_parameter, not_found, method_not_allowed, "
                            "rate_limited, unavailable or internal_error"),
            "message": _string("For developers, in English"),
            "parameter": _string("The query parameter at fault (invalid_parameter only)"),
        }) | {"required": ["code", "message"]}}),
        "Links": _object({
            "self": URL, "first": URL, "last": URL,
            "prev": _nullable(URL), "next": _nullable(URL),
        }, "Absolute URLs of other pages with the same query parameters"),
        "OrganisationRef": _object({"id": INTEGER, "name": _string(), "url": URL,
                                    "api_url": URL}),
        "PracticeOrganisation": _object({
            "id": INTEGER, "name": _string(),
            "type": _nullable(_codes(ORGANISATION_TYPES, "organisation type")),
            "url": {**URL, "description": "In the detail only"},
            "api_url": {**URL, "description": "In the detail only"},
        }) | {"required": ["id", "name", "type"]},
        "FacetValue": _object({"code": _string(), "label": _string(), "count": INTEGER,
                               "selected": BOOLEAN}),
        "PracticeHit": _object({
            **practice_fields,
            "excerpt_html": _string("HTML-escaped excerpt with <mark> around matched words"),
            "api_url": URL,
        }),
        "Practice": _object({
            **practice_fields,
            "sections": _object({name: markdown for name in (
                "problem", "method", "employer_cooperation", "results", "adoption")}),
            "partners": _array(_ref("OrganisationRef")),
            "adoptions": _array(_object({
                "organisation": _ref("OrganisationRef"),
                "regions": _array(_string("region code")),
                "since": _nullable(_string("date, YYYY-MM-DD")),
            }, "Organisations that use the model, where and since when")),
            "validation": _nullable(_object({
                "organisation": _nullable(_object({"id": INTEGER, "name": _string()})),
                "validated_at": TIME,
                "version": _nullable({**INTEGER, "description": "The version validated"}),
                "statement": _string(),
            }, "Who vouched for the model (a funding authority), when and for which version; "
               "`validated` is true only while that version is the current one")),
            "version": INTEGER,
            "versions_count": INTEGER,
            "updated_at": {**TIME, "description": "When the current version was published"},
            "attachments": _array(_object({"filename": _string(), "content_type": _string(),
                                           "size": INTEGER, "url": URL})),
        }),
        "Organisation": _object({
            "id": INTEGER, "name": _string(), "business_id": _string("Finnish Business ID"),
            "type": _codes(ORGANISATION_TYPES, "organisation type"),
            "description": _string(), "expertise": _string(),
            "website": _nullable(URL),
            "contact_email": _nullable(_string("The organisation's public address",
                                               format="email")),
            "regions": _array(_codes(REGIONS, "region")),
            "target_groups": _array(_codes(facet_codes("target_groups"), "target group")),
            "verified_at": _nullable(TIME),
            "url": URL, "api_url": URL,
        }),
        "Criterion": _object({
            "kind": {"type": "string", "enum": [k.value for k in CriterionKind]},
            "title": _string(), "guidance": _string(),
            "scored": BOOLEAN,
            "scale_max": _nullable({**INTEGER, "description": "null: pass or fail"}),
            "weight": _nullable({**INTEGER, "description": "Percent of the score"}),
        }),
        "Call": _object({
            "id": INTEGER,
            "title": languages,
            "description": {**languages, "description": "Markdown in each language"},
            "organisation": _ref("OrganisationRef"),
            "theme": _string(),
            "opens_at": TIME, "closes_at": TIME,
            "phase": {"type": "string", "enum": ["upcoming", "open", "closed"]},
            "total_budget_cents": INTEGER,
            "total_budget_euros": _string("Decimal euros, e.g. \"1000000.00\""),
            "max_support_percent": INTEGER,
            "eligible_types": _array(_codes(ORGANISATION_TYPES, "organisation type")),
            "funding_model": {"type": "string", "enum": [m.value for m in FundingModel]},
            "outcome_fee_cents": _nullable(INTEGER),
            "outcome_fee_euros": _nullable(_string()),
            "min_employment_months": _nullable(INTEGER),
            "criteria": _array(_ref("Criterion")),
            "published_at": _nullable(TIME),
            "url": URL, "api_url": URL,
        }),
        "Project": _object({
            "id": INTEGER,
            "name": _string(),
            "summary": _string(),
            "target_group": _string("Who the project serves, as the applicant wrote it"),
            "lead_organisation": _ref("OrganisationRef"),
            "partners": _array(_ref("OrganisationRef")),
            "call": _object({"id": INTEGER, "title": languages, "url": URL}),
            "start_date": _nullable(DATE), "end_date": _nullable(DATE),
            "approved_at": _nullable(TIME),
            "practices": _array(_object({"id": INTEGER, "title": _string(), "url": URL})),
            "url": _nullable({**URL, "description": "The public project page, once it exists"}),
            "api_url": URL,
        }, "A funded project: an approved application"),
        **{f"{name}Page": _page(name) for name in ("Organisation", "Call", "Project")},
        "PracticePage": {
            **_page("PracticeHit"),
            "properties": {
                **_page("PracticeHit")["properties"],
                "query": _string(), "sort": {"type": "string", "enum": list(SORTS)},
                "suggestion": _nullable(_string("A corrected query when few models matched")),
                "facets": {"type": "object", "description": "Counts per facet value",
                           "properties": {name: _array(_ref("FacetValue")) for name in FACETS}},
            },
        },
    }


def _page(item: str) -> dict:
    return _object({
        "total": INTEGER, "page": INTEGER, "per_page": INTEGER, "pages": INTEGER,
        "links": _ref("Links"), "items": _array(_ref(item)),
    })


def _query(name: str, schema: dict, description: str, explode: bool | None = None) -> dict:
    parameter = {"name": name, "in": "query", "required": False, "schema": schema,
                 "description": description}
    if explode is not None:
        parameter.update(style="form", explode=explode)
    return parameter


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1}}


PAGING = [
    _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
           "Page number"),
    _query("per_page", {"type": "integer", "minimum": 1, "default": DEFAULT_PER_PAGE},
           f"Items per page; values above {MAX_PER_PAGE} count as {MAX_PER_PAGE}"),
]
ERRORS = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "429": {"$ref": "#/components/responses/TooManyRequests"},
}


def _ok(schema_name: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": _ref(schema_name)}}}


def _get(summary: str, schema_name: str, parameters: list, *, detail: bool = False,
         operation_id: str) -> dict:
    responses = {"200": _ok(schema_name, summary), **ERRORS}
    if detail:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    return {"get": {"summary": summary, "operationId": operation_id, "parameters": parameters,
                    "responses": responses}}


def document(url_root: str = "/") -> dict:
    """The whole document; `url_root` (this server) goes in `servers`."""
    facet_parameters = [
        _query(name, _array({"type": "string", "enum": list(facet_codes(name).codes)}),
               f"Facet {name}: repeat the parameter for several values (any of them matches)",
               explode=True)
        for name in FACETS
    ]
    error = {"application/json": {"schema": _ref("Error")}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Kohtaamo public API",
            "version": VERSION,
            "description": (
                "Read-only public data of Kohtaamo: published service models, verified "
                "organisations, published funding calls and funded projects. JSON only, GET "
                "only, no authentication; any origin may read it (CORS). Requests are rate "
                "limited per client address; over the limit the answer is 429 with a "
                "Retry-After header. Times are ISO 8601 in UTC; money is in cents (integer) "
                "and in euros (decimal string)."
            ),
        },
        "servers": [{"url": url_root.rstrip("/") or "/"}],
        "paths": {
            "/api/v1/practices": _get(
                "Search published service models", "PracticePage",
                [_query("q", _string(maxLength=MAX_QUERY_CHARS), "Search words"),
                 _query("sort", {"type": "string", "enum": list(SORTS),
                                 "default": "relevance"}, "Order of the results"),
                 _query("lang", {"type": "string", "enum": list(LANGUAGES)},
                        "Language of the facet labels (default: Accept-Language)"),
                 *PAGING, *facet_parameters],
                operation_id="listPractices"),
            "/api/v1/practices/{practice_id}": _get(
                "One published service model", "Practice", [_id("practice_id")], detail=True,
                operation_id="getPractice"),
            "/api/v1/organisations": _get(
                "Verified organisations, by name", "OrganisationPage",
                [_query("q", _string(maxLength=MAX_TEXT), "A part of the name"),
                 _query("type", _array(_codes(ORGANISATION_TYPES, "organisation type")),
                        "Organisation type (repeatable)", explode=True),
                 _query("region", _array(_codes(REGIONS, "region")),
                        "Region where the organisation works (repeatable)", explode=True),
                 *PAGING],
                operation_id="listOrganisations"),
            "/api/v1/organisations/{organisation_id}": _get(
                "One verified organisation's public profile", "Organisation",
                [_id("organisation_id")], detail=True, operation_id="getOrganisation"),
            "/api/v1/calls": _get(
                "Published funding calls", "CallPage",
                [_query("phase", {"type": "string", "enum": ["open", "upcoming", "closed"]},
                        "Only calls in this phase now (default: all)"),
                 *PAGING],
                operation_id="listCalls"),
            "/api/v1/calls/{call_id}": _get(
                "One published funding call", "Call", [_id("call_id")], detail=True,
                operation_id="getCall"),
            "/api/v1/projects": _get(
                "Funded projects (approved applications)", "ProjectPage", [*PAGING],
                operation_id="listProjects"),
            "/api/v1/projects/{project_id}": _get(
                "One funded project", "Project", [_id("project_id")], detail=True,
                operation_id="getProject"),
            "/api/v1/openapi.json": {"get": {
                "summary": "This document", "operationId": "getOpenApi", "parameters": [],
                "responses": {"200": {"description": "The OpenAPI 3.0.3 document",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}},
                              "429": ERRORS["429"]}}},
        },
        "components": {
            "schemas": _schemas(),
            "responses": {
                "BadRequest": {"description": "A parameter cannot be used", "content": error},
                "NotFound": {"description": "No such public object (drafts and other "
                                            "non-public objects are not found either)",
                             "content": error},
                "TooManyRequests": {
                    "description": "Over the rate limit",
                    "headers": {"Retry-After": {"schema": {"type": "integer"},
                                                "description": "Seconds to wait"}},
                    "content": error},
            },
        },
    }
