# The Migrascope image: one image, two processes (`migrascope controller`, `migrascope worker`;
# the Helm chart and deploy/ pick one with the container's args).
#   make image                     (docker build, or buildah bud where there is no Docker)
#   docker build -t migrascope:0.1.0 --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) .
# Node.js 24 runs the TypeScript sources directly (type stripping): no build step, the image holds
# src/ as it is in the repository.

# The base, pinned by digest so that a rebuild gets the same Node.js and Debian: the official
# node:24-bookworm-slim manifest list (Node.js 24.18.0 when pinned; the digest as it appears in
# public Dockerfiles pinned by Renovate/Dependabot). To bump it: `docker buildx imagetools inspect
# node:24-bookworm-slim` (or `skopeo inspect docker://node:24-bookworm-slim`) prints the current
# digest; replace it here (Renovate's and Dependabot's docker managers do the same on their own).
# The image test builds from a local base made the same way (scripts/image-base.sh), passed here.
ARG BASE_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d
FROM ${BASE_IMAGE}

# OCI labels: where the image comes from, which release and which commit (make image passes them
# from package.json and git).
ARG SOURCE=unknown
ARG VERSION=unknown
ARG REVISION=unknown
LABEL org.opencontainers.image.title="migrascope" \
      org.opencontainers.image.description="Measures what live-migrating a XenServer / XCP-ng VM costs the users of the application inside it" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so a source change does not reinstall them. --omit=dev leaves out the test
# tools (and node@24, which the image already is); --ignore-scripts: no install script is needed
# (msgpackr-extract, an optional accelerator, falls back to JavaScript). The npm cache goes with
# the layer that made it. Behind a proxy that re-signs TLS, pass its CA as a build secret (never a
# layer): `--secret id=ca,src=/etc/ssl/certs/ca-certificates.crt`; without it Node.js says it
# ignores the missing file and uses its own CAs.
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=ca NODE_EXTRA_CA_CERTS=/run/secrets/ca \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force && rm -rf /root/.npm

COPY src ./src

# The results directory the chart mounts a volume on (request logs), owned by the image's user so
# that a plain `docker run` can write there too; with the chart, / is read-only.
RUN mkdir -p /var/lib/migrascope/results && chown 1000:1000 /var/lib/migrascope/results

# The image's "node" user, by number so that runAsNonRoot can verify it.
USER 1000:1000

# Logs go to stderr as JSON (pino, no TTY in a pod); /metrics, /healthz and /readyz on 8080.
EXPOSE 8080
ENTRYPOINT ["node", "--disable-warning=ExperimentalWarning", "src/cli/main.ts"]
CMD ["controller"]
