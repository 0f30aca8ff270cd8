'use strict'
// The library's events in Node's idiom: each event the core emits is published on the
// `node:diagnostics_channel` channel `incidentfox:auth:<area>` (areas: keys, jti, lookup, login,
// config, verify) as `{ event, level, ...fields }`, and handed to an optional pino-style logger
// as `logger[level]({ event, ...fields }, event)`.
//
// The addon queues each event for the JS thread without waiting (see src/observe.rs): an event
// emitted by a call on the JS thread (`verifySync`, say) is published on a later turn of the
// event loop, never during the call. Events below the level (default `info`) never leave the
// core, so the `debug` event of each verification costs nothing until the level is `debug`.
// Names, fields and levels are the core's (docs/observability.md); no event carries a token, a
// secret, a password or a cookie.

const diagnostics = require('node:diagnostics_channel')
const native = require('../index.js')

/** The areas, each with its channel. */
const AREAS = ['keys', 'jti', 'lookup', 'login', 'config', 'verify']
const CHANNEL_PREFIX = 'incidentfox:auth:'
const channels = Object.create(null)
for (const area of AREAS) channels[area] = diagnostics.channel(CHANNEL_PREFIX + area)

const LEVELS = ['off', 'error', 'warn', 'info', 'debug', 'trace']
// pino's other levels, as the nearest of ours.
const PINO_LEVELS = { silent: 'off', fatal: 'error' }

let logger
let level = 'info'

function channelOf(area) {
  if (channels[area] === undefined) channels[area] = diagnostics.channel(CHANNEL_PREFIX + area)
  return channels[area]
}

// Called by the addon on the JS thread, once per event. It must never throw (a throw from a
// threadsafe function's callback is an uncaught exception): a failing logger is reported once
// on stderr and then left alone. A diagnostics_channel subscriber's throw is Node's to report.
let loggerFailed = false
function deliver(record) {
  try {
    const fields = record.fields
    const message = Object.assign({ event: record.event, level: record.level }, fields)
    message.event = record.event
    message.level = record.level
    const channel = channelOf(record.area)
    if (channel.hasSubscribers) channel.publish(message)
    const current = logger
    if (current != null) {
      const method = current[record.level]
      if (typeof method === 'function') {
        const entry = Object.assign({ event: record.event }, fields)
        entry.event = record.event
        method.call(current, entry, record.event)
      }
    }
  } catch (error) {
    if (!loggerFailed) {
      loggerFailed = true
      process.emitWarning(`@incidentfox/auth: the event logger failed: ${error?.message ?? error}`, 'IncidentfoxAuthWarning')
    }
  }
}

native.setEventSink(deliver)

function levelName(given) {
  if (typeof given !== 'string') return undefined
  const name = PINO_LEVELS[given] ?? given
  return LEVELS.includes(name) ? name : undefined
}

/**
 * Sets what the library's events go to and from which level:
 *
 * - `level`: `off`, `error`, `warn`, `info` (the default), `debug` (adds each verification's
 *   outcome) or `trace`. Without it, a logger's own `level` (pino's `logger.level`) when it is
 *   one of these (or `fatal`, `silent`), else the level set before.
 * - `logger`: an object with pino's methods (`error`, `warn`, `info`, `debug`, `trace`), called
 *   as `logger[level]({ event, ...fields }, event)`; `null` removes it.
 *
 * Returns the settings now in force. The diagnostics channels are published whatever the logger.
 */
function configureObservability(options = {}) {
  if (options === null || typeof options !== 'object') throw new TypeError('configureObservability: options must be an object')
  for (const name of Object.keys(options)) {
    if (name !== 'level' && name !== 'logger') {
      throw new TypeError(`configureObservability: unknown option \`${name}\`; the accepted options are level, logger`)
    }
  }
  if (Object.prototype.hasOwnProperty.call(options, 'logger')) {
    const given = options.logger
    if (given != null && (typeof given !== 'object' && typeof given !== 'function')) {
      throw new TypeError('configureObservability: `logger` must be an object with pino-style level methods')
    }
    logger = given ?? undefined
    loggerFailed = false
  }
  let wanted
  if (options.level !== undefined) {
    wanted = levelName(options.level)
    if (wanted === undefined) {
      throw new TypeError(`configureObservability: \`level\` must be one of ${LEVELS.join(', ')}`)
    }
  } else if (logger != null) {
    wanted = levelName(logger.level)
  }
  if (wanted !== undefined) {
    native.setEventLevel(wanted)
    level = wanted
  }
  return { level, logger: logger ?? null }
}

/** Events dropped because the JS thread's queue (1024 events) was full. */
function eventsDropped() {
  return native.eventsDropped()
}

module.exports = { AREAS, CHANNEL_PREFIX, configureObservability, eventsDropped }
