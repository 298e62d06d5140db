//! The lesson file format and its validator.
//!
//! `build.rs` includes this file (by `#[path]`) to read `lessons/` at build time; the app
//! compiles it only for its unit tests. It does no I/O: the caller hands it folder names,
//! file names and file contents, and gets back the course or a list of
//! `path:line: what is wrong` messages.
//!
//! ```text
//! lessons/01-introduction/_section.md      ---\ntitle: Introduction\n---
//! lessons/01-introduction/01-welcome.md    ---
//!                                          title: Welcome
//!                                          summary: One sentence.
//!                                          objectives:
//!                                            - First thing you will be able to do
//!                                          ---
//!                                          Markdown prose, then figure blocks:
//!                                          ```figure call-cost
//!                                          rtt = 80
//!                                          caption = What the figure shows
//!                                          ```
//! ```

use std::collections::BTreeMap;
use wirewise_sim::params::ParamSpec;

/// Looks up the parameters of a figure kind; `None` means the kind does not exist.
pub type SpecLookup = fn(&str) -> Option<&'static [ParamSpec]>;

/// Keys a figure block may hold besides the kind's parameters.
const BLOCK_KEYS: &[&str] = &["caption", "seed"];

/// One problem, with the file and line it is on (line 0: the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// The path as the caller named it (`lessons/02-fundamentals/01-client-server.md`).
    pub path: String,
    /// 1-based line, or 0 for the file or folder as a whole.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(f, "{}:{}: {}", self.path, self.line, self.message)
        }
    }
}

/// A lesson's front matter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FrontMatter {
    /// The lesson title (the page's `<h1>`).
    pub title: String,
    /// One or two sentences for the course map.
    pub summary: String,
    /// What the learner will be able to do afterwards.
    pub objectives: Vec<String>,
}

/// A piece of a lesson body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk {
    /// Markdown prose starting at `line`.
    Markdown { text: String, line: usize },
    /// A figure block.
    Figure { kind: String, params: Vec<(String, String)>, caption: String, seed: Option<u64>, line: usize },
}

/// A parsed, validated lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonDoc {
    /// Course order within its section (the `NN` of the file name).
    pub number: u32,
    /// The URL slug (the file name without `NN-` and `.md`).
    pub slug: String,
    /// Path as given.
    pub path: String,
    /// Front matter.
    pub front: FrontMatter,
    /// Body, in order.
    pub chunks: Vec<Chunk>,
}

/// A parsed section with its lessons in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionDoc {
    /// The `NN` of the folder name.
    pub number: u32,
    /// The folder name without `NN-`.
    pub slug: String,
    /// From `_section.md`.
    pub title: String,
    /// In course order.
    pub lessons: Vec<LessonDoc>,
}

/// One folder under `lessons/` as read from disk.
#[derive(Debug, Clone)]
pub struct SectionInput {
    /// The folder name, e.g. `02-fundamentals`.
    pub dir: String,
    /// Every file in it: (file name, contents).
    pub files: Vec<(String, String)>,
}

/// Splits `NN-slug` (after removing `suffix`) into its number and slug.
pub fn split_numbered(name: &str, suffix: &str) -> Result<(u32, String), String> {
    let stem = name.strip_suffix(suffix).ok_or_else(|| format!("'{name}' must end in '{suffix}'"))?;
    let bad = || {
        format!("'{name}' must be named NN-slug{suffix}: two digits, a dash, then lowercase letters, digits and dashes")
    };
    let (num, slug) = stem.split_once('-').ok_or_else(bad)?;
    if num.len() != 2 || !num.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let slug_ok = !slug.is_empty()
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !slug_ok {
        return Err(bad());
    }
    Ok((num.parse().map_err(|_| bad())?, slug.to_string()))
}

/// Reads the front matter at the top of `text`: returns its fields as (key, value, line)
/// plus list items under the key before them, and the line index where the body starts.
struct RawFront {
    scalars: BTreeMap<String, (String, usize)>,
    lists: BTreeMap<String, (Vec<String>, usize)>,
    body_start: usize,
}

