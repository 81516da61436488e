"""`tokbudget serve`: starts, answers, stops on Ctrl-C; warns off loopback; clear bind errors."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import threading
import urllib.request

import pytest

from tokbudget.cli import main
from tokbudget.web import LocalServer

from .web_support import Client, serve_process


def test_serve_runs_and_stops_on_ctrl_c() -> None:
    with serve_process() as (proc, url):
        # No proxy from the environment: the server is on this machine.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url + "api/models", timeout=10) as resp:
            assert json.load(resp)["default"] == "gpt-4o"
        with opener.open(url, timeout=10) as resp:
            assert b"<title>tokbudget</title>" in resp.read()
        proc.send_signal(signal.SIGINT)
        assert proc.stderr is not None
        try:
            assert proc.wait(30) == 0  # generous: a loaded CI machine is slow
        except subprocess.TimeoutExpired:  # a hang: show where every thread of it was
            proc.send_signal(signal.SIGABRT)  # faulthandler (on in serve_process) dumps
            pytest.fail(f"serve ignored Ctrl-C:\n{proc.stderr.read()}")
        rest = proc.stderr.read()
        assert "stopped" in rest and "Traceback" not in rest


def test_other_host_warns_with_the_bound_port(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # --port 0: the warning names the port the server got, not "port 0".
    bound: list[int] = []

    def stop_at_once(self: LocalServer, poll_interval: float = 0.5) -> None:
        bound.append(int(self.server_address[1]))
        raise KeyboardInterrupt

    monkeypatch.setattr(LocalServer, "serve_forever", stop_at_once)
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 0
    err = capsys.readouterr().err
    assert "warning: listening on 0.0.0.0" in err and "--host 127.0.0.1" in err
    assert f"on port {bound[0]} can use" in err and "port 0 " not in err


def test_other_host_that_cannot_be_bound(capsys: pytest.CaptureFixture[str]) -> None:
    # 192.0.2.1 (TEST-NET-1) is never a local address: a usage error, not a traceback.
    code = main(["serve", "--host", "192.0.2.1", "--port", "0"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot listen on 192.0.2.1:0" in err and "Traceback" not in err


def test_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 2 and f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err
    assert "warning" not in err  # loopback: nothing to warn about


def _serve_and_ask(monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[object]]:
    """`tokbudget serve --port 0` through main(): what its /api/models and a model-less
    /api/tokenize answer, then Ctrl-C."""
    answers: list[object] = []
    serve = LocalServer.serve_forever

    def ask_then_stop(self: LocalServer, poll_interval: float = 0.5) -> None:
        thread = threading.Thread(target=serve, args=(self, 0.05), daemon=True)
        thread.start()
        client = Client(self)
        try:
            answers.append(client.get("/api/models").json()["default"])
            answers.append(client.post("/api/tokenize", {"text": "hello world"}).json()["model"])
        finally:
            client.close()
            self.shutdown()
            thread.join(5)
        raise KeyboardInterrupt

    monkeypatch.setattr(LocalServer, "serve_forever", ask_then_stop)
    return main(["serve", "--port", "0"]), answers


@pytest.mark.parametrize(
    ("env", "default"), [(None, "gpt-4o"), ("gpt-4", "gpt-4"), ("gpt-5", "gpt-5")]
)
def test_serve_follows_tokbudget_model(
    env: str | None, default: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 15: TOKBUDGET_MODEL sets the default of every command, serve's page and API too.
    if env is None:
        monkeypatch.delenv("TOKBUDGET_MODEL", raising=False)
    else:
        monkeypatch.setenv("TOKBUDGET_MODEL", env)
    assert _serve_and_ask(monkeypatch) == (0, [default, default])


def test_serve_with_a_bad_tokbudget_model_exits_2_before_listening(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKBUDGET_MODEL", "gpt-4oo")
    code, answers = _serve_and_ask(monkeypatch)
    err = capsys.readouterr().err
    assert (code, answers) == (2, [])  # never served
    assert err.startswith("Error: TOKBUDGET_MODEL='gpt-4oo' names no known model")
    assert len(err.splitlines()) == 1 and "serving on" not in err and "Traceback" not in err


def test_serve_help_names_tokbudget_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    assert "TOKBUDGET_MODEL" in capsys.readouterr().out
