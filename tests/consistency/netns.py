"""A network namespace of the test's own, and the only road between it and the loopback Ceph
cluster, which the nemesis can cut (a network partition) and heal.

The cluster binds 127.0.0.1 of the machine's namespace (deploy/ceph-cluster.sh), and its monitor
map and OSD map name those addresses, so a process in another namespace cannot reach it over a veth
pair without NAT to a loopback address (route_localnet on the machine's side: a change to the
host's network the test should not make). Instead the namespace has only its own loopback, and the
Forwarder carries every connection across: inside, it listens on the cluster's ports (the
monitor's, and Ceph's OSD range 6800-7300, which an OSD restarted by the nemesis may take another
port of) and connects each to the same port on the machine's 127.0.0.1; outside, it listens on the
gateway's HTTP port and connects it to the gateway inside. Everything stays on loopback addresses.

A cut holds every cluster connection where it is, both ways, and accepts no new one, as a
partition that drops packets does: TCP's buffers fill and the senders stall (nobody is told), and
when it heals the bytes held go on, on the same connections, as retransmissions would. The HTTP
road is never cut: clients still reach the gateway, which cannot reach the cluster.

Needs CAP_SYS_ADMIN (root, as in CI): Namespace() raises Unavailable otherwise, and the nemesis
then skips the partition fault with that message.
"""
import ctypes
import errno
import fcntl
import os
import selectors
import socket
import struct
import threading

CLONE_NEWNET = 0x40000000
OSD_PORTS = range(6800, 7301)  # Ceph's ms_bind_port_min..ms_bind_port_max (its defaults)
_libc = ctypes.CDLL(None, use_errno=True)


class Unavailable(Exception):
    """No network namespace could be made here (not root, or a container without CAP_SYS_ADMIN)."""


def _in_thread(fn):
    """fn() run in a thread of its own (a namespace change affects only the calling thread)."""
    out = {}

    def body():
        try:
            out["value"] = fn()
        except BaseException as e:  # handed to the caller
            out["error"] = e

    t = threading.Thread(target=body)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def _check(rc, what):
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, "%s: %s" % (what, os.strerror(e)))


def _loopback_up():
    """`ip link set lo up` without iproute2: the flags of lo with IFF_UP set (SIOCSIFFLAGS)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifr = fcntl.ioctl(s, 0x8913, struct.pack("16sH14x", b"lo", 0))  # SIOCGIFFLAGS
        flags = struct.unpack("16sH14x", ifr)[1]
        fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", flags | 1))  # SIOCSIFFLAGS, IFF_UP


class Namespace:
    """A new network namespace with its loopback up, alive while this object's descriptor is open.
    Processes enter it through `prefix` (nsenter execs the command, so signals reach it)."""

    def __init__(self):
        def make():
            _check(_libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
            fd = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
            _loopback_up()
            return fd
        try:
            self.fd = _in_thread(make)
        except OSError as e:
            raise Unavailable("cannot create a network namespace (%s; needs root or CAP_SYS_ADMIN)" % e) from e
        self.prefix = ["nsenter", "--net=/proc/%d/fd/%d" % (os.getpid(), self.fd), "--"]

    def socket(self, family=socket.AF_INET, type=socket.SOCK_STREAM):
        """A socket of the namespace (it stays in it whatever thread then uses it)."""
        def make():
            _check(_libc.setns(self.fd, CLONE_NEWNET), "setns")
            return socket.socket(family, type)
        return _in_thread(make)

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _listener(sock, port):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(64)
    return sock


class Forwarder:
    """The roads between the namespace and the machine: cluster ports out, an HTTP port in."""

    def __init__(self, ns, cluster_ports):
        self.ns = ns
        self.open = threading.Event()  # set: not partitioned
        self.open.set()
        self.stopping = False
        self._lock = threading.Lock()
        self._conns = set()
        self._listeners, self._roads = [], {}
        self._sel, self._acceptor = selectors.DefaultSelector(), None
        for port in cluster_ports:
            try:
                self._serve(_listener(ns.socket(), port), port, self._to_cluster, cut=True)
            except OSError as e:
                if e.errno != errno.EADDRINUSE:
                    raise

    def http(self, port):
        """Connections to the machine's 127.0.0.1:port go to the namespace's 127.0.0.1:port."""
        self._serve(_listener(socket.socket(), port), port, self._to_namespace, cut=False)

    def cut(self):
        self.open.clear()

    def heal(self):
        self.open.set()

    def close(self):
        self.stopping = True
        self.open.set()
        with self._lock:
            socks = list(self._listeners) + list(self._conns)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def _to_cluster(self, port):
        s = socket.socket()
        s.connect(("127.0.0.1", port))
        return s

    def _to_namespace(self, port):
        s = self.ns.socket()
        s.connect(("127.0.0.1", port))
        return s

    def _serve(self, listener, port, connect, cut):
        with self._lock:
            self._listeners.append(listener)
            self._roads[listener] = (port, connect, cut)
            self._sel.register(listener, selectors.EVENT_READ)
        if self._acceptor is None:  # one thread accepts on every listener (there are ~500)
            self._acceptor = threading.Thread(target=self._accept, daemon=True)
            self._acceptor.start()

    def _accept(self):
        while not self.stopping:
            for key, _ in self._sel.select(timeout=0.5):
                try:
                    a, _ = key.fileobj.accept()
                except OSError:
                    continue
                threading.Thread(target=self._join, args=(a,) + self._roads[key.fileobj], daemon=True).start()

    def _join(self, a, port, connect, cut):
        if cut:  # a partition lets no connection through: it waits, as a SYN retransmitted would
            self.open.wait()
        try:
            b = connect(port)
        except OSError:  # nothing listens there: the caller sees its connection closed
            a.close()
            return
        with self._lock:
            self._conns.update((a, b))
        threading.Thread(target=self._pump, args=(b, a, cut), daemon=True).start()
        self._pump(a, b, cut)

    def _pump(self, src, dst, cut):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if cut:  # held while partitioned, then delivered on the same connection
                    self.open.wait()
                dst.sendall(data)
        except OSError:
            pass
        if cut:  # a close crosses a partition when it heals, as a FIN would
            self.open.wait()
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        with self._lock:
            for s in (src, dst):
                if s in self._conns:
                    self._conns.discard(s)
                    s.close()
