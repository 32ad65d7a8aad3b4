import type { AwsDocument, JsonValue } from '../core/document.js';

// Per-service fields of the subsegment's `aws` block, read from the command's input before the
// call and from its output after it (the documented keys the X-Ray console and receiver know).

const BATCH_OPERATIONS = new Set(['BatchWriteItem', 'BatchGetItem']);
const TRANSACT_OPERATIONS = new Set(['TransactWriteItems', 'TransactGetItems']);

/** Fields known from the input: DynamoDB table names, the SQS queue URL. */
export function inputFields(service: string, operation: string | undefined, input: object): Partial<AwsDocument> {
  if (service === 'DynamoDB') return dynamoDbTables(operation, input as DynamoDbInput);
  if (service === 'SQS') {
    const queueUrl = (input as { QueueUrl?: unknown }).QueueUrl;
    return typeof queueUrl === 'string' ? { queue_url: queueUrl } : {};
  }
  return {};
}

/** Fields known from the output: DynamoDB consumed capacity, when the caller asked for it. */
export function outputFields(service: string, output: object): Partial<AwsDocument> {
  if (service !== 'DynamoDB') return {};
  const consumed = (output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
  return consumed !== undefined && consumed !== null && typeof consumed === 'object' ? { consumed_capacity: consumed as JsonValue } : {};
}

interface DynamoDbInput {
  TableName?: unknown;
  RequestItems?: unknown;
  TransactItems?: unknown;
}

function dynamoDbTables(operation: string | undefined, input: DynamoDbInput): Partial<AwsDocument> {
  if (typeof input.TableName === 'string') return { table_name: input.TableName };
  if (operation !== undefined && BATCH_OPERATIONS.has(operation)) {
    const items = input.RequestItems;
    return items !== null && typeof items === 'object' ? names(Object.keys(items)) : {};
  }
  if (operation !== undefined && TRANSACT_OPERATIONS.has(operation) && Array.isArray(input.TransactItems)) {
    const tables: string[] = [];
    for (const item of input.TransactItems as unknown[]) {
      if (item === null || typeof item !== 'object') continue;
      // Each item is { Put | Update | Delete | ConditionCheck | Get: { TableName, … } }.
      for (const action of Object.values(item as Record<string, unknown>)) {
        const table = action !== null && typeof action === 'object' ? (action as { TableName?: unknown }).TableName : undefined;
        if (typeof table === 'string' && !tables.includes(table)) tables.push(table);
      }
    }
    return names(tables);
  }
  return {};
}

function names(tables: string[]): Partial<AwsDocument> {
  return tables.length > 0 ? { table_names: tables } : {};
}
