'use strict'
// @incidentfox/auth/prometheus: the counters of a validator, verifier or authenticator in a
// prom-client Registry, under the core's names (docs/observability.md):
//
//   const client = require('prom-client')
//   const { registerMetrics } = require('@incidentfox/auth/prometheus')
//   registerMetrics(authenticator, { registry: client.register })
//   // GET /metrics: res.type(client.register.contentType).send(await client.register.metrics())
//
// Each family the core exposes for the object becomes one prom-client custom metric (an object
// with `name`, `help`, `type` and `get()`), so the names, labels and help texts are the core's,
// and a histogram's `_bucket` (with `le`), `_sum` and `_count` samples are the core's too.
// A scrape reads one snapshot (`metricFamilies()`) for all of them. Families that have no
// samples yet (the key set's age before the first fetch) are registered from the start and show
// their HELP and TYPE only.
//
// prom-client is an optional peer dependency: this module does not load it unless no registry
// is given (then its default `register` is used).

const native = require('../index.js')

// How prom-client's cluster aggregation (AggregatorRegistry) combines the workers' values:
// counts add up; for a gauge (keys, age, staleness) the worst worker's value is shown.
const AGGREGATOR = { counter: 'sum', histogram: 'sum', gauge: 'max' }

function defaultRegistry() {
  try {
    return require('prom-client').register
  } catch (error) {
    throw new Error(`registerMetrics: give \`registry\`, or install prom-client (${error.message})`)
  }
}

function isSource(source) {
  return source != null && typeof source.metricFamilies === 'function' && typeof source.stats === 'function'
}

/**
 * Registers the metric families of `source` (an `OidcValidator`, `ImpersonationVerifier` or
 * `Authenticator`) with `options.registry` (default: prom-client's `register`). An
 * authenticator's families include its key set's and JTI store's, so one source is usually
 * enough; a second source in the same registry throws prom-client's "already registered" (use
 * a registry per source). Returns the metrics registered.
 */
function registerMetrics(source, options = {}) {
  if (!isSource(source)) {
    throw new TypeError('registerMetrics: the source must be an OidcValidator, ImpersonationVerifier or Authenticator')
  }
  if (options === null || typeof options !== 'object') throw new TypeError('registerMetrics: options must be an object')
  for (const name of Object.keys(options)) {
    if (name !== 'registry') throw new TypeError(`registerMetrics: unknown option \`${name}\`; the accepted option is registry`)
  }
  const registry = options.registry ?? defaultRegistry()
  if (typeof registry?.registerMetric !== 'function') throw new TypeError('registerMetrics: `registry` must be a prom-client Registry')

  // One snapshot per scrape: prom-client calls every metric's `get()` in one synchronous pass,
  // so the families are read once and forgotten at the next microtask.
  let snapshot
  const families = () => {
    if (snapshot === undefined) {
      snapshot = new Map(source.metricFamilies().map((family) => [family.name, family]))
      queueMicrotask(() => {
        snapshot = undefined
      })
    }
    return snapshot
  }

  const now = source.stats()
  const catalog = native.metricCatalog(now.jwks != null, now.jti_store != null)
  const metrics = catalog.map((entry) => metric(entry, families))
  const added = []
  try {
    for (const m of metrics) {
      registry.registerMetric(m)
      added.push(m)
    }
  } catch (error) {
    for (const m of added) registry.removeSingleMetric(m.name)
    throw error
  }
  return metrics
}

// A prom-client custom metric for the core's family `entry`. A counter is named with `_total`
// (prom-client's convention for its own counters; with the OpenMetrics content type the
// registry strips it from the family and puts it back on each sample), and its samples take
// the metric's name; a histogram's samples keep the core's `_bucket`, `_sum` and `_count` names.
function metric(entry, families) {
  const family = entry.name
  const type = entry.type
  return {
    name: type === 'counter' ? `${family}_total` : family,
    help: entry.help,
    type,
    aggregator: AGGREGATOR[type] ?? 'sum',
    get() {
      const found = families().get(family)
      const values = (found?.samples ?? []).map((sample) =>
        type === 'histogram'
          ? { value: sample.value, labels: { ...sample.labels }, metricName: sample.name }
          : { value: sample.value, labels: { ...sample.labels } },
      )
      return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
    },
    // `registry.resetMetrics()`: the counts are the core's and are not reset from here.
    reset() {},
  }
}

module.exports = { registerMetrics }
