// Step 3: the seeds' home-activities-mock-data block, with the two values as annotations:
// indexed, so you can search traces by them.
import { addAnnotation, capture } from '@cruddur/middleware';

export interface HomeActivity {
  uuid: string;
  handle: string;
  message: string;
}

export function homeActivities(): HomeActivity[] {
  return capture('home-activities-mock-data', () => {
    const now = new Date();
    const results: HomeActivity[] = [
      { uuid: '68f126b0-1ceb-4a33-88be-d90fa7109eee', handle: 'andrewbrown', message: 'Cloud is fun!' },
      { uuid: '66e12864-8c26-4c3a-9658-95a10f8fea67', handle: 'worf', message: 'I am out of prune juice' },
    ];
    // Annotation keys allow letters, digits and _ only: app.now becomes app_now.
    addAnnotation('app_now', now.toISOString());
    addAnnotation('app_result_length', results.length);
    return results;
  });
}
