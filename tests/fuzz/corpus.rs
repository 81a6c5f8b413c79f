//! The committed seed corpus (tests/fixtures/fuzz/<target>/), replayed on every run:
//! inputs that once mattered (injection attempts, huge headers, truncations, a PNG
//! named like IDX) stay checked whatever the random cases happen to cover.

use glassbox::data::upload::{IdxPair, Input};
use std::path::{Path, PathBuf};

fn files(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz").join(target);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a corpus entry").path())
        .collect();
    out.sort();
    assert!(!out.is_empty(), "the {target} corpus is empty");
    out
}

fn text(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).expect("a corpus file")).into_owned()
}

#[test]
fn the_corpus_replays() {
    let mut count = 0;
    for path in files("links") {
        super::links::check(text(&path).trim_end_matches('\n'));
        count += 1;
    }
    for path in files("points") {
        super::points::check(&text(&path));
        count += 1;
    }
    for path in files("idx").into_iter().filter(|p| p.extension().is_some_and(|e| e == "images")) {
        let images = std::fs::read(&path).unwrap();
        let labels = std::fs::read(path.with_extension("labels")).unwrap_or_else(|_| panic!("{} has no labels", path.display()));
        super::uploads::check(Input::Idx { train: IdxPair { images: &images, labels: &labels }, test: None }, &path.display().to_string());
        count += 1;
    }
    for path in files("images") {
        let bytes = std::fs::read(&path).unwrap();
        let name = format!("a/{}", path.file_name().unwrap().to_string_lossy());
        let other = super::uploads::png(3, 3, png::ColorType::Rgb, png::BitDepth::Eight, 9);
        super::uploads::check(Input::Folder(vec![(name, &bytes), ("b/ok.png".into(), &other)]), &path.display().to_string());
        count += 1;
    }
    let mut sessions = super::models::sessions();
    for path in files("models") {
        super::models::check(&mut sessions[0], &text(&path));
        count += 1;
    }
    println!("replayed {count} corpus files");
}
