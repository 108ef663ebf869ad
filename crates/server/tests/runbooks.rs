//! The runbooks cannot drift from the program: every `sh` block marked `# runbook-test` in the
//! single-host runbooks is run, in order, against a real installation (seeded with the demo fleet), and
//! its output is compared with the **Expected output** block under it (`…` matches any text).
#![expect(clippy::unwrap_used, reason = "a test fails loudly on the first surprise")]

use std::path::Path;
use std::process::Command;

use vendhub_store::DbUrl;
use vendhub_store::test_db::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_vendhub");
const MARK: &str = "# runbook-test";

/// A marked command block, whether it must fail, and the expected output under it.
struct Step {
    script: String,
    fails: bool,
    expected: Vec<String>,
}

/// The fenced blocks of a Markdown text: (info string, body).
fn fenced_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(info) = line.trim_start().strip_prefix("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim_start() != "```").collect();
            blocks.push((info.trim().to_owned(), body.join("\n")));
        }
    }
    blocks
}

fn steps(text: &str) -> Vec<Step> {
    let blocks = fenced_blocks(text);
    let mut out = Vec::new();
    for (i, (info, body)) in blocks.iter().enumerate() {
        let first = body.lines().next().unwrap_or_default().trim();
        if info != "sh" || !first.starts_with(MARK) {
            continue;
        }
        let expected = blocks
            .get(i + 1)
            .filter(|(info, _)| info == "text")
            .map(|(_, b)| {
                b.lines()
                    .map(str::to_owned)
                    .filter(|l| !l.trim().is_empty())
                    .collect()
            })
            .unwrap_or_default();
        out.push(Step {
            script: body.clone(),
            fails: first.trim_start_matches(MARK).trim() == ": fails",
            expected,
        });
    }
    out
}

/// Whether `line` matches `pattern`, where `…` matches any text.
fn matches(pattern: &str, line: &str) -> bool {
    let parts: Vec<&str> = pattern.split('…').collect();
    let mut rest = line;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 && !part.is_empty() {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
    }
    parts.len() > 1 || rest.is_empty()
}

/// Every expected line matches an output line, in order.
fn assert_output(doc: &str, step: &Step, output: &str) {
    let mut lines = output.lines();
    for pattern in &step.expected {
        assert!(
            lines.any(|l| matches(pattern.trim(), l.trim())),
            "{doc}: expected {pattern:?} in the output of\n{}\n--- got:\n{output}",
            step.script
        );
    }
}

fn run_runbook(doc: &str, dir: &Path, db: &TestDb) {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(doc)).unwrap();
    let steps = steps(&text);
    assert!(steps.len() >= 5, "{doc}: marked steps found: {}", steps.len());
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let url = match &db.url {
        DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
        DbUrl::Postgres(u) => u.clone(),
    };
    for step in &steps {
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", &step.script])
            .current_dir(dir)
            .env_clear()
            .env("PATH", &path)
            .env("LOG_LEVEL", "warn")
            .env("DATABASE_URL", &url)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            out.status.success(),
            !step.fails,
            "{doc}: exit status of\n{}\n--- output:\n{text}",
            step.script
        );
        assert_output(doc, step, &text);
    }
}

#[test]
fn the_matcher_takes_ellipsis_for_any_text() {
    assert!(matches("Reverted …", "Reverted 20261122000008"));
    assert!(matches("a … b … c", "a 1 b 2 c"));
    assert!(!matches("a … b", "a 1 c"));
    assert!(matches("No pending migrations.", "No pending migrations."));
    assert!(!matches("No pending", "No pending migrations."));
}

#[test]
fn the_database_runbook_commands_work_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let url = match &db.url {
        DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
        DbUrl::Postgres(u) => u.clone(),
    };
    let seeded = Command::new(BIN)
        .args(["seed", "--demo"])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LOG_LEVEL", "warn")
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    run_runbook("docs/runbooks/database.md", dir.path(), &db);
}

#[test]
fn the_runbook_index_links_every_runbook_and_each_has_the_template_sections() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let index = std::fs::read_to_string(root.join("docs/runbooks/README.md")).unwrap();
    for name in ["deployment.md", "database.md", "incidents.md", "maintenance.md"] {
        assert!(index.contains(&format!("]({name})")), "index links {name}");
        let text = std::fs::read_to_string(root.join("docs/runbooks").join(name)).unwrap();
        for section in ["## Overview", "## Contacts"] {
            assert!(text.contains(section), "{name} has {section}");
        }
        assert!(
            text.contains("**Expected output:**") || name == "incidents.md",
            "{name}"
        );
    }
    let incidents = std::fs::read_to_string(root.join("docs/runbooks/incidents.md")).unwrap();
    assert!(incidents.contains("## Post-mortem template"));
    for doc in ["README.md", "docs/README.md"] {
        let text = std::fs::read_to_string(root.join(doc)).unwrap();
        assert!(text.contains("runbooks/README.md"), "{doc} links the runbooks");
    }
}
