/** What a sampling rule can look at. Missing attributes match any pattern. */
export interface SamplingRequest {
  /** The `Host` header. */
  host?: string;
  /** The HTTP method. */
  method?: string;
  /** The URL path, without the query string. */
  urlPath?: string;
  /** The segment name. */
  serviceName?: string;
  /** The segment's `origin`, e.g. `AWS::EC2::Instance`. */
  serviceType?: string;
}

/** The outcome of a sampling decision. */
export interface SamplingDecision {
  /** Whether the new trace is recorded. */
  sampled: boolean;
  /** The centralized rule that decided, when one did (recorded as `aws.xray.sampling_rule_name`). */
  ruleName?: string;
}

/** Decides whether a new trace is recorded. Upstream decisions never reach a sampler. */
export interface Sampler {
  /** Decides one new trace. Must not throw; it runs in the request's path. */
  shouldSample(request: SamplingRequest): SamplingDecision;
  /** Stops timers (centralized samplers poll). */
  shutdown?(): void;
}
