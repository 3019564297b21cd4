# The project's commands. `make demo` and `make test` install what they need first (make deps),
# so a fresh clone needs nothing else.
SHELL := /bin/bash
NPM_BIN := node_modules/.bin
export PATH := $(CURDIR)/$(NPM_BIN):$(PATH)

.PHONY: deps demo demo-dokuwiki test unit lint typecheck bench crds image clean

deps:
	@scripts/deps.sh

demo: deps
	@scripts/demo.sh

# The same on an application nobody here wrote: DokuWiki (Debian) behind the testbed's web VM.
demo-dokuwiki: deps
	@node scripts/dokuwiki-demo.ts

test: deps lint
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

bench: deps
	npm run bench

crds: deps
	npm run crds

# The operator's image (docker build, or buildah bud where there is no Docker): IMAGE=name:tag.
image:
	@scripts/build-image.sh

clean:
	rm -rf .cache coverage dist
