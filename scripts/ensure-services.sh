#!/usr/bin/env bash
# Start the local RabbitMQ (with its management API, which the tests use for vhosts) and
# PostgreSQL when they are not already answering. Idempotent; used by .ci/run. Uses the
# commands of this machine kind (Debian packages); elsewhere, start them your own way.
set -uo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { for _ in $(seq 1 "${2:-60}"); do up "$1" && return 0; sleep 1; done; return 1; }

if ! up 5672 && command -v rabbitmq-server >/dev/null; then
  echo "starting RabbitMQ"; rabbitmq-server -detached || true
  wait_for 5672 90 || echo "RabbitMQ did not come up on 5672" >&2
fi
if up 5672 && ! up 15672 && command -v rabbitmq-plugins >/dev/null; then
  echo "enabling the RabbitMQ management plugin"
  rabbitmq-plugins enable rabbitmq_management >/dev/null
  wait_for 15672 60 || echo "RabbitMQ management API did not come up on 15672" >&2
fi
if ! up 5432 && command -v pg_ctlcluster >/dev/null; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  wait_for 5432 60 || echo "PostgreSQL did not come up on 5432" >&2
fi
up 5672 && up 15672 && up 5432
