#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (corpus/<target>/) from the recorded real-server
exchanges in tests/fixtures and tests/kube/fixtures, the CRD samples, and the hand-written
seeds in seeds.txt. Run it again after adding fixtures; the output is committed so that the
replay tests need nothing but the source tree. Seeds are named by the SHA-1 of their bytes,
as libFuzzer names corpus files, so re-running never duplicates one.

The byte prefixes below select what a target does with the body (see each *_fuzzer.cpp);
the status tables must stay in step with the targets' kStatuses."""
import glob
import hashlib
import json
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

VAULT_STATUSES = [200, 204, 400, 403, 404, 405, 409, 412, 429, 472, 473, 500, 501, 502, 503,
                  504, 307, 418]
KUBE_STATUSES = [200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 410, 415, 422, 429, 500, 502,
                 503, 504, 302, 999]

seeds = {}  # target -> set of bytes


def add(target, data):
    if isinstance(data, str):
        data = data.encode()
    seeds.setdefault(target, set()).add(data)


def parse_http(path):
    """(method, target, request body, status, response headers, response body)."""
    raw = open(path, "rb").read()
    m = re.search(rb"(?m)^HTTP/1\.[01] (\d{3})[^\n]*\n", raw)
    if m is None:
        return None
    request, response = raw[: m.start()], raw[m.start():]
    req_line, _, req_rest = request.partition(b"\n")
    parts = req_line.split(b" ")
    method, target = parts[0].decode(), parts[1].decode()
    _, _, req_body = req_rest.partition(b"\n\n")
    status = int(m.group(1))
    head, _, body = response.partition(b"\n\n")
    headers = {}
    for line in head.split(b"\n")[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower().decode()] = v.strip().decode(errors="replace")
    return method, target, req_body.strip(), status, headers, body


def status_byte(status, table):
    if status in table:
        return table.index(status)
    return table.index(500 if status >= 500 else 400 if status >= 400 else 200)


def vault_op(method, target, status, body):
    path = target.split("?")[0]
    if path.startswith("/v1/sys/internal/ui/mounts"):
        return 7
    if path.startswith("/v1/sys/health"):
        return 8
    if path.startswith("/v1/sys/seal-status"):
        return 9
    if path.startswith("/v1/auth/token/lookup-self"):
        return 10
    if path.startswith("/v1/auth/token/renew-self"):
        return 11
    if re.match(r"/v1/auth/[^/]*kubernetes[^/]*/login", path):
        return 12
    if re.match(r"/v1/auth/[^/]*approle[^/]*/login", path):
        return 13
    if path.startswith("/v1/sys/policies/acl"):
        return 14 if method == "LIST" or path.endswith("/acl") else 15
    if "/data/" in path:
        return 4 if method in ("POST", "PUT") else (1 if "version=" in target else 0)
    if "/metadata/" in path or path.endswith("/metadata"):
        return 3 if method == "LIST" or "list=true" in target else 2
    if path.startswith("/v1/kv") or path.startswith("/v1/secret1") or "kv1" in path:
        return 6 if method == "LIST" else 5
    if status >= 400:
        return 16
    if b'"auth"' in body:
        return 17
    return None


def kube_op(method, target):
    path = target.split("?")[0]
    if "watch=true" in target:
        return 8
    if method == "GET":
        # A collection path ends with the plural (even number of segments after the group).
        return 1 if re.search(r"/(secrets|configmaps|leases|events|vault[a-z]+|deployments|"
                              r"namespaces|serviceaccounts|customresourcedefinitions)$",
                              path) else 0
    if method == "POST":
        return 7 if path.endswith("/token") else 2
    if method == "PUT":
        return 4 if path.endswith("/status") else 3
    if method == "PATCH":
        return 5
    if method == "DELETE":
        return 6
    return None


TIME_RE = re.compile(rb'"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))"')
B64_RE = re.compile(rb'"data":\{([^{}]*)\}')


def from_vault(path):
    ex = parse_http(path)
    if ex is None:
        return
    method, target, req_body, status, headers, body = ex
    for t in TIME_RE.findall(body):
        add("rfc3339", t)
    if body.strip().startswith(b"{"):
        add("kv_value", body)
        try:
            doc = json.loads(body)
            data = doc.get("data") if isinstance(doc, dict) else None
            if isinstance(data, dict):
                inner = data.get("data") if isinstance(data.get("data"), dict) else data
                add("kv_value", json.dumps(inner, separators=(",", ":")))
                ttl = inner.get("ttl")
                if isinstance(ttl, str):
                    add("duration", ttl)
        except ValueError:
            pass
    op = vault_op(method, target, status, body)
    if op is not None:
        retry = 1 if "retry-after" in headers else 0
        add("vault_responses", bytes([op, status_byte(status, VAULT_STATUSES), retry]) + body)


