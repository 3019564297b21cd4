# The project's commands. Each installs what it needs first, so a fresh clone needs nothing else:
# `make deps` only what the demo and bin/migrascope need (Redis, the npm packages: no Go, no
# build), `make deps-test` everything the tests need on top (scripts/deps.sh says what).
SHELL := /bin/bash
NPM_BIN := node_modules/.bin
export PATH := $(CURDIR)/$(NPM_BIN):$(PATH)

.PHONY: deps deps-dokuwiki deps-test demo demo-dokuwiki test unit lint typecheck bench crds image clean

deps:
	@scripts/deps.sh demo

deps-dokuwiki:
	@scripts/deps.sh demo dokuwiki

deps-test:
	@scripts/deps.sh test

demo: deps
	@scripts/demo.sh

# The same on an application nobody here wrote: DokuWiki (Debian) behind the testbed's web VM.
demo-dokuwiki: deps-dokuwiki
	@node scripts/dokuwiki-demo.ts

test: deps-test lint
	@mkdir -p .cache && rm -rf .cache/reliability
	@status=0; $(NPM_BIN)/vitest run --reporter=default --reporter=json --outputFile.json=.cache/test-results.json || status=$$?; \
	  node scripts/reliability-table.ts; node scripts/test-summary.ts .cache/test-results.json; exit $$status

unit: deps
	$(NPM_BIN)/vitest run --project unit

lint: deps
	$(NPM_BIN)/eslint .
	$(NPM_BIN)/tsc --noEmit

typecheck: deps
	$(NPM_BIN)/tsc --noEmit

bench: deps-test
	npm run bench

crds: deps-test
	npm run crds

# The operator's image (docker build, or buildah bud where there is no Docker): IMAGE=name:tag.
image:
	@scripts/build-image.sh

clean:
	rm -rf .cache coverage dist
