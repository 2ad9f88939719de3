//! The lexer and the path scanner of the tidy rules: Rust source to tokens without
//! comments, and every path a file names (`use` trees expanded, inline paths, inline `mod`
//! scopes).

use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Ident,
    /// A string literal's contents (escapes kept as written).
    Str,
    /// `::` or one punctuation character.
    Punct,
    /// A number, char or byte literal, or a lifetime.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) text: String,
    pub(crate) line: usize,
}

/// Rust source to tokens, comments dropped. Enough of the lexical grammar for the rules:
/// nested block comments, (raw, byte, C) strings, char literals versus lifetimes, raw
/// identifiers (kept as `r#name`, so `r#use` is no keyword).
pub(crate) fn tokenize(source: &str) -> Vec<Token> {
    let c: Vec<char> = source.chars().collect();
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let push = |tokens: &mut Vec<Token>, kind, text: String, line| {
        tokens.push(Token { kind, text, line });
    };
    while i < c.len() {
        let ch = c[i];
        let start_line = line;
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(c[i] == '\n');
                    i += 1;
                }
            }
        } else if ch == '"' {
            let text = quoted(&c, &mut i, &mut line);
            push(&mut tokens, Kind::Str, text, start_line);
        } else if ch == '\'' {
            if at(i + 1) == '\\' {
                i += 3; // the quote, the backslash, the escaped character
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
                push(&mut tokens, Kind::Other, "'char'".to_owned(), start_line);
            } else if at(i + 2) == '\'' {
                i += 3;
                push(&mut tokens, Kind::Other, "'char'".to_owned(), start_line);
            } else {
                let start = i;
                i += 1;
                while i < c.len() && is_ident_continue(c[i]) {
                    i += 1;
                }
                push(
                    &mut tokens,
                    Kind::Other,
                    c[start..i].iter().collect(),
                    start_line,
                );
            }
        } else if is_ident_start(ch) {
            let start = i;
            while i < c.len() && is_ident_continue(c[i]) {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            let hashes = c[i..].iter().take_while(|&&h| h == '#').count();
            match word.as_str() {
                "b" | "c" if at(i) == '"' => {
                    let text = quoted(&c, &mut i, &mut line);
                    push(&mut tokens, Kind::Str, text, start_line);
                }
                "b" if at(i) == '\'' => {
                    i += if at(i + 1) == '\\' { 4 } else { 3 };
                    while i < c.len() && c[i - 1] != '\'' {
                        i += 1;
                    }
                    push(&mut tokens, Kind::Other, "b'char'".to_owned(), start_line);
                }
                "r" | "br" | "cr" if at(i + hashes) == '"' => {
                    i += hashes + 1;
                    let close: Vec<char> = std::iter::once('"')
                        .chain(std::iter::repeat_n('#', hashes))
                        .collect();
                    let begin = i;
                    while i < c.len() && !c[i..].starts_with(&close) {
                        line += usize::from(c[i] == '\n');
                        i += 1;
                    }
                    let text = c[begin..i.min(c.len())].iter().collect();
                    i += close.len();
                    push(&mut tokens, Kind::Str, text, start_line);
                }
                "r" if hashes == 1 && is_ident_start(at(i + 1)) => {
                    i += 1;
                    let begin = i;
                    while i < c.len() && is_ident_continue(c[i]) {
                        i += 1;
                    }
                    let name: String = c[begin..i].iter().collect();
                    push(&mut tokens, Kind::Ident, format!("r#{name}"), start_line);
                }
                _ => push(&mut tokens, Kind::Ident, word, start_line),
            }
        } else if ch.is_ascii_digit() {
            let start = i;
            loop {
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                if at(i) == '.' && at(i + 1).is_ascii_digit() {
                    i += 1;
                } else {
                    break;
                }
            }
            push(
                &mut tokens,
                Kind::Other,
                c[start..i].iter().collect(),
                start_line,
            );
        } else if ch == ':' && at(i + 1) == ':' {
            i += 2;
            push(&mut tokens, Kind::Punct, "::".to_owned(), start_line);
        } else {
            i += 1;
            push(&mut tokens, Kind::Punct, ch.to_string(), start_line);
        }
    }
    tokens
}

