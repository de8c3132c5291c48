"""Helpers of the API tests: clients with tokens, and every response checked by the schema.

The schema is generated from the code once per test session (drf-spectacular), then every
response an ApiCaller receives is validated against it with openapi-core: its status must
be documented for the operation, its content type too, and its body must fit.
"""

import json
from functools import cache

from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from api.clients import create_api_client


@cache
def openapi():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    # Problem details are JSON too: openapi-core must read their body to check it.
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(json.loads(json.dumps(schema, default=str)), config=config)


def check_against_schema(response):
    """Raise if the response is not one the schema allows for its operation."""
    openapi().validate_response(
        DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
    )


class ApiCaller:
    """A Django test client that sends a token and validates every response."""

    def __init__(self, token=None):
        self.client = Client()
        self.token = token

    def _headers(self, token):
        token = self.token if token is None else token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, params=None, token=None, check=True):
        response = self.client.get(path, params or {}, headers=self._headers(token))
        if check:
            check_against_schema(response)
        return response

    def put(self, path, body, params=None, token=None, check=True):
        if params:
            from urllib.parse import urlencode

            path = f"{path}?{urlencode(params)}"
        response = self.client.put(
            path,
            json.dumps(body),
            content_type="application/json",
            headers=self._headers(token),
        )
        if check:
            check_against_schema(response)
        return response


def make_client(name, role, area=None, days=None):
    """Return (ApiClient, ApiCaller with its token)."""
    client, token = create_api_client(name, role, area, days)
    return client, ApiCaller(token)
