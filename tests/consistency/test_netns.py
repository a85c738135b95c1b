"""The partition fault's own machinery (netns.py), without Ceph: a namespace reaches the machine's
loopback only through the forwarder, a cut holds every byte and connection of the cluster's roads
(and none of the HTTP road), and healing delivers what was held on the same connections. The RADOS
consistency run's partition verdicts mean something only if this holds. Run as the ctest
consistency.netns; skipped where no network namespace can be made (not root)."""
import socket
import threading

import pytest

import netns
from client import free_port

try:
    NS = netns.Namespace()
except netns.Unavailable as e:
    NS = None
    pytestmark = pytest.mark.skip(reason=str(e))


def echo_server(sock):
    """Echoes every connection's bytes back, on sock (already bound), until the test ends."""
    sock.listen(8)

    def serve(c):
        with c:
            while True:
                data = c.recv(4096)
                if not data:
                    return
                c.sendall(data)

    def accept():
        while True:
            try:
                c, _ = sock.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(c,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return sock


def outside_server():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    return echo_server(s), s.getsockname()[1]


def inside_client(port):
    c = NS.socket()
    c.settimeout(2)
    c.connect(("127.0.0.1", port))
    return c


def answered(c, data=b"ping", timeout=2.0):
    c.settimeout(timeout)
    try:
        c.sendall(data)
        return c.recv(4096)
    except socket.timeout:
        return None


@pytest.fixture
def cluster_road():
    srv, port = outside_server()
    fwd = netns.Forwarder(NS, [port])
    yield fwd, port
    fwd.close()
    srv.close()


def test_the_namespace_reaches_the_machine_only_through_the_forwarder():
    srv, port = outside_server()
    try:
        with pytest.raises(ConnectionRefusedError):
            inside_client(port)  # its own loopback: nothing listens there
    finally:
        srv.close()


def test_a_cut_holds_the_bytes_and_healing_delivers_them_on_the_same_connection(cluster_road):
    fwd, port = cluster_road
    c = inside_client(port)
    assert answered(c, b"before") == b"before"
    fwd.cut()
    assert answered(c, b"held", timeout=0.5) is None  # nothing comes back, nothing is reset
    fwd.heal()
    c.settimeout(2)
    assert c.recv(4096) == b"held"
    assert answered(c, b"after") == b"after"
    c.close()


def test_a_cut_lets_no_new_connection_through_until_it_heals(cluster_road):
    fwd, port = cluster_road
    fwd.cut()
    c = inside_client(port)  # the namespace's side accepts; nothing goes out
    assert answered(c, b"new", timeout=0.5) is None
    fwd.heal()
    c.settimeout(2)
    assert c.recv(4096) == b"new"
    c.close()


def test_the_http_road_into_the_namespace_stays_open_while_the_cluster_is_cut(cluster_road):
    fwd, _ = cluster_road
    port = free_port()
    inner = NS.socket()
    inner.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    inner.bind(("127.0.0.1", port))
    echo_server(inner)
    fwd.http(port)
    fwd.cut()
    c = socket.create_connection(("127.0.0.1", port), timeout=2)
    assert answered(c, b"request") == b"request"
    c.close()
    inner.close()
