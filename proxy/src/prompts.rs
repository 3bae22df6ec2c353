//! The prompt templates of `prompts/`, compiled into the binary, and their rendering.

use std::collections::BTreeSet;

/// Every LLM task of the paper.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Task {
    Screen,
    Extract,
    NameCluster,
    ProposeParents,
    Dedupe,
    Assign,
    /// Several children of one step placed in one call.
    AssignMany,
    Rename,
    Audit,
}

impl Task {
    pub const ALL: [Task; 9] =
        [Task::Screen, Task::Extract, Task::NameCluster, Task::ProposeParents, Task::Dedupe, Task::Assign, Task::AssignMany, Task::Rename, Task::Audit];

    pub fn name(self) -> &'static str {
        match self {
            Task::Screen => "screen",
            Task::Extract => "extract",
            Task::NameCluster => "name_cluster",
            Task::ProposeParents => "propose_parents",
            Task::Dedupe => "dedupe",
            Task::Assign => "assign",
            Task::AssignMany => "assign_many",
            Task::Rename => "rename",
            Task::Audit => "audit",
        }
    }

    /// The placeholders the task fills, besides `privacy`.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            Task::Screen => &["conversation", "question"],
            Task::Extract => &["conversation", "question", "answer_format"],
            Task::NameCluster => &["question", "criteria", "members", "contrast", "shared", "taken"],
            Task::ProposeParents => &["question", "children", "outside", "wanted"],
            Task::Dedupe => &["question", "proposals", "wanted"],
            Task::Assign => &["question", "child", "parents"],
            Task::AssignMany => &["question", "children", "parents"],
            Task::Rename => &["question", "children", "outside", "shared", "taken"],
            Task::Audit => &["content"],
        }
    }

    fn source(self) -> &'static str {
        match self {
            Task::Screen => include_str!("../../prompts/screen.md"),
            Task::Extract => include_str!("../../prompts/extract.md"),
            Task::NameCluster => include_str!("../../prompts/name_cluster.md"),
            Task::ProposeParents => include_str!("../../prompts/propose_parents.md"),
            Task::Dedupe => include_str!("../../prompts/dedupe.md"),
            Task::Assign => include_str!("../../prompts/assign.md"),
            Task::AssignMany => include_str!("../../prompts/assign_many.md"),
            Task::Rename => include_str!("../../prompts/rename.md"),
            Task::Audit => include_str!("../../prompts/audit.md"),
        }
    }
}

const PRIVACY: &str = include_str!("../../prompts/privacy.txt");

/// Which of the backend's two models a task uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelTier {
    Fast,
    Strong,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    pub task: Task,
    pub version: u32,
    pub tier: ModelTier,
    pub max_tokens: u32,
    system: String,
    user: String,
    prefill: String,
}

/// A template filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub system: String,
    pub user: String,
    pub prefill: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("prompts/{task}.md: {why}")]
pub struct TemplateError {
    task: &'static str,
    why: String,
}

/// All templates, parsed and checked once.
#[derive(Clone, Debug)]
pub struct Prompts {
    templates: Vec<Template>,
}

impl Prompts {
    pub fn load() -> Result<Self, TemplateError> {
        let templates = Task::ALL.iter().map(|&t| Template::parse(t, t.source())).collect::<Result<Vec<_>, _>>()?;
        Ok(Prompts { templates })
    }

    pub fn get(&self, task: Task) -> &Template {
        self.templates.iter().find(|t| t.task == task).expect("load() parsed every task")
    }
}

