"""`paperlens serve` behind a TLS proxy on the same machine (docs/deploy.md): with the proxy's address
in PAPERLENS_TRUSTED_PROXIES, rate limits count the client the proxy names, a client cannot pick its
own bucket by sending X-Forwarded-For through the proxy, and the server is public (reads need a token)
although it binds 127.0.0.1."""

from __future__ import annotations

import requests

from .test_serving import Served


def test_rate_limits_count_the_client_the_proxy_names_and_nothing_a_client_sent(tmp_path):
    served = Served(tmp_path, PAPERLENS_TRUSTED_PROXIES="127.0.0.1", PAPERLENS_RATE_LIMIT="5/minute",
                    PAPERLENS_WORKERS="1")
    search = f"{served.base}/api/v1/search"
    try:
        def ask(forwarded: str) -> int:
            return requests.get(search, params={"q": "diffusion"}, headers={"X-Forwarded-For": forwarded},
                                timeout=10).status_code

        # the proxy appends the peer it saw; a client may have sent anything before it
        assert [ask(f"6.6.6.{n}, 203.0.113.7") for n in range(5)] == [401] * 5  # public: reads need a token
        assert ask("203.0.113.7") == 429, "one client, whatever it claimed, shares one budget"
        assert ask("198.51.100.9") == 401, "another client the proxy names has a budget of its own"
        token = (served.data / "token").read_text().strip()
        answer = requests.get(search, params={"q": "diffusion"}, timeout=10,
                              headers={"X-Forwarded-For": "198.51.100.10", "Authorization": f"Bearer {token}"})
        assert answer.status_code == 200 and answer.json()["results"]
    finally:
        served.stop()