fn read_front(path: &str, lines: &[&str], errors: &mut Vec<FormatError>) -> Option<RawFront> {
    let err = |line: usize, message: String| FormatError { path: path.to_string(), line, message };
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        errors.push(err(1, "front matter missing: the file must start with a '---' line".into()));
        return None;
    }
    let mut raw = RawFront { scalars: BTreeMap::new(), lists: BTreeMap::new(), body_start: 0 };
    let mut current_list: Option<String> = None;
    for (i, line) in lines.iter().enumerate().skip(1) {
        let n = i + 1;
        let trimmed = line.trim();
        if line.trim_end() == "---" {
            raw.body_start = i + 1;
            return Some(raw);
        }
        if trimmed.is_empty() {
            continue;
        }
        if let Some(item) = trimmed.strip_prefix("- ") {
            match &current_list {
                Some(key) => {
                    if let Some((items, _)) = raw.lists.get_mut(key) {
                        items.push(item.trim().to_string());
                    }
                }
                None => errors.push(err(n, "a list item must follow a 'key:' line with no value".into())),
            }
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            errors.push(err(n, format!("expected 'key: value' in front matter, found '{trimmed}'")));
            continue;
        };
        let (key, value) = (key.trim().to_string(), value.trim().to_string());
        if raw.scalars.contains_key(&key) || raw.lists.contains_key(&key) {
            errors.push(err(n, format!("'{key}' is given twice")));
            continue;
        }
        if value.is_empty() {
            raw.lists.insert(key.clone(), (Vec::new(), n));
            current_list = Some(key);
        } else {
            raw.scalars.insert(key, (value, n));
            current_list = None;
        }
    }
    errors.push(err(1, "front matter is not closed: add a '---' line after it".into()));
    None
}

/// Parses a section's `_section.md`: only `title:` in front matter.
pub fn parse_section_file(path: &str, text: &str) -> Result<String, Vec<FormatError>> {
    let mut errors = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let Some(raw) = read_front(path, &lines, &mut errors) else { return Err(errors) };
    for (key, (_, line)) in raw.scalars.iter().filter(|(k, _)| k.as_str() != "title") {
        errors.push(FormatError {
            path: path.into(),
            line: *line,
            message: format!("unknown key '{key}' (a section has only 'title')"),
        });
    }
    for (key, (_, line)) in &raw.lists {
        errors.push(FormatError {
            path: path.into(),
            line: *line,
            message: format!("unknown key '{key}' (a section has only 'title')"),
        });
    }
    let title = raw.scalars.get("title").map(|(v, _)| v.clone());
    if title.is_none() {
        errors.push(FormatError { path: path.into(), line: 1, message: "front matter has no 'title:'".into() });
    }
    match (title, errors.is_empty()) {
        (Some(t), true) => Ok(t),
        _ => Err(errors),
    }
}

