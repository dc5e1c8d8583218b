"""services/contracts/actor.py: the one shape of who acted, and what events say of it."""
from services.contracts import actor


def test_an_actor_has_its_three_fields_whatever_was_sent():
    assert actor.of(None) == {"user_id": None, "ip": None, "user_agent": None}
    assert actor.of({"user_id": "u1", "ip": "203.0.113.9", "other": "dropped"}) == {
        "user_id": "u1", "ip": "203.0.113.9", "user_agent": None}


def test_events_keep_their_actor_user_id_and_ip_and_never_the_user_agent():
    sent = {"user_id": "u1", "ip": "203.0.113.9", "user_agent": "Mozilla/5.0"}
    assert actor.event_fields(sent) == {"actor_user_id": "u1", "ip": "203.0.113.9"}
    assert actor.event_fields(None) == {"actor_user_id": None, "ip": None}


def test_identity_hears_where_an_actor_acts_from_with_no_user_agent_as_none():
    assert actor.where({"user_id": "u1", "ip": "203.0.113.9", "user_agent": ""}) == {
        "ip": "203.0.113.9", "user_agent": None}
    assert actor.where(None) == {"ip": None, "user_agent": None}
