# The Flywheel image: `flywheel worker` (default) or `flywheel dashboard`. Built by docker-compose.yml.
# Stage 1 installs everything (the web page needs its dev tools to build), stage 2 keeps runtime files only.
FROM node:20-slim AS build
WORKDIR /app
# Compilers only for native modules that have no prebuilt binary for this platform (better-sqlite3).
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# onnxruntime-node ships its CPU binaries; its install script would fetch CUDA ones (npm 10 runs it: no allowScripts).
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY corpus ./corpus
COPY datasets/judge ./datasets/judge
RUN npm run build:web && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    FLYWHEEL_DATA_DIR=/data \
    LOG_PRETTY=false
WORKDIR /app
# tsx runs the TypeScript sources directly (a runtime dependency), so src/ ships as is.
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/package.json /app/tsconfig.json ./
COPY --from=build --chown=root:root /app/bin ./bin
COPY --from=build --chown=root:root /app/src ./src
COPY --from=build --chown=root:root /app/corpus ./corpus
COPY --from=build --chown=root:root /app/datasets/judge ./datasets/judge
# The data volume (and its work/ volume, see docker-compose.yml) is the only writable place; a fresh named
# volume takes its mount point's owner from the image, so both folders exist here, owned by node.
RUN mkdir -p /data/work && chown -R node:node /data
USER node
VOLUME ["/data"]
ENTRYPOINT ["node", "bin/flywheel.js"]
CMD ["worker"]