impl Template {
    fn parse(task: Task, source: &str) -> Result<Self, TemplateError> {
        let err = |why: String| TemplateError { task: task.name(), why };
        let (mut version, mut tier, mut max_tokens) = (None, None, None);
        let mut sections: Vec<(String, String)> = Vec::new();
        for line in source.lines() {
            if let Some(name) = line.strip_prefix("=== ").and_then(|l| l.strip_suffix(" ===")) {
                sections.push((name.trim().to_string(), String::new()));
            } else if let Some((_, body)) = sections.last_mut() {
                body.push_str(line);
                body.push('\n');
            } else if let Some((key, value)) = line.split_once(':') {
                let value = value.trim();
                match key.trim() {
                    "version" => version = Some(value.parse::<u32>().map_err(|_| err(format!("version {value:?} is not a number")))?),
                    "model" => {
                        tier = Some(match value {
                            "fast" => ModelTier::Fast,
                            "strong" => ModelTier::Strong,
                            _ => return Err(err(format!("model {value:?} is neither fast nor strong"))),
                        })
                    }
                    "max_tokens" => max_tokens = Some(value.parse::<u32>().map_err(|_| err(format!("max_tokens {value:?} is not a number")))?),
                    other => return Err(err(format!("unknown header {other:?}"))),
                }
            } else if !line.trim().is_empty() {
                return Err(err(format!("unexpected line before the sections: {line:?}")));
            }
        }
        let section = |name: &str| -> Result<String, TemplateError> {
            let body = sections.iter().find(|(n, _)| n == name).map(|(_, b)| b.trim().to_string()).ok_or_else(|| err(format!("no === {name} === section")))?;
            Ok(body.replace("{{privacy}}", PRIVACY.trim()))
        };
        let t = Template {
            task,
            version: version.ok_or_else(|| err("no version".into()))?,
            tier: tier.ok_or_else(|| err("no model".into()))?,
            max_tokens: max_tokens.ok_or_else(|| err("no max_tokens".into()))?,
            system: section("system")?,
            user: section("user")?,
            prefill: section("prefill")?,
        };
        let used: BTreeSet<String> = [&t.system, &t.user, &t.prefill].iter().flat_map(|s| placeholders(s)).collect();
        let expected: BTreeSet<String> = task.placeholders().iter().map(|s| s.to_string()).collect();
        if used != expected {
            return Err(err(format!("uses the placeholders {used:?}, but the task fills {expected:?}")));
        }
        Ok(t)
    }

    /// Fills the placeholders. Values are inserted verbatim, in one pass, so
    /// a value that itself contains `{{…}}` is not expanded again.
    pub fn render(&self, values: &[(&str, &str)]) -> Rendered {
        let fill = |s: &str| {
            let mut out = String::with_capacity(s.len());
            let mut rest = s;
            while let Some(open) = rest.find("{{") {
                out.push_str(&rest[..open]);
                let after = &rest[open + 2..];
                match after.find("}}") {
                    Some(close) => {
                        let key = &after[..close];
                        match values.iter().find(|(k, _)| *k == key) {
                            Some((_, v)) => out.push_str(v),
                            None => out.push_str(&rest[open..open + 4 + close]),
                        }
                        rest = &after[close + 2..];
                    }
                    None => {
                        out.push_str(&rest[open..]);
                        rest = "";
                    }
                }
            }
            out.push_str(rest);
            out
        };
        Rendered { system: fill(&self.system), user: fill(&self.user), prefill: fill(&self.prefill) }
    }
}

fn placeholders(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else { break };
        out.push(after[..close].to_string());
        rest = &after[close + 2..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses_and_uses_exactly_its_placeholders() {
        let prompts = Prompts::load().unwrap();
        for task in Task::ALL {
            let t = prompts.get(task);
            assert!(t.version >= 1 && t.max_tokens > 0);
            assert!(t.system.contains("Privacy rules") || task == Task::Audit, "{task:?} lacks the privacy rules");
        }
        assert_eq!(prompts.get(Task::Extract).tier, ModelTier::Fast);
        assert_eq!(prompts.get(Task::NameCluster).tier, ModelTier::Strong);
    }

    #[test]
    fn rendering_fills_once_and_bad_templates_are_named() {
        let t = Template::parse(
            Task::Audit,
            "version: 2\nmodel: fast\nmax_tokens: 9\n=== system ===\nS\n=== user ===\n<text>{{content}}</text>\n=== prefill ===\n<r>\n",
        )
        .unwrap();
        let r = t.render(&[("content", "a {{content}} b")]);
        assert_eq!(r.user, "<text>a {{content}} b</text>");
        assert_eq!(r.prefill, "<r>");
        let e = Template::parse(Task::Audit, "version: 1\nmodel: fast\nmax_tokens: 9\n=== system ===\n{{oops}}\n=== user ===\n{{content}}\n=== prefill ===\n")
            .unwrap_err();
        assert!(e.to_string().contains("oops"));
        let e = Template::parse(Task::Audit, "model: fast\n").unwrap_err();
        assert!(e.to_string().contains("audit.md"));
    }
}
