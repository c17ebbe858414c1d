#![no_main]
//! Fuzz target: see `certdesk::certs::fuzzing::zip_reader`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| certdesk::certs::fuzzing::zip_reader(data));
