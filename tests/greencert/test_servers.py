"""Ports stay what clients were told: a restart reuses them through TIME_WAIT; a port really held is reported."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from greencert.cli import main
from greencert.demo import start_demo
from greencert.servers import PortInUse, bind, free_port

TIME_WAIT = "06"  # the state column of /proc/net/tcp


def _time_wait_on(port: int) -> int:
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for line in lines
               if int(line.split()[1].rsplit(":", 1)[1], 16) == port and line.split()[3] == TIME_WAIT)


def test_a_restarted_demo_keeps_its_ports_although_old_connections_linger(tmp_path: Path) -> None:
    port, node_port = free_port(), free_port()
    demo = start_demo(tmp_path, port=port, node_port=node_port, days=1, progress=lambda _: None)
    try:
        for url, server_port in ((f"{demo.url}/api/v1/certificate-types", port),
                                 (f"{demo.node_url}/v1/status", node_port)):
            # With "Connection: close" the server usually closes first, and its side of the connection waits in
            # TIME_WAIT; the client sometimes wins that race, so connect until the server's side lingers.
            for _ in range(50):
                assert httpx.get(url, headers={"Connection": "close"}).status_code == 200
                if _time_wait_on(server_port) >= 3:
                    break
    finally:
        demo.stop()
    assert _time_wait_on(port) > 0 and _time_wait_on(node_port) > 0  # the situation after a crash
    again = start_demo(tmp_path, port=port, node_port=node_port, days=1, progress=lambda _: None)
    try:
        assert (again.url, again.node_url) == (f"http://127.0.0.1:{port}", f"http://127.0.0.1:{node_port}")
        assert httpx.get(f"{again.node_url}/v1/status").status_code == 200
    finally:
        again.stop()


def test_a_port_held_by_another_program_is_reported_not_swapped(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        taken = other.getsockname()[1]
        with pytest.raises(PortInUse, match=f"port {taken} on 127.0.0.1 is already in use by another program"):
            bind("127.0.0.1", taken)
        with pytest.raises(PortInUse):
            start_demo(tmp_path / "demo", port=free_port(), node_port=taken, days=1, progress=lambda _: None)
        assert not (tmp_path / "demo").exists()  # refused before anything was opened or written


def test_the_demo_command_says_which_port_is_taken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        taken = other.getsockname()[1]
        code = main(["demo", "--headless", "--data-dir", str(tmp_path), "--port", str(taken),
                     "--node-port", str(free_port())])
    assert code == 2
    err = capsys.readouterr().err
    assert f"port {taken} on 127.0.0.1 is already in use by another program" in err
    assert f"--port {taken}" in err


def test_port_zero_takes_any_free_port() -> None:
    sock = bind("127.0.0.1", 0)
    try:
        assert sock.getsockname()[1] > 0
    finally:
        sock.close()


def test_the_listening_socket_says_tcp_so_answers_are_not_held_back_by_nagle() -> None:
    # asyncio turns on TCP_NODELAY for accepted connections only when the socket's proto is IPPROTO_TCP; with
    # proto 0 every answer on a kept-alive connection waited ~40 ms for the client's delayed ACK.
    sock = bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
