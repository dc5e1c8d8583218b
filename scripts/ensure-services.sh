#!/usr/bin/env bash
# Start the local RabbitMQ (with its management API, which the tests use for vhosts) and
# PostgreSQL when they are not already answering. Idempotent; used by .ci/run. Uses the
# commands of this machine kind (Debian packages); elsewhere, start them your own way.
set -uo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { for _ in $(seq 1 "${2:-60}"); do up "$1" && return 0; sleep 1; done; return 1; }

# Debian's /usr/sbin/rabbitmq-server switches user through su, whose PAM session sets 1024
# open files: too few for the suite's quorum queues (about 5 files each on a node). Run the
# server script as the rabbitmq user with the hard limit instead, where that script is there.
DEBIAN_SERVER=/usr/lib/rabbitmq/bin/rabbitmq-server
if ! up 5672 && command -v rabbitmq-server >/dev/null; then
  echo "starting RabbitMQ"
  if [ -x "$DEBIAN_SERVER" ] && command -v setpriv >/dev/null && id rabbitmq >/dev/null 2>&1; then
    (ulimit -n "$(ulimit -Hn)"; cd /var/lib/rabbitmq && HOME=/var/lib/rabbitmq setpriv \
      --reuid=rabbitmq --regid=rabbitmq --init-groups "$DEBIAN_SERVER" -detached) || true
  else
    rabbitmq-server -detached || true
  fi
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
