mod stored;
struct W;
impl stored::Check for W {
    fn check<T: standin::encode::Encode + serde::Serialize>(&mut self, file: &str, _json: &str, expected: T) {
        let text = standin::encode::to_json(&expected);
        assert_eq!(text, serde_json::to_string(&expected).unwrap());
        std::fs::write(format!("tests/fixtures/storage/{file}"), text + "\n").unwrap();
    }
}
#[test]
fn capture() { stored::each(&mut W); }
