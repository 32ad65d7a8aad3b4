// Step 3: what happens when code asks for the segment outside a request.
// Run it: npx tsx step3-context-missing.ts
import { addAnnotation, SegmentNotFoundError } from '@cruddur/middleware';

// Module scope runs at start-up, before any request: there is no segment to annotate.
try {
  const recorded = addAnnotation('release', '2025-01');
  console.log(`recorded: ${recorded}`);
} catch (err) {
  if (!(err instanceof SegmentNotFoundError)) throw err;
  console.log(`thrown: ${err.message}`);
}
