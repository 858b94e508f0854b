//! Random chunkings of every flight and of application data, random versions and suites:
//! the buffer API delivers every byte, in order, whatever the cut points.
// The shared in-memory pair (`support`) needs `std` and both roles.
#![cfg(all(
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl"
))]

mod support;

use matrix_ssl::suites::{KeyExchange, SUITES};
use proptest::prelude::*;
use support::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn any_chunking_any_version(
        vi in 0usize..3,
        si in 0usize..8,
        chunk in 1usize..3000,
        sizes in proptest::collection::vec(1usize..40_000, 1..4),
        resume in any::<bool>(),
    ) {
        let versions = ctx().versions().to_vec();
        let v = versions[vi % versions.len()];
        let suites: Vec<u16> = SUITES
            .iter()
            .filter(|s| s.kx == KeyExchange::Rsa && s.allowed_in(v))
            .map(|s| s.suite.get())
            .collect();
        let suite = suites[si % suites.len()];
        let cctx = ctx_with(|c| c.max_version = v);
        let sctx = ctx();
        let (mut c, mut s) = new_pair(&cctx, &sctx, suite, None, None);
        handshake(&mut c, &mut s, chunk);
        let (mut c, mut s) = if resume {
            let sid = c.session_id().unwrap();
            let (mut c2, mut s2) = new_pair(&cctx, &sctx, 0, Some(&sid), None);
            handshake(&mut c2, &mut s2, chunk);
            prop_assert!(c2.is_resumed());
            (c2, s2)
        } else {
            (c, s)
        };
        prop_assert_eq!(c.protocol_version(), v);
        for n in sizes {
            let data = pattern(n);
            send_all(&mut c, &mut s, &data, chunk);
            send_all(&mut s, &mut c, &data, chunk);
        }
    }
}
