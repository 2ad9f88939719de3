//! Medians and percentiles of samples (microseconds).

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Summary of one set of samples, in microseconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Summary {
    pub(crate) samples: usize,
    #[serde(with = "crate::results::nan")]
    pub(crate) median_us: f64,
    #[serde(with = "crate::results::nan")]
    pub(crate) p90_us: f64,
    #[serde(with = "crate::results::nan")]
    pub(crate) p99_us: f64,
    #[serde(with = "crate::results::nan")]
    pub(crate) min_us: f64,
    #[serde(with = "crate::results::nan")]
    pub(crate) max_us: f64,
}

/// Nearest-rank percentile of sorted samples (`p` in 0–100).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl Summary {
    /// Summarises samples in microseconds.
    pub(crate) fn of_us(mut samples: Vec<f64>) -> Self {
        samples.sort_by(f64::total_cmp);
        Self {
            samples: samples.len(),
            median_us: percentile(&samples, 50.0),
            p90_us: percentile(&samples, 90.0),
            p99_us: percentile(&samples, 99.0),
            min_us: samples.first().copied().unwrap_or(f64::NAN),
            max_us: samples.last().copied().unwrap_or(f64::NAN),
        }
    }

    /// Summarises durations.
    pub(crate) fn of(samples: &[Duration]) -> Self {
        Self::of_us(samples.iter().map(|d| d.as_secs_f64() * 1e6).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let s = Summary::of_us((1..=100).map(f64::from).collect());
        assert_eq!((s.median_us, s.p90_us, s.p99_us), (50.0, 90.0, 99.0));
        assert_eq!(Summary::of_us(vec![3.0]).p99_us, 3.0);
    }
}