/// A `"…"` literal starting at `c[*i] == '"'`: its contents; `*i` ends past the closing quote.
fn quoted(c: &[char], i: &mut usize, line: &mut usize) -> String {
    let mut text = String::new();
    *i += 1;
    while *i < c.len() && c[*i] != '"' {
        if c[*i] == '\\' {
            text.push('\\');
            *i += 1;
        }
        if let Some(&ch) = c.get(*i) {
            *line += usize::from(ch == '\n');
            text.push(ch);
        }
        *i += 1;
    }
    *i += 1;
    text
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// A path named in a file: `use` trees expanded to one path per leaf, inline paths
/// (`crate::world::World`, `super::f()`), `extern crate`, and strings that are exactly a
/// path (`serialize_with = "crate::world::serialize_entries"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathRef {
    pub(crate) line: usize,
    /// Inline `mod name { … }` blocks around the reference, outermost first.
    pub(crate) scope: Vec<String>,
    /// A leading `::` (`::http::Method`).
    pub(crate) absolute: bool,
    /// As written, `self` inside a `use` group folded away (`a::{self}` → `a`); a glob
    /// names its module (`a::*` → `a`).
    pub(crate) segments: Vec<String>,
}

impl PathRef {
    pub(crate) fn display(&self) -> String {
        let lead = if self.absolute { "::" } else { "" };
        format!("{lead}{}", self.segments.join("::"))
    }
}

#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub(crate) paths: Vec<PathRef>,
    /// Modules declared in the file (`mod a;`, `mod a { … }`), as their scope-relative path
    /// (`mod tests { mod b; }` → `[tests]`, `[tests, b]`).
    pub(crate) declared: BTreeSet<Vec<String>>,
}

pub(crate) fn scan(tokens: &[Token]) -> Scan {
    let is = |i: usize, text: &str| tokens.get(i).is_some_and(|t| t.text == text);
    let ident = |i: usize| tokens.get(i).filter(|t| t.kind == Kind::Ident);
    let mut out = Scan::default();
    let mut scopes: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        let scope: Vec<String> = scopes.iter().map(|(name, _)| name.clone()).collect();
        let prev = i.checked_sub(1).map(|p| &tokens[p]);
        match (token.kind, token.text.as_str()) {
            (Kind::Ident, "use") => {
                i += 1;
                let mut leaves = Vec::new();
                use_tree(tokens, &mut i, Vec::new(), false, &mut leaves);
                for (segments, absolute, line) in leaves {
                    out.paths.push(PathRef {
                        line,
                        scope: scope.clone(),
                        absolute,
                        segments,
                    });
                }
                while i < tokens.len() && !is(i, ";") {
                    i += 1;
                }
            }
            (Kind::Ident, "mod") if ident(i + 1).is_some() => {
                let name = tokens[i + 1].text.clone();
                let mut declared = scope.clone();
                declared.push(name.clone());
                out.declared.insert(declared);
                if is(i + 2, "{") {
                    depth += 1;
                    scopes.push((name, depth));
                    i += 3;
                } else {
                    i += 2;
                }
            }
            (Kind::Ident, "extern") if is(i + 1, "crate") && ident(i + 2).is_some() => {
                out.paths.push(PathRef {
                    line: tokens[i + 2].line,
                    scope,
                    absolute: false,
                    segments: vec![tokens[i + 2].text.clone()],
                });
                i += 3;
            }
            (Kind::Punct, "{") => {
                depth += 1;
                i += 1;
            }
            (Kind::Punct, "}") => {
                if scopes.last().is_some_and(|(_, d)| *d == depth) {
                    scopes.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
            }
            (Kind::Str, text) => {
                if let Some(segments) = path_in_string(text) {
                    out.paths.push(PathRef {
                        line: token.line,
                        scope,
                        absolute: false,
                        segments,
                    });
                }
                i += 1;
            }
            _ => {
                let continues_a_path = prev.is_some_and(|p| p.text == "::");
                // `pub(in crate::a)` is a visibility, not a use of `crate::a`.
                let visibility =
                    prev.is_some_and(|p| p.text == "in") && i >= 2 && tokens[i - 2].text == "(";
                let absolute = token.text == "::"
                    && prev.is_none_or(|p| p.kind == Kind::Punct && p.text != ">")
                    && ident(i + 1).is_some();
                let starts =
                    (token.kind == Kind::Ident && !continues_a_path && is(i + 1, "::")) || absolute;
                if !starts || visibility {
                    i += 1;
                    continue;
                }
                let line = token.line;
                let mut segments = Vec::new();
                if token.kind == Kind::Ident {
                    segments.push(token.text.clone());
                }
                i += 1;
                while is(i, "::") && ident(i + 1).is_some() {
                    segments.push(tokens[i + 1].text.clone());
                    i += 2;
                }
                out.paths.push(PathRef {
                    line,
                    scope,
                    absolute,
                    segments,
                });
            }
        }
    }
    out
}

