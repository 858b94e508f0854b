//! The reassembler harness reaches what it checks: an input of two honest fragments of
//! one message yields it (the digest records the message), and one fragment alone does
//! not.

use matrix_fuzz::dtls_reassembler;

/// Limits byte, then one fragment: flags 0 (honest data, in bounds, message_seq near the
/// expected one), type 1, length 10, message_seq 0 (2 - 2), offset `off`, length `len`.
fn fragment(off: u8, len: u8) -> Vec<u8> {
    vec![0, 1, 0, 10, 2, 0, off, 0, len]
}

#[test]
fn a_message_in_two_fragments_is_yielded() {
    let first = fragment(0, 4);
    let mut both = first.clone();
    both.extend_from_slice(&fragment(4, 6)[1..]);
    let one = dtls_reassembler(&first);
    let two = dtls_reassembler(&both);
    assert_ne!(one, two);
    // The second fragment alone leaves the message incomplete too: only both yield it.
    let mut second = vec![0];
    second.extend_from_slice(&fragment(4, 6)[1..]);
    assert_ne!(dtls_reassembler(&second), two);
}
