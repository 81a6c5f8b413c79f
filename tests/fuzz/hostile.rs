//! Hostile values and the mutation of well-formed JSON: a path into the tree and what
//! to put there (or take away).

use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Numbers that break naive code: limits of every integer type, values that overflow
/// f32 to ±∞ (how NaN and ∞ reach a spec through JSON), tiny and fractional values.
pub const NUMBERS: &[f64] = &[
    0.0, -0.0, -1.0, 1.0, 0.5, -0.5, 2.0, 7.0, 255.0, 256.0, 65_536.0, 1e6, -1e6, 2_147_483_647.0,
    2_147_483_648.0, -2_147_483_649.0, 4_294_967_295.0, 4_294_967_296.0, 9_007_199_254_740_993.0,
    1.8446744073709552e19, -9.2e18, 1e39, -1e39, 3.4e38, 1e308, -1e308, 5e-324, 1e-45, 1e-8,
];

/// Strings aimed at HTML injection, prototype pollution, near-miss enum tags and sheer size.
pub fn strings() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("<script>alert(1)</script>".to_string()),
        Just("\"><img src=x onerror=alert(1)>".to_string()),
        Just("javascript:alert(document.cookie)".to_string()),
        Just("__proto__".to_string()),
        Just("constructor".to_string()),
        Just("Relu".to_string()),
        Just("relu ".to_string()),
        Just("muP".to_string()),
        Just("\u{202e}evil\u{0}".to_string()),
        (1usize..5000).prop_map(|n| "A".repeat(n)),
        "[a-zA-Z]{1,12}",
        any::<String>(),
    ]
}

/// One hostile edit of a JSON tree, at the node picked by `at` (an index into the
/// tree's nodes, wrapped).
#[derive(Clone, Debug)]
pub enum Edit {
    Number(f64),
    Integer(i64),
    Text(String),
    Null,
    Bool(bool),
    /// An array nested this deep, innermost a number.
    Deep(usize),
    /// Remove the node from its object or array.
    Delete,
    /// Add an unknown key beside the node.
    UnknownKey(String),
    /// Repeat an array's first element this many times (huge counts).
    Repeat(usize),
    /// An object where a scalar was, or the reverse.
    Retype,
}

pub fn edits() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => prop::sample::select(NUMBERS).prop_map(Edit::Number),
        2 => any::<i64>().prop_map(Edit::Integer),
        2 => any::<f64>().prop_map(Edit::Number),
        2 => strings().prop_map(Edit::Text),
        1 => Just(Edit::Null),
        1 => any::<bool>().prop_map(Edit::Bool),
        1 => (1usize..300).prop_map(Edit::Deep),
        2 => Just(Edit::Delete),
        1 => strings().prop_map(Edit::UnknownKey),
        1 => (2usize..3000).prop_map(Edit::Repeat),
        1 => Just(Edit::Retype),
    ]
}

/// Up to `n` edits, each at its own node.
pub fn edit_list(n: usize) -> impl Strategy<Value = Vec<(usize, Edit)>> {
    prop::collection::vec((any::<usize>(), edits()), 1..=n)
}

fn value_of(edit: &Edit) -> Value {
    match edit {
        Edit::Number(x) => serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number),
        Edit::Integer(i) => json!(i),
        Edit::Text(s) => json!(s),
        Edit::Null => Value::Null,
        Edit::Bool(b) => json!(b),
        Edit::Deep(d) => (0..*d).fold(json!(1), |v, _| json!([v])),
        _ => unreachable!("structural edits have no value"),
    }
}

/// JSON pointers of every node below the root, depth first.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(child, p, out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(child, p, out);
            }
        }
        _ => {}
    }
}

fn split(pointer: &str) -> (&str, String) {
    let cut = pointer.rfind('/').expect("pointers start with /");
    (&pointer[..cut], pointer[cut + 1..].replace("~1", "/").replace("~0", "~"))
}

/// Applies the edits in turn; each picks among the nodes the tree has by then.
pub fn apply(mut root: Value, edits: &[(usize, Edit)]) -> Value {
    for (at, edit) in edits {
        let mut all = Vec::new();
        pointers(&root, String::new(), &mut all);
        if all.is_empty() {
            break;
        }
        let pointer = &all[at % all.len()];
        let (parent, key) = split(pointer);
        match edit {
            Edit::Delete => match root.pointer_mut(parent) {
                Some(Value::Object(m)) => {
                    m.remove(&key);
                }
                Some(Value::Array(a)) => {
                    let i: usize = key.parse().expect("array pointers end in an index");
                    a.remove(i);
                }
                _ => {}
            },
            Edit::UnknownKey(name) => {
                if let Some(Value::Object(m)) = root.pointer_mut(parent) {
                    m.insert(name.clone(), json!(1));
                }
            }
            Edit::Repeat(n) => {
                if let Some(Value::Array(a)) = root.pointer_mut(pointer) {
                    if let Some(first) = a.first().cloned() {
                        a.resize(*n, first);
                    }
                }
            }
            Edit::Retype => {
                if let Some(node) = root.pointer_mut(pointer) {
                    let old = node.take();
                    *node = match old {
                        Value::Object(_) | Value::Array(_) => json!(0),
                        scalar => Value::Object(Map::from_iter([("value".to_string(), scalar)])),
                    };
                }
            }
            value => {
                if let Some(node) = root.pointer_mut(pointer) {
                    *node = value_of(value);
                }
            }
        }
    }
    root
}

/// A byte-level edit of a valid encoding.
#[derive(Clone, Debug)]
pub enum ByteEdit {
    Truncate(usize),
    Flip(usize, u8),
    Insert(usize, u8),
    Overwrite(usize, Vec<u8>),
}

pub fn byte_edits(n: usize) -> impl Strategy<Value = Vec<ByteEdit>> {
    let one = prop_oneof![
        1 => any::<usize>().prop_map(ByteEdit::Truncate),
        4 => (any::<usize>(), 0u8..8).prop_map(|(at, bit)| ByteEdit::Flip(at, 1 << bit)),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(at, b)| ByteEdit::Insert(at, b)),
        2 => (any::<usize>(), prop::collection::vec(prop::sample::select(vec![0u8, 0xff, 0x7f, 0x80, 0x01]), 1..5))
            .prop_map(|(at, b)| ByteEdit::Overwrite(at, b)),
    ];
    prop::collection::vec(one, 1..=n)
}

pub fn apply_bytes(mut bytes: Vec<u8>, edits: &[ByteEdit]) -> Vec<u8> {
    for e in edits {
        if bytes.is_empty() {
            break;
        }
        let n = bytes.len();
        match e {
            ByteEdit::Truncate(at) => bytes.truncate(at % n),
            ByteEdit::Flip(at, mask) => bytes[at % n] ^= mask,
            ByteEdit::Insert(at, b) => bytes.insert(at % (n + 1), *b),
            ByteEdit::Overwrite(at, new) => {
                let start = at % n;
                for (i, b) in new.iter().enumerate().take(n - start) {
                    bytes[start + i] = *b;
                }
            }
        }
    }
    bytes
}
