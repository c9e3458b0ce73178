# Each target builds its own virtual environment, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: demo try test readme bench fuzz lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

# The demo identity lives in keys/demo (PROVENANCE_HOME), its private key gitignored.
DEMO_ENV := PROVENANCE_HOME=$(CURDIR)/keys/demo
SAMPLES  := $(filter-out samples/README.md,$(wildcard samples/*.*))

demo: $(STAMP)
	@rm -rf samples/signed && mkdir -p samples/signed
	@rm -f keys/demo/registry.sqlite3 keys/demo/registry.sqlite3-wal keys/demo/registry.sqlite3-shm
	@$(DEMO_ENV) $(BIN)/provenance identity show >/dev/null 2>&1 || \
	  $(DEMO_ENV) $(BIN)/provenance identity create --name "Demo Author" --org "Provenance Demo"
	$(DEMO_ENV) $(BIN)/provenance identity show
	$(DEMO_ENV) $(BIN)/provenance sign $(SAMPLES) --out-dir samples/signed
	$(DEMO_ENV) $(BIN)/provenance verify samples/signed/* --table
	@echo
	@echo "# A social network re-encodes the photo (1080 px, JPEG q75, metadata gone) and a"
	@echo "# copy-paste drops the text's invisible manifest. The registry still knows them:"
	@mkdir -p samples/stripped && $(BIN)/python -c "from PIL import Image; im = Image.open('samples/signed/photo-coffee.jpg').convert('RGB'); im.thumbnail((1080, 1080)); im.save('samples/stripped/photo-coffee.jpg', quality=75)"
	@$(DEMO_ENV) $(BIN)/provenance strip samples/signed/essay-hands.txt -o samples/stripped/essay-hands.txt
	@$(DEMO_ENV) $(BIN)/provenance verify samples/stripped/photo-coffee.jpg samples/stripped/essay-hands.txt || true
	@rm -rf samples/stripped

# The files README.md's examples name (photo.jpg, essay.pdf, tampered.jpg...), made anew in
# try/: `cd try` and type the examples there (docs/try_files.py says what each one is).
try: $(STAMP)
	$(BIN)/python docs/try_files.py try

test: $(DEVSTAMP)
	$(BIN)/python -m pytest -q

# The README's shell and Python examples, run as written (also part of `make test`).
readme: $(DEVSTAMP)
	$(BIN)/python -m pytest -q tests/test_readme.py

lint: $(DEVSTAMP)
	$(BIN)/ruff check provenance cli tests bench
	$(BIN)/mypy

bench: $(DEVSTAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/text.py
	$(BIN)/python bench/fingerprint.py
	$(BIN)/python bench/survival.py
	$(BIN)/python bench/registry.py
	$(BIN)/python bench/hostile.py
	$(BIN)/python bench/serve_load.py
	$(BIN)/python bench/publish.py
	$(BIN)/python bench/speed.py  # last: exits 1 when an import budget is exceeded

# Long fuzz runs (the default suite runs tests/fuzz with a few dozen examples per target).
FUZZ_EXAMPLES ?= 20000
fuzz: $(DEVSTAMP)
	HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/fuzz

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache keys/demo samples/signed try
