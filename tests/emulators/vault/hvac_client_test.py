#!/usr/bin/env python3
"""A real Vault client (python3-hvac, Debian's package) against the vault-emulator binary.

The emulator must be indistinguishable from Vault 1.8 for the calls a client makes; hvac
parses the answers with its own expectations, so a shape it does not accept fails here.
Covers token auth with the root token, KV v2 create/read/list/delete, sys/health,
lookup-accessor (the token id is never revealed) and response wrapping (single use).

Usage: hvac_client_test.py PATH_TO_VAULT_EMULATOR
Prints "N passed, 0 failed" and exits 0 when every check passes.
"""
import select
import subprocess
import sys
import time

try:
    import hvac
    import hvac.exceptions
except ImportError:
    print("python3-hvac is not installed (scripts/install-deps.sh installs it)", file=sys.stderr)
    sys.exit(1)

ROOT = "hvac-root-token"
checks = []


def check(name, condition, detail=""):
    checks.append((name, bool(condition)))
    if not condition:
        print(f"FAIL {name}: {detail}", file=sys.stderr)


def start(binary):
    proc = subprocess.Popen(
        [binary, "--listen", "127.0.0.1:0", "--dev-root-token", ROOT],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], deadline - time.monotonic())
        if not ready:
            break
        line = proc.stdout.readline()
        if line.startswith("listening on "):
            return proc, line.split()[-1]
        if not line:
            break
    proc.kill()
    proc.wait(timeout=10)
    raise RuntimeError("vault-emulator did not print its listening line: " + proc.stderr.read())


def expect_raises(name, exc_type, fn):
    try:
        fn()
    except exc_type:
        check(name, True)
        return
    except Exception as e:  # noqa: BLE001 - the wrong exception is a failed check
        check(name, False, f"raised {type(e).__name__}: {e}")
        return
    check(name, False, "did not raise")


def run(url):
    client = hvac.Client(url=url, token=ROOT)
    check("root token is authenticated", client.is_authenticated())

    kv = client.secrets.kv.v2
    written = kv.create_or_update_secret(path="app/db", secret={"user": "app", "password": "p1"})
    check("kv2 create returns version 1", written["data"]["version"] == 1, written)
    kv.create_or_update_secret(path="app/db", secret={"user": "app", "password": "p2"}, cas=1)
    kv.create_or_update_secret(path="app/web", secret={"k": "v"})
    read = kv.read_secret_version(path="app/db")
    check("kv2 read latest", read["data"]["data"] == {"user": "app", "password": "p2"}, read)
    check("kv2 metadata version", read["data"]["metadata"]["version"] == 2, read)
    first = kv.read_secret_version(path="app/db", version=1)
    check("kv2 read version 1", first["data"]["data"]["password"] == "p1", first)
    expect_raises("kv2 stale cas is refused", hvac.exceptions.InvalidRequest,
                  lambda: kv.create_or_update_secret(path="app/db", secret={"x": "y"}, cas=1))
    listed = kv.list_secrets(path="app")
    check("kv2 list", listed["data"]["keys"] == ["db", "web"], listed)
    kv.delete_metadata_and_all_versions(path="app/db")
    expect_raises("kv2 read after delete is InvalidPath", hvac.exceptions.InvalidPath,
                  lambda: kv.read_secret_version(path="app/db"))

    health = client.sys.read_health_status(method="GET")
    check("sys/health initialized and unsealed",
          health["initialized"] is True and health["sealed"] is False, health)

    child = client.auth.token.create(policies=["default"], ttl="1h")
    accessor = child["auth"]["accessor"]
    looked = client.auth.token.lookup_accessor(accessor)
    check("lookup-accessor hides the token id", looked["data"]["id"] == "", looked)
    check("lookup-accessor names the accessor", looked["data"]["accessor"] == accessor, looked)

    wrapped = client.auth.token.create(policies=["default"], ttl="1h", wrap_ttl="60s")
    info = wrapped["wrap_info"]
    check("wrapped create has wrap_info only",
          wrapped["auth"] is None and info["ttl"] == 60 and
          info["creation_path"] == "auth/token/create", wrapped)
    unwrapped = client.sys.unwrap(info["token"])
    check("unwrap gives the wrapped login",
          unwrapped["auth"]["accessor"] == info["wrapped_accessor"], unwrapped)
    new_token = unwrapped["auth"]["client_token"]
    check("the unwrapped token works", hvac.Client(url=url, token=new_token).is_authenticated())
    expect_raises("a wrapping token unwraps once", hvac.exceptions.InvalidRequest,
                  lambda: client.sys.unwrap(info["token"]))

    kv.create_or_update_secret(path="app/wrapped", secret={"k": "wrapped-value"})
    wrapped_read = client.read("secret/data/app/wrapped", wrap_ttl="2m")
    check("a wrapped KV read carries no data", wrapped_read["data"] is None, wrapped_read)
    inner = client.sys.unwrap(wrapped_read["wrap_info"]["token"])
    check("unwrapped KV read", inner["data"]["data"] == {"k": "wrapped-value"}, inner)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    proc, url = start(sys.argv[1])
    try:
        run(url)
    except Exception as e:  # noqa: BLE001 - report any client error as a failure
        check("no unexpected client error", False, f"{type(e).__name__}: {e}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    failed = sum(1 for _, ok in checks if not ok)
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 0 if failed == 0 and checks else 1


if __name__ == "__main__":
    sys.exit(main())
