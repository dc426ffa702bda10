"""Which Host headers this server answers (DNS rebinding): a web page on a name the attacker
controls can make that name resolve to 127.0.0.1, and the browser then sends `Host: evil.example`
to this server with the page's own origin, so the same-origin policy no longer protects the API.
Only names that are really this server's are accepted: the bound address, the loopback names on the
bound port, the host of PAPERLENS_PUBLIC_URL and PAPERLENS_ALLOWED_HOSTS. An IP address literal
cannot be rebound (the page's origin is that address), so with a bind-all address any address
literal on the bound port is accepted too."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from ..settings import Settings

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
BIND_ALL = ("0.0.0.0", "::", "")


def _split(host: str) -> tuple[str, int | None]:
    """'Name.:8420' -> ('name', 8420); '[::1]:8420' -> ('[::1]', 8420); no port -> (name, None);
    anything else after the name (a second colon, a bad port) -> (name, -1)."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]") + 1
        name, rest = (host[:end], host[end:]) if end else (host, "?")
    else:
        name, colon, port = host.partition(":")
        rest = colon + port
    name = name.rstrip(".")  # 'localhost.' is the same name as 'localhost'
    if not rest:
        return name, None
    if rest[0] != ":" or not rest[1:].isdigit() or len(rest) > 6:
        return name, -1
    return name, int(rest[1:])


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


class AllowedHosts:
    def __init__(self, settings: Settings):
        self.port = settings.port
        bound = settings.host.lower()
        self.bind_all = bound in BIND_ALL
        exact = {name for name in LOOPBACK_NAMES}
        if not self.bind_all:
            exact.add(f"[{bound}]" if ":" in bound else bound)
        self.on_port = exact  # accepted on the bound port only
        self.any_port: set[str] = set()  # named by the operator without a port
        self.with_port: set[tuple[str, int]] = set()
        names = list(settings.allowed_hosts)
        if settings.public_url:
            parts = urlsplit(settings.public_url)
            names.append(parts.netloc.rpartition("@")[2])
        for entry in names:
            name, port = _split(entry)
            if port is None:
                self.any_port.add(name)
            elif port >= 0:
                self.with_port.add((name, port))

    def allows(self, host: str | None) -> bool:
        if host is None:
            return True  # HTTP/1.0 without Host: no browser sends that, so no rebinding either
        name, port = _split(host)
        if port == -1 or not name:
            return False
        if name in self.any_port or (port is not None and (name, port) in self.with_port):
            return True
        if port is None:
            port = 80  # a Host without a port names the default port
        if port != self.port:
            return False
        return name in self.on_port or (self.bind_all and _is_address(name))
