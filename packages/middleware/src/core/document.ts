// The X-Ray segment document, as typed JSON. Field names are the wire names on purpose: these
// types describe exactly what goes into a datagram.

/** An annotation value: X-Ray indexes strings, numbers and booleans only. */
export type AnnotationValue = string | number | boolean;

/** Any JSON value, as metadata holds. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** `http.request` of a segment or subsegment. */
export interface HttpRequestDocument {
  method?: string;
  url?: string;
  user_agent?: string;
  client_ip?: string;
  /** Segments only: the client ip came from `X-Forwarded-For`. */
  x_forwarded_for?: boolean;
}

/** `http.response`. */
export interface HttpResponseDocument {
  status?: number;
  content_length?: number;
}

/** The `http` block. */
export interface HttpDocument {
  request?: HttpRequestDocument;
  response?: HttpResponseDocument;
}

/** One frame of an exception's stack. */
export interface StackFrameDocument {
  path: string;
  line: number | null;
  label: string;
}

/** One exception in a `cause`. */
export interface ExceptionDocument {
  id: string;
  message: string;
  type: string;
  remote?: boolean;
  truncated?: number;
  skipped?: number;
  cause?: string;
  stack?: StackFrameDocument[];
}

/** The object form of `cause`; the string form is the id of an exception recorded elsewhere. */
export interface CauseDocument {
  working_directory: string;
  paths?: string[];
  exceptions: ExceptionDocument[];
}

/** The `sql` block. */
export interface SqlDocument {
  connection_string?: string;
  url?: string;
  sanitized_query?: string;
  database_type?: string;
  database_version?: string;
  driver_version?: string;
  user?: string;
  preparation?: 'call' | 'statement';
}

/** The `aws` block: documented keys typed, anything else allowed. */
export interface AwsDocument {
  [key: string]: JsonValue | undefined;
  account_id?: string;
  operation?: string;
  region?: string;
  request_id?: string;
  retries?: number;
  table_name?: string;
  table_names?: string[];
  queue_url?: string;
}

/** Fields shared by segments and subsegments. */
export interface EntityDocument {
  id: string;
  name: string;
  start_time: number;
  end_time?: number;
  in_progress?: true;
  http?: HttpDocument;
  aws?: AwsDocument;
  error?: true;
  throttle?: true;
  fault?: true;
  cause?: CauseDocument | string;
  annotations?: Record<string, AnnotationValue>;
  metadata?: Record<string, Record<string, JsonValue>>;
  subsegments?: SubsegmentDocument[];
}

/** A segment document. */
export interface SegmentDocument extends EntityDocument {
  trace_id: string;
  parent_id?: string;
  service?: {
    /** The application's version. */
    version?: string;
    /** `node`, as the official X-Ray SDK for Node writes it. */
    runtime?: string;
    /** `process.version`, e.g. `v20.18.0`. */
    runtime_version?: string;
    [key: string]: JsonValue | undefined;
  };
  user?: string;
  origin?: string;
}

/** An embedded or independent subsegment document. */
export interface SubsegmentDocument extends EntityDocument {
  namespace?: 'aws' | 'remote';
  traced?: boolean;
  precursor_ids?: string[];
  sql?: SqlDocument;
  /** Independent subsegments only. */
  type?: 'subsegment';
  parent_id?: string;
  trace_id?: string;
}
