//! The parser: the server's one-token-lookahead algorithm, building an AST
//! whose field references are already resolved.

use std::collections::HashMap;

use crate::FieldDef;
use crate::FormulaError;
use crate::fields::{ResolvedField, VType};
use crate::functions::{self, FuncSpec};
use crate::lexer::{Token, TokenKind, slice_inner, string_literal_raw, unescape};
use crate::value::string_to_number;

/// How deeply factors may nest while parsing (parentheses, unary operators, calls).
pub const MAX_PARSE_DEPTH: usize = 256;
/// How deep the finished tree may be (long left-associated chains count too).
pub const MAX_TREE_DEPTH: u32 = 512;

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `&&`
    And,
    /// `||`
    Or,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `&`
    Concat,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
}

impl BinOp {
    fn of(kind: TokenKind) -> Option<BinOp> {
        Some(match kind {
            TokenKind::And => BinOp::And,
            TokenKind::Or => BinOp::Or,
            TokenKind::Add => BinOp::Add,
            TokenKind::Minus => BinOp::Sub,
            TokenKind::Times => BinOp::Mul,
            TokenKind::Div => BinOp::Div,
            TokenKind::Mod => BinOp::Mod,
            TokenKind::Concat => BinOp::Concat,
            TokenKind::Equal => BinOp::Eq,
            TokenKind::NotEqual => BinOp::Ne,
            TokenKind::Greater => BinOp::Gt,
            TokenKind::GreaterEqual => BinOp::Ge,
            TokenKind::Less => BinOp::Lt,
            TokenKind::LessEqual => BinOp::Le,
            _ => return None,
        })
    }

    /// Whether this operator compares (DateTime fields stay timestamps for these).
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Gt | BinOp::Ge | BinOp::Lt | BinOp::Le
        )
    }

    /// The operator's source text.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::And => "&&",
            BinOp::Or => "||",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Concat => "&",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
        }
    }
}

/// Precedence index (smaller binds tighter), as in the server's table.
fn precedence(kind: TokenKind) -> Option<u8> {
    Some(match kind {
        TokenKind::Times | TokenKind::Div | TokenKind::Mod => 0,
        TokenKind::Add | TokenKind::Minus => 1,
        TokenKind::Greater | TokenKind::GreaterEqual | TokenKind::Less | TokenKind::LessEqual => 2,
        TokenKind::Equal | TokenKind::NotEqual => 3,
        TokenKind::And => 4,
        TokenKind::Or => 5,
        TokenKind::Concat => 6,
        _ => return None,
    })
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// `!`
    Not,
    /// `+`
    Plus,
    /// `-`
    Neg,
}

/// What a node is.
#[derive(Debug, Clone)]
pub enum NodeKind {
    /// A number literal (already converted with `Number()`).
    Number(f64),
    /// A string literal (already unescaped, quotes dropped).
    Str(String),
    /// A field reference: index into the formula's field table.
    Field(usize),
    /// A function call.
    Call(&'static FuncSpec, Vec<Node>),
    /// A unary operation.
    Unary(UnOp, Box<Node>),
    /// A binary operation.
    Binary(BinOp, Box<Node>, Box<Node>),
}

/// An AST node with the static facts the evaluator needs.
#[derive(Debug, Clone)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Its static value type.
    pub vtype: VType,
    /// Its inner value type (field nodes only).
    pub inner: Option<VType>,
    /// Whether its token text is `BLANK` (case-insensitive): triggers the BLANK rewrite.
    pub blank: bool,
    /// Whether its token is a String token (for literal unit checks).
    pub is_string_token: bool,
    /// Height of the subtree.
    pub depth: u32,
}

impl Node {
    fn leaf(kind: NodeKind, vtype: VType) -> Node {
        Node {
            kind,
            vtype,
            inner: None,
            blank: false,
            is_string_token: false,
            depth: 1,
        }
    }

    /// The string value of a literal node, if it is one.
    pub fn literal_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }
}

fn err(message: impl Into<String>) -> FormulaError {
    FormulaError {
        message: message.into(),
    }
}

/// Resolves field references by name first, then by id.
pub struct FieldTable<'a> {
    defs: &'a [FieldDef],
    by_name: HashMap<&'a str, usize>,
    by_id: HashMap<&'a str, usize>,
    /// Fields referenced so far, and which `defs` index each one came from.
    pub used: Vec<ResolvedField>,
    used_index: HashMap<usize, usize>,
}

