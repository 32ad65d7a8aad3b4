// What each variant (bare, ours, official SDK, OpenTelemetry) contributes to a server.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Express } from 'express';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { ServerConfig, ServerMetricsStats } from '../protocol.js';

/**
 * The part of a Fastify instance the benchmark uses. Typed here rather than imported: the
 * official plugin drags a Fastify 4 copy (and its types) into bench/node_modules, while the
 * servers run the repository's Fastify 5.
 */
export interface FastifyApp {
  register(plugin: unknown, options?: unknown): PromiseLike<unknown>;
  get(path: string, handler: (request: unknown, reply: unknown) => Promise<unknown>): unknown;
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<unknown>;
  readonly server: Server;
}

/** What a variant adds to a server. Every hook is optional: the bare variant has none. */
export interface Instrumentation {
  /** Runs before the routes are added. */
  expressBefore?(app: Express): void;
  /** Runs after the routes (error handlers). */
  expressAfter?(app: Express): void;
  /** Registers the variant's plugin before the routes. */
  fastify?(app: FastifyApp): Promise<void>;
  /** Instruments the realistic route's DynamoDB client. */
  dynamo?(client: DynamoDBClient): DynamoDBClient;
  /**
   * Flushes the variant's exporter (its work then counts in the run that produced the spans) and
   * says what it did: OpenTelemetry's in-process exporter counts spans itself; exporters that send
   * to a sink (OTLP) leave the counting to it and report only the spans they gave up on.
   */
  exported?(): Promise<ExportedSoFar>;
  /** Metrics variant: what its metrics did so far; flushes them first when asked. */
  metrics?(flush: boolean): Promise<ServerMetricsStats>;
  shutdown?(): Promise<void>;
}

/** What a variant's exporter did so far (see {@link Instrumentation.exported}). */
export interface ExportedSoFar {
  /** Spans an in-process exporter received; null when a sink counts them. */
  count: number | null;
  /** Names of the last spans an in-process exporter received. */
  sample: string[];
  /** Spans the exporter dropped, was refused or failed to send; null when it cannot tell. */
  lost: number | null;
}

export type Setup = (config: ServerConfig) => Promise<Instrumentation>;

/**
 * `require` anchored at the repository root, for the frameworks and the AWS SDK: they load as
 * CommonJS (as in most deployed services), after the variant's instrumentation is in place, and
 * they resolve to the root's Fastify 5 rather than bench/node_modules' Fastify 4.
 */
export const requireFromRoot = createRequire(new URL('../../../package.json', import.meta.url));

/** `require` from the bench workspace, for its own dev dependencies. */
export const requireFromBench = createRequire(import.meta.url);
