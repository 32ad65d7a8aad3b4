import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateSegmentDocument } from '../src/index.js';

type Doc = Record<string, unknown>;

const TRACE_ID = '1-581cf771-a006649127e371903a2de979';

/** A segment with every optional block filled the way a careful emitter fills it. */
function segment(): Doc {
  return {
    trace_id: TRACE_ID,
    id: '70de5b6f19ff9a0a',
    name: 'cruddur-backend',
    start_time: 1478293361.271,
    end_time: 1478293361.449,
    parent_id: '53995c3f42cd8ad8',
    user: 'alice',
    origin: 'AWS::ECS::Container',
    service: { version: '1.2.0' },
    aws: { ecs: { container: 'backend' } },
    http: {
      request: { method: 'GET', url: 'https://api.example.com/api/activities', client_ip: '10.0.0.1', x_forwarded_for: true },
      response: { status: 200, content_length: 512 },
    },
    annotations: { user_handle: 'alice', count: 3, premium: false },
    metadata: { default: { debug: { attempt: 1 } }, 'cruddur.app': { list: [1, 2] } },
    error: false,
    fault: false,
    throttle: false,
    subsegments: [
      {
        id: 'a1b2c3d4e5f60718',
        name: 'DynamoDB',
        start_time: 1478293361.3,
        end_time: 1478293361.35,
        namespace: 'aws',
        aws: { operation: 'GetItem', region: 'us-east-1', table_name: 'activities' },
        http: { response: { status: 200 } },
      },
      {
        id: 'b1b2c3d4e5f60718',
        name: 'cruddur@db.example.com',
        start_time: 1478293361.36,
        end_time: 1478293361.4,
        namespace: 'remote',
        sql: { url: 'postgresql://db.example.com:5432/cruddur', preparation: 'statement' },
        precursor_ids: ['a1b2c3d4e5f60718'],
        fault: true,
        cause: {
          working_directory: '/app',
          exceptions: [{ id: 'c1b2c3d4e5f60718', type: 'Error', message: 'connection lost', remote: true, stack: [] }],
        },
        subsegments: [{ id: 'd1b2c3d4e5f60718', name: 'retry', start_time: 1478293361.37, end_time: 1478293361.38 }],
      },
    ],
  };
}

function sub(doc: Doc, index: number): Doc {
  const subsegments = doc.subsegments as Doc[];
  const found = subsegments[index];
  assert.ok(found);
  return found;
}

function only(doc: unknown): string {
  const violations = validateSegmentDocument(doc);
  assert.equal(violations.length, 1, `expected exactly one violation, got ${JSON.stringify(violations, null, 2)}`);
  return violations[0] ?? '';
}

