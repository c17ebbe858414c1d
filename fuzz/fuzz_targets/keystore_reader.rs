#![no_main]
//! Fuzz target: see `certdesk::certs::fuzzing::keystore_reader`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| certdesk::certs::fuzzing::keystore_reader(data));
