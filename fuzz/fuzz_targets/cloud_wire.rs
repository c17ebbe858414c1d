#![no_main]
//! Fuzz target: see `certdesk::inventory::fuzzing::cloud_wire`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| certdesk::inventory::fuzzing::cloud_wire(data));
