import { capture } from '@cruddur/middleware';
import { type Instrumentation } from './deps.js';

/**
 * Custom blocks as X-Ray subsegments of the current request, through the package's public
 * `capture`: the subsegment closes when the block settles, whatever happens, so the "segment not
 * found" and double-close traps of hand-written begin/end pairs cannot occur.
 */
export const tracedInstrumentation: Instrumentation = {
  capture: (name, fn) =>
    capture(name, (subsegment) =>
      fn({
        addMetadata: (key, value, namespace) => void subsegment?.addMetadata(key, value, namespace),
        addAnnotation: (key, value) => void subsegment?.addAnnotation(key, value),
        addError: (error) => void subsegment?.addError(error),
      }),
    ),
};
