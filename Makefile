# webedge.https: every target installs what it needs, is safe to run twice,
# and is quick when everything is already in place.
#   make demo   - the main job on the built-in lab fleet
#   make test   - lint, sanity, units and every molecule scenario (what CI runs)
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(CURDIR)
VENV := $(ROOT)/.venv
JUDGES := $(ROOT)/.venv-judges
PYTHON ?= python3
# A tree where this checkout is visible as ansible_collections/webedge/https:
# molecule and playbooks read it through a symlink; ansible-test needs a real
# copy (it resolves its working directory), made fresh by `make tree`.
COLLECTIONS := $(ROOT)/.build/collections
TEST_TREE := $(ROOT)/.build/test/ansible_collections/webedge/https
export PATH := $(VENV)/bin:$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_FORCE_COLOR ?= 1
export PY_COLORS ?= 1
SCENARIO ?=

.PHONY: help host images network lab venv judges tree lint sanity units pytest molecule test demo demo-clean docs clean \
  eco-tools ecosystem ee matrix

help:
	@echo "make demo        run the main job on the lab fleet"
	@echo "make test        lint, sanity, units, every molecule scenario"
	@echo "make docs        regenerate docs/reference (antsibull-docs, from the modules and role argument specs)"
	@echo "make lint|sanity|units|molecule [SCENARIO=name]|images|demo-clean"
	@echo "make pytest [TESTS=tests/unit/plugins/...] [ARGS=-k name]   unit tests without ansible-test (quick)"
	@echo "make ecosystem   SARIF/JUnit validators, CI recipes, galaxy-importer, docs lint, execution environment"
	@echo "make matrix      ansible-test sanity and units on ansible-core 2.17 and 2.18 (2.19: make sanity units)"
	@echo "make ee          build the execution environment (ansible-builder; cached by hash)"
	@echo "make bench [BENCH_ARGS=--quick]   every benchmark (fleet of 10/25/50 hosts too) -> benchmarks/RESULTS.md"

host:
	@bash lab/setup-host.sh

images: host
	@bash lab/build-images.sh 12 13

network: images
	@bash lab/network.sh

lab: images network

$(VENV)/.stamp: requirements-dev.txt
	@bash lab/make-venv.sh "$(VENV)" requirements-dev.txt
	@touch $@

venv: host $(VENV)/.stamp
	@mkdir -p $(COLLECTIONS)/ansible_collections/webedge
	@ln -sfn $(ROOT) $(COLLECTIONS)/ansible_collections/webedge/https
	@mkdir -p $(HOME)/.ansible/test/cache
	@cp tests/tooling/get_pip_offline.py $(HOME)/.ansible/test/cache/get_pip_24_2.py

$(JUDGES)/.stamp: requirements-judges.txt
	@bash lab/make-venv.sh "$(JUDGES)" requirements-judges.txt
	@touch $@

judges: $(JUDGES)/.stamp

tree: venv
	@mkdir -p $(TEST_TREE)
	@rsync -a --delete --exclude-from=.gitignore --exclude .git $(ROOT)/ $(TEST_TREE)/
	@# ansible-test lists a collection's files through git (untracked ones included).
	@[ -d $(TEST_TREE)/.git ] || git -C $(TEST_TREE) init -q

lint: venv
	@bash tests/run-stage.sh lint

sanity: tree
	@bash tests/run-stage.sh sanity "$(TEST_TREE)"

units: tree
	@bash tests/run-stage.sh units "$(TEST_TREE)"

molecule: venv lab
	@bash tests/run-stage.sh molecule $(SCENARIO)

# The quick inner loop: pytest straight on tests/unit (or TESTS=path), without ansible-test's copy.
TESTS ?= tests/unit
pytest: venv
	@cd $(COLLECTIONS) && $(VENV)/bin/python -m pytest -q -p no:cacheprovider --import-mode=importlib \
	  $(addprefix ansible_collections/webedge/https/,$(TESTS)) $(ARGS)

# The ecosystem checks' own tools: .build/venv-eco (requirements-ecosystem.txt) and .build/npm
# (package.json, package-lock.json).
eco-tools: venv
	@bash tests/ecosystem/tools.sh

ecosystem: eco-tools images
	@bash tests/run-stage.sh ecosystem

ee: eco-tools images
	@bash tests/ecosystem/build-ee.sh

matrix: tree
	@bash tests/run-stage.sh matrix "$(TEST_TREE)"

test: venv lab judges tree eco-tools
	@bash tests/run-all.sh "$(TEST_TREE)"

demo: venv lab
	@bash lab/demo.sh

demo-clean:
	@bash lab/demo-clean.sh

# One reference page per module, filter and role, from DOCUMENTATION and meta/argument_specs.yml.
docs: venv
	@rm -rf docs/reference && mkdir -p docs/reference
	@antsibull-docs collection --use-current --squash-hierarchy --output-format simplified-rst \
	  --dest-dir docs/reference webedge.https
	@echo "docs/reference: $$(ls docs/reference | wc -l) pages"

# Every benchmark (listening_ports, the fleet of 10/25/50 lab hosts, the compliance probe, the firewall)
# and benchmarks/RESULTS.md. Not part of `make test`; about an hour or more on a quiet 2-core machine.
.PHONY: bench
BENCH_ARGS ?=
$(ROOT)/.build/venv-bench/.stamp: benchmarks/requirements.txt
	@bash lab/make-venv.sh "$(ROOT)/.build/venv-bench" benchmarks/requirements.txt
	@touch $@

bench: venv lab judges $(ROOT)/.build/venv-bench/.stamp
	@bash benchmarks/run-all.sh $(BENCH_ARGS)

clean: demo-clean
	rm -rf .build tests/output
