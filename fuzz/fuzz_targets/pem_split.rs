#![no_main]
//! Fuzz target: see `certdesk::certs::fuzzing::pem_split`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| certdesk::certs::fuzzing::pem_split(data));