/// Parses and validates one lesson file's text.
pub fn parse_lesson(path: &str, text: &str, lookup: SpecLookup) -> Result<(FrontMatter, Vec<Chunk>), Vec<FormatError>> {
    let mut errors = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let err = |line: usize, message: String| FormatError { path: path.to_string(), line, message };
    let Some(raw) = read_front(path, &lines, &mut errors) else { return Err(errors) };

    let mut front = FrontMatter::default();
    for (key, (value, line)) in &raw.scalars {
        match key.as_str() {
            "title" => front.title = value.clone(),
            "summary" => front.summary = value.clone(),
            "objectives" => errors.push(err(*line, "'objectives' must be a list of '- ' lines".into())),
            _ => errors.push(err(*line, format!("unknown key '{key}' (expected title, summary, objectives)"))),
        }
    }
    for (key, (items, line)) in &raw.lists {
        match key.as_str() {
            "objectives" if items.is_empty() => errors.push(err(*line, "'objectives' has no '- ' items".into())),
            "objectives" => front.objectives = items.clone(),
            "title" | "summary" => errors.push(err(*line, format!("'{key}' is empty"))),
            _ => errors.push(err(*line, format!("unknown key '{key}' (expected title, summary, objectives)"))),
        }
    }
    for key in ["title", "summary", "objectives"] {
        if !raw.scalars.contains_key(key) && !raw.lists.contains_key(key) {
            errors.push(err(1, format!("front matter has no '{key}:'")));
        }
    }

    let mut chunks = Vec::new();
    let mut prose = String::new();
    let mut prose_line = raw.body_start + 1;
    let mut i = raw.body_start;
    let mut in_code_fence = false;
    while i < lines.len() {
        let line = lines[i];
        let n = i + 1;
        let trimmed = line.trim_start();
        if in_code_fence {
            in_code_fence = !trimmed.starts_with("```");
        } else if let Some(rest) = trimmed.strip_prefix("```figure") {
            if !prose.trim().is_empty() {
                chunks.push(Chunk::Markdown { text: std::mem::take(&mut prose), line: prose_line });
            }
            prose.clear();
            let kind = rest.trim().to_string();
            let mut end = None;
            for (j, l) in lines.iter().enumerate().skip(i + 1) {
                if l.trim() == "```" {
                    end = Some(j);
                    break;
                }
            }
            let Some(end) = end else {
                errors.push(err(n, "figure block is not closed with a '```' line".into()));
                break;
            };
            if let Some(chunk) = parse_figure(path, &kind, n, &lines[i + 1..end], i + 2, lookup, &mut errors) {
                chunks.push(chunk);
            }
            i = end + 1;
            prose_line = i + 1;
            continue;
        } else if trimmed.starts_with("```") {
            in_code_fence = true;
        } else if line.starts_with("# ") {
            errors.push(err(n, "a level-1 heading in the body: the title comes from front matter, use '## '".into()));
        }
        if prose.is_empty() {
            prose_line = n;
        }
        prose.push_str(line);
        prose.push('\n');
        i += 1;
    }
    if in_code_fence {
        errors.push(err(lines.len(), "a code block is not closed".into()));
    }
    if !prose.trim().is_empty() {
        chunks.push(Chunk::Markdown { text: prose, line: prose_line });
    }
    if errors.is_empty() {
        Ok((front, chunks))
    } else {
        Err(errors)
    }
}

fn parse_figure(
    path: &str,
    kind: &str,
    open_line: usize,
    body: &[&str],
    first_line: usize,
    lookup: SpecLookup,
    errors: &mut Vec<FormatError>,
) -> Option<Chunk> {
    let err = |line: usize, message: String| FormatError { path: path.to_string(), line, message };
    if kind.is_empty() {
        errors.push(err(open_line, "figure block has no kind: write '```figure <kind>'".into()));
        return None;
    }
    let Some(specs) = lookup(kind) else {
        errors.push(err(open_line, format!("unknown figure kind '{kind}'")));
        return None;
    };
    let before = errors.len();
    let mut params: Vec<(String, String)> = Vec::new();
    let mut caption = None;
    let mut seed = None;
    let mut seen: Vec<String> = Vec::new();
    for (k, line) in body.iter().enumerate() {
        let n = first_line + k;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            errors.push(err(n, format!("expected 'name = value', found '{trimmed}'")));
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        if seen.iter().any(|s| s == key) {
            errors.push(err(n, format!("'{key}' is given twice")));
            continue;
        }
        seen.push(key.to_string());
        match key {
            "caption" if value.is_empty() => errors.push(err(n, "caption is empty".into())),
            "caption" => caption = Some(value.to_string()),
            "seed" => match value.parse::<u64>() {
                Ok(s) => seed = Some(s),
                Err(_) => {
                    errors.push(err(n, format!("seed '{value}' is not a whole number from 0 to 18446744073709551615")))
                }
            },
            _ => match specs.iter().find(|s| s.name == key) {
                None => {
                    let mut known: Vec<&str> = specs.iter().map(|s| s.name).collect();
                    known.extend(BLOCK_KEYS);
                    errors.push(err(
                        n,
                        format!("unknown parameter '{key}' for figure '{kind}' (known: {})", known.join(", ")),
                    ));
                }
                Some(spec) => match spec.parse(value) {
                    Ok(_) => params.push((key.to_string(), value.to_string())),
                    Err(e) => errors.push(err(n, e.to_string())),
                },
            },
        }
    }
    if caption.is_none() && errors.len() == before {
        errors.push(err(open_line, "figure block has no 'caption = ...' line".into()));
    }
    (errors.len() == before).then(|| Chunk::Figure {
        kind: kind.to_string(),
        params,
        caption: caption.unwrap_or_default(),
        seed,
        line: open_line,
    })
}

