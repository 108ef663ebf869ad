//! Background job rules: the retry schedule and when a failing job is parked as dead.

use std::time::Duration;

/// How a job that failed is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (the first run included) before the job is parked as dead.
    pub max_attempts: u32,
    /// Delay after the first failure; doubled after each further one.
    pub base_delay: Duration,
    /// The longest delay between two attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(3600),
        }
    }
}

/// What to do with a job whose attempt number `attempt` (1-based) just failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryIn(Duration),
    Dead,
}

impl RetryPolicy {
    pub fn after_failure(&self, attempt: u32) -> AfterFailure {
        if attempt >= self.max_attempts {
            return AfterFailure::Dead;
        }
        let exp = attempt.saturating_sub(1).min(30);
        let delay = self.base_delay.saturating_mul(1u32 << exp).min(self.max_delay);
        AfterFailure::RetryIn(delay)
    }
}

/// The state of a job row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its `run_at`.
    Queued,
    /// Leased by a worker until its lease expires.
    Running,
    Done,
    /// Failed `max_attempts` times; kept for an operator to look at.
    Dead,
}

impl JobState {
    pub const ALL: [Self; 4] = [Self::Queued, Self::Running, Self::Done, Self::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn delays_double_until_the_cap_then_the_job_dies() {
        let p = RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(3),
        };
        assert_eq!(p.after_failure(1), AfterFailure::RetryIn(Duration::from_secs(1)));
        assert_eq!(p.after_failure(2), AfterFailure::RetryIn(Duration::from_secs(2)));
        assert_eq!(p.after_failure(3), AfterFailure::RetryIn(Duration::from_secs(3)));
        assert_eq!(p.after_failure(4), AfterFailure::Dead);
    }

    #[test]
    fn job_states_round_trip_through_their_column_text() {
        for s in JobState::ALL {
            assert_eq!(JobState::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobState::parse("bogus"), None);
    }

    proptest! {
        #[test]
        fn delay_is_monotonic_and_bounded(attempt in 1u32..200, max in 1u32..300) {
            let p = RetryPolicy { max_attempts: max, ..RetryPolicy::default() };
            match (p.after_failure(attempt), p.after_failure(attempt + 1)) {
                (AfterFailure::RetryIn(a), AfterFailure::RetryIn(b)) => {
                    prop_assert!(a <= b && b <= p.max_delay);
                }
                (AfterFailure::Dead, next) => prop_assert_eq!(next, AfterFailure::Dead),
                (AfterFailure::RetryIn(_), AfterFailure::Dead) => prop_assert!(attempt + 1 >= max),
            }
        }
    }
}
