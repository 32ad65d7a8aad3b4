# Redis standing in for the official redis:7.0-bookworm image in the compose end-to-end run:
# Debian bookworm's own redis-server (7.0, the version the official tag names), installed on the
# locally built Node base image (itself Debian bookworm) by scripts/compose-e2e.mjs, once.
FROM node:24-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends redis-server \
  && rm -rf /var/lib/apt/lists/*
# The package's own unprivileged user; /data as in the official image.
RUN mkdir /data && chown redis:redis /data
WORKDIR /data
USER redis
EXPOSE 6379
CMD ["redis-server", "--save", "", "--appendonly", "no", "--protected-mode", "no"]
