// The prom-client adapter of @incidentfox/auth: the core's metric families in a Registry.

import type { Authenticator, ImpersonationVerifier, OidcValidator } from '../index'

/** The part of a prom-client `Registry` the adapter uses. */
export interface MetricRegistry {
  registerMetric(metric: any): void
  removeSingleMetric(name: string): void
}

/** A prom-client custom metric built from one of the core's families. */
export interface CoreMetric {
  name: string
  help: string
  type: 'counter' | 'gauge' | 'histogram'
  aggregator: 'sum' | 'max'
  get(): {
    name: string
    help: string
    type: 'counter' | 'gauge' | 'histogram'
    values: Array<{ value: number; labels: Record<string, string>; metricName?: string }>
    aggregator: 'sum' | 'max'
  }
  reset(): void
}

/**
 * Registers the metric families of `source` with `options.registry` (default: prom-client's
 * `register`), under the core's names (`incidentfox_auth_*`). Returns the metrics registered.
 */
export declare function registerMetrics(
  source: Authenticator | OidcValidator | ImpersonationVerifier,
  options?: { registry?: MetricRegistry },
): CoreMetric[]
