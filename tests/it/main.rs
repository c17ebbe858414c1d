//! Every integration test that can share one process, as modules of one test binary: one link
//! instead of one per file. The Secret Service tests and the kill test keep their own process.

mod common;

mod canary;
mod certs_bad_input;
mod certs_chain;
mod certs_formats;
mod certs_fuzz_corpus;
mod certs_keystores;
mod certs_openssl_crosscheck;
mod cli_certs;
mod cli_commands;
mod cloud_elb_scm;
mod cloud_errors;
mod cloud_hostnames;
mod cloud_services;
mod cloud_signer;
mod cloud_temporary_keys;
mod cloud_validation;
mod cloud_wire;
mod extremes;
mod fuzz_seeds;
mod inventory_export;
mod model_based;
mod sim_tls;
mod ui_app;
mod ui_watch;
mod worker_jobs;
