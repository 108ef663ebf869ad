//! Field tasks (DOMAIN.md "Tasks"): types, priorities, the state machine, who may act, human numbers and
//! what photo proof a completion needs. Every state change in the system goes through [`transition`].

use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// What a task is for.
    TaskType {
        Refill => "refill",
        Collection => "collection",
        Cleaning => "cleaning",
        Repair => "repair",
        Install => "install",
        Removal => "removal",
        Audit => "audit",
        Inspection => "inspection",
        ReplaceComponent => "replace_component",
    }
);

text_enum!(
    /// How urgent a task is.
    Priority {
        Low => "low",
        Normal => "normal",
        High => "high",
        Urgent => "urgent",
    }
);

text_enum!(
    /// Where a task is in its life.
    TaskStatus {
        Pending => "pending",
        Assigned => "assigned",
        InProgress => "in_progress",
        Postponed => "postponed",
        Completed => "completed",
        Cancelled => "cancelled",
        Rejected => "rejected",
    }
);

text_enum!(
    /// When a photo was taken relative to the work.
    PhotoCategory {
        Before => "before",
        After => "after",
        During => "during",
    }
);

text_enum!(
    /// A command that changes a task's state.
    Command {
        Assign => "assign",
        Start => "start",
        Postpone => "postpone",
        Cancel => "cancel",
        Complete => "complete",
        Reject => "reject",
    }
);

impl TaskStatus {
    /// Whether the task still needs work (counts for "one open task of a type per machine").
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Pending | Self::Assigned | Self::InProgress | Self::Postponed
        )
    }
}

impl Priority {
    /// One step more urgent (escalation of an overdue task); `None` at the top.
    pub fn escalated(self) -> Option<Self> {
        match self {
            Self::Low => Some(Self::Normal),
            Self::Normal => Some(Self::High),
            Self::High => Some(Self::Urgent),
            Self::Urgent => None,
        }
    }
}

/// A command the state table does not allow from the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {from} task cannot {command}")]
pub struct IllegalTransition {
    pub from: TaskStatus,
    pub command: Command,
}

/// The state table of DOMAIN.md: the state `command` leads to from `from`, or why not.
pub fn transition(from: TaskStatus, command: Command) -> Result<TaskStatus, IllegalTransition> {
    use Command as C;
    use TaskStatus as S;
    match (from, command) {
        (S::Pending | S::Postponed, C::Assign) => Ok(S::Assigned),
        (S::Assigned, C::Start) => Ok(S::InProgress),
        (S::Assigned | S::InProgress, C::Postpone) => Ok(S::Postponed),
        (S::Pending | S::Assigned | S::InProgress | S::Postponed, C::Cancel) => Ok(S::Cancelled),
        (S::InProgress, C::Complete) => Ok(S::Completed),
        (S::Completed, C::Reject) => Ok(S::Rejected),
        _ => Err(IllegalTransition { from, command }),
    }
}

/// Every (from, to) pair the table allows; anything else is never reached.
pub const ALLOWED: &[(TaskStatus, TaskStatus)] = &[
    (TaskStatus::Pending, TaskStatus::Assigned),
    (TaskStatus::Pending, TaskStatus::Cancelled),
    (TaskStatus::Assigned, TaskStatus::InProgress),
    (TaskStatus::Assigned, TaskStatus::Postponed),
    (TaskStatus::Assigned, TaskStatus::Cancelled),
    (TaskStatus::InProgress, TaskStatus::Completed),
    (TaskStatus::InProgress, TaskStatus::Postponed),
    (TaskStatus::InProgress, TaskStatus::Cancelled),
    (TaskStatus::Postponed, TaskStatus::Assigned),
    (TaskStatus::Postponed, TaskStatus::Cancelled),
    (TaskStatus::Completed, TaskStatus::Rejected),
];

/// Who is acting on a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The actor is the task's assignee.
    pub is_assignee: bool,
    /// The actor may manage tasks (create, assign, reject).
    pub is_manager: bool,
}

/// Whether `actor` may give `command`: only the assignee or a manager starts, postpones and completes;
/// assigning, cancelling and rejecting are a manager's.
pub fn may(actor: Actor, command: Command) -> bool {
    match command {
        Command::Start | Command::Postpone | Command::Complete => actor.is_assignee || actor.is_manager,
        Command::Assign | Command::Cancel | Command::Reject => actor.is_manager,
    }
}

/// Task types whose completion needs photo proof (a before and an after photo).
pub fn requires_photos_by_default(t: TaskType) -> bool {
    !matches!(t, TaskType::Audit | TaskType::Inspection)
}

