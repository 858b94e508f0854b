//! What a client's re-handshake keeps of the connection's previous handshake (RFC 5746
//! section 3.5, RFC 2246 section 7.2.2): its state, to go back to when the server refuses
//! the renegotiation with no_renegotiation. In a build that never renegotiates (neither
//! `secure-rehandshakes` nor `insecure-rehandshakes`, see `Reneg::allowed_for`) no
//! re-handshake starts, so nothing is kept: the type holds nothing and the code that drops
//! or restores a kept state is not compiled.

#[cfg(any(
    feature = "secure-rehandshakes",
    all(
        feature = "insecure-rehandshakes",
        not(feature = "require-secure-rehandshakes")
    )
))]
pub(super) use kept::Previous;
#[cfg(not(any(
    feature = "secure-rehandshakes",
    all(
        feature = "insecure-rehandshakes",
        not(feature = "require-secure-rehandshakes")
    )
)))]
pub(super) use none::Previous;

/// A build that renegotiates.
#[allow(
    dead_code,
    reason = "compiled in every build; used where renegotiation is"
)]
mod kept {
    use alloc::boxed::Box;

    use crate::handshake::HsShared;

    /// The previous handshake's state while a re-handshake runs.
    pub(in crate::handshake) struct Previous(Option<Box<HsShared>>);

    impl Previous {
        /// Nothing kept (no re-handshake runs).
        pub(in crate::handshake) const fn new() -> Self {
            Previous(None)
        }

        /// Keeps `shared` while the re-handshake runs.
        pub(in crate::handshake) fn keep(&mut self, shared: Box<HsShared>) {
            self.0 = Some(shared);
        }

        /// The kept state, taken back (the server refused).
        pub(in crate::handshake) fn take(&mut self) -> Option<Box<HsShared>> {
            self.0.take()
        }

        /// Forgets the kept state (the server accepted).
        pub(in crate::handshake) fn clear(&mut self) {
            self.0 = None;
        }

        /// The kept state, for the memory accounting.
        pub(in crate::handshake) fn get(&self) -> Option<&HsShared> {
            self.0.as_deref()
        }
    }
}

/// A build that never renegotiates: nothing is ever kept.
#[allow(
    dead_code,
    reason = "compiled in every build; used where renegotiation is not"
)]
mod none {
    use alloc::boxed::Box;

    use crate::handshake::HsShared;

    /// Nothing.
    pub(in crate::handshake) struct Previous;

    impl Previous {
        pub(in crate::handshake) const fn new() -> Self {
            Previous
        }

        /// Never called: no re-handshake starts (`renegotiate` returns first).
        pub(in crate::handshake) fn keep(&mut self, _shared: Box<HsShared>) {}

        pub(in crate::handshake) fn take(&mut self) -> Option<Box<HsShared>> {
            None
        }

        pub(in crate::handshake) fn clear(&mut self) {}

        pub(in crate::handshake) fn get(&self) -> Option<&HsShared> {
            None
        }
    }
}
