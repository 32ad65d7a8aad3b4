// Step 3: the seeds' user_activities service. Its query runs in a `mock-data` subsegment whose
// metadata records when it ran and how many results it returned.
import { setTimeout as sleep } from 'node:timers/promises';
import { addMetadata, capture } from '@cruddur/middleware';

export interface Activity {
  uuid: string;
  handle: string;
  message: string;
  created_at: string;
}

export function userActivities(handle: string): Promise<Activity[]> {
  // capture() opens the subsegment, makes it current for everything inside, and closes it
  // exactly once: when the promise resolves or rejects.
  return capture('mock-data', async () => {
    const now = new Date();
    await sleep(5); // stands in for a DynamoDB query: the subsegment stays current across awaits
    const results: Activity[] = [
      { uuid: '248959df-3079-4947-b847-9e0892d1bab4', handle, message: 'From the workshop!', created_at: now.toISOString() },
    ];
    addMetadata('user_activities', { now: now.toISOString(), 'results-size': results.length });
    return results;
  });
}
