# dynalite (DynamoDB's API over LevelDB, in memory) standing in for amazon/dynamodb-local in the
# compose end-to-end run. Built by scripts/compose-e2e.mjs on the locally built Node base image.
FROM node:24-bookworm-slim
WORKDIR /opt/dynalite
# The version the workspace's tests use (package-lock.json); its LevelDB binding ships prebuilt.
RUN npm install --no-audit --no-fund --loglevel=error dynalite@4.0.0
USER node
EXPOSE 8000
CMD ["node", "node_modules/dynalite/cli.js", "--port", "8000", "--createTableMs", "0"]