/// One `use` tree from `tokens[*i]`, each leaf pushed as `(segments, absolute, line)`;
/// `*i` ends on the token after the tree (`,`, `}` or `;`).
fn use_tree(
    tokens: &[Token],
    i: &mut usize,
    prefix: Vec<String>,
    mut absolute: bool,
    out: &mut Vec<(Vec<String>, bool, usize)>,
) {
    let mut path = prefix;
    let mut line = tokens.get(*i).map_or(0, |t| t.line);
    while let Some(token) = tokens.get(*i) {
        match (token.kind, token.text.as_str()) {
            (Kind::Punct, "::") => {
                absolute |= path.is_empty();
                *i += 1;
            }
            (Kind::Punct, "$") => *i += 1, // `$crate` in a macro
            (Kind::Ident, "as") => {
                *i += 2; // the alias
                leaf(path, absolute, line, out);
                return;
            }
            (Kind::Ident, name) => {
                path.push(name.to_owned());
                line = token.line;
                *i += 1;
                if !tokens
                    .get(*i)
                    .is_some_and(|t| t.text == "::" || t.text == "as")
                {
                    leaf(path, absolute, line, out);
                    return;
                }
            }
            (Kind::Punct, "*") => {
                *i += 1;
                leaf(path, absolute, token.line, out);
                return;
            }
            (Kind::Punct, "{") => {
                *i += 1;
                while let Some(next) = tokens.get(*i) {
                    match next.text.as_str() {
                        "}" => {
                            *i += 1;
                            return;
                        }
                        "," => *i += 1,
                        ";" => return,
                        _ => {
                            let before = *i;
                            use_tree(tokens, i, path.clone(), absolute, out);
                            if *i == before {
                                *i += 1; // never loop on something unexpected
                            }
                        }
                    }
                }
                return;
            }
            _ => return,
        }
    }
}

/// A `use` leaf: `self` folded into its parent (`a::{self}` → `a`); a leading `self` stays.
fn leaf(path: Vec<String>, absolute: bool, line: usize, out: &mut Vec<(Vec<String>, bool, usize)>) {
    let path: Vec<String> = path
        .into_iter()
        .enumerate()
        .filter(|(position, segment)| *position == 0 || segment != "self")
        .map(|(_, segment)| segment)
        .collect();
    if !path.is_empty() {
        out.push((path, absolute, line));
    }
}

/// A string literal that is exactly a path of two or more segments (`"crate::a::f"`).
fn path_in_string(text: &str) -> Option<Vec<String>> {
    let segments: Vec<String> = text.split("::").map(str::to_owned).collect();
    let is_ident = |s: &String| {
        s.chars().next().is_some_and(is_ident_start) && s.chars().all(is_ident_continue)
    };
    (segments.len() >= 2 && segments.iter().all(is_ident)).then_some(segments)
}

mod tests {
    use super::*;
    use crate::strings;

    fn texts(tokens: &[Token]) -> Vec<&str> {
        tokens.iter().map(|t| t.text.as_str()).collect()
    }

    /// `(line, path)` of each reference, scopes shown as `scope>path`.
    fn paths(source: &str) -> Vec<String> {
        scan(&tokenize(source))
            .paths
            .iter()
            .map(|p| {
                let scope = if p.scope.is_empty() {
                    String::new()
                } else {
                    format!("{}>", p.scope.join("::"))
                };
                format!("{}:{scope}{}", p.line, p.display())
            })
            .collect()
    }

