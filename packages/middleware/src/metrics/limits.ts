// The limits of the CloudWatch embedded metric format and of the CloudWatch metric model it feeds
// (the EMF specification and the PutMetricData reference; the same numbers as the official EMF
// libraries). A document beyond them is ignored by CloudWatch, so we never write one.

/** Metric definitions per document (one `MetricDirective`). */
export const MAX_METRICS_PER_DOCUMENT = 100;
/** Values (distinct values of a `Values`/`Counts` pair) per metric. */
export const MAX_VALUES_PER_METRIC = 100;
/** Dimension keys per dimension set. */
export const MAX_DIMENSIONS_PER_SET = 30;
/** Metric name length. */
export const MAX_METRIC_NAME_LENGTH = 255;
/** Dimension name length. */
export const MAX_DIMENSION_NAME_LENGTH = 250;
/** Dimension value length. */
export const MAX_DIMENSION_VALUE_LENGTH = 1024;
/** Namespace length. */
export const MAX_NAMESPACE_LENGTH = 255;
/** CloudWatch refuses values beyond ±2^360. */
export const MAX_ABS_VALUE = 2 ** 360;
/** Default cap on distinct dimension sets per kind and interval. */
export const DEFAULT_MAX_DIMENSION_SETS = 1000;