/// Validates the whole course: folder and file names, `_section.md`, every lesson, and that
/// no two lessons share a slug. `root` prefixes paths in messages (e.g. `lessons`).
pub fn load_course(
    root: &str,
    mut inputs: Vec<SectionInput>,
    lookup: SpecLookup,
) -> Result<Vec<SectionDoc>, Vec<FormatError>> {
    let mut errors = Vec::new();
    let mut sections = Vec::new();
    let mut slugs: BTreeMap<String, String> = BTreeMap::new();
    inputs.sort_by(|a, b| a.dir.cmp(&b.dir));
    for input in inputs {
        let dir_path = format!("{root}/{}", input.dir);
        let (number, slug) = match split_numbered(&input.dir, "") {
            Ok(v) => v,
            Err(e) => {
                errors.push(FormatError { path: dir_path, line: 0, message: format!("bad folder name: {e}") });
                continue;
            }
        };
        let mut files = input.files;
        files.sort();
        let mut title = None;
        let mut lessons = Vec::new();
        for (name, text) in &files {
            let path = format!("{dir_path}/{name}");
            if name == "_section.md" {
                match parse_section_file(&path, text) {
                    Ok(t) => title = Some(t),
                    Err(e) => errors.extend(e),
                }
                continue;
            }
            let (lnum, lslug) = match split_numbered(name, ".md") {
                Ok(v) => v,
                Err(e) => {
                    errors.push(FormatError { path, line: 0, message: format!("bad file name: {e}") });
                    continue;
                }
            };
            if let Some(first) = slugs.get(&lslug) {
                errors.push(FormatError {
                    path: path.clone(),
                    line: 0,
                    message: format!("duplicate slug '{lslug}' (also {first})"),
                });
                continue;
            }
            slugs.insert(lslug.clone(), path.clone());
            match parse_lesson(&path, text, lookup) {
                Ok((front, chunks)) => lessons.push(LessonDoc { number: lnum, slug: lslug, path, front, chunks }),
                Err(e) => errors.extend(e),
            }
        }
        if title.is_none() && !files.iter().any(|(n, _)| n == "_section.md") {
            errors.push(FormatError {
                path: dir_path.clone(),
                line: 0,
                message: "no _section.md with the section's title".into(),
            });
        }
        if lessons.is_empty() && files.iter().all(|(n, _)| n == "_section.md") {
            errors.push(FormatError { path: dir_path.clone(), line: 0, message: "section has no lessons".into() });
        }
        for pair in lessons.windows(2) {
            if pair[0].number == pair[1].number {
                errors.push(FormatError {
                    path: pair[1].path.clone(),
                    line: 0,
                    message: format!("number {:02} is also used by {}", pair[1].number, pair[0].path),
                });
            }
        }
        sections.push(SectionDoc { number, slug, title: title.unwrap_or_default(), lessons });
    }
    for pair in sections.windows(2) {
        if pair[0].number == pair[1].number {
            errors.push(FormatError {
                path: format!("{root}/{:02}-{}", pair[1].number, pair[1].slug),
                line: 0,
                message: format!("section number {:02} is used twice", pair[1].number),
            });
        }
    }
    if sections.is_empty() && errors.is_empty() {
        errors.push(FormatError { path: root.into(), line: 0, message: "no sections found".into() });
    }
    if errors.is_empty() {
        Ok(sections)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wirewise_sim::params::{flag, number};

    const SPECS: &[ParamSpec] = &[
        number("rtt", "Round-trip time", 0.02, 500.0, 0.01, "ms", 50.0, "rtt"),
        flag("reuse", "Reuse", false, "reuse"),
    ];

    fn lookup(kind: &str) -> Option<&'static [ParamSpec]> {
        (kind == "call-cost").then_some(SPECS)
    }

    const GOOD: &str = "---\ntitle: Client-server\nsummary: Why calls cost.\nobjectives:\n  - Say why\n  - Measure it\n---\nSome *prose*.\n\n```figure call-cost\nrtt = 80\nreuse = on\ncaption = Local against remote\n```\nMore prose.\n";

    fn errs(text: &str) -> Vec<String> {
        parse_lesson("l.md", text, lookup).unwrap_err().iter().map(|e| e.to_string()).collect()
    }

    fn with_figure(body: &str) -> String {
        format!("---\ntitle: T\nsummary: S\nobjectives:\n  - O\n---\n```figure call-cost\n{body}```\n")
    }

    #[test]
    fn good_lesson_parses_into_chunks() {
        let (front, chunks) = parse_lesson("l.md", GOOD, lookup).unwrap();
        assert_eq!(front.title, "Client-server");
        assert_eq!(front.objectives, vec!["Say why", "Measure it"]);
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[0], Chunk::Markdown { text: "Some *prose*.\n\n".into(), line: 8 });
        assert_eq!(
            chunks[1],
            Chunk::Figure {
                kind: "call-cost".into(),
                params: vec![("rtt".into(), "80".into()), ("reuse".into(), "on".into())],
                caption: "Local against remote".into(),
                seed: None,
                line: 10
            }
        );
        assert_eq!(chunks[2], Chunk::Markdown { text: "More prose.\n".into(), line: 15 });
    }

    #[test]
    fn front_matter_errors_carry_their_line() {
        assert_eq!(errs("# Hello\n"), ["l.md:1: front matter missing: the file must start with a '---' line"]);
        assert_eq!(errs("---\ntitle: T\n"), ["l.md:1: front matter is not closed: add a '---' line after it"]);
        let e = errs("---\ntitle: T\nsummary: S\n---\n");
        assert_eq!(e, ["l.md:1: front matter has no 'objectives:'"]);
        let e = errs("---\ntitle: T\nsummary: S\nobjectives:\nauthor: me\n---\n");
        assert!(e.contains(&"l.md:4: 'objectives' has no '- ' items".to_string()), "{e:?}");
        assert!(e.contains(&"l.md:5: unknown key 'author' (expected title, summary, objectives)".to_string()), "{e:?}");
        let e = errs("---\ntitle: T\ntitle: U\nsummary: S\nobjectives:\n  - O\nnonsense\n---\n");
        assert_eq!(
            e,
            ["l.md:3: 'title' is given twice", "l.md:7: expected 'key: value' in front matter, found 'nonsense'"]
        );
    }

    #[test]
    fn figure_errors_carry_their_line() {
        assert_eq!(
            errs(&with_figure("caption = x\n").replace("call-cost", "nope")),
            ["l.md:7: unknown figure kind 'nope'"]
        );
        assert_eq!(
            errs(&with_figure("speed = 3\ncaption = x\n")),
            ["l.md:8: unknown parameter 'speed' for figure 'call-cost' (known: rtt, reuse, caption, seed)"]
        );
        assert_eq!(
            errs(&with_figure("rtt = fast\ncaption = x\n")),
            ["l.md:8: 'fast' is not a valid rtt: expected a number from 0.02 to 500"]
        );
        assert_eq!(errs(&with_figure("caption = x\nrtt = 900\n")), ["l.md:9: rtt=900 is outside 0.02..500"]);
        assert_eq!(
            errs(&with_figure("reuse = maybe\ncaption = x\n")),
            ["l.md:8: 'maybe' is not a valid reuse: expected on or off"]
        );
        assert_eq!(errs(&with_figure("rtt = 9\n")), ["l.md:7: figure block has no 'caption = ...' line"]);
        assert_eq!(errs(&with_figure("caption = x\nrtt = 1\nrtt = 2\n")), ["l.md:10: 'rtt' is given twice"]);
        assert_eq!(
            errs(&with_figure("caption = x\nseed = -1\n"))[0],
            "l.md:9: seed '-1' is not a whole number from 0 to 18446744073709551615"
        );
        let unclosed = "---\ntitle: T\nsummary: S\nobjectives:\n  - O\n---\ntext\n```figure call-cost\nrtt = 1\n";
        assert_eq!(errs(unclosed), ["l.md:8: figure block is not closed with a '```' line"]);
    }

    #[test]
    fn body_errors_carry_their_line() {
        let e = errs("---\ntitle: T\nsummary: S\nobjectives:\n  - O\n---\n\n# Title again\n");
        assert_eq!(e, ["l.md:8: a level-1 heading in the body: the title comes from front matter, use '## '"]);
        // A normal code block may hold anything, even a figure-looking line.
        let ok = "---\ntitle: T\nsummary: S\nobjectives:\n  - O\n---\n```text\n# not a heading\n```\n";
        assert!(parse_lesson("l.md", ok, lookup).is_ok());
    }

    fn section(dir: &str, files: &[(&str, &str)]) -> SectionInput {
        SectionInput { dir: dir.into(), files: files.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect() }
    }

    #[test]
    fn course_checks_names_and_duplicate_slugs() {
        let title = "---\ntitle: Intro\n---\n";
        let course = load_course(
            "lessons",
            vec![section("01-intro", &[("_section.md", title), ("01-welcome.md", GOOD)])],
            lookup,
        )
        .unwrap();
        assert_eq!(course[0].title, "Intro");
        assert_eq!(course[0].slug, "intro");
        assert_eq!(course[0].lessons[0].slug, "welcome");

        let e: Vec<String> = load_course(
            "lessons",
            vec![
                section("01-intro", &[("_section.md", title), ("01-welcome.md", GOOD), ("Welcome.md", GOOD)]),
                section("02-more", &[("_section.md", title), ("01-welcome.md", GOOD)]),
                section("three", &[]),
                section("04-empty", &[("_section.md", "---\ntitle: E\nowner: me\n---\n"), ("01-x.md", GOOD)]),
            ],
            lookup,
        )
        .unwrap_err()
        .iter()
        .map(|e| e.to_string())
        .collect();
        assert_eq!(
            e,
            [
                "lessons/01-intro/Welcome.md: bad file name: 'Welcome.md' must be named NN-slug.md: two digits, a dash, then lowercase letters, digits and dashes",
                "lessons/02-more/01-welcome.md: duplicate slug 'welcome' (also lessons/01-intro/01-welcome.md)",
                "lessons/04-empty/_section.md:3: unknown key 'owner' (a section has only 'title')",
                "lessons/three: bad folder name: 'three' must be named NN-slug: two digits, a dash, then lowercase letters, digits and dashes",
            ]
        );
    }

    #[test]
    fn names_split_into_number_and_slug() {
        assert_eq!(split_numbered("02-osi-model.md", ".md"), Ok((2, "osi-model".into())));
        assert!(split_numbered("2-osi.md", ".md").is_err());
        assert!(split_numbered("02-OSI.md", ".md").is_err());
        assert!(split_numbered("02-osi.txt", ".md").is_err());
        assert!(split_numbered("02-.md", ".md").is_err());
    }
}
