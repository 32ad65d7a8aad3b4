// The filter language's public surface.
export { parseFilter } from './parser.js';
export { matchesFilter, type FilterContext } from './evaluate.js';
export { FilterSyntaxError } from './errors.js';
export type { FilterExpr, FilterValue, CompareOp, NodeSelector, FilterScope } from './ast.js';