impl<'a> FieldTable<'a> {
    /// A table over `defs`.
    pub fn new(defs: &'a [FieldDef]) -> FieldTable<'a> {
        let mut by_name = HashMap::new();
        let mut by_id = HashMap::new();
        for (i, d) in defs.iter().enumerate() {
            by_name.entry(d.name.as_str()).or_insert(i);
            by_id.entry(d.id.as_str()).or_insert(i);
        }
        FieldTable {
            defs,
            by_name,
            by_id,
            used: Vec::new(),
            used_index: HashMap::new(),
        }
    }

    fn resolve(&mut self, key: &str) -> Result<usize, FormulaError> {
        let def_idx = self
            .by_name
            .get(key)
            .or_else(|| self.by_id.get(key))
            .copied()
            .ok_or_else(|| err(format!("Invalid column or function name: {key}")))?;
        if let Some(&u) = self.used_index.get(&def_idx) {
            return Ok(u);
        }
        let u = self.used.len();
        self.used.push(ResolvedField::new(&self.defs[def_idx]));
        self.used_index.insert(def_idx, u);
        Ok(u)
    }
}

/// Parser state.
pub struct Parser<'t, 'f> {
    toks: &'t [Token],
    pos: usize,
    fields: &'t mut FieldTable<'f>,
    depth: usize,
    factor_end: HashMap<usize, usize>,
    steps: u64,
}

impl<'t, 'f> Parser<'t, 'f> {
    /// A parser over `toks` (Blank and Unknown tokens already removed).
    pub fn new(toks: &'t [Token], fields: &'t mut FieldTable<'f>) -> Parser<'t, 'f> {
        Parser {
            toks,
            pos: 0,
            fields,
            depth: 0,
            factor_end: HashMap::new(),
            steps: 0,
        }
    }

    /// Factors parsed so far, each parse counted (see [`crate::Formula::parse_steps`]).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    fn cur(&self) -> Option<&'t Token> {
        self.toks.get(self.pos)
    }

    /// Parses the whole token list.
    pub fn parse(&mut self) -> Result<Node, FormulaError> {
        let node = self.expr(false)?;
        if self.cur().is_some() {
            return Err(err("Unidentified character$(value)"));
        }
        Ok(node)
    }

    /// JS `next(type)`: silently nothing at the end of input.
    fn next(&mut self, kind: TokenKind) -> Result<(), FormulaError> {
        let Some(tok) = self.cur() else {
            return Ok(());
        };
        if tok.kind == kind {
            self.pos += 1;
            return Ok(());
        }
        Err(match kind {
            TokenKind::LeftParen => err("( should be added to the right side of the function name"),
            TokenKind::RightParen => err("Function needs to end with \")\""),
            _ => err(format!("Parse character {} failed", tok.text)),
        })
    }

    fn factor(&mut self) -> Result<Node, FormulaError> {
        self.steps += 1;
        self.depth += 1;
        if self.depth > MAX_PARSE_DEPTH {
            return Err(err("The formula is nested too deeply"));
        }
        let start = self.pos;
        let r = self.factor_inner();
        self.depth -= 1;
        if r.is_ok() {
            self.factor_end.insert(start, self.pos);
        }
        r
    }

    fn field_node(&mut self, key: &str, blank: bool) -> Result<Node, FormulaError> {
        let idx = self.fields.resolve(key)?;
        let f = &self.fields.used[idx];
        Ok(Node {
            vtype: f.vtype,
            inner: Some(f.inner),
            blank,
            ..Node::leaf(NodeKind::Field(idx), f.vtype)
        })
    }

    fn factor_inner(&mut self) -> Result<Node, FormulaError> {
        let Some(tok) = self.cur() else {
            return Err(err("Wrong formula ending"));
        };
        match tok.kind {
            TokenKind::Value => {
                self.pos += 1;
                let key = unescape(&slice_inner(&unescape(&tok.text)));
                // The node value is the unescaped token text; the resolver slices it.
                let _ = &key;
                let key = unescape(&slice_inner(&tok.text));
                self.field_node(&key, false)
            }
            TokenKind::PureValue => {
                self.pos += 1;
                let key = unescape(&tok.text);
                let blank = tok.text.to_uppercase() == "BLANK";
                self.field_node(&key, blank)
            }
            TokenKind::Call => {
                self.pos += 1;
                let name = tok.text.to_uppercase();
                let Some(spec) = functions::lookup(&name) else {
                    return Err(err(format!("Undefined function: {}", tok.text)));
                };
                self.next(TokenKind::LeftParen)?;
                if self.cur().is_none() {
                    return Err(err("Function needs to end with \")\""));
                }
                let mut params = Vec::new();
                while self.cur().is_some_and(|t| t.kind != TokenKind::RightParen) {
                    params.push(self.expr(false)?);
                    match self.cur() {
                        None => return Err(err("Function needs to end with \")\"")),
                        Some(t) if t.kind != TokenKind::Comma => break,
                        Some(_) => {}
                    }
                }
                (spec.validate)(spec, &params)?;
                let vtype = (spec.ret)(&params);
                self.next(TokenKind::RightParen)?;
                let depth = 1 + params.iter().map(|p| p.depth).max().unwrap_or(0);
                self.check_depth(depth)?;
                Ok(Node {
                    blank: name == "BLANK",
                    depth,
                    ..Node::leaf(NodeKind::Call(spec, params), vtype)
                })
            }
            TokenKind::Number => {
                self.pos += 1;
                Ok(Node::leaf(
                    NodeKind::Number(string_to_number_literal(&tok.text)),
                    VType::Number,
                ))
            }
            TokenKind::String => {
                self.pos += 1;
                let v = slice_inner(&string_literal_raw(&tok.text));
                Ok(Node {
                    is_string_token: true,
                    ..Node::leaf(NodeKind::Str(v), VType::String)
                })
            }
            TokenKind::LeftParen => {
                self.pos += 1;
                let node = self.expr(false)?;
                self.next(TokenKind::RightParen)?;
                Ok(node)
            }
            TokenKind::Not | TokenKind::Add | TokenKind::Minus => {
                self.pos += 1;
                let child = self.factor()?;
                let (op, vtype) = match tok.kind {
                    TokenKind::Not => (UnOp::Not, VType::Boolean),
                    TokenKind::Minus => (UnOp::Neg, VType::Number),
                    _ => (UnOp::Plus, child.vtype),
                };
                let depth = child.depth + 1;
                self.check_depth(depth)?;
                Ok(Node {
                    depth,
                    ..Node::leaf(NodeKind::Unary(op, Box::new(child)), vtype)
                })
            }
            TokenKind::Comma => {
                self.pos += 1;
                self.expr(false)
            }
            _ => Err(err(format!("Unknown operational character: {}", tok.text))),
        }
    }

