"""nginx + two gunicorn instances under deploy/stack.py's supervisor, on loopback, against a copy of the real
offline build: security headers through the proxy, static files that never reach Python, an instance
SIGKILLed under load without a failed request, and a swapped-in database reaching every instance.

nginx missing -> skip, except under CI=true (.ci/run installs it) where the tests fail.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import pytest
import requests

from bench.callback_cost import body
from bench.proxy_load import loopback_session

ROOT = Path(__file__).resolve().parents[1]
NGINX = os.environ.get("INNENFOR_NGINX", shutil.which("nginx") or "/usr/sbin/nginx")
CB = "/_dash-update-component"


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _state(run: Path) -> dict:
    return json.loads((run / "state.json").read_text())


def _wait(predicate, seconds: float, what: str):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            found = predicate()
            if found:
                return found
        except (OSError, ValueError, requests.RequestException):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} not within {seconds} s")


@pytest.fixture(scope="module")
def stack(built_db):
    if not Path(NGINX).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"no nginx at {NGINX} — CI must have it (.ci/run installs it)")
        pytest.skip(f"no nginx at {NGINX} (apt-get install nginx)")
    # Not under pytest's basetemp: concurrent pytest runs of the same user prune old basetemps, and nginx
    # serves from this folder for the whole module.
    run = Path(tempfile.mkdtemp(prefix="innenfor-stack-"))
    db = run / "data" / "innenfor.duckdb"
    db.parent.mkdir()
    shutil.copy2(built_db, db)
    port, p1, p2 = _free_ports(3)
    log = open(run / "supervisor.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "deploy.stack", "--run-dir", str(run), "--port", str(port),
                             "--app-ports", f"{p1},{p2}", "--workers", "1", "--no-warm", "--db", str(db)],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for p in (p1, p2):
            _wait(lambda p=p: requests.get(f"http://127.0.0.1:{p}/healthz", timeout=2).ok, 60, f"instance :{p}")
        _wait(lambda: requests.get(base + "/healthz", timeout=2).ok, 10, "nginx")
        yield {"base": base, "run": run, "db": db, "proc": proc, "ports": (p1, p2)}
    finally:
        children = [c["pid"] for c in _state(run)["children"]] if (run / "state.json").exists() else []
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=40)
        log.close()
        time.sleep(0.5)
        alive = [pid for pid in children if Path(f"/proc/{pid}").exists()]
        shutil.rmtree(run, ignore_errors=True)
        assert not alive, f"left running after the supervisor stopped: {alive}"


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/(?:_dash-component-suites|assets)/[^"]+)"', html)


SECURITY = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy")


def test_every_response_through_nginx_carries_the_security_headers(stack):
    base = stack["base"]
    index = requests.get(base + "/kommune/0301", timeout=10)
    urls = ["/kommune/0301", "/healthz", "/geo/fylker-2024.geojson", "/_favicon.ico?v=1", *_static_urls(index.text)]
    assert any(u.startswith("/_dash-component-suites/") for u in urls) and any(u.startswith("/assets/") for u in urls)
    for url in urls:
        r = requests.get(base + url, timeout=10)
        assert r.status_code == 200, url
        for name in SECURITY:
            assert name in r.headers, (url, name)
        csp = r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "http" not in csp, (url, csp)
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert "Access-Control-Allow-Origin" not in r.headers, url
    # the page's own inline scripts are allowed by hash, nothing else inline
    hashes = re.findall(r"'sha256-[^']+'", index.headers["Content-Security-Policy"])
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", index.text)
    assert len(hashes) == len(inline) >= 1
    assert "'unsafe-inline'" not in index.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_static_files_are_served_by_nginx_without_touching_python(stack):
    base, run = stack["base"], stack["run"]
    index = requests.get(base + "/", timeout=10).text
    urls = _static_urls(index) + ["/geo/kommuner-2024.geojson", "/geo/fylker-2024.geojson", "/_favicon.ico?v=1"]
    before = _gunicorn_paths(run)
    for url in urls:
        r = requests.get(base + url, headers={"Accept-Encoding": "gzip"}, timeout=10)
        assert r.status_code == 200, url
        if url.startswith("/_dash-component-suites/"):
            assert "immutable" in r.headers["Cache-Control"], url
            # the .gz written at deploy time, sent with its length (on-the-fly gzip would be chunked)
            assert r.headers.get("Content-Encoding") == "gzip" and "Content-Length" in r.headers, url
    time.sleep(0.3)
    reached = [p for p in _gunicorn_paths(run)[len(before):] if p.split("?")[0] in {u.split("?")[0] for u in urls}]
    assert reached == [], f"static requests reached gunicorn: {reached}"


def _gunicorn_paths(run: Path) -> list[str]:
    out = []
    for f in sorted(run.glob("access-app*.log")):
        out += [m.group(1) for m in re.finditer(r'"(?:GET|HEAD|POST) (\S+)', f.read_text())]
    return out


def _callback(knr: str) -> dict:
    return body([("cmp-sett", "options")], [("cmp-kommune", "value", knr)])


def _load(base: str, stop: threading.Event, results: list, client: int, max_requests: int = 400):
    """One simulated client (own loopback address): page loads and callbacks until told to stop."""
    s = loopback_session(client)
    for i in range(max_requests):
        if stop.is_set():
            break
        started = time.time()
        try:
            if i % 3 == 0:
                r = s.get(base + "/healthz", timeout=20)
            else:
                r = s.post(base + CB, json=_callback(["0301", "4601", "5001", "1103"][i % 4]), timeout=20)
            results.append((started, r.status_code, r.json().get("inode") if i % 3 == 0 else None))
        except requests.RequestException as exc:
            results.append((started, repr(exc), None))
        time.sleep(0.02)


def test_an_instance_killed_under_load_loses_no_request_and_comes_back(stack):
    base, run = stack["base"], stack["run"]
    victim = next(c for c in _state(run)["children"] if c["name"] == "app1")
    stop, results = threading.Event(), []
    threads = [threading.Thread(target=_load, args=(base, stop, results, i)) for i in range(6)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    # Frozen for half a second first, so requests are certainly in flight on it (sent, not answered) when
    # the whole instance, master and worker, is SIGKILLed.
    os.killpg(victim["pid"], signal.SIGSTOP)
    time.sleep(0.5)
    os.killpg(victim["pid"], signal.SIGKILL)
    killed_at = time.time()
    time.sleep(2.0)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    failed = [r for r in results if r[1] != 200]
    assert len(results) > 50 and not failed, f"{len(failed)} of {len(results)} failed: {failed[:5]}"
    assert any(t > killed_at for t, *_ in results)
    log = (run / "nginx-access.log").read_text()
    retried = [line for line in log.splitlines() if re.search(r'up="[^"]+, [^"]+"', line)]
    # a callback (POST) that was in flight on the killed instance was answered by the other one
    assert any('"POST /_dash-update-component' in line and 'up_status="502, 200"' in line for line in retried), \
        retried[:5]

    restarted = _wait(lambda: next(c for c in _state(run)["children"]
                                   if c["name"] == "app1" and c["restarts"] >= 1), 10, "restart")
    assert restarted["pid"] != victim["pid"]
    port = stack["ports"][0]
    _wait(lambda: requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok, 60, "the restarted instance")


def test_a_swapped_in_database_reaches_every_instance_without_an_error(stack):
    base, db = stack["base"], stack["db"]
    old = requests.get(base + "/healthz", timeout=10).json()
    new = db.with_name("innenfor.duckdb.new")
    shutil.copy2(db, new)
    con = duckdb.connect(str(new))
    con.execute("INSERT INTO refresh_log SELECT refreshed_at + INTERVAL 1 DAY, 'test-swap', tables, rows, seconds, "
                "summary FROM refresh_log ORDER BY refreshed_at DESC LIMIT 1")
    con.close()

    stop, results = threading.Event(), []
    threads = [threading.Thread(target=_load, args=(base, stop, results, 10 + i)) for i in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    os.replace(new, db)  # what loaders.refresh does with its finished file
    swapped_at = time.time()
    new_inode = os.stat(db).st_ino
    time.sleep(1.5)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    failed = [r for r in results if r[1] != 200]
    assert not failed, failed[:5]
    # a request that started after the swap never reports the old file
    after = [inode for t, _s, inode in results if inode is not None and t > swapped_at]
    assert after and set(after) == {new_inode}, (old["inode"], new_inode, set(after))

    seen = {}
    for _ in range(12):
        h = requests.get(base + "/healthz", timeout=10).json()
        seen[h["instance"]] = h
    assert set(seen) == {"app1", "app2"}
    for h in seen.values():
        assert h["inode"] == new_inode and h["inode"] != old["inode"]
        assert h["refresh"]["mode"] == "test-swap" and h["sha256"] != old["sha256"]


def test_the_callback_endpoint_is_rate_limited_per_client(stack):
    from concurrent.futures import ThreadPoolExecutor

    s = loopback_session(200)  # one client address, several connections at once: a script, not a person
    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(lambda _: s.post(stack["base"] + CB, json=_callback("0301"), timeout=20).status_code,
                              range(150)))
    assert set(codes) == {200, 429} and codes.count(200) >= 60, codes  # the burst passes, then 429
    # another client is not affected
    assert loopback_session(201).post(stack["base"] + CB, json=_callback("0301"), timeout=20).status_code == 200


def test_the_tls_example_is_valid_nginx_and_sends_hsts_everywhere(tmp_path):
    if not Path(NGINX).exists() or not shutil.which("openssl"):
        pytest.skip("nginx or openssl missing")
    from deploy import render_nginx

    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp_path / "k.pem"),
                    "-out", str(tmp_path / "c.pem"), "-days", "1", "-subj", "/CN=localhost"], check=True,
                   capture_output=True)
    (tmp_path / "tmp").mkdir()
    conf = render_nginx.render(tmp_path, tmp_path / "static", "127.0.0.1:8443", ["127.0.0.1:8001"],
                               tls_cert=str(tmp_path / "c.pem"), tls_key=str(tmp_path / "k.pem"))
    (tmp_path / "nginx.conf").write_text(conf)
    check = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                            "-e", str(tmp_path / "err.log")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    # every location that sets its own headers repeats HSTS (nginx does not inherit add_header into them)
    main_server = conf.split("server {")[1]
    blocks_with_headers = main_server.count("add_header X-Content-Type-Options")
    assert blocks_with_headers >= 5 and main_server.count("Strict-Transport-Security") == blocks_with_headers + 1
    assert "return 301 https://" in conf
