// JSON schemas of the internal API (validated by Fastify/Ajv; unknown properties are dropped).

const uuid = { type: 'string', format: 'uuid' } as const;
const isoTime = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' } as const;
// The backend limits messages in user-perceived characters (1024 at most), and one of those can
// be many code points (a family emoji is 7): the worker's bound only has to stop absurd bodies.
const text = { type: 'string', minLength: 1, maxLength: 65536 } as const;
// The backend's handle rule (src/handles.ts there).
const handle = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } as const;
const errorCodes = { type: 'array', items: { type: 'string' } } as const;

export const moderateSchema = {
  body: {
    type: 'object',
    required: ['kind', 'message', 'handle'],
    additionalProperties: false,
    properties: {
      kind: { type: 'string', enum: ['activity', 'reply', 'message'] },
      message: text,
      handle,
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['allowed', 'reasons'],
      properties: { allowed: { type: 'boolean' }, reasons: { type: 'array', items: { type: 'string' } } },
    },
  },
} as const;

export const fanoutSchema = {
  body: {
    type: 'object',
    required: ['message_group_uuid', 'sk', 'message', 'sender_user_uuid'],
    additionalProperties: false,
    properties: {
      message_group_uuid: uuid,
      sk: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z#[0-9a-fA-F-]{36}$' },
      message: text,
      sender_user_uuid: uuid,
      message_uuid: uuid,
    },
  },
  response: {
    200: { type: 'object', required: ['updated'], properties: { updated: { type: 'integer' } } },
    '4xx': errorCodes,
  },
} as const;

export const notificationSchema = {
  body: {
    type: 'object',
    required: ['type', 'recipient_user_uuid', 'actor_handle', 'message'],
    additionalProperties: false,
    properties: {
      type: { type: 'string', enum: ['reply', 'message'] },
      recipient_user_uuid: uuid,
      actor_handle: handle,
      activity_uuid: uuid,
      message_group_uuid: uuid,
      message: text,
      event_uuid: uuid,
      created_at: isoTime,
    },
    dependencies: { event_uuid: ['created_at'] },
    allOf: [
      { if: { properties: { type: { const: 'reply' } } }, then: { required: ['activity_uuid'] } },
      { if: { properties: { type: { const: 'message' } } }, then: { required: ['message_group_uuid'] } },
    ],
  },
  response: {
    200: { type: 'object', required: ['notification_uuid'], properties: { notification_uuid: uuid } },
    '4xx': errorCodes,
  },
} as const;
