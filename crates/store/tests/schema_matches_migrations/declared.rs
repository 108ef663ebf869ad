//! What `src/schema.rs` declares, read from its text: a strict little parser for `table!` blocks.

use std::collections::BTreeMap;

/// The source the application compiles; parsed here, not copied.
pub const SCHEMA_RS: &str = include_str!("../../src/schema.rs");

/// One column of a `table!` block, by its SQL name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredColumn {
    pub name: String,
    /// The diesel SQL type without `Nullable<…>`, last path segment only (`Timestamp`).
    pub sql_type: String,
    pub nullable: bool,
}

/// One `table!` block, by its SQL name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredTable {
    pub primary_key: Vec<String>,
    pub columns: Vec<DeclaredColumn>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    Str(String),
    Punct(&'static str),
}

/// Splits Rust source into the few token kinds `table!` blocks use; comments (doc comments too) go.
fn tokenize(src: &str) -> Result<Vec<Token>, String> {
    const PUNCTS: &[&str] = &[
        "::", "->", "!", "{", "}", "(", ")", "<", ">", ",", "#", "[", "]", "=", ";", ".", "*",
    ];
    let mut tokens = Vec::new();
    let mut rest = src;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
        } else if rest.starts_with("//") {
            rest = rest.find('\n').map_or("", |end| &rest[end..]);
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").ok_or("unterminated block comment")?;
            rest = &rest[end + 2..];
        } else if c == '"' {
            let end = rest[1..].find('"').ok_or("unterminated string literal")?;
            tokens.push(Token::Str(rest[1..=end].to_owned()));
            rest = &rest[end + 2..];
        } else if c.is_alphanumeric() || c == '_' {
            let end = rest
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .unwrap_or(rest.len());
            tokens.push(Token::Ident(rest[..end].to_owned()));
            rest = &rest[end..];
        } else if let Some(p) = PUNCTS.iter().find(|p| rest.starts_with(**p)) {
            tokens.push(Token::Punct(p));
            rest = &rest[p.len()..];
        } else {
            return Err(format!("unexpected character {c:?} in schema.rs"));
        }
    }
    Ok(tokens)
}

/// A cursor over the tokens of one `table!` block; every step says what it expected when it fails.
struct Cursor<'a> {
    tokens: &'a [Token],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<&Token> {
        let token = self.tokens.get(self.at);
        self.at += 1;
        token
    }

    fn eat(&mut self, punct: &str) -> bool {
        if matches!(self.peek(), Some(Token::Punct(p)) if *p == punct) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect_punct(&mut self, punct: &str, while_reading: &str) -> Result<(), String> {
        match self.next() {
            Some(Token::Punct(p)) if *p == punct => Ok(()),
            other => Err(format!("{while_reading}: expected `{punct}`, found {other:?}")),
        }
    }

    fn ident(&mut self, while_reading: &str) -> Result<String, String> {
        match self.next() {
            Some(Token::Ident(name)) => Ok(name.clone()),
            other => Err(format!("{while_reading}: expected a name, found {other:?}")),
        }
    }

    /// `#[…]` attributes; returns the `sql_name = "…"` one if present, skips the rest.
    fn attributes(&mut self, while_reading: &str) -> Result<Option<String>, String> {
        let mut sql_name = None;
        while self.eat("#") {
            self.expect_punct("[", while_reading)?;
            let start = self.at;
            let mut depth = 1;
            while depth > 0 {
                match self.next() {
                    Some(Token::Punct("[")) => depth += 1,
                    Some(Token::Punct("]")) => depth -= 1,
                    Some(_) => {}
                    None => return Err(format!("{while_reading}: unterminated attribute")),
                }
            }
            if let [
                Token::Ident(key),
                Token::Punct("="),
                Token::Str(value),
                Token::Punct("]"),
            ] = &self.tokens[start..self.at]
                && key == "sql_name"
            {
                sql_name = Some(value.clone());
            }
        }
        Ok(sql_name)
    }

    /// A type path such as `Text`, `diesel::sql_types::BigInt` or `Nullable<Timestamp>`.
    fn sql_type(&mut self, while_reading: &str) -> Result<(String, bool), String> {
        let mut last = self.ident(while_reading)?;
        while self.eat("::") {
            last = self.ident(while_reading)?;
        }
        if !self.eat("<") {
            return Ok((last, false));
        }
        if last != "Nullable" {
            return Err(format!("{while_reading}: unsupported generic type {last}<…>"));
        }
        let (inner, inner_nullable) = self.sql_type(while_reading)?;
        if inner_nullable {
            return Err(format!("{while_reading}: Nullable<Nullable<…>>"));
        }
        self.expect_punct(">", while_reading)?;
        Ok((inner, true))
    }
}

