//! libFuzzer entry point for [`matrix_fuzz::ecc::ec_x509_cert`] (feature `ecc`): the harness lives in
//! the library so that the stable runner executes exactly the same code.

#![no_main]
#![forbid(unsafe_code)]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = matrix_fuzz::ecc::ec_x509_cert(data);
});
