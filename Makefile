# BizPortal: `make run` runs the whole system on this machine; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-unit test-service test-e2e chaos chaos-cluster bench bill-run find-account credit close-account dead-letters docs install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

## run: migrate, seed the demo account, run the four services and the gateway (Ctrl-C stops all)
# The one place secrets may be generated (into DATA_DIR) instead of given: every other start
# refuses to run without a real SECRET_KEY and ADMIN_TOKEN (services/runtime/config.py).
run: export DEV_SECRETS = 1
# honcho gives each process a PORT of its own, so links in mails default to the gateway's;
# localhost, not 127.0.0.1: browsers refuse passkeys on an IP-address origin
run: export PUBLIC_URL ?= http://localhost:$(or $(PORT),8080)
run: $(STAMP)
	$(BIN)/python -m services.bootstrap
	GATEWAY_PORT=$${PORT:-8080} $(BIN)/honcho start -f Procfile

## test: the whole suite against a real RabbitMQ and PostgreSQL (see scripts/test.sh)
test: $(STAMP)
	scripts/test.sh

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit tests/deploy -q

test-service: $(STAMP)
	$(BIN)/python -m pytest -p tests.support.green tests/service -q

test-e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e tests/browser -q

## chaos: fault injection under load (>= 1,000 operations, every fault; private broker and
## database), prints the invariant table, ops/s and time to heal; then API fuzzing (5,000 cases)
chaos: $(STAMP)
	scripts/chaos.sh

## chaos-cluster: the same load on three private RabbitMQ nodes, two replicas of every service:
## the node leading most queues killed and brought back, a node frozen, rolling restarts
chaos-cluster: $(STAMP)
	$(BIN)/python -m tests.chaos --cluster; status=$$?; \
	CHAOS_CLUSTER=1 $(BIN)/python -m pytest -q -rP tests/chaos/test_frozen_node.py || status=1; \
	exit $$status

## bench: the speed figures issues ask for, each as a ratio against a baseline in the same run
bench: $(STAMP)
	scripts/bench.sh

## bill-run: issue the statements of a cycle date with a progress bar (DATE=YYYY-MM-DD, default today)
bill-run: export RUN_DATE := $(value DATE)
bill-run: $(STAMP)
	$(BIN)/python -m services.billing.cli $${RUN_DATE:+--date "$$RUN_DATE"}

# Staff-typed values (Q, ACCOUNT, REASON, DATE…) reach each command through the environment,
# word for word: pasted into a recipe they were shell text, and a company name (which its customer chooses) such as `x"; rm -rf ~; "` or
# `$(curl …)` copied from the overview into Q= ran as a command on the staff machine
## find-account: staff search for accounts (Q=harbor: account or invoice number, company name
## start, email or phone; ALL=1 every page, JSON=1 one JSON object per line)
find-account: export FIND_Q := $(value Q)
find-account: $(STAMP)
	$(BIN)/python -m services.billing.find_cli "$$FIND_Q" $(if $(ALL),--all) $(if $(JSON),--json)

## credit: credit an account (ACCOUNT=… AMOUNT=cents REASON="…", INVOICE=… optional,
## KEY=… to retry with the same Idempotency-Key)
credit: export CREDIT_ACCOUNT := $(value ACCOUNT)
credit: export CREDIT_AMOUNT := $(value AMOUNT)
credit: export CREDIT_REASON := $(value REASON)
credit: export CREDIT_INVOICE := $(value INVOICE)
credit: export CREDIT_KEY := $(value KEY)
credit: $(STAMP)
	$(BIN)/python -m services.billing.credit_cli "$$CREDIT_ACCOUNT" "$$CREDIT_AMOUNT" "$$CREDIT_REASON" $${CREDIT_INVOICE:+--invoice "$$CREDIT_INVOICE"} $${CREDIT_KEY:+--key "$$CREDIT_KEY"}

## close-account: close an account with its final bill (ACCOUNT=… DATE=YYYY-MM-DD REASON="…",
## KEY=… to retry one; the services must be running: make run)
close-account: export CLOSE_ACCOUNT := $(value ACCOUNT)
close-account: export CLOSE_DATE := $(value DATE)
close-account: export CLOSE_REASON := $(value REASON)
close-account: export CLOSE_KEY := $(value KEY)
close-account: $(STAMP)
	$(BIN)/python -m services.billing.close_cli "$$CLOSE_ACCOUNT" "$$CLOSE_DATE" "$$CLOSE_REASON" $${CLOSE_KEY:+--key "$$CLOSE_KEY"}

## dead-letters: list parked events (SERVICE=billing for one service); REPLAY=billing.17 replays one
dead-letters: export PARKED_REPLAY := $(value REPLAY)
dead-letters: export PARKED_SERVICE := $(value SERVICE)
dead-letters: $(STAMP)
	if [ -n "$$PARKED_REPLAY" ]; then $(BIN)/python -m services.runtime.dead_letters_cli replay "$$PARKED_REPLAY"; \
	else $(BIN)/python -m services.runtime.dead_letters_cli list $${PARKED_SERVICE:+--service "$$PARKED_SERVICE"}; fi

## docs: regenerate docs/events.md and docs/asyncapi.json from the event catalogue in
## services/contracts/events.py
docs: $(STAMP)
	$(BIN)/python -m services.contracts.docs > docs/events.md
	$(BIN)/python -m services.contracts.asyncapi > docs/asyncapi.json

clean:
	rm -rf var
