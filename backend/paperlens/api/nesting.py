"""Refusing JSON bodies nested deeper than any request needs, before anything parses them.

Python's JSON parser and every recursive walk after it (schemas, string cleaning) recurse once
per level: 5,000 '[' made a RecursionError and a 500. No request of this API nests more than a
handful of levels, so anything past MAX_DEPTH is a 400, decided in linear time on the raw bytes.
"""

from __future__ import annotations

import re

import numpy as np
from flask import request

from .errors import ApiError

MAX_DEPTH = 32
# A JSON string, read possessively: no backtracking, so an unclosed quote costs one scan.
STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.S)
NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


def nesting_depth(body: bytes) -> int:
    """How deeply brackets nest in a JSON text, outside its strings (after an unclosed quote the
    brackets count: the text is not valid JSON anyway)."""
    brackets = STRING.sub(b"", body).translate(None, NOT_A_BRACKET)
    if not brackets:
        return 0
    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def refuse_deep_json() -> None:
    """before_request: a 400 for a JSON body nested deeper than MAX_DEPTH. Any body that starts like
    JSON is checked, whatever its Content-Type says (the library import reads JSON sent as text)."""
    size = request.content_length
    if not size or (request.max_content_length is not None and size > request.max_content_length):
        return  # empty, or the route answers 413 (a route that takes more calls this again after raising its limit)
    body = request.get_data(cache=True)
    if body.lstrip()[:1] not in (b"[", b"{"):
        return
    depth = nesting_depth(body)
    if depth > MAX_DEPTH:
        raise ApiError(400, f"The JSON body nests {depth} levels deep; at most {MAX_DEPTH} are accepted.",
                       details={"depth": depth, "max_depth": MAX_DEPTH})
