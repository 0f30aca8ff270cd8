//! Reading configuration from environment variables, collecting every problem before failing.
//!
//! Each component's `from_env()` reads the services' variable names through an [`EnvSource`], so tests
//! (and services with their own settings layer) can pass a map instead of the process
//! environment. Problems are gathered in [`Problems`] and reported together in one
//! `invalid_config` error; values of secret variables are never quoted.

use crate::error::{err, ErrorCode, Result};
use crate::text::clip;
use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

/// Where variables are read from.
pub trait EnvSource {
    /// The value of `name`, if set.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl EnvSource for HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl EnvSource for HashMap<&str, &str> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).map(|v| (*v).to_owned())
    }
}

/// A component read from environment variables.
///
/// [`read_env`](Self::read_env) reads through an [`EnvReader`] that several components may
/// share, recording every problem there, so one report can cover them all
/// ([`check_env`](crate::check_env), `Authenticator::from_env_source`).
/// [`from_env_source`](Self::from_env_source) reads one component and names every problem in
/// one `invalid_config`; [`from_env`](Self::from_env) does so from the process environment.
pub trait FromEnv: Sized {
    /// What the variables give: `Self`, or `Option<Self>` for a component a variable turns on
    /// (`OIDC_ENABLED`, `WEB_UI_OIDC_ENABLED`).
    type Output;

    /// Reads the component's variables through `env`, recording every problem there.
    fn read_env(env: &mut EnvReader<'_>) -> Self::Output;

    /// Reads `source`; every problem is named in one `invalid_config`.
    fn from_env_source(source: &dyn EnvSource) -> Result<Self::Output> {
        let mut env = EnvReader::new(source);
        let value = Self::read_env(&mut env);
        env.finish(value)
    }

    /// Reads the process environment; every problem is named in one `invalid_config`.
    fn from_env() -> Result<Self::Output> {
        Self::from_env_source(&ProcessEnv)
    }
}

/// Problems found while reading configuration.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Problems(Vec<String>);

impl Problems {
    /// Records a problem, once: a variable read by several components is reported once.
    pub fn push(&mut self, problem: impl Into<String>) {
        let problem = problem.into();
        if !self.0.contains(&problem) {
            self.0.push(problem);
        }
    }

    /// Adds all of `others`.
    pub fn extend(&mut self, others: impl IntoIterator<Item = String>) {
        for problem in others {
            self.push(problem);
        }
    }

    /// The problems, one line each.
    pub fn list(&self) -> &[String] {
        &self.0
    }

    /// `Ok(value)` when no problem was found, else one `invalid_config` naming all of them.
    pub fn into_result<T>(self, value: T) -> Result<T> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            for problem in &self.0 {
                crate::observe::events::config_problem(problem);
            }
            Err(err(
                ErrorCode::InvalidConfig,
                format!("invalid configuration: {}", self.0.join("; ")),
            ))
        }
    }
}

/// Typed reads of variables, recording problems instead of failing on the first.
pub struct EnvReader<'a> {
    source: &'a dyn EnvSource,
    problems: Problems,
}

impl<'a> EnvReader<'a> {
    /// Starts reading from `source`.
    pub fn new(source: &'a dyn EnvSource) -> Self {
        EnvReader {
            source,
            problems: Problems::default(),
        }
    }

