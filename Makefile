# Two commands for a fresh machine: `make run` (dashboard on the offline snapshot) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/innenfor.duckdb
HOST ?= 127.0.0.1
PORT ?= 8050

.PHONY: run test serve serve-proxy db refresh snapshot bench clean plotly-bundle

$(BIN)/.installed: requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(DB): $(BIN)/.installed
	$(BIN)/python -m loaders refresh --offline --db $(DB) --quiet

db: $(DB)

run: $(DB)  ## build the database from the offline snapshot if missing, then start the dashboard
	INNENFOR_DB=$(DB) $(BIN)/python app.py --host $(HOST) --port $(PORT)

serve: $(DB)  ## production: gunicorn, several workers, loopback unless HOST is set
	INNENFOR_DB=$(DB) $(BIN)/gunicorn --workers 3 --bind $(HOST):$(PORT) --access-logfile - app:server

serve-proxy: $(DB)  ## nginx on PORT in front of 2 gunicorn instances, restarted if they die (docs/DEPLOY.md)
	@[ -x /usr/sbin/nginx ] || { apt-get update -qq && apt-get install -y -qq nginx; }
	$(BIN)/python -m deploy.stack --run-dir $(or $(RUN_DIR),/tmp/innenfor-stack) --port $(PORT) --db $(DB)

test: $(BIN)/.installed  ## the whole test suite
	$(BIN)/python -m pytest

refresh: $(BIN)/.installed  ## preflight, then a live refresh from the publishers' APIs (exit 3: some tables kept)
	@$(BIN)/python -m loaders check || echo "preflight: the cards marked 'differs' above will keep their previous figures"
	$(BIN)/python -m loaders refresh --db $(DB)

snapshot: $(BIN)/.installed  ## re-render data/snapshot from ../shared/data
	$(BIN)/python -m loaders.snapshot

bench: $(DB)
	status=0; for f in bench/*.py; do $(BIN)/python $$f || { echo "FAILED: $$f"; status=1; }; done; exit $$status

plotly-bundle:  ## rebuild assets/vendor/plotly + assets/plotly_loader.js from the pinned plotly.js (needs node + npm)
	cd bundles/plotly && npm ci --no-audit --no-fund --ignore-scripts && node build.js

clean:
	rm -rf $(VENV) $(DB)
