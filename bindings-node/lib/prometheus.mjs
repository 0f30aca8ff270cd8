// The ES module entry of @incidentfox/auth/prometheus: the CommonJS module's objects.
import lib from './prometheus.js'

export const { registerMetrics } = lib
export default lib
