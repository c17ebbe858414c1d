#![no_main]
//! Fuzz target: see `certdesk::inventory::fuzzing::profiles_file`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| certdesk::inventory::fuzzing::profiles_file(data));
