# The two commands: `make demo` and `make test`. Both build .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test browser lint typecheck clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	DIGEST_SECRET=$${DIGEST_SECRET:-demo-secret-not-for-production} ./examples/demo.sh $(BIN)/digest

test: $(STAMP) browser
	$(BIN)/ruff check digest tests bench
	$(BIN)/ruff format --check digest tests bench
	$(BIN)/mypy
	DIGEST_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -q

# Headless Chromium for tests/test_email_browser.py (Debian's package; Playwright drives it).
# Installed when missing if we are root with apt-get (~20 s); otherwise a note, and those
# tests skip saying why.
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Chromium for the browser tests: apt-get install chromium fonts-noto-cjk"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; } \
	  || echo "note: could not install Chromium; the browser tests will be skipped"; \
	else \
	  echo "note: $(CHROMIUM) is missing and this is not root with apt-get;" \
	    "the browser tests will be skipped (install the chromium package to run them)"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check digest tests bench
	$(BIN)/ruff format --check digest tests bench
	$(BIN)/ruff format --check digest tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
