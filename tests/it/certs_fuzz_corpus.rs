//! Replays the saved fuzz corpora (fuzz/corpus/<target>/) through the fuzz entry points, so every
//! input a fuzzer ever kept is checked in CI without a fuzzer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use certdesk::certs::fuzzing;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        run(&bytes);
        // Every prefix too: truncation is the commonest damage.
        for cut in [1, 16, bytes.len() / 3, bytes.len() / 2, bytes.len().saturating_sub(1)] {
            run(&bytes[..cut.min(bytes.len())]);
        }
        n += 1;
    }
    n
}

#[test]
fn every_saved_corpus_input_is_handled() {
    assert!(replay("pem_split", fuzzing::pem_split) >= 3);
    assert!(replay("der_details", fuzzing::der_details) >= 3);
    assert!(replay("zip_reader", fuzzing::zip_reader) >= 2);
    assert!(replay("keystore_reader", fuzzing::keystore_reader) >= 2);
    assert!(replay("cloud_wire", certdesk::inventory::fuzzing::cloud_wire) >= 15);
    assert!(replay("snapshot", certdesk::inventory::fuzzing::snapshot) >= 1);
    assert!(replay("profiles_file", certdesk::inventory::fuzzing::profiles_file) >= 1);
}