/// Every `table! { … }` block of a schema file, keyed by SQL table name. Anything in a block that is not
/// understood is an error, so a new diesel feature in `schema.rs` cannot make a column silently vanish.
pub fn parse_schema(src: &str) -> Result<BTreeMap<String, DeclaredTable>, String> {
    let tokens = tokenize(src)?;
    let mut tables = BTreeMap::new();
    let mut i = 0;
    while i + 2 < tokens.len() {
        let opens_block = matches!(
            &tokens[i..i + 3],
            [Token::Ident(word), Token::Punct("!"), Token::Punct("{")] if word == "table"
        );
        if !opens_block {
            i += 1;
            continue;
        }
        let mut cursor = Cursor {
            tokens: &tokens,
            at: i + 3,
        };
        let (name, table) = parse_table_block(&mut cursor)?;
        if tables.insert(name.clone(), table).is_some() {
            return Err(format!("table {name} is declared twice"));
        }
        i = cursor.at;
    }
    Ok(tables)
}

/// The inside of one `table!` block, up to and including its closing brace.
fn parse_table_block(c: &mut Cursor<'_>) -> Result<(String, DeclaredTable), String> {
    let mut table_sql_name = c.attributes("a table attribute")?;
    // `use some::types::*;` lines may precede the table.
    while matches!(c.peek(), Some(Token::Ident(word)) if word == "use") {
        while !c.eat(";") {
            c.next().ok_or("unterminated `use` in a table! block")?;
        }
        table_sql_name = c.attributes("a table attribute")?.or(table_sql_name);
    }
    let mut rust_name = c.ident("a table name")?;
    if c.eat(".") {
        // `schema.table`: the comparison is against one schema, so the table name is what counts.
        rust_name = c.ident("a schema-qualified table name")?;
    }
    let table_name = table_sql_name.unwrap_or_else(|| rust_name.clone());
    let context = format!("table {table_name}");

    let mut rust_pk = Vec::new();
    if c.eat("(") {
        loop {
            rust_pk.push(c.ident(&context)?);
            if c.eat(")") {
                break;
            }
            c.expect_punct(",", &context)?;
            if c.eat(")") {
                break;
            }
        }
    } else {
        rust_pk.push("id".to_owned()); // diesel's default primary key
    }

    c.expect_punct("{", &context)?;
    let mut columns = Vec::new();
    let mut rust_to_sql = BTreeMap::new();
    while !c.eat("}") {
        let sql_name = c.attributes(&context)?;
        let rust_column = c.ident(&context)?;
        let column_context = format!("{context}, column {rust_column}");
        c.expect_punct("->", &column_context)?;
        let (sql_type, nullable) = c.sql_type(&column_context)?;
        let name = sql_name.unwrap_or_else(|| rust_column.clone());
        rust_to_sql.insert(rust_column, name.clone());
        columns.push(DeclaredColumn {
            name,
            sql_type,
            nullable,
        });
        if !c.eat(",") {
            c.expect_punct("}", &column_context)?;
            break;
        }
    }
    c.expect_punct("}", &context)?;

    let primary_key = rust_pk
        .iter()
        .map(|pk| {
            rust_to_sql
                .get(pk)
                .cloned()
                .ok_or_else(|| format!("{context}: primary key {pk} is not one of its columns"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((table_name, DeclaredTable { primary_key, columns }))
}

pub fn declared_schema() -> BTreeMap<String, DeclaredTable> {
    parse_schema(SCHEMA_RS).unwrap_or_else(|e| panic!("cannot read src/schema.rs: {e}"))
}