void describe('validateSegmentDocument: documents the receiver accepts', () => {
  void it('accepts a full segment with embedded subsegments, SQL, exceptions and annotations', () => {
    assert.deepEqual(validateSegmentDocument(segment()), []);
  });

  void it('accepts a minimal segment and an in-progress one without end_time', () => {
    assert.deepEqual(validateSegmentDocument({ name: 'a', id: '0123456789abcdef', trace_id: TRACE_ID, start_time: 1, end_time: 2 }), []);
    assert.deepEqual(
      validateSegmentDocument({ name: 'a', id: '0123456789abcdef', trace_id: TRACE_ID, start_time: 1, in_progress: true }),
      [],
    );
  });

  void it('accepts the documented exponent form of a time and Python-style in_progress: false on a closed segment', () => {
    const doc = { ...segment(), start_time: 1.480615200010e9, end_time: 1.480615200090e9, in_progress: false };
    assert.deepEqual(validateSegmentDocument(doc), []);
  });

  void it('accepts an independent subsegment with type, parent_id and trace_id', () => {
    const doc = { ...sub(segment(), 0), type: 'subsegment', parent_id: '70de5b6f19ff9a0a', trace_id: TRACE_ID };
    assert.deepEqual(validateSegmentDocument(doc), []);
  });

  void it('accepts a cause given as a 16-hex exception id', () => {
    assert.deepEqual(validateSegmentDocument({ ...segment(), cause: 'c1b2c3d4e5f60718', fault: true }), []);
  });

  void it('accepts names made of Unicode letters, digits, whitespace and _ . : / % & # = + \\ - @, up to 200 characters', () => {
    assert.deepEqual(validateSegmentDocument({ ...segment(), name: 'Café München_1.0:/%&#=+\\-@ api\t東京' }), []);
    assert.deepEqual(validateSegmentDocument({ ...segment(), name: 'é'.repeat(200) }), []);
  });

  void it('accepts exactly 50 annotations with string, number and boolean values', () => {
    const annotations = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key_${i}`, i % 3 === 0 ? 'v' : i % 3 === 1 ? i : true]));
    assert.deepEqual(validateSegmentDocument({ ...segment(), annotations }), []);
  });

  void it('accepts sql.url with a query string and treats null optional fields as absent', () => {
    const doc = segment();
    sub(doc, 1).sql = { url: 'mysql://db:3306/cruddur?ssl=true' };
    Object.assign(doc, { parent_id: null, namespace: null, metadata: null, annotations: null, cause: null });
    assert.deepEqual(validateSegmentDocument(doc), []);
  });
});

void describe('validateSegmentDocument: rejections', () => {
  void it('rejects anything that is not a JSON object', () => {
    for (const value of [null, [], 'segment', 42, true, undefined]) {
      assert.match(only(value), /^\$: a segment document must be a JSON object/);
    }
  });

  for (const field of ['name', 'id', 'start_time', 'trace_id']) {
    void it(`rejects a top-level document without ${field} (missing or null)`, () => {
      const missing = segment();
      delete missing[field];
      assert.equal(only(missing), `$.${field}: required at the top level`);
      assert.equal(only({ ...segment(), [field]: null }), `$.${field}: required at the top level`);
    });
  }

  void it('rejects times that are not numbers', () => {
    assert.match(only({ ...segment(), start_time: '1478293361.271' }), /^\$\.start_time: must be a number/);
    assert.match(only({ ...segment(), end_time: '1478293361.449' }), /^\$\.end_time: must be a number/);
    assert.match(only({ ...segment(), start_time: false }), /^\$\.start_time: must be a number/);
  });

  void it('rejects an entity with neither end_time nor in_progress: true', () => {
    const doc = segment();
    delete doc.end_time;
    assert.match(only(doc), /^\$: needs end_time/);
    assert.match(only({ ...doc, in_progress: false }), /^\$: needs end_time/);
    const child = segment();
    delete sub(child, 0).end_time;
    assert.match(only(child), /^\$\.subsegments\[0\]: needs end_time/);
  });

  void it('rejects malformed trace ids', () => {
    for (const traceId of [
      '1-581cf771-a006649127e371903a2de97',
      '1-581cf771-a006649127e371903a2de9791',
      '2-581cf771-a006649127e371903a2de979',
      '1-581CF771-A006649127E371903A2DE979',
      '1-581cf77g-a006649127e371903a2de979',
      '1581cf771a006649127e371903a2de979',
      12345,
    ]) {
      assert.match(only({ ...segment(), trace_id: traceId }), /^\$\.trace_id: must be 1-<8 hex digits>-<24 hex digits>/, String(traceId));
    }
  });

  void it('rejects ids and parent ids that are not 16 lowercase hex digits, at any depth', () => {
    for (const id of ['70de5b6f19ff9a0', '70de5b6f19ff9a0a0', '70DE5B6F19FF9A0A', '70de5b6f19ff9a0z', 7]) {
      assert.match(only({ ...segment(), id }), /^\$\.id: must be 16 lowercase hex digits/, String(id));
    }
    assert.match(only({ ...segment(), parent_id: 'not-an-id' }), /^\$\.parent_id: must be 16 lowercase hex digits/);
    const nested = segment();
    sub(sub(nested, 1), 0).id = 'D1B2C3D4E5F60718';
    assert.match(only(nested), /^\$\.subsegments\[1\]\.subsegments\[0\]\.id: must be 16 lowercase hex digits/);
    const precursor = segment();
    sub(precursor, 1).precursor_ids = ['a1b2c3d4e5f6071'];
    assert.match(only(precursor), /^\$\.subsegments\[1\]\.precursor_ids\[0\]: must be 16 lowercase hex digits/);
  });

  void it('rejects a namespace other than aws or remote', () => {
    for (const namespace of ['local', 'AWS', '', 1]) {
      const doc = segment();
      sub(doc, 0).namespace = namespace;
      assert.match(only(doc), /^\$\.subsegments\[0\]\.namespace: must be "aws" or "remote"/, String(namespace));
    }
  });

  void it('rejects metadata whose namespace values are not objects', () => {
    assert.match(only({ ...segment(), metadata: { default: 1 } }), /^\$\.metadata\.default: a metadata namespace must hold an object/);
    assert.match(only({ ...segment(), metadata: { 'cruddur.app': 'x' } }), /^\$\.metadata\["cruddur\.app"\]: a metadata namespace/);
    assert.match(only({ ...segment(), metadata: { default: [1] } }), /^\$\.metadata\.default: .* got array/);
    assert.match(only({ ...segment(), metadata: 'debug' }), /^\$\.metadata: must be an object of namespaces/);
  });

  void it('rejects sql.url without scheme://host/database', () => {
    for (const url of ['postgresql://db.example.com:5432', 'db.example.com/cruddur', 'postgresql://db/?x=1', 3306]) {
      const doc = segment();
      sub(doc, 1).sql = { url };
      assert.match(only(doc), /^\$\.subsegments\[1\]\.sql\.url: must look like scheme:\/\/host\/database/, String(url));
    }
  });

  for (const field of ['id', 'type', 'message']) {
    void it(`rejects an exception without ${field}`, () => {
      const doc = segment();
      const cause = sub(doc, 1).cause as { exceptions: Doc[] };
      const exception = cause.exceptions[0];
      assert.ok(exception);
      delete exception[field];
      assert.match(only(doc), new RegExp(`^\\$\\.subsegments\\[1\\]\\.cause\\.exceptions\\[0\\]\\.${field}: required`));
    });
  }

  void it('rejects exception ids and cause strings that are not 16 hex digits', () => {
    const doc = segment();
    const cause = sub(doc, 1).cause as { exceptions: Doc[] };
    Object.assign(cause.exceptions[0] ?? {}, { id: 'c1b2c3d4' });
    assert.match(only(doc), /^\$\.subsegments\[1\]\.cause\.exceptions\[0\]\.id: must be 16 lowercase hex digits/);
    assert.match(only({ ...segment(), cause: 'boom' }), /^\$\.cause: a cause given as a string must be a 16-hex exception id/);
    assert.match(only({ ...segment(), cause: 7 }), /^\$\.cause: must be an exception id string or an object/);
    assert.match(only({ ...segment(), cause: { exceptions: {} } }), /^\$\.cause\.exceptions: must be an array/);
  });

  void it('rejects an independent subsegment without parent_id or trace_id', () => {
    const independent = { ...sub(segment(), 0), type: 'subsegment', parent_id: '70de5b6f19ff9a0a', trace_id: TRACE_ID };
    const noParent: Doc = { ...independent };
    delete noParent.parent_id;
    assert.equal(only(noParent), '$.parent_id: required for an independent subsegment (type "subsegment")');
    assert.equal(only({ ...noParent, type: 'SubSegment' }), '$.parent_id: required for an independent subsegment (type "subsegment")');
    const noTrace: Doc = { ...independent };
    delete noTrace.trace_id;
    assert.equal(only(noTrace), '$.trace_id: required at the top level');
  });

  void it('rejects annotation keys outside [A-Za-z0-9_] and values that are not scalars', () => {
    for (const key of ['bad key', 'user.id', 'user-id', 'naïve', '']) {
      assert.match(only({ ...segment(), annotations: { [key]: 1 } }), /annotation keys may only contain/, key);
    }
    for (const value of [{ a: 1 }, [1], null, Number.NaN]) {
      assert.match(only({ ...segment(), annotations: { ok: value } }), /^\$\.annotations\.ok: annotation values must be/, String(value));
    }
    assert.match(only({ ...segment(), annotations: ['a'] }), /^\$\.annotations: must be an object/);
  });

  void it('rejects more than 50 annotations in one document, counted across subsegments', () => {
    const fiftyOne = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    assert.match(only({ ...segment(), annotations: fiftyOne }), /^\$: 51 annotations in one document/);
    const split = segment();
    split.annotations = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`a${i}`, i]));
    sub(split, 0).annotations = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`b${i}`, i]));
    assert.match(only(split), /^\$: 51 annotations in one document/);
  });

  void it('rejects names longer than 200 characters or with characters outside the allowed set', () => {
    assert.match(only({ ...segment(), name: 'a'.repeat(201) }), /^\$\.name: 201 characters, at most 200 allowed/);
    for (const bad of ['api?', 'a*b', 'GET /users;', '(svc)', 'a!b', 'a$b', 'a~b', 'a^b', 'a<b>', 'a"b', 'a,b', 'rocket🚀']) {
      assert.match(only({ ...segment(), name: bad }), /^\$\.name: .* contains characters X-Ray does not allow/, bad);
    }
    const child = segment();
    sub(child, 0).name = 'GET /a?b';
    assert.match(only(child), /^\$\.subsegments\[0\]\.name: .*"\?"/);
    assert.match(only({ ...segment(), name: '' }), /^\$\.name: must not be empty/);
    assert.match(only({ ...segment(), name: 42 }), /^\$\.name: must be a string/);
  });

  void it('rejects embedded subsegments without name, id or start_time, and non-object subsegments', () => {
    for (const field of ['name', 'id', 'start_time']) {
      const doc = segment();
      delete sub(doc, 0)[field];
      assert.equal(only(doc), `$.subsegments[0].${field}: required in a subsegment`);
    }
    assert.match(only({ ...segment(), subsegments: [42] }), /^\$\.subsegments\[0\]: a subsegment must be a JSON object/);
    assert.match(only({ ...segment(), subsegments: {} }), /^\$\.subsegments: must be an array/);
  });

  void it('rejects fields whose JSON type the receiver cannot unmarshal', () => {
    assert.match(only({ ...segment(), fault: 'true' }), /^\$\.fault: must be a boolean/);
    assert.match(only({ ...segment(), in_progress: 1 }), /^\$\.in_progress: must be a boolean/);
    assert.match(only({ ...segment(), user: 42 }), /^\$\.user: must be a string/);
    assert.match(only({ ...segment(), aws: 'ecs' }), /^\$\.aws: must be an object/);
    assert.match(only({ ...segment(), http: { response: { status: '200' } } }), /^\$\.http\.response\.status: must be an integer/);
    const traced = segment();
    sub(traced, 0).traced = 'yes';
    assert.match(only(traced), /^\$\.subsegments\[0\]\.traced: must be a boolean/);
  });

  void it('reports every problem of a broken document, each with its path', () => {
    const violations = validateSegmentDocument({ name: 'a?', id: 'x', start_time: 'now', subsegments: [{ id: 'y', namespace: 'local' }] });
    const paths = violations.map((violation) => violation.split(':')[0]);
    for (const path of ['$.trace_id', '$.name', '$.id', '$.start_time', '$', '$.subsegments[0].name', '$.subsegments[0].id', '$.subsegments[0].namespace']) {
      assert.ok(paths.includes(path), `missing ${path} in ${JSON.stringify(violations, null, 2)}`);
    }
  });

  void it('stops at an absurd nesting depth instead of overflowing the stack', () => {
    let innermost: Doc = { id: '0123456789abcdef', name: 'n', start_time: 1, end_time: 2 };
    for (let depth = 0; depth < 200; depth += 1) {
      innermost = { id: '0123456789abcdef', name: 'n', start_time: 1, end_time: 2, subsegments: [innermost] };
    }
    const violations = validateSegmentDocument({ ...innermost, trace_id: TRACE_ID });
    assert.equal(violations.length, 1);
    assert.match(violations[0] ?? '', /nested deeper than 64 levels/);
  });
});
