"""A small OpenTelemetry collector stand-in for the tests: an HTTP server that takes OTLP/HTTP JSON
posts (POST /v1/traces) and keeps the spans, answering a chosen status (or stalling) so the
exporter's retries and drops can be seen."""
import http.server
import json
import socket
import threading
import time


class Collector:
    def __init__(self, status=200, delay=0.0, keep=True):
        self.status = status  # what each post is answered
        self.delay = delay    # seconds a post waits before its answer
        self.keep = keep      # False: posts are read and answered, not parsed or kept (bench/)
        self.received = 0     # posts answered
        self.posts = []       # (path, content type, parsed body)
        self.lock = threading.Lock()
        collector = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                time.sleep(collector.delay)
                with collector.lock:
                    collector.received += 1
                    if collector.keep:
                        collector.posts.append((self.path, self.headers.get("Content-Type"), json.loads(body)))
                self.send_response(collector.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True  # a post kept waiting (delay) does not hold close()
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def spans(self):
        """Every span received so far, in the order posted."""
        out = []
        with self.lock:
            for _, _, body in self.posts:
                for rs in body["resourceSpans"]:
                    for ss in rs["scopeSpans"]:
                        out.extend(ss["spans"])
        return out

    def wait_spans(self, pred, want=1, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            found = [s for s in self.spans() if pred(s)]
            if len(found) >= want or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def unused_port():
    """A port nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def attrs(span):
    """A span's attributes as {key: python value} (arrays as lists, intValue as int)."""
    def value(v):
        if "stringValue" in v:
            return v["stringValue"]
        if "intValue" in v:
            return int(v["intValue"])
        if "arrayValue" in v:
            return [value(x) for x in v["arrayValue"].get("values", [])]
        return v
    return {a["key"]: value(a["value"]) for a in span.get("attributes", [])}
