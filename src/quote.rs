//! Quoting untrusted text (a link's field, a file's cell, a parser's message that
//! echoes input) in an error message: at most a given number of characters, with an
//! ellipsis when cut, so that no input can turn a message into a wall of text.

use std::borrow::Cow;

/// `text` cut to at most `chars` characters, "…" added when anything was cut.
pub fn clip(text: &str, chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(chars) {
        Some((i, _)) => Cow::Owned(format!("{}…", &text[..i])),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;
    use super::*;

    #[test]
    fn long_text_is_cut_at_a_character_boundary_and_marked() {
        assert_eq!(clip("short", 40), "short");
        assert_eq!(clip("abcdef", 3), "abc…");
        assert_eq!(clip("ééééé", 2), "éé…");
        assert_eq!(clip("", 0), "");
    }
}
