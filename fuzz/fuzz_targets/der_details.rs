#![no_main]
//! Fuzz target: see `certdesk::certs::fuzzing::der_details`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| certdesk::certs::fuzzing::der_details(data));
