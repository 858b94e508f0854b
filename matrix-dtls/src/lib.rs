//! matrix-dtls: DTLS 1.0 (RFC 4347) on matrix-ssl's handshake state machines.
//!
//! This crate will own (see the DTLS issue and `DESIGN.md`): the datagram record layer
//! (epochs, 48-bit sequence numbers, the anti-replay window), handshake message
//! fragmentation and reassembly, flight retransmission driven by the application's timer,
//! HelloVerifyRequest cookies, the PMTU, and `DtlsSession` with MatrixSSL's
//! `matrixDtlsGetOutdata` / `matrixDtlsSentData` semantics (Appendix A of the API reference).
//!
//! Until that issue lands the crate holds no public items; its features are declared so that
//! `FEATURES.md` is complete.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
