"""uvicorn's h11 protocol with a deadline for request headers and JSON for malformed requests.

A request's headers must arrive within HEADER_SECONDS of the connection opening (or of the
previous answer on a kept-alive connection): a client that trickles one header line every few
seconds is cut off instead of being kept forever. Malformed HTTP gets the app's JSON error
format rather than uvicorn's plain-text one.
"""

from __future__ import annotations

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from .errors import REASONS, error_body, error_headers

HEADER_SECONDS = 10.0


class GuardedH11Protocol(H11Protocol):
    _header_deadline = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._request_started():
            self._cancel_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self._request_started():
            self._arm_header_deadline()  # the next request on a kept-alive connection

    def connection_lost(self, exc) -> None:
        self._cancel_header_deadline()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        self._send_error(400, "The request is not valid HTTP (request line, headers or their size).")

    # -- the deadline ---------------------------------------------------------------------------
    def _request_started(self) -> bool:
        return self.conn.their_state is not h11.IDLE

    def _arm_header_deadline(self) -> None:
        self._cancel_header_deadline()
        self._header_deadline = self.loop.call_later(HEADER_SECONDS, self._headers_too_slow)

    def _cancel_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing() or self._request_started():
            return
        self._send_error(408, f"The request headers did not arrive within {HEADER_SECONDS:g} s.")

    def _send_error(self, status: int, message: str) -> None:
        """Answer outside any request/response cycle and close, whatever state h11 is in."""
        body = error_body(status, message)
        head = f"HTTP/1.1 {status} {REASONS[status]}\r\n".encode()
        head += b"".join(name + b": " + value + b"\r\n" for name, value in error_headers(body))
        if not self.transport.is_closing():
            self.transport.write(head + b"\r\n" + body)
            self.transport.close()
