#!/usr/bin/python3
"""python3-kubernetes (Debian's package) against the kube emulator: create, list and watch
Secrets the way the client library does it (watch=True, resourceVersion handling), and read a
custom resource with CustomObjectsApi. Run by kube_emulator_python_test with KUBECONFIG set;
prints one line per check and exits non-zero on the first failure. Every wait is bounded by
the watch's timeout_seconds."""
import base64
import sys

from kubernetes import client, config, watch

NS = "default"


def check(cond, what):
    if not cond:
        print("FAIL: " + what)
        sys.exit(1)
    print("ok: " + what)


def main():
    config.load_kube_config()
    core = client.CoreV1Api()

    secret = client.V1Secret(
        metadata=client.V1ObjectMeta(name="py-one", labels={"app": "py"}),
        string_data={"user": "admin"})
    created = core.create_namespaced_secret(NS, secret)
    check(created.metadata.uid, "create Secret py-one")
    check(base64.b64decode(created.data["user"]) == b"admin", "stringData folded into data")

    listed = core.list_namespaced_secret(NS, label_selector="app=py")
    check([s.metadata.name for s in listed.items] == ["py-one"], "list by label selector")

    # watch.Watch().stream sends watch=True; without a resourceVersion the server first sends
    # ADDED for every existing object, then live events.
    w = watch.Watch()
    seen = []
    for event in w.stream(core.list_namespaced_secret, NS, label_selector="app=py",
                          timeout_seconds=30):
        seen.append((event["type"], event["object"].metadata.name))
        if event["object"].metadata.name == "py-one" and event["type"] == "ADDED":
            core.create_namespaced_secret(NS, client.V1Secret(
                metadata=client.V1ObjectMeta(name="py-two", labels={"app": "py"}),
                data={"k": "dg=="}))
        if event["object"].metadata.name == "py-two":
            w.stop()
    check(seen == [("ADDED", "py-one"), ("ADDED", "py-two")], "watch stream: " + repr(seen))

    # Resuming from a list's resourceVersion sees later changes only.
    rv = core.list_namespaced_secret(NS, label_selector="app=py").metadata.resource_version
    core.patch_namespaced_secret("py-one", NS, {"metadata": {"labels": {"round": "2"}}})
    w = watch.Watch()
    events = []
    for event in w.stream(core.list_namespaced_secret, NS, label_selector="app=py",
                          resource_version=rv, timeout_seconds=30):
        events.append((event["type"], event["object"].metadata.name))
        w.stop()
    check(events == [("MODIFIED", "py-one")], "watch from a resourceVersion: " + repr(events))

    crd = {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "vaultstaticsecrets.vaultsync.io"},
        "spec": {"group": "vaultsync.io", "scope": "Namespaced",
                 "names": {"kind": "VaultStaticSecret", "plural": "vaultstaticsecrets",
                           "singular": "vaultstaticsecret", "shortNames": ["vss"]},
                 "versions": [{"name": "v1alpha1", "served": True, "storage": True,
                               "subresources": {"status": {}},
                               "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                   "spec": {"type": "object", "required": ["mount", "path"],
                                            "properties": {"mount": {"type": "string"},
                                                           "path": {"type": "string"},
                                                           "refreshAfter": {"type": "string"}}},
                                   "status": {"type": "object",
                                              "x-kubernetes-preserve-unknown-fields": True}}}}}]}}
    client.ApiextensionsV1Api().create_custom_resource_definition(crd)
    custom = client.CustomObjectsApi()
    custom.create_namespaced_custom_object(
        "vaultsync.io", "v1alpha1", NS, "vaultstaticsecrets",
        {"apiVersion": "vaultsync.io/v1alpha1", "kind": "VaultStaticSecret",
         "metadata": {"name": "db-creds"},
         "spec": {"mount": "secret", "path": "app/db", "refreshAfter": "30s"}})
    obj = custom.get_namespaced_custom_object(
        "vaultsync.io", "v1alpha1", NS, "vaultstaticsecrets", "db-creds")
    check(obj["spec"]["path"] == "app/db", "CustomObjectsApi get")
    items = custom.list_namespaced_custom_object(
        "vaultsync.io", "v1alpha1", NS, "vaultstaticsecrets")["items"]
    check([i["metadata"]["name"] for i in items] == ["db-creds"], "CustomObjectsApi list")
    patched = custom.patch_namespaced_custom_object(
        "vaultsync.io", "v1alpha1", NS, "vaultstaticsecrets", "db-creds",
        {"spec": {"refreshAfter": "2m"}})
    check(patched["spec"]["refreshAfter"] == "2m", "CustomObjectsApi merge patch")
    print("all checks passed")


if __name__ == "__main__":
    main()