    #[test]
    fn comments_are_dropped_and_literals_kept_whole() {
        let source = r####"
            // use crate::a; line comment
            /// doc: crate::b
            //! inner doc: axum::Router
            /* block /* nested crate::c */ still comment */ x
            let s = "http://example.com // not a comment";
            let r = r#"raw "quoted" // crate::d"#;
            let b = b"bytes"; let ch = '"'; let q = '\''; let l: &'static str = "";
            let id = r#type;
        "####;
        let tokens = tokenize(source);
        let all = texts(&tokens);
        let idents: Vec<&str> = tokens
            .iter()
            .filter(|t| t.kind == Kind::Ident)
            .map(|t| t.text.as_str())
            .collect();
        for gone in ["crate", "axum", "doc", "block", "nested", "d"] {
            assert!(!idents.contains(&gone), "{gone} in {idents:?}");
        }
        assert!(all.contains(&"x"));
        assert!(all.contains(&"http://example.com // not a comment"));
        assert!(all.contains(&r#"raw "quoted" // crate::d"#));
        assert!(all.contains(&"bytes"));
        assert!(all.contains(&"'static"));
        assert!(all.contains(&"r#type"));
        let x = tokens.iter().find(|t| t.text == "x").expect("x");
        assert_eq!(x.line, 5, "lines counted through comments");
        let id = tokens.iter().find(|t| t.text == "id").expect("id");
        assert_eq!(id.line, 9);
    }

    #[test]
    fn multi_line_strings_and_comments_keep_line_numbers() {
        let tokens = tokenize("\"a\nb\" /* c\nd */ e\nr\"f\ng\" h");
        let line_of = |text: &str| tokens.iter().find(|t| t.text == text).expect(text).line;
        assert_eq!(line_of("a\nb"), 1);
        assert_eq!(line_of("e"), 3);
        assert_eq!(line_of("f\ng"), 4);
        assert_eq!(line_of("h"), 5);
    }

    #[test]
    fn use_groups_expand_to_one_path_per_leaf() {
        let source = "use crate::{a, b::{c, d::{e, f}}, g::*};\n\
                      pub use crate::h::{self, I as J};\n\
                      pub(crate) use super::k::L;\n\
                      use std::collections::{\n    BTreeMap, // why\n    BTreeSet,\n};";
        assert_eq!(
            paths(source),
            strings(&[
                "1:crate::a",
                "1:crate::b::c",
                "1:crate::b::d::e",
                "1:crate::b::d::f",
                "1:crate::g",
                "2:crate::h",
                "2:crate::h::I",
                "3:super::k::L",
                "5:std::collections::BTreeMap",
                "6:std::collections::BTreeSet",
            ])
        );
    }

    #[test]
    fn self_super_absolute_and_macro_crate_paths_in_use() {
        let source = "use self::a::B;\nuse super::super::c;\nuse ::http::Method;\n\
                      use {crate::x, ::y::z};\nmacro_rules! m { () => { use $crate::q::R; } }";
        assert_eq!(
            paths(source),
            strings(&[
                "1:self::a::B",
                "2:super::super::c",
                "3:::http::Method",
                "4:crate::x",
                "4:::y::z",
                "5:crate::q::R",
            ])
        );
    }

    #[test]
    fn inline_paths_visibilities_and_string_paths() {
        let source = "fn f(w: &crate::world::World) -> super::Out {\n\
                      let v = crate::f::<T>(); Vec::<u8>::new(); <T as crate::tr::Tr>::m();\n\
                      self.x; self::g(); std::mem::take(a)\n}\n\
                      pub(in crate::roblox) fn h() {}\n\
                      #[serde(serialize_with = \"crate::world::serialize_entries\")]\n\
                      const NOT: &str = \"a :: b\"; const URL: &str = \"http://x\";";
        assert_eq!(
            paths(source),
            strings(&[
                "1:crate::world::World",
                "1:super::Out",
                "2:crate::f",
                "2:Vec",
                "2:crate::tr::Tr",
                "3:self::g",
                "3:std::mem::take",
                "6:crate::world::serialize_entries",
            ])
        );
    }

    #[test]
    fn inline_modules_are_scopes() {
        let source = "mod a;\nuse x::Y;\n#[cfg(test)]\nmod tests {\n    use super::*;\n    \
                      fn t() { if true { crate::k::f(); } }\n    mod deep { use super::super::z; }\n}\n\
                      use after::Scope;";
        let scanned = scan(&tokenize(source));
        assert_eq!(
            paths(source),
            strings(&[
                "2:x::Y",
                "5:tests>super",
                "6:tests>crate::k::f",
                "7:tests::deep>super::super::z",
                "9:after::Scope",
            ])
        );
        let declared: Vec<Vec<String>> = scanned.declared.iter().cloned().collect();
        assert_eq!(
            declared,
            [
                strings(&["a"]),
                strings(&["tests"]),
                strings(&["tests", "deep"])
            ]
        );
    }
}
