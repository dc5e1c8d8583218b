"""The queues the running system declared (four service processes, the gunicorn gateway, after
migrate), read back from the broker: every durable one a quorum queue, every other one a
process's own classic queue (RPC replies, a gateway worker's revocation feed)."""
from tests.support.event_capture import QUEUE as SECRET_SCAN_QUEUE


def test_every_durable_queue_of_the_running_system_is_a_quorum_queue(system, session_vhost,
                                                                      broker):
    response = system.staff().get(system.url("/internal/v1/products"), timeout=10)
    assert response.status_code == 200  # a gateway thread has made its RPC client
    declared = broker._api("GET", f"queues/{session_vhost[0]}").json()
    # the tests' own capture queue and throwaway team queues (containers.events_queue:
    # "test-…"), and the event streams (services/runtime/streams.py)
    ours = [q for q in declared if q["name"] != SECRET_SCAN_QUEUE and q["type"] != "stream"
            and not q["name"].startswith("test-")]

    durable = [q for q in ours if q["durable"]]
    assert {q["name"] for q in durable} >= {"rpc-identity", "rpc-billing", "rpc-payments",
                                            "rpc-notifications", "billing.dead-letters"}
    assert [q["name"] for q in durable if q["type"] != "quorum"] == []

    transient = [q for q in ours if not q["durable"]]
    assert [q["name"] for q in transient
            if not q["name"].startswith(("rpc.reply-", "gateway-revocations-"))] == []
    assert all(q["type"] == "classic" for q in transient)
    replying = {q["name"].split("-")[1] for q in transient if q["name"].startswith("rpc.reply-")}
    assert replying >= {"identity", "billing", "payments", "notifications",
                        "standalone_rpc_proxy"}  # the gateway's client
