// Captures what a logger writes, as the JSON lines its console would print.
import type TransportStream from 'winston-transport';
import winston from 'winston';
import { jsonLine } from '../../src/logger/json-line.js';

const Base = (winston as unknown as { Transport: typeof TransportStream }).Transport;
const MESSAGE = Symbol.for('message');

/** A winston transport keeping every entry's JSON line and its parsed form. */
export class CaptureTransport extends Base {
  readonly lines: string[] = [];

  constructor() {
    super({ format: jsonLine() });
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    this.lines.push(String(info[MESSAGE]));
    next();
  }

  /** The entries, parsed. */
  get entries(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
