"""Ops command line for parked events (the same as GET/POST /internal/v1/dead-letters).

``python -m services.runtime.dead_letters_cli list [--service S] [--all] [--limit N]`` prints
the dead letters of every service (or one), newest first; ``... replay billing.17`` publishes
one again to the handler queue it failed in. It talks to the running services over RPC, each
call bounded by RPC_TIMEOUT, so a service that is down is named, not waited on forever.
"""
import argparse
import sys

from nameko.exceptions import RpcTimeout, UnknownService

from services.contracts.errors import DomainError
from services.contracts.names import SERVICES
from services.runtime import config, dead_letter_pages as pages
from services.runtime.entrypoints import cluster_rpc_proxy
from services.runtime.rpc import register_domain_errors

COLUMNS = ("id", "parked_at", "event_type", "attempts", "replay_count", "error")


def _rows(items):
    lines = ["\t".join(COLUMNS)]
    for item in items:
        lines.append("\t".join(str(item.get(c) if item.get(c) is not None else "-")
                               .replace("\n", " ")[:120] for c in COLUMNS))
    return "\n".join(lines)


def list_all(cluster, services, limit, include_replayed):
    """Every page of the merged list, as the gateway serves it."""
    items, key = [], None
    while True:
        page = pages.merge([getattr(cluster, s).list_dead_letters(
            100, pages.before_for(s, key), include_replayed) for s in services], 100)
        items += page["items"]
        if not page["next_cursor"] or len(items) >= limit:
            return items[:limit]
        key = pages.decode_cursor(page["next_cursor"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="parked events, newest first")
    listing.add_argument("--service", choices=SERVICES, help="only this service's")
    listing.add_argument("--all", action="store_true", help="also those already replayed")
    listing.add_argument("--limit", type=int, default=100, help="at most this many (100)")
    replay = commands.add_parser("replay", help="publish one again to its handler queue")
    replay.add_argument("id", help="a dead letter's id, e.g. billing.17")
    args = parser.parse_args(argv)

    register_domain_errors()
    settings = config.load()
    try:
        with cluster_rpc_proxy({"AMQP_URI": settings.amqp_uri, "SERIALIZER": "json"},
                             timeout=settings.rpc_timeout) as cluster:
            if args.command == "list":
                services = [args.service] if args.service else list(SERVICES)
                items = list_all(cluster, services, args.limit, args.all)
                print(_rows(items))
                print(f"{len(items)} dead letter(s)", file=sys.stderr)
                return 0
            parsed = pages.parse_id(args.id)
            if parsed is None:
                print(f"no such dead letter: {args.id}", file=sys.stderr)
                return 1
            result = getattr(cluster, parsed[0]).replay_dead_letter(parsed[1])
            print(f"{result['id']} replayed at {result['replayed_at']} "
                  f"(replay {result['replay_count']})")
            return 0
    except DomainError as exc:
        print(f"{type(exc).__name__}: {exc.detail}", file=sys.stderr)
        return 1
    except (RpcTimeout, UnknownService) as exc:
        print(f"a service did not answer within {settings.rpc_timeout:g} s "
              f"({type(exc).__name__}); is it running?", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
