# The Migrascope image: one image, two processes (`migrascope controller`, `migrascope worker`;
# the Helm chart and deploy/ pick one with the container's args).
#   docker build -t migrascope:0.1.0 .
# Node.js 24 runs the TypeScript sources directly (type stripping): no build step, the image holds
# src/ as it is in the repository.
FROM node:24-slim

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so a source change does not reinstall them. --omit=dev leaves out the test
# tools (and node@24, which the image already is); --ignore-scripts: no install script is needed
# (msgpackr-extract, an optional accelerator, falls back to JavaScript).
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

COPY src ./src

# The image's "node" user, by number so that runAsNonRoot can verify it.
USER 1000:1000

# Logs go to stderr as JSON (pino, no TTY in a pod); /metrics, /healthz and /readyz on 8080.
EXPOSE 8080
ENTRYPOINT ["node", "--disable-warning=ExperimentalWarning", "src/cli/main.ts"]
CMD ["controller"]
