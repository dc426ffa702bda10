"""`paperlens serve` keeps what it runs alive and stops all of it (issue 18, findings 1, 2 and 14):
a worker that cannot boot while Redis is stalled no longer shuts the embedded Redis down; a killed
embedded Redis, syncer or summariser is started again by the master; SIGTERM ends every process
quickly; a taken port or an unusable data folder is one line and exit 1; the URLs the commands print
are the ones being served. Each test runs the real server in a private data folder."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import redis
import requests

from bench.redis_server import free_port
from .test_serving import Served

DEADLINE = 90  # seconds: generous, for a 2-core machine whose cores are both busy


def wait_for(condition, what: str, timeout: float = DEADLINE, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(every)


def redis_pid(server: Served) -> int:
    client = redis.Redis(unix_socket_path=str(server.data / "redis.sock"), socket_timeout=5)
    return int(client.info("server")["process_id"])


def log_text(server: Served) -> str:
    return server.log_path.read_text(errors="replace")


def catches(pid: int, signum: int) -> bool:
    """Whether the process has a handler of its own for `signum` (SigCgt in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    return False


def background_pid(server: Served, name: str) -> int:
    pattern = {"syncer": r"syncer pid (\d+)", "summariser": r"summarised in the background \(pid (\d+)"}[name]
    return int(re.search(pattern, log_text(server)).group(1))


def workers(server: Served) -> list[psutil.Process]:
    master = psutil.Process(server.proc.pid)
    return [child for child in master.children() if "paperlens.sync" not in " ".join(child.cmdline())
            and "summaries_ahead" not in " ".join(child.cmdline()) and "redis-server" not in child.name()]


def save(server: Served, paper_id: str, tag: str) -> int:
    token = (server.data / "token").read_text().strip()
    try:
        return requests.put(f"{server.base}/api/v1/library/{paper_id}", json={"tags": [tag]},
                            headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code
    except requests.RequestException:
        return 0


def tags_of(server: Served, paper_id: str) -> list[str] | None:
    token = (server.data / "token").read_text().strip()
    r = requests.get(f"{server.base}/api/v1/library", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return next((item["tags"] for item in r.json()["items"] if item["paper"]["id"] == paper_id), None)


def some_papers(server: Served, n: int) -> list[str]:
    answer = requests.get(f"{server.base}/api/v1/search", params={"q": "model", "k": n}, timeout=10).json()
    return [result["id"] for result in answer["results"]]


def healthy(server: Served) -> bool:
    try:
        return requests.get(f"{server.base}/api/v1/health", timeout=5).json().get("status") == "ok"
    except (requests.RequestException, ValueError):
        return False


@pytest.fixture
def server(tmp_path):
    served = Served(tmp_path, PAPERLENS_WORKERS="2", PAPERLENS_REDIS_TIMEOUT="1.5",
                    PAPERLENS_RATE_LIMIT="100000/minute", PAPERLENS_SUMMARY_CPU="0.1")
    yield served
    served.stop()


def test_a_worker_that_cannot_boot_while_redis_is_stalled_leaves_redis_running(server):
    """Finding 1: the replacement of a killed worker failed to boot on the stalled Redis, and its
    exit ran serve's cleanup, which shut the embedded Redis down; every save was 503 afterwards."""
    first, second = some_papers(server, 2)
    assert save(server, first, "before") in (200, 201)
    pid = redis_pid(server)
    victim = workers(server)[0]
    os.kill(pid, signal.SIGSTOP)
    try:
        victim.kill()
        # its replacement cannot reach Redis within PAPERLENS_REDIS_TIMEOUT: the master says so and waits
        wait_for(lambda: "a worker could not start" in log_text(server), "a boot failure to be logged")
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_for(lambda: len(workers(server)) == 2 and healthy(server), "two workers and a healthy server")
    wait_for(lambda: save(server, second, "after") in (200, 201), "a save to work again")
    assert psutil.pid_exists(pid) and redis_pid(server) == pid, "the embedded Redis was stopped or replaced"
    assert tags_of(server, first) == ["before"] and tags_of(server, second) == ["after"]
    assert "embedded Redis stopped" not in log_text(server), "a worker ran serve's cleanup"


def test_a_killed_embedded_redis_is_started_again_with_its_data(server):
    """Finding 2: after `kill -9` of the redis-server (as the OOM killer would), the server stayed
    degraded and every save was 503 until someone restarted it."""
    first, second = some_papers(server, 2)
    assert save(server, first, "kept") in (200, 201)
    pid = redis_pid(server)
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    wait_for(lambda: "the embedded Redis runs again" in log_text(server), "the master to start Redis again")
    wait_for(lambda: healthy(server) and save(server, second, "new") in (200, 201), "health ok and a save")
    took = time.monotonic() - killed
    assert redis_pid(server) != pid
    assert tags_of(server, first) == ["kept"], "the AOF did not bring the earlier save back"
    assert tags_of(server, second) == ["new"]
    restarted = re.search(r"the embedded Redis runs again \(pid \d+\), after ([\d.]+) s", log_text(server))
    print(f"Redis started again {float(restarted.group(1)):.2f} s after its exit was seen; health ok and a save "
          f"{took:.2f} s after the kill")


@pytest.mark.parametrize("name", ["syncer", "summariser"])
def test_a_killed_background_process_is_started_again(server, name):
    pid = background_pid(server, name)
    os.kill(pid, signal.SIGKILL)
    line = wait_for(lambda: re.search(rf"the {name} runs again \(pid (\d+)\)", log_text(server)),
                    f"the {name} to run again")
    again = int(line.group(1))
    assert again != pid and psutil.Process(again).is_running()
    assert "paperlens" in " ".join(psutil.Process(again).cmdline())


def test_sigterm_stops_every_process_quickly_and_leaves_none(tmp_path):
    """Finding 14: stopping took 6-27 s (the syncer and summariser waited on in turn) and could
    leave processes behind."""
    served = Served(tmp_path, PAPERLENS_WORKERS="2", PAPERLENS_SUMMARY_CPU="0.1")
    wait_for(lambda: log_text(served).count("Application startup complete") == 2, "both workers")
    master = psutil.Process(served.proc.pid)
    family = [master] + master.children(recursive=True)
    assert len(family) >= 5, [p.cmdline() for p in family]  # 2 workers, Redis, syncer, summariser
    assert (served.data / "serve.json").exists()
    started = time.monotonic()
    served.proc.send_signal(signal.SIGTERM)
    served.proc.wait(timeout=60)
    took = time.monotonic() - started
    gone, alive = psutil.wait_procs(family, timeout=10)
    served.log.close()
    assert not alive, [p.cmdline() for p in alive]
    assert served.proc.returncode == 0
    assert not (served.data / "serve.json").exists()
    print(f"SIGTERM to exit: {took:.2f} s")
    assert took < 10, f"stopping took {took:.1f} s"  # 5 s on a quiet machine; margin for busy cores


def test_ctrl_c_stops_everything_and_a_second_one_forces(tmp_path):
    """Ctrl-C reaches the whole process group; a background process that cannot stop (here
    SIGSTOPped) is killed at a second Ctrl-C instead of being waited for."""
    served = Served(tmp_path, PAPERLENS_WORKERS="1", PAPERLENS_SUMMARY_CPU="0")
    master = psutil.Process(served.proc.pid)
    family = [master] + master.children(recursive=True)
    syncer = background_pid(served, "syncer")
    # Stopped while still importing (a busy machine), the syncer would have no SIGTERM handler yet,
    # and a fatal signal kills even a stopped process: wait until it handles SIGTERM itself.
    wait_for(lambda: catches(syncer, signal.SIGTERM), "the syncer to handle SIGTERM")
    os.kill(syncer, signal.SIGSTOP)
    os.killpg(served.proc.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
    wait_for(lambda: "Shutting down: Master" in log_text(served), "the workers to stop")
    served.proc.send_signal(signal.SIGINT)
    served.proc.wait(timeout=60)
    served.log.close()
    gone, alive = psutil.wait_procs(family, timeout=10)
    assert not alive, [p.cmdline() for p in alive]
    assert re.search(r"the syncer \(pid \d+\) (was still running at the second Ctrl-C|did not stop within)", log_text(served))
    assert "Traceback" not in log_text(served)


def run_cli(args: list[str], env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paperlens.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_a_taken_port_is_one_line_and_exit_1_before_anything_starts(server, tmp_path):
    data = tmp_path / "other"
    env = {**os.environ, "PAPERLENS_DATA_DIR": str(data), "HOME": str(server.home)}
    env.pop("PAPERLENS_REDIS_URL", None)
    done = run_cli(["serve", "--port", str(server.port)], env)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [f"port {server.port} is in use — another Paperlens? set --port"]
    assert not (data / "redis.sock").exists()


def test_an_unusable_data_folder_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = {**os.environ, "PAPERLENS_DATA_DIR": str(blocker / "data"), "HOME": str(tmp_path)}
    env.pop("PAPERLENS_REDIS_URL", None)
    done = run_cli(["serve", "--port", str(free_port())], env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give a folder to another user")
def test_a_socket_folder_owned_by_another_user_is_one_line(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    nobody = 65534
    os.chown(data, nobody, nobody)
    env = {**os.environ, "PAPERLENS_DATA_DIR": str(data), "HOME": str(tmp_path)}
    env.pop("PAPERLENS_REDIS_URL", None)
    done = run_cli(["serve", "--port", str(free_port())], env)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr and len(lines) == 1 and "owned by this user" in lines[0], done.stderr


def test_the_commands_print_the_url_being_served(server):
    """Issue 19 point 2: with `serve --port N`, `paperlens connect` and `token create --feed` printed
    the default port 8420."""
    env = {**os.environ, "PAPERLENS_DATA_DIR": str(server.data), "HOME": str(server.home)}
    for name in ("PAPERLENS_PORT", "PAPERLENS_HOST", "PAPERLENS_REDIS_URL"):
        env.pop(name, None)
    base = f"http://127.0.0.1:{server.port}"
    connect = run_cli(["connect"], env)
    assert connect.returncode == 0, connect.stderr
    assert f"{base}/connect#code=" in connect.stdout
    feed = run_cli(["token", "create", "reader", "--feed"], env)
    assert feed.returncode == 0, feed.stderr
    url = feed.stdout.strip()
    assert url.startswith(f"{base}/api/v1/digest/plf_")
    assert requests.get(url, timeout=10).status_code == 200
