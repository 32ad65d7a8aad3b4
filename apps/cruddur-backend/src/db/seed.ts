// Usage: node dist/db/seed.js [--endpoint http://localhost:8000] [--table cruddur-messages] [--region us-east-1]
import { type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { uuidFromName } from '../ids.js';
import { type UserItem } from '../model.js';
import { ActivityRepository } from '../repositories/activities.js';
import { MessageRepository } from '../repositories/messages.js';
import { Table } from '../repositories/table.js';
import { UserRepository } from '../repositories/users.js';
import { newActivityItem, writeActivity } from '../services/create-activity.js';
import { newMessageItem, writeMessage } from '../services/create-message.js';
import { newReplyItem, writeReply } from '../services/create-reply.js';
import { createDocumentClient, createDynamoClient } from './client.js';
import { cliOptions, isMain } from './cli.js';
import { DEFAULT_TABLE_NAME, ensureTable } from './schema.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const SEED_USERS = {
  andrewbrown: { uuid: 'a1f0c3e2-5b7d-4c8e-9f10-2a3b4c5d6e01', display_name: 'Andrew Brown', bio: 'Cloud is fun.' },
  bayko: { uuid: 'b2e1d4f3-6c8e-4d9f-8a21-3b4c5d6e7f02', display_name: 'Andrew Bayko', bio: 'Data modeller.' },
  worf: { uuid: 'c3f2e5a4-7d9f-4eaf-9b32-4c5d6e7f8a03', display_name: 'Worf', bio: 'Son of Mogh.' },
  garek: { uuid: 'd4a3f6b5-8eaf-4fb0-8c43-5d6e7f8a9b04', display_name: 'Garek', bio: 'Plain, simple tailor.' },
} as const;

export type SeedHandle = keyof typeof SEED_USERS;

export const SEED_ACTIVITIES = {
  cloudIsFun: '68f126b0-1ceb-4a33-88be-d90fa7109eee',
  noHonorReply: '26e12864-1c26-5c3a-9658-97a10f8fea67',
  pruneJuice: '66e12864-8c26-4c3a-9658-95a10f8fea67',
  tailor: '248959df-3079-4947-b847-9e0892d1bab4',
  singleTable: 'e5b4a7c6-9fb0-4a01-9d54-6e7f8a9bac05',
} as const;

export const SEED_MESSAGE_GROUP = '5ae290ed-55d1-47a0-bc6d-fe2bc2700399';

const CONVERSATION: [SeedHandle, string][] = [
  ['andrewbrown', 'Have you had a chance to look at the messaging design?'],
  ['bayko', 'Yes. One table, two kinds of rows: the conversation itself and one row per member.'],
  ['andrewbrown', 'And listing my conversations is a single query on my own rows?'],
  ['bayko', 'Exactly. The worker moves every member row forward when a new message arrives.'],
  ['andrewbrown', 'What happens if the worker dies halfway through?'],
  ['bayko', 'The next message or a retry finishes the job: every step can safely run twice.'],
];

export interface SeedSummary {
  users: number;
  activities: number;
  replies: number;
  messages: number;
}

/**
 * Users, activities, a reply and one conversation (andrewbrown ↔ bayko).
 * Idempotent: every item is written put-if-absent through the same write
 * steps as the API, and entity ids are fixed, so a second run changes
 * nothing (timestamps are taken from the items the first run stored).
 */
export async function seed(
  db: DynamoDBDocumentClient,
  tableName: string = DEFAULT_TABLE_NAME,
  { now = new Date() }: { now?: Date } = {},
): Promise<SeedSummary> {
  const table = new Table(db, tableName);
  const ctx = {
    users: new UserRepository(table),
    activities: new ActivityRepository(table),
    messages: new MessageRepository(table),
  };
  const at = (offsetMs: number): Date => new Date(now.getTime() + offsetMs);

  const users = {} as Record<SeedHandle, UserItem>;
  for (const [handle, u] of Object.entries(SEED_USERS) as [SeedHandle, (typeof SEED_USERS)[SeedHandle]][]) {
    const item: UserItem = {
      user_uuid: u.uuid,
      handle,
      display_name: u.display_name,
      bio: u.bio,
      created_at: at(-30 * DAY).toISOString(),
      cruds_count: 0,
    };
    await ctx.users.putIfAbsent(item);
    users[handle] = item;
  }

  const cloudIsFun = await writeActivity(
    ctx,
    newActivityItem(users.andrewbrown, SEED_ACTIVITIES.cloudIsFun, 'Cloud is fun!', at(-2 * DAY), 7 * DAY / 1000),
  );
  await writeActivity(
    ctx,
    newActivityItem(users.worf, SEED_ACTIVITIES.pruneJuice, 'I am out of prune juice', at(-7 * DAY), 16 * DAY / 1000),
  );
  await writeActivity(
    ctx,
    newActivityItem(
      users.garek,
      SEED_ACTIVITIES.tailor,
      'My dear doctor, I am just simple tailor',
      at(-1 * HOUR),
      13 * HOUR / 1000,
    ),
  );
  await writeActivity(
    ctx,
    newActivityItem(
      users.bayko,
      SEED_ACTIVITIES.singleTable,
      'Single-table design is fun once the access patterns are written down.',
      at(-5 * HOUR),
      30 * DAY / 1000,
    ),
  );
  await writeReply(
    ctx,
    newReplyItem(users.worf, SEED_ACTIVITIES.noHonorReply, cloudIsFun, 'This post has no honor!', at(-2 * DAY + HOUR)),
  );

  let last;
  for (const [i, [handle, text]] of CONVERSATION.entries()) {
    const uuid = uuidFromName(`seed:message:${SEED_MESSAGE_GROUP}:${i}`);
    last = await writeMessage(ctx, newMessageItem(users[handle], uuid, SEED_MESSAGE_GROUP, text, at(-DAY + i * MINUTE)));
  }
  if (last) await ctx.messages.createMemberRows(SEED_MESSAGE_GROUP, users.andrewbrown, users.bayko, last);

  return { users: Object.keys(SEED_USERS).length, activities: 4, replies: 1, messages: CONVERSATION.length };
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const options = cliOptions(argv);
  const client = createDynamoClient(options);
  try {
    await ensureTable(client, options.tableName);
    const summary = await seed(createDocumentClient(client), options.tableName);
    process.stdout.write(`seeded ${options.tableName}: ${JSON.stringify(summary)}\n`);
  } finally {
    client.destroy();
  }
}

if (isMain(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`seed failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
