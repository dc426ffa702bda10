"""Connecting the extension: a one-time code traded for a token."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from .shared import StrictSchema


class ConnectRequest(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                         metadata={"description": "the one-time code `paperlens connect` printed (any case; "
                                                  "spaces and dashes are ignored)"})
    client = fields.String(load_default="browser", validate=validate.Regexp(r"^[a-z]{1,20}$"),
                           metadata={"description": "which browser, for the token's name (chromium, firefox)"})


class ConnectResponse(ma.Schema):
    token = fields.String(required=True, metadata={"description": "shown once; send it as "
                                                                  "'Authorization: Bearer <token>'"})
    user = fields.String(required=True, metadata={"description": "whose reading list the token acts for"})
    name = fields.String(required=True, metadata={"description": "the token's name (paperlens token list / revoke)"})
