"""Every service's dead letters (services/runtime/dead_letters.py): the same two RPCs on each
of them, so these take the service's name."""
from gateway.rpc import call


def list_dead_letters(service, limit, before, include_replayed):
    """One page of ``service``'s parked events before the key ``before``."""
    return call(service, "list_dead_letters", limit, before, include_replayed)


def replay_dead_letter(service, row):
    return call(service, "replay_dead_letter", row)
