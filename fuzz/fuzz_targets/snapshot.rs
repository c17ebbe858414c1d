#![no_main]
//! Fuzz target: see `certdesk::inventory::fuzzing::snapshot`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| certdesk::inventory::fuzzing::snapshot(data));
