"""nginx in front of several gunicorn instances, on loopback, under a small supervisor: for the tests, the
bench and a single machine without systemd (production uses deploy/systemd/, see docs/DEPLOY.md).

    python -m deploy.stack --run-dir /tmp/innenfor-stack --port 8080 --instances 2 --workers 2

An *instance* is one gunicorn master with its workers, in its own process group. When the master exits for
any reason (SIGKILL included) the supervisor kills what is left of the group (orphaned workers) and starts
the instance again on the same port; nginx meanwhile sends requests to the others. The supervisor writes
``state.json`` in the run folder (pids, ports, restarts) whenever something changes. SIGTERM/SIGINT stop all.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NGINX = os.environ.get("INNENFOR_NGINX", shutil.which("nginx") or "/usr/sbin/nginx")
RESTART_DELAY_S = 0.5
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_supervisor() -> None:
    """In the child before exec: SIGTERM when the supervisor dies, so no instance outlives it."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict
    log: Path
    port: int
    pid: int = 0
    restarts: int = 0
    started_at: float = 0.0
    proc: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        out = open(self.log, "a")
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True,  # own process group: killed as a whole
                                     preexec_fn=_die_with_supervisor)
        out.close()
        self.pid, self.started_at = self.proc.pid, time.time()

    def kill_group(self, sig=signal.SIGKILL) -> None:
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def gunicorn_child(i: int, port: int, run: Path, db: Path, workers: int, warm: bool) -> Child:
    env = {**os.environ, "INNENFOR_DB": str(db), "HOST": "127.0.0.1", "PORT": str(port),
           "WEB_CONCURRENCY": str(workers), "INNENFOR_INSTANCE": f"app{i}", "INNENFOR_WARM": "1" if warm else "0"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    argv = [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "--access-logfile", str(run / f"access-app{i}.log"),
            "app:server"]
    return Child(f"app{i}", argv, env, run / f"app{i}.log", port)


def prepare(run: Path, port: int, ports: list[int], callback_rate: int) -> Path:
    """Static folder and nginx.conf in ``run``; returns the config's path."""
    sys.path.insert(0, str(ROOT))
    from deploy import collect_static, render_nginx

    (run / "tmp").mkdir(parents=True, exist_ok=True)
    # nginx started as root serves with unprivileged workers (Debian: www-data / nobody): they must be able
    # to reach the static folder; everything under it is public anyway.
    run.chmod(run.stat().st_mode | 0o755)
    blocked = [str(p) for p in run.parents if not p.stat().st_mode & 0o001]
    if blocked and os.geteuid() == 0:
        raise SystemExit(f"nginx's workers could not reach {run}/static: no search permission for others on "
                         f"{blocked} (chmod o+x, or use a run folder elsewhere)")
    counts = collect_static.collect(run / "static")
    conf = run / "nginx.conf"
    conf.write_text(render_nginx.render(run, run / "static", f"127.0.0.1:{port}",
                                        [f"127.0.0.1:{p}" for p in ports], callback_rate=callback_rate))
    check = subprocess.run([NGINX, "-t", "-p", str(run), "-c", str(conf), "-e", str(run / "nginx-error.log")],
                           capture_output=True, text=True)
    if check.returncode:
        raise SystemExit("nginx -t failed:\n" + check.stderr)
    print(f"static files: {counts}", flush=True)
    return conf


def write_state(run: Path, children: list[Child], nginx_port: int) -> None:
    state = {"nginx_port": nginx_port, "supervisor_pid": os.getpid(),
             "children": [{"name": c.name, "port": c.port, "pid": c.pid, "restarts": c.restarts,
                           "started_at": c.started_at} for c in children]}
    tmp = run / "state.json.tmp"
    tmp.write_text(json.dumps(state, indent=1))
    os.replace(tmp, run / "state.json")


def supervise(children: list[Child], run: Path, nginx_port: int) -> None:
    stopping = False

    def stop(_sig, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        for c in children:
            c.start()
        write_state(run, children, nginx_port)
        while not stopping:
            time.sleep(0.1)
            for c in children:
                code = c.proc.poll()
                if code is None or stopping:
                    continue
                c.kill_group()  # workers whose master died
                print(f"{c.name} (pid {c.pid}) exited with {code}; restarting", flush=True)
                time.sleep(RESTART_DELAY_S)
                c.restarts += 1
                c.start()
                write_state(run, children, nginx_port)
    finally:
        for c in children:
            if c.pid:
                c.kill_group(signal.SIGTERM)
        deadline = time.time() + 20
        for c in children:
            if c.proc is None:
                continue
            try:
                c.proc.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                pass
            c.kill_group(signal.SIGKILL)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run-dir", type=Path, required=True)
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--app-ports", default="", help="comma-separated; default: port+1, port+2, ...")
    ap.add_argument("--instances", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--db", type=Path, default=Path(os.environ.get("INNENFOR_DB", ROOT / "data" / "innenfor.duckdb")))
    ap.add_argument("--no-warm", action="store_true", help="skip the start-up rendering (tests)")
    ap.add_argument("--callback-rate", type=int, default=20, help="callbacks per second per client address")
    args = ap.parse_args(argv)
    run = args.run_dir.resolve()
    run.mkdir(parents=True, exist_ok=True)
    ports = ([int(p) for p in args.app_ports.split(",")] if args.app_ports
             else [args.port + 1 + i for i in range(args.instances)])
    conf = prepare(run, args.port, ports, args.callback_rate)
    children = [gunicorn_child(i + 1, p, run, args.db.resolve(), args.workers, not args.no_warm)
                for i, p in enumerate(ports)]
    children.append(Child("nginx", [NGINX, "-p", str(run), "-c", str(conf), "-e", str(run / "nginx-error.log")],
                          dict(os.environ), run / "nginx.log", args.port))
    print(f"nginx on http://127.0.0.1:{args.port} -> instances on {ports}", flush=True)
    supervise(children, run, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