def from_kube(path):
    ex = parse_http(path)
    if ex is None:
        return
    method, target, req_body, status, headers, body = ex
    for t in TIME_RE.findall(body):
        add("rfc3339", t)
    for blob in (body, req_body):
        for m in B64_RE.finditer(blob):
            for v in re.findall(rb':"([A-Za-z0-9+/=]*)"', m.group(1)):
                add("base64", v)
    op = kube_op(method, target)
    if op is not None:
        retry = 1 if "retry-after" in headers else 0
        add("kube_rest", bytes([op, status_byte(status, KUBE_STATUSES), retry, 7]) + body)
    if "watch=true" in target and status == 200:
        add("kube_watch", bytes([0]) + body)
        add("kube_watch", bytes([5]) + body)
    for text in (body, req_body):
        try:
            doc = json.loads(text)
        except ValueError:
            continue
        docs = [doc]
        if isinstance(doc, dict) and isinstance(doc.get("items"), list):
            docs += doc["items"]
        for d in docs:
            if not isinstance(d, dict):
                continue
            compact = json.dumps(d, separators=(",", ":"))
            add("kube_object", compact)
            api = d.get("apiVersion", "")
            kind = d.get("kind", "")
            if api.startswith("vaultsync.io/"):
                sel = {"VaultStaticSecret": 0, "VaultAuth": 1, "VaultConnection": 2}.get(kind)
                if sel is not None:
                    add("resources", bytes([sel]) + compact.encode())


def from_samples():
    for path in sorted(glob.glob(os.path.join(ROOT, "crds", "samples", "*.yaml"))):
        for d in yaml.safe_load_all(open(path)):
            if not isinstance(d, dict):
                continue
            sel = {"VaultStaticSecret": 0, "VaultAuth": 1, "VaultConnection": 2}.get(d.get("kind"))
            if sel is None:
                continue
            compact = json.dumps(d, separators=(",", ":"))
            add("resources", bytes([sel]) + compact.encode() + b"\0password\nusername\nport")
            spec = d.get("spec", {})
            for key in ("refreshAfter", "timeout"):
                if isinstance(spec.get(key), str):
                    add("duration", spec[key])
            tr = spec.get("destination", {}).get("transformation", {})
            for t in tr.get("templates", {}).values():
                if isinstance(t, dict) and isinstance(t.get("text"), str):
                    add("template", t["text"].encode() + b"\0password\nusername")


def unescape(raw):
    def one(m):
        e = m.group(1)
        if e == b"n":
            return b"\n"
        if e == b"0":
            return b"\0"
        if e == b"\\":
            return b"\\"
        return bytes([int(e[1:], 16)])
    return re.sub(rb"\\(n|0|x[0-9a-fA-F]{2}|\\)", one, raw)


def from_hand_written():
    """seeds.txt: blocks '== <target>' followed by the seed's text up to the next block;
    the escapes \\n, \\0, \\xHH and \\\\ are decoded (others, like JSON's \\u2028, are kept)."""
    target = None
    lines = []

    def flush():
        if target is not None:
            text = "\n".join(lines)
            add(target, unescape(text.encode()))

    for line in open(os.path.join(HERE, "seeds.txt"), encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("== "):
            flush()
            target, lines = line[3:].strip(), []
        elif line.startswith("#") and target is None:
            continue
        elif target is not None:
            lines.append(line)
    flush()


def main():
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "vault-1.8", "**",
                                              "*.http"), recursive=True)):
        from_vault(path)
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "kube-apiserver-1.26",
                                              "**", "*.http"), recursive=True)) + \
            sorted(glob.glob(os.path.join(ROOT, "tests", "kube", "fixtures", "*.http"))):
        from_kube(path)
    from_samples()
    from_hand_written()
    total = 0
    for target, items in sorted(seeds.items()):
        out = os.path.join(HERE, "corpus", target)
        os.makedirs(out, exist_ok=True)
        for data in items:
            name = hashlib.sha1(data).hexdigest()
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)
        total += len(items)
        print(f"{target}: {len(items)} seeds")
    print(f"{total} seeds in {os.path.join(HERE, 'corpus')}")


if __name__ == "__main__":
    sys.exit(main())