    fn check_depth(&self, depth: u32) -> Result<(), FormulaError> {
        if depth > MAX_TREE_DEPTH {
            Err(err("The formula is nested too deeply"))
        } else {
            Ok(())
        }
    }

    fn binary(&self, left: Node, op: BinOp, right: Node) -> Result<Node, FormulaError> {
        let is_num =
            |n: &Node| n.vtype == VType::Number || n.inner == Some(VType::Number) || n.blank;
        let vtype = match op {
            BinOp::Add => {
                if is_num(&left) && is_num(&right) {
                    VType::Number
                } else {
                    VType::String
                }
            }
            BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => VType::Number,
            BinOp::Concat => VType::String,
            _ => VType::Boolean,
        };
        let depth = 1 + left.depth.max(right.depth);
        self.check_depth(depth)?;
        Ok(Node {
            depth,
            ..Node::leaf(NodeKind::Binary(op, Box::new(left), Box::new(right)), vtype)
        })
    }

    fn expr(&mut self, inner: bool) -> Result<Node, FormulaError> {
        let mut node = self.factor()?;
        while let Some(tok) = self.cur() {
            let Some(op) = BinOp::of(tok.kind) else {
                break;
            };
            let op_kind = tok.kind;
            self.pos += 1;
            let Some(first) = self.cur() else {
                return Err(err("Wrong formula ending"));
            };
            let next_kind = if matches!(first.kind, TokenKind::Call | TokenKind::LeftParen) {
                let save = self.pos;
                match self.factor_end.get(&save) {
                    Some(&end) => self.pos = end,
                    None => {
                        self.factor()?;
                    }
                }
                let k = self.cur().map(|t| t.kind);
                self.pos = save;
                k
            } else {
                self.toks.get(self.pos + 1).map(|t| t.kind)
            };
            let cur_prec = precedence(op_kind).unwrap_or(u8::MAX);
            let mut right = None;
            if let Some(np) = next_kind.and_then(precedence) {
                if np < cur_prec {
                    right = Some(self.expr(true)?);
                }
                if inner && np > cur_prec {
                    let r = match right {
                        Some(r) => r,
                        None => self.factor()?,
                    };
                    return self.binary(node, op, r);
                }
            }
            let r = match right {
                Some(r) => r,
                None => self.factor()?,
            };
            node = self.binary(node, op, r)?;
        }
        Ok(node)
    }
}

/// `Number(text)` of a Number token.
fn string_to_number_literal(text: &str) -> f64 {
    string_to_number(text)
}

/// Writes `node` fully parenthesised (see [`crate::Formula::tree`]).
pub(crate) fn render(node: &Node, fields: &[ResolvedField], out: &mut String) {
    match &node.kind {
        NodeKind::Number(n) => out.push_str(&crate::value::number_to_string(*n)),
        NodeKind::Str(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
        NodeKind::Field(i) => {
            out.push('{');
            out.push_str(&fields[*i].id);
            out.push('}');
        }
        NodeKind::Call(spec, params) => {
            out.push_str(spec.name);
            out.push('(');
            for (k, p) in params.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                render(p, fields, out);
            }
            out.push(')');
        }
        NodeKind::Unary(op, child) => {
            out.push('(');
            out.push_str(match op {
                UnOp::Not => "!",
                UnOp::Plus => "+",
                UnOp::Neg => "-",
            });
            render(child, fields, out);
            out.push(')');
        }
        NodeKind::Binary(op, l, r) => {
            out.push('(');
            render(l, fields, out);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            render(r, fields, out);
            out.push(')');
        }
    }
}
