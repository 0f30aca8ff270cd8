//! The counters as metric families named by Prometheus conventions, and their OpenMetrics text.
//!
//! The Python `prometheus_client` collector and the Node `prom-client` adapter are built from
//! [`families`], so every language exposes the same names, labels and help texts.

use super::counters::{LatencyStats, Stats};
use serde::Serialize;
use std::fmt::Write;

/// One sample of a family.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sample {
    /// The sample's full name (`..._total`, `..._bucket`, `..._count`, `..._sum` or the family
    /// name).
    pub name: String,
    /// Label names and values.
    pub labels: Vec<(&'static str, String)>,
    /// The value.
    pub value: f64,
}

/// A metric family.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricFamily {
    /// The family name (no `_total` suffix).
    pub name: &'static str,
    /// `counter`, `gauge` or `histogram`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// One line of help.
    pub help: &'static str,
    /// Its samples.
    pub samples: Vec<Sample>,
}

fn family(name: &'static str, kind: &'static str, help: &'static str) -> MetricFamily {
    MetricFamily {
        name,
        kind,
        help,
        samples: Vec::new(),
    }
}

impl MetricFamily {
    fn counter(mut self, labels: Vec<(&'static str, String)>, value: u64) -> Self {
        self.samples.push(Sample {
            name: format!("{}_total", self.name),
            labels,
            value: value as f64,
        });
        self
    }

    fn gauge(mut self, value: f64) -> Self {
        self.samples.push(Sample {
            name: self.name.to_owned(),
            labels: Vec::new(),
            value,
        });
        self
    }

    fn histogram(mut self, stats: &LatencyStats) -> Self {
        for (bound, count) in &stats.buckets {
            self.samples.push(Sample {
                name: format!("{}_bucket", self.name),
                labels: vec![("le", format!("{bound:?}"))],
                value: *count as f64,
            });
        }
        self.samples.push(Sample {
            name: format!("{}_bucket", self.name),
            labels: vec![("le", "+Inf".to_owned())],
            value: stats.count as f64,
        });
        self.samples.push(Sample {
            name: format!("{}_count", self.name),
            labels: Vec::new(),
            value: stats.count as f64,
        });
        self.samples.push(Sample {
            name: format!("{}_sum", self.name),
            labels: Vec::new(),
            value: stats.sum_seconds,
        });
        self
    }
}

/// The metric families of `stats`.
pub fn families(stats: &Stats) -> Vec<MetricFamily> {
    let mut verifications = family(
        "incidentfox_auth_verifications",
        "counter",
        "Verifications by credential kind and outcome (ok or the error code).",
    );
    for cell in &stats.verifications {
        verifications = verifications.counter(
            vec![
                ("kind", cell.kind.to_owned()),
                ("outcome", cell.outcome.to_owned()),
            ],
            cell.count,
        );
    }
    let cache = family(
        "incidentfox_auth_verified_cache_lookups",
        "counter",
        "Verified-token cache lookups by result.",
    )
    .counter(
        vec![("result", "hit".to_owned())],
        stats.verified_cache.hits,
    )
    .counter(
        vec![("result", "miss".to_owned())],
        stats.verified_cache.misses,
    );
    let mut out = vec![verifications, cache];
    if let Some(jwks) = &stats.jwks {
        out.push(
            family(
                "incidentfox_auth_jwks_fetches",
                "counter",
                "Key-set fetches by result.",
            )
            .counter(vec![("result", "ok".to_owned())], jwks.fetches_ok)
            .counter(vec![("result", "failed".to_owned())], jwks.fetches_failed),
        );
        out.push(
            family(
                "incidentfox_auth_jwks_unknown_kid",
                "counter",
                "Unknown key ids seen, by whether they started a refetch or the cooldown refused it.",
            )
            .counter(
                vec![("action", "refetch".to_owned())],
                jwks.unknown_kid_refetches,
            )
            .counter(
                vec![("action", "refused".to_owned())],
                jwks.unknown_kid_refused,
            ),
        );
        out.push(
            family(
                "incidentfox_auth_jwks_stale_served",
                "counter",
                "Verifications served from a key set past its max age because fetching failed.",
            )
            .counter(Vec::new(), jwks.stale_served),
        );
        out.push(
            family(
                "incidentfox_auth_jwks_keys",
                "gauge",
                "Usable keys in the key set served.",
            )
            .gauge(jwks.keys as f64),
        );
        if let Some(age) = jwks.age_seconds {
            out.push(
                family(
                    "incidentfox_auth_jwks_age_seconds",
                    "gauge",
                    "Seconds since the key set served was fetched.",
                )
                .gauge(age),
            );
        }
        out.push(
            family(
                "incidentfox_auth_jwks_stale_seconds",
                "gauge",
                "Seconds the key set served has been past its max age.",
            )
            .gauge(jwks.stale_seconds),
        );
        out.push(
            family(
                "incidentfox_auth_jwks_fetch_duration_seconds",
                "histogram",
                "Key-set fetch latency.",
            )
            .histogram(&jwks.fetch_latency),
        );
    }
    if let Some(store) = &stats.jti_store {
        out.push(
            family(
                "incidentfox_auth_jti_store_calls",
                "counter",
                "JTI store calls by result.",
            )
            .counter(
                vec![("result", "ok".to_owned())],
                store.calls.saturating_sub(store.failures),
            )
            .counter(vec![("result", "failed".to_owned())], store.failures),
        );
        out.push(
            family(
                "incidentfox_auth_jti_store_duration_seconds",
                "histogram",
                "JTI store call latency.",
            )
            .histogram(&store.latency),
        );
    }
    out
}

/// The OpenMetrics text exposition of `stats`, ending in `# EOF`.
pub fn openmetrics(stats: &Stats) -> String {
    let mut text = String::new();
    for family in families(stats) {
        let _ = writeln!(text, "# TYPE {} {}", family.name, family.kind);
        let _ = writeln!(text, "# HELP {} {}", family.name, family.help);
        for sample in &family.samples {
            text.push_str(&sample.name);
            if !sample.labels.is_empty() {
                let labels: Vec<String> = sample
                    .labels
                    .iter()
                    .map(|(name, value)| format!("{name}=\"{}\"", escape(value)))
                    .collect();
                let _ = write!(text, "{{{}}}", labels.join(","));
            }
            let _ = writeln!(text, " {}", number(sample.value));
        }
    }
    text.push_str("# EOF\n");
    text
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::counters::VerificationCount;

    #[test]
    fn text_has_types_samples_and_eof() {
        let stats = Stats {
            verifications: vec![VerificationCount {
                kind: "oidc",
                outcome: "ok",
                count: 3,
            }],
            ..Stats::default()
        };
        let text = openmetrics(&stats);
        assert!(text.contains("# TYPE incidentfox_auth_verifications counter\n"));
        assert!(
            text.contains("incidentfox_auth_verifications_total{kind=\"oidc\",outcome=\"ok\"} 3\n")
        );
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn bucket_bounds_are_canonical_floats() {
        let stats = Stats {
            jwks: Some(crate::observe::JwksStats {
                fetch_latency: crate::observe::counters::Latency::default().snapshot(),
                ..crate::observe::JwksStats::default()
            }),
            ..Stats::default()
        };
        let text = openmetrics(&stats);
        assert!(
            text.contains("incidentfox_auth_jwks_fetch_duration_seconds_bucket{le=\"1.0\"} 0\n")
        );
        assert!(
            text.contains("incidentfox_auth_jwks_fetch_duration_seconds_bucket{le=\"0.005\"} 0\n")
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
