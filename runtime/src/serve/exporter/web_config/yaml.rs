//! The YAML of a web configuration file, read strictly: a tree of the
//! document with the line of every key, so that a refusal names the field
//! and its line as `promtool check web-config` does (Go's `yaml.v2`
//! `UnmarshalStrict`: unknown fields and repeated keys are errors).

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A node of the document.
#[derive(Debug)]
pub(super) enum Node {
    /// A scalar: its text, and whether it was written plain (unquoted),
    /// which decides whether `~`, `null` or nothing reads as null.
    Scalar { text: String, plain: bool },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping: each key with its line, in the file's order.
    Map(Vec<Entry>),
}

/// One key of a mapping.
#[derive(Debug)]
pub(super) struct Entry {
    pub(super) key: String,
    pub(super) line: usize,
    pub(super) value: Node,
}

impl Node {
    /// Whether the node is YAML's null: a plain `~`, `null` or nothing.
    pub(super) fn is_null(&self) -> bool {
        matches!(self, Node::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }
}

/// Parses `text` into its one document; `Ok(None)` for an empty file.
pub(super) fn parse(text: &str) -> Result<Option<Node>, String> {
    let mut builder = Builder::default();
    Parser::new_from_str(text)
        .load(&mut builder, true)
        .map_err(|e| format!("line {}: {}", e.marker().line(), e.info()))?;
    if let Some(error) = builder.error {
        return Err(error);
    }
    if builder.documents.len() > 1 {
        return Err("the file holds more than one YAML document".to_owned());
    }
    Ok(builder.documents.pop())
}

/// What is being built: the open collections, innermost last.
enum Open {
    Seq(Vec<Node>),
    /// A mapping, and its key waiting for a value.
    Map(Vec<Entry>, Option<(String, usize)>),
}

#[derive(Default)]
struct Builder {
    open: Vec<Open>,
    documents: Vec<Node>,
    error: Option<String>,
}

impl Builder {
    fn fail(&mut self, line: usize, message: &str) {
        if self.error.is_none() {
            self.error = Some(format!("line {line}: {message}"));
        }
    }

    /// Places a finished node in the collection that holds it.
    fn place(&mut self, node: Node, line: usize) {
        match self.open.last_mut() {
            None => self.documents.push(node),
            Some(Open::Seq(items)) => items.push(node),
            Some(Open::Map(entries, key)) => match key.take() {
                Some((key, key_line)) => entries.push(Entry {
                    key,
                    line: key_line,
                    value: node,
                }),
                None => match node {
                    Node::Scalar { text, .. } => {
                        if entries.iter().any(|e| e.key == text) {
                            self.fail(line, &format!("key {text:?} already set in map"));
                        } else if let Some(Open::Map(_, key)) = self.open.last_mut() {
                            *key = Some((text, line));
                        }
                    }
                    Node::Seq(_) | Node::Map(_) => self.fail(line, "a key that is not a string"),
                },
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let line = mark.line();
        match event {
            Event::Scalar(text, style, _, _) => {
                let plain = style == TScalarStyle::Plain;
                self.place(Node::Scalar { text, plain }, line);
            }
            Event::SequenceStart(..) => self.open.push(Open::Seq(Vec::new())),
            Event::MappingStart(..) => self.open.push(Open::Map(Vec::new(), None)),
            Event::SequenceEnd => {
                if let Some(Open::Seq(items)) = self.open.pop() {
                    self.place(Node::Seq(items), line);
                }
            }
            Event::MappingEnd => {
                if let Some(Open::Map(entries, _)) = self.open.pop() {
                    self.place(Node::Map(entries), line);
                }
            }
            // An alias would need the anchored node kept: no web
            // configuration needs one.
            Event::Alias(_) => self.fail(line, "YAML aliases are not supported here"),
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_lines_and_repeats_are_refused() {
        let Some(Node::Map(entries)) = parse("a: 1\nb:\n  - x\n  - 'y'\n").unwrap() else {
            panic!("a mapping");
        };
        assert_eq!(entries[0].key, "a");
        assert_eq!((entries[1].key.as_str(), entries[1].line), ("b", 2));
        assert!(matches!(&entries[1].value, Node::Seq(items) if items.len() == 2));
        let error = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(error, "line 2: key \"a\" already set in map");
        assert!(parse("").unwrap().is_none());
        assert!(parse("a: [").is_err());
    }
}