/// A photo as far as the proof rule cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoTaken {
    pub category: PhotoCategory,
    pub taken_at: chrono::NaiveDateTime,
}

/// What photo proof is missing for a completion of a task started at `started_at` (empty: none).
pub fn missing_photos(started_at: Option<chrono::NaiveDateTime>, photos: &[PhotoTaken]) -> Vec<&'static str> {
    let mut missing = Vec::new();
    let before_ok = photos
        .iter()
        .any(|p| p.category == PhotoCategory::Before && started_at.is_some_and(|s| p.taken_at >= s));
    if !before_ok {
        missing.push("a before photo taken after the start");
    }
    if !photos.iter().any(|p| p.category == PhotoCategory::After) {
        missing.push("an after photo");
    }
    missing
}

/// The human number of a task: `TASK-<year>-<6 digits>`.
pub fn number(year: i32, seq: i64) -> String {
    format!("TASK-{year}-{seq:06}")
}

/// Over (positive) or short (negative) of a cash collection, tiyin: counted − expected.
pub fn over_short(counted: i64, expected: i64) -> i64 {
    counted.saturating_sub(expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn status() -> impl Strategy<Value = TaskStatus> {
        proptest::sample::select(TaskStatus::ALL.to_vec())
    }

    fn command() -> impl Strategy<Value = Command> {
        proptest::sample::select(Command::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn no_command_sequence_reaches_a_state_the_table_does_not_allow(
            cmds in proptest::collection::vec(command(), 0..60)
        ) {
            let mut s = TaskStatus::Pending;
            for c in cmds {
                match transition(s, c) {
                    Ok(next) => {
                        prop_assert!(ALLOWED.contains(&(s, next)), "{s} -{c}-> {next}");
                        s = next;
                    }
                    Err(e) => prop_assert_eq!(e, IllegalTransition { from: s, command: c }),
                }
            }
        }

        #[test]
        fn terminal_states_accept_nothing_but_a_rejection_of_a_completion(s in status(), c in command()) {
            if matches!(s, TaskStatus::Cancelled | TaskStatus::Rejected) {
                prop_assert!(transition(s, c).is_err());
            }
            if s == TaskStatus::Completed {
                prop_assert_eq!(transition(s, c).is_ok(), c == Command::Reject);
            }
        }
    }

    #[test]
    fn every_allowed_pair_is_reachable_by_some_command() {
        for (from, to) in ALLOWED {
            assert!(
                Command::ALL.iter().any(|c| transition(*from, *c) == Ok(*to)),
                "{from} -> {to}"
            );
        }
    }

    #[test]
    fn only_the_assignee_or_a_manager_starts_postpones_and_completes() {
        let stranger = Actor {
            is_assignee: false,
            is_manager: false,
        };
        let assignee = Actor {
            is_assignee: true,
            is_manager: false,
        };
        let manager = Actor {
            is_assignee: false,
            is_manager: true,
        };
        for c in [Command::Start, Command::Postpone, Command::Complete] {
            assert!(!may(stranger, c));
            assert!(may(assignee, c));
            assert!(may(manager, c));
        }
        for c in [Command::Assign, Command::Cancel, Command::Reject] {
            assert!(!may(assignee, c));
            assert!(may(manager, c));
        }
    }

    #[test]
    fn photo_proof_needs_a_before_after_the_start_and_an_after() {
        let t = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let start = Some(t("2026-01-01 10:00"));
        let early = PhotoTaken {
            category: PhotoCategory::Before,
            taken_at: t("2026-01-01 09:00"),
        };
        let before = PhotoTaken {
            category: PhotoCategory::Before,
            taken_at: t("2026-01-01 10:05"),
        };
        let after = PhotoTaken {
            category: PhotoCategory::After,
            taken_at: t("2026-01-01 10:30"),
        };
        assert_eq!(missing_photos(start, &[]).len(), 2);
        assert_eq!(
            missing_photos(start, &[early, after]),
            vec!["a before photo taken after the start"]
        );
        assert_eq!(missing_photos(start, &[before]), vec!["an after photo"]);
        assert!(missing_photos(start, &[before, after]).is_empty());
    }

    #[test]
    fn numbers_and_names_are_stable() {
        assert_eq!(number(2026, 123), "TASK-2026-000123");
        for t in TaskType::ALL {
            assert_eq!(TaskType::parse(t.as_str()), Some(*t));
        }
        assert_eq!(Priority::Urgent.escalated(), None);
        assert_eq!(over_short(9_000, 10_000), -1_000);
    }
}
