//! The learner's progress: which lessons were visited and which were marked complete, kept
//! in localStorage under [`KEY`] as JSON. Corrupt or missing storage reads as "nothing yet".

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The localStorage key.
pub const KEY: &str = "wirewise.progress.v1";

/// How far the learner got with one lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LessonState {
    /// Never opened.
    New,
    /// Opened at least once.
    Visited,
    /// Marked complete.
    Completed,
}

impl LessonState {
    /// The `data-state` value of a progress badge.
    pub fn as_str(self) -> &'static str {
        match self {
            LessonState::New => "new",
            LessonState::Visited => "visited",
            LessonState::Completed => "completed",
        }
    }

    /// What a badge says.
    pub fn label(self) -> &'static str {
        match self {
            LessonState::New => "Not started",
            LessonState::Visited => "Started",
            LessonState::Completed => "Completed",
        }
    }
}

/// Visited and completed lessons, by slug.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Lessons opened at least once.
    #[serde(default)]
    pub visited: BTreeSet<String>,
    /// Lessons marked complete.
    #[serde(default)]
    pub completed: BTreeSet<String>,
}

impl Progress {
    /// The state of one lesson.
    pub fn state(&self, slug: &str) -> LessonState {
        if self.completed.contains(slug) {
            LessonState::Completed
        } else if self.visited.contains(slug) {
            LessonState::Visited
        } else {
            LessonState::New
        }
    }

    /// Reads the stored progress; anything unreadable counts as none.
    pub fn load() -> Progress {
        let raw = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(KEY).ok().flatten());
        raw.map(|text| Self::from_json(&text)).unwrap_or_default()
    }

    /// Parses stored JSON leniently.
    pub fn from_json(text: &str) -> Progress {
        serde_json::from_str(text).unwrap_or_default()
    }

    /// Writes it back (quietly does nothing if storage is unavailable or full).
    pub fn save(&self) {
        if let (Some(storage), Ok(text)) =
            (web_sys::window().and_then(|w| w.local_storage().ok().flatten()), serde_json::to_string(self))
        {
            let _ = storage.set_item(KEY, &text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_storage_reads_as_no_progress() {
        assert_eq!(Progress::from_json("{not json"), Progress::default());
        assert_eq!(Progress::from_json("[1,2]"), Progress::default());
        let p = Progress::from_json(r#"{"completed":["welcome"]}"#);
        assert_eq!(p.state("welcome"), LessonState::Completed);
        assert_eq!(p.state("other"), LessonState::New);
    }
}
