//! The course: sections and lessons in order, generated from `lessons/` by `build.rs`, plus
//! the learner's progress.

#[cfg(test)]
pub mod lesson_format;
pub mod map;
pub mod progress;

/// A section of the course (a folder under `lessons/`).
#[derive(Debug, PartialEq)]
pub struct Section {
    /// The folder name without its number.
    pub slug: &'static str,
    /// The section's title.
    pub title: &'static str,
    /// Lessons in course order.
    pub lessons: &'static [Lesson],
}

/// A lesson: front matter and a body of prose and figures.
#[derive(Debug, PartialEq)]
pub struct Lesson {
    /// The URL slug: `#/lesson/<slug>`.
    pub slug: &'static str,
    /// The page title.
    pub title: &'static str,
    /// One or two sentences for the course map.
    pub summary: &'static str,
    /// What the learner will be able to do afterwards.
    pub objectives: &'static [&'static str],
    /// The body in order.
    pub blocks: &'static [Block],
}

/// A piece of a lesson body.
#[derive(Debug, PartialEq)]
pub enum Block {
    /// Prose, rendered to HTML at build time.
    Html(&'static str),
    /// An interactive figure.
    Figure(FigureBlock),
}

/// A figure as a lesson places it.
#[derive(Debug, PartialEq)]
pub struct FigureBlock {
    /// The figure kind (see `figures::specs::KINDS`).
    pub kind: &'static str,
    /// Parameters set by the lesson, already validated at build time.
    pub params: &'static [(&'static str, &'static str)],
    /// The caption under the figure.
    pub caption: &'static str,
    /// A fixed seed, if the lesson wants one.
    pub seed: Option<u64>,
}

include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// A lesson with its place in the course.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// The lesson.
    pub lesson: &'static Lesson,
    /// Its section.
    pub section: &'static Section,
    /// Position in the whole course, from 0.
    pub index: usize,
}

/// Every lesson in course order.
pub fn all_lessons() -> impl Iterator<Item = Placed> {
    SECTIONS
        .iter()
        .flat_map(|s| s.lessons.iter().map(move |l| (s, l)))
        .enumerate()
        .map(|(index, (section, lesson))| Placed { lesson, section, index })
}

/// The lesson with this slug.
pub fn find(slug: &str) -> Option<Placed> {
    all_lessons().find(|p| p.lesson.slug == slug)
}

/// The lesson at this position in the course.
pub fn nth(index: usize) -> Option<Placed> {
    all_lessons().nth(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_course_is_in_order_and_findable() {
        assert!(!SECTIONS.is_empty());
        let all: Vec<Placed> = all_lessons().collect();
        for (i, p) in all.iter().enumerate() {
            assert_eq!(p.index, i);
            assert_eq!(find(p.lesson.slug).map(|f| f.index), Some(i));
        }
        assert!(find("no-such-lesson").is_none());
    }
}
