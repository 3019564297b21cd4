"""The official Python SDK (XenAPI, XML-RPC) against the testbed, as a script would use it.

Usage: xenapi_client.py URL USER PASSWORD CAFILE|- VM DESTINATION
Logs in, reads records, follows event.from, live-migrates VM to DESTINATION with
Async.VM.pool_migrate, and prints one JSON document describing what it saw. A wrong password is
tried too, to report the failure's details.
"""
import json
import ssl
import sys
import xmlrpc.client

import XenAPI


def session_for(url, cafile):
    # Verify the testbed's certificate against its CA, as one would a real host's.
    transport = None
    if url.startswith("https") and cafile != "-":
        transport = xmlrpc.client.SafeTransport(context=ssl.create_default_context(cafile=cafile))
    return XenAPI.Session(url, transport=transport)


def bad_login(url, cafile, user):
    try:
        session_for(url, cafile).xenapi.login_with_password(user, "not-the-password", "1.0", "migrascope-test")
    except XenAPI.Failure as failure:
        return failure.details
    return None


def main():
    url, user, password, cafile, vm_name, destination_name = sys.argv[1:7]
    session = session_for(url, cafile)
    session.xenapi.login_with_password(user, password, "1.0", "migrascope-test")
    api = session.xenapi
    try:
        pool = api.pool.get_all()[0]
        master = api.pool.get_master(pool)
        vm = api.VM.get_by_name_label(vm_name)[0]
        record = api.VM.get_record(vm)
        hosts = api.host.get_all_records()
        destination = next(ref for ref, host in hosts.items() if host["name_label"] == destination_name)
        source = record["resident_on"]

        # event.from is a Python keyword: the SDK calls it by its alternative name, event_from.
        first = api.event_from(["vm", "task"], "", 5.0)
        token = first["token"]

        task = api.Async.VM.pool_migrate(vm, destination, {"live": "true"})
        progress = []
        vm_moves = []
        status = "pending"
        while status == "pending":
            batch = api.event_from(["vm", "task"], token, 5.0)
            token = batch["token"]
            for event in batch["events"]:
                snapshot = event.get("snapshot", {})
                if event["class"] == "task" and event["ref"] == task and event["operation"] != "del":
                    progress.append(snapshot["progress"])
                    status = snapshot["status"]
                if event["class"] == "vm" and event["ref"] == vm and event["operation"] == "mod":
                    vm_moves.append(snapshot["resident_on"])
        finished = api.task.get_record(task)
        api.task.destroy(task)

        print(json.dumps({
            "api_version": session.API_version,
            "master_is_a_host": master in hosts,
            "vm": {
                "name": record["name_label"],
                "power_state": record["power_state"],
                "memory_static_max": record["memory_static_max"],
                "memory_type": type(record["memory_static_max"]).__name__,
            },
            "first_events": sorted({e["class"] for e in first["events"]}),
            "valid_ref_counts_vm": first["valid_ref_counts"]["vm"],
            "source_is_destination": source == destination,
            "task": {
                "status": finished["status"],
                "result": finished["result"],
                "progress": finished["progress"],
                "error_info": finished["error_info"],
            },
            "progress_seen": progress,
            "resident_on_after": api.VM.get_resident_on(vm) == destination,
            "vm_moved_in_events": destination in vm_moves,
            "bad_login": bad_login(url, cafile, user),
        }))
    finally:
        session.xenapi.session.logout()


if __name__ == "__main__":
    main()
