//! Storage formats do not change: every value the build before issue 12 stored
//! (`tests/fixtures/storage/`) reads back as the value it held, with the reader the extension
//! uses for text (`standin::wire`). The browser reads the same files as JS values through
//! serde-wasm-bindgen in `tests/wasm_roundtrip.rs`.

mod stored;

struct Native;

impl stored::Check for Native {
    fn check<T>(&mut self, file: &str, json: &str, expected: T)
    where
        T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        assert_eq!(standin::wire::from_str::<T>(json), Ok(expected), "{file}");
    }
}

#[test]
fn values_stored_by_the_previous_build_read_unchanged() {
    stored::each(&mut Native);
}

#[test]
fn values_from_a_newer_version_keep_loading() {
    stored::each_newer(&mut Native);
}
