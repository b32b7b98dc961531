#!/usr/bin/env python3
"""A tiny stand-in registry for what Debian's docker-registry can't be made to do:
bearer-token auth with a token server, an insufficient-scope refusal, a schema1 manifest,
a redirected blob, a transfer cut short or stalled, and the v1 search API.

Listens on 127.0.0.1 on a free port and prints the port on its first line of stdout.
Usage: fake_registry.py STATS_FILE (where it keeps `{"tokens": N}`, the token requests served).
"""
import hashlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

REDIRECT_BLOB = b"hello from the storage backend\n"
REDIRECT_DIGEST = "sha256:" + hashlib.sha256(REDIRECT_BLOB).hexdigest()
# Served by the `flaky` and `norange` repositories: cut after half on the first GET; then
# `flaky` answers Range requests with 206 and `norange` ignores them.
FLAKY_BLOB = bytes(range(256)) * 64
USER, PASSWORD = "alice", "secret"
stats = {"tokens": 0}  # counters, mirrored to the file named by argv[1]
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def challenge(self, scope=None, error=None):
        realm = f"http://127.0.0.1:{self.server.server_port}/token"
        value = f'Bearer realm="{realm}",service="fake"'
        if scope:
            value += f',scope="{scope}"'
        if error:
            value += f',error="{error}"'
        body = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}).encode()
        self.reply(401, body, {"WWW-Authenticate": value, "Content-Type": "application/json"})

    def scopes(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer tok:"):
            return None
        return set(auth[len("Bearer tok:"):].split("|"))

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path == "/token":
            return self.token(query)
        if url.path == "/v1/search":
            q = query.get("q", [""])[0]
            body = {"num_results": 1, "query": q, "results": [
                {"name": "fake/" + q, "description": "a fake image", "star_count": 3,
                 "is_official": True, "is_automated": False}]}
            return self.reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})
        if url.path.startswith("/storage/"):
            return self.reply(200, REDIRECT_BLOB, {"Content-Type": "application/octet-stream"})
        if url.path == "/v2/":
            return self.reply(200, b"{}") if self.scopes() is not None else self.challenge()
        parts = url.path[len("/v2/"):].split("/")
        if len(parts) < 3:
            return self.reply(404)
        name, kind, ref = "/".join(parts[:-2]), parts[-2], parts[-1]
        scope = f"repository:{name}:pull"
        granted = self.scopes()
        if granted is None:
            return self.challenge(scope)
        if scope not in granted:
            return self.challenge(scope, "insufficient_scope")
        if name == "old" and kind == "manifests":
            body = json.dumps({"schemaVersion": 1, "name": "old", "tag": ref, "fsLayers": []}).encode()
            return self.reply(200, body, {"Content-Type": "application/vnd.docker.distribution.manifest.v1+prettyjws"})
        if name == "redir" and kind == "blobs":
            return self.reply(307, b"", {"Location": f"/storage/{ref}"})
        if name in ("flaky", "norange") and kind == "blobs":
            return self.flaky(name)
        if name == "stall" and kind == "blobs":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 100)
            self.wfile.flush()
            time.sleep(30)
            return
        if name == "trunc" and kind == "blobs":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 300)
            self.wfile.flush()
            self.close_connection = True
            return
        body = json.dumps({"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown"}]}).encode()
        return self.reply(404, body, {"Content-Type": "application/json"})

    def count(self, key):
        with lock:
            stats[key] = stats.get(key, 0) + 1
            with open(sys.argv[1], "w") as f:
                json.dump(stats, f)
            return stats[key]

    def flaky(self, name):
        if self.count("gets:" + name) == 1:
            self.send_response(200)
            self.send_header("Content-Length", str(len(FLAKY_BLOB)))
            self.end_headers()
            self.wfile.write(FLAKY_BLOB[:len(FLAKY_BLOB) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        wanted = self.headers.get("Range", "")
        if name == "flaky" and wanted.startswith("bytes=") and wanted.endswith("-"):
            start = int(wanted[len("bytes="):-1])
            rng = f"bytes {start}-{len(FLAKY_BLOB) - 1}/{len(FLAKY_BLOB)}"
            return self.reply(206, FLAKY_BLOB[start:], {"Content-Range": rng})
        return self.reply(200, FLAKY_BLOB)

    def token(self, query):
        self.count("tokens")
        auth = self.headers.get("Authorization", "")
        wanted = query.get("scope", [])
        import base64
        user = None
        if auth.startswith("Basic "):
            u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
            if (u, p) != (USER, PASSWORD):
                return self.reply(401, json.dumps({"details": "incorrect username or password"}).encode())
            user = u
        granted = [s for s in wanted if not s.startswith("repository:denied/")
                   and (user or not s.startswith("repository:private/"))]
        return self.reply(200, json.dumps({"token": "tok:" + "|".join(granted), "expires_in": 300}).encode(),
                          {"Content-Type": "application/json"})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