    /// The raw value, trimmed; empty counts as unset.
    pub fn text(&self, name: &str) -> Option<String> {
        self.source
            .var(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// The raw value, trimmed, with an empty value kept as `Some("")` (for variables where
    /// "set but empty" means something, such as an empty permission list).
    pub fn raw(&self, name: &str) -> Option<String> {
        self.source.var(name).map(|v| v.trim().to_owned())
    }

    /// The value exactly as set, untrimmed (for variables whose services tell empty from blank).
    pub fn untrimmed(&self, name: &str) -> Option<String> {
        self.source.var(name)
    }

    /// The value or `default`.
    pub fn text_or(&self, name: &str, default: &str) -> String {
        self.text(name).unwrap_or_else(|| default.to_owned())
    }

    /// A required value; records a problem when unset.
    pub fn required(&mut self, name: &str, why: &str) -> String {
        match self.text(name) {
            Some(v) => v,
            None => {
                self.problems.push(format!("{name} is required {why}"));
                String::new()
            }
        }
    }

    /// A boolean flag (`1/true/yes/on` or `0/false/no/off`).
    pub fn flag(&mut self, name: &str, default: bool) -> bool {
        match self.text(name).map(|v| v.to_ascii_lowercase()) {
            None => default,
            Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => true,
            Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => false,
            Some(v) => {
                self.problems
                    .push(format!("{name} must be 1 or 0, got `{}`", clip(&v)));
                default
            }
        }
    }

    /// A switch that widens what is accepted (a credential kind, a legacy audience, a short
    /// secret): only `1` turns it on and only `0` (or unset, or empty) leaves it off; any other
    /// spelling is a problem. The services read these as `== "1"`, so accepting `true` or `yes`
    /// here would open what they keep shut.
    pub fn opt_in(&mut self, name: &str) -> bool {
        match self.text(name).as_deref() {
            None | Some("0") => false,
            Some("1") => true,
            Some(v) => {
                self.problems.push(format!(
                    "{name} must be 1 or 0 (only `1` turns it on), got `{}`",
                    clip(v)
                ));
                false
            }
        }
    }

    /// A protection that is on by default: only `0` turns it off, and only `1` (or unset, or
    /// empty) leaves it on; any other spelling is a problem and leaves it on.
    pub fn protection(&mut self, name: &str) -> bool {
        match self.text(name).as_deref() {
            None | Some("1") => true,
            Some("0") => false,
            Some(v) => {
                self.problems.push(format!(
                    "{name} must be 1 or 0 (only `0` turns it off), got `{}`",
                    clip(v)
                ));
                true
            }
        }
    }

    /// A number parsed with `FromStr`, at least `min`.
    pub fn number<T>(&mut self, name: &str, default: T, min: T) -> T
    where
        T: FromStr + PartialOrd + Copy + std::fmt::Display,
    {
        let Some(raw) = self.text(name) else {
            return default;
        };
        match raw.parse::<T>() {
            Ok(v) if v >= min => v,
            _ => {
                self.problems.push(format!(
                    "{name} must be a number of at least {min}, got `{}`",
                    clip(&raw)
                ));
                default
            }
        }
    }

    /// A value parsed with `FromStr`, or `default` when unset; an unparseable value is a
    /// problem. Range checks are the caller's (a configuration's `problems()`), so that the same
    /// bounds hold for values set in code.
    pub fn parsed<T: FromStr>(&mut self, name: &str, default: T) -> T {
        let Some(raw) = self.text(name) else {
            return default;
        };
        raw.parse::<T>().unwrap_or_else(|_| {
            self.problems
                .push(format!("{name} must be a number, got `{}`", clip(&raw)));
            default
        })
    }

    /// A CSV list, each item read by `parse` (a permission, say); set-but-empty is an empty list;
    /// every item `parse` refuses is recorded as a problem naming the variable and value. The
    /// reader knows no item type, so the layers above bring their own parsers.
    pub fn parsed_list<T>(
        &mut self,
        name: &str,
        default: &str,
        parse: impl Fn(&str) -> Result<T>,
    ) -> Vec<T> {
        let csv = self.raw(name).unwrap_or_else(|| default.to_owned());
        let mut items = Vec::new();
        for item in split_csv(&csv) {
            match parse(&item) {
                Ok(v) => items.push(v),
                Err(e) => self.problem(format!("{name} value `{}`: {}", clip(&item), e.message())),
            }
        }
        items
    }

    /// A duration in seconds, at least `min` (0 where zero turns a cache off); a value no
    /// `Duration` holds is a problem.
    pub fn seconds(&mut self, name: &str, default: Duration, min: f64) -> Duration {
        let value = self.number(name, default.as_secs_f64(), min);
        Duration::try_from_secs_f64(value).unwrap_or_else(|_| {
            self.problem(format!("{name} must be a finite number of seconds"));
            default
        })
    }

    /// A comma-separated list: items trimmed, empty items dropped.
    pub fn csv(&self, name: &str) -> Option<Vec<String>> {
        self.text(name).map(|v| split_csv(&v))
    }

    /// Records a problem found by the caller.
    pub fn problem(&mut self, problem: impl Into<String>) {
        self.problems.push(problem);
    }

    /// Finishes: `Ok(value)` or one error naming every problem.
    pub fn finish<T>(self, value: T) -> Result<T> {
        self.problems.into_result(value)
    }

    /// The problems so far.
    pub fn problems(&self) -> &Problems {
        &self.problems
    }
}

/// A count given as a JavaScript or JSON number (a size cap, a capacity, a pool size): a whole
/// number from 0 to 2^53, else `invalid_config` naming the option `name`. The Node binding takes
/// such options as numbers and converts them here, so `-1` is refused instead of wrapping to
/// 4294967295 (which, as a size cap, would remove it).
pub fn whole_count(name: &str, value: f64) -> Result<u64> {
    // 2^53: every whole number up to it is exact in an f64.
    const MAX_EXACT: f64 = 9_007_199_254_740_992.0;
    if value.is_finite() && (0.0..=MAX_EXACT).contains(&value) && value.fract() == 0.0 {
        Ok(value as u64)
    } else {
        Err(err(
            ErrorCode::InvalidConfig,
            format!("{name} must be a whole number from 0 to 2^53, got `{value}`"),
        ))
    }
}

/// Splits a CSV list: items trimmed, empty items dropped.
pub fn split_csv(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
