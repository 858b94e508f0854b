//! Captured from OpenSSL 3.0 `s_client`/`s_server` over 127.0.0.1 (with `-no_etm`, so the
//! records are MAC-then-encrypt, and without the extended master secret), through a
//! recording proxy; the premaster and master secrets are from `-keylogfile` (the `RSA`
//! and `CLIENT_RANDOM` lines). `capture.sh` in this directory regenerates this file.

/// One captured session.
pub struct Capture {
    pub name: &'static str,
    pub version: u16,
    pub suite: u16,
    pub premaster: &'static str,
    pub master: &'static str,
    pub client_random: &'static str,
    pub server_random: &'static str,
    /// Protected records after ChangeCipherSpec, client to server: (type, sequence
    /// number (DTLS: epoch and sequence), fragment hex).
    pub c2s: &'static [(u8, u64, &'static str)],
    /// Protected records after ChangeCipherSpec, server to client.
    pub s2c: &'static [(u8, u64, &'static str)],
    /// The application data each side sent.
    pub c2s_data: &'static str,
    pub s2c_data: &'static str,
}

pub static CAPTURES: &[Capture] = &[
    Capture {
        name: "t10aes",
        version: 0x0301,
        suite: 0x002f,
        premaster: "0301e892aa778b962b8cb787699213bbe64b59e3f45b508d7b771c046adcf0d394b88b2e86453080bd46e0bfeea3856f",
        master: "200f8a063f2363d500344c447b417fa6d3c85182a9b1cadb0f8c338ca9cafe03e12497925161fb0af830816ad05159c5",
        client_random: "5a10f845b7f8848c557a4a47d04e765553169e95ec1949b2c53fd683f51911b0",
        server_random: "4215947ecc6ef8bd5651f761bc32061e8387c30baff9d4e7450169bf9fc28ef5",
        c2s: &[
            (
                22,
                0x0,
                "ee182387183d4745f2371a5f01ade06521cf3808a0783ddf2194a58960a682caaf28da6cb19de82865c749ebdd591f68",
            ),
            (
                23,
                0x1,
                "7403fa4daf2196623ed713a38c55a81c4154122e5517af663cff84de38dde470",
            ),
            (
                23,
                0x2,
                "92de43859b76fe1f536fabddd549588c2226e51ea84b723a0daf1ef293556989428467af9a905f5b86872b0cc5d617b26de6178b72351d1894418c36a4fd24f6f566107fcae6ca5b552a432f4caf977a",
            ),
            (
                21,
                0x3,
                "25992245ddecea05e19cafaa3a17985d4bca3d775742351bf36bfe5592a806b4",
            ),
        ],
        s2c: &[
            (
                22,
                0x0,
                "4fb1a48d36e1c3dfd2863e2f7c2359bd648c6a7f3486c22701f4e05e7483c56d9b353c7cbc5bcce6a11fddc0b322acab",
            ),
            (
                23,
                0x1,
                "687b758703fcc3e5f0354361a9f6f56de500181fab758c2aff18a8ce5a5b4d78",
            ),
            (
                23,
                0x2,
                "f976ce69bd6018be32ec77273a48ac0f716bee1c65a4f004d30c611ee1ebcbfba4ee20818736b81fe8d92997d2202705d2a8870c4767ba499e2ca2360e294459",
            ),
            (
                21,
                0x3,
                "5d5c24569372c167e47d72724f37797cd6aba5d7fa2535bb6ec5d34caa1dd501",
            ),
        ],
        c2s_data: "GET / HTTP/1.0\r\nmatrix record test: t10aes\r\n\r\n",
        s2c_data: "hello from openssl s_server (t10aes)\n",
    },
    Capture {
        name: "t11aes",
        version: 0x0302,
        suite: 0x002f,
        premaster: "030259c329c8cba1a88e0cd9444af6770bd9d3d90580a6f09942fc6814067fdc1d75b6a9b9f2d2788dfdd5cf70a7657b",
        master: "70771f96ed66119de9097e7f4696b5500c5ec0e122a389e89c06a98bbb75409f209064177cd273ba772f227cbe1fed90",
        client_random: "5cd5dfa3bae9982d3e0c84ea5f66a746c269b5586665130ce37f3f2acd7b4563",
        server_random: "52c477c55269d7dbec1001a77e661efed7e7c9e47c493130708a42306967f418",
        c2s: &[
            (
                22,
                0x0,
                "b89bf71207a1c8beb9b591af5f2315dbcc4fea7a089be84c9da4bcf39003545049d03a984ccd4bd0eca0d7cc94f38f8d61b68b3cbcf04bd21065b7ffce219727",
            ),
            (
                23,
                0x1,
                "99c1fd6bc2baae04636005de038096172b00f9822e29d9f441edfb63376f9a1e619b8e5d39e6af70861ccf46ed6d0f648b2fa39ad244a1b50379d055f08cf6d9ecd3c49e8111643a0d4ae7483a0baf0510dd2e36e49a8fef4e8a14186eb7e8c7",
            ),
            (
                21,
                0x2,
                "24a1a0b9d916f617ef49533390386637d98eda9cdd2547f4fe683deb7456d4e9bc3f0cc853135376d079f47807937ae4",
            ),
        ],
        s2c: &[
            (
                22,
                0x0,
                "2606caf3f614c518cc2102253ee4faa6885cd6b63b1fa24f87e900b3788cb639bf34e0d1d57a89635c6c1f537d21c279d16e828672f860bd851ea79cf44d250c",
            ),
            (
                23,
                0x1,
                "c2efcb13adffacd944da8f72ff07bbb0e5001b6dc8e782b5ae5e163fd02d3a9e1c6dc32cdfdfe1923f3c7827d73d4a96f13b1aa44f54422a3acfa3da185f4094c5541cdc55328ce2e5a8fabaf4b1120b",
            ),
            (
                21,
                0x2,
                "10a9d623eb403cc3d3be7fc211742b0556aff8d8a304fb02a44b77a4dcf051f872e2667be65d65286c2377bd4ea7571e",
            ),
        ],
        c2s_data: "GET / HTTP/1.0\r\nmatrix record test: t11aes\r\n\r\n",
        s2c_data: "hello from openssl s_server (t11aes)\n",
    },
    Capture {
        name: "t10aes256",
        version: 0x0301,
        suite: 0x0035,
        premaster: "0301215a33c1e0865a5b0022f3567704d7d0500f5dd2ce9e1b1da56996efe76ef6efdc018888e3c6c6820a4e26fb121f",
        master: "4befd749064a832cd8599adbdf43b3488c1df5f81306c6c9375b9fdeadc452e44ca63e267d5b8bee2834cd0a860d5eff",
        client_random: "db92e1bed03ceb342774424a3b52834f59c6aefbd0e0f82d929ebdfd96327256",
        server_random: "9c4f6e8a856c067731b03b1ebe7527aa5e69f4c565c96f1defb638466446ecdb",
        c2s: &[
            (
                22,
                0x0,
                "27fbc79cb9b81c7272128c652ac5614c277e84b28783b125966697d09b56b9b2277e43262c8e914d871d0a292ea2cb46",
            ),
            (
                23,
                0x1,
                "20e6874ce35613985973394fc8976eb463e5d07650942bddcbaed8d3adc366b8",
            ),
            (
                23,
                0x2,
                "2c9dcefff5ceb2a3385756b0dc4e4f68d0da538f9967a26d5b9cf1c0393da9d9b45c9b65e5904e56e983fee0377bbf0918dc2502e3a08b6fce1cb918f49af8145cbd5afefaa0f6dafdd0dfee50f74fee",
            ),
            (
                21,
                0x3,
                "010c189980f9c9b7a4f8a286dc4f8555127ce3ed33e48171c9a9988dfb112ce6",
            ),
        ],
        s2c: &[
            (
                22,
                0x0,
                "398389f71f6c1df1c693221ebc0da884e7cb5f341bfa22fbaa728cfd69dc9c5fee8428ad75c8a5a9a81674ec71239385",
            ),
            (
                23,
                0x1,
                "d7c4796f1cb926cc9c3768fe922d6b9f88b4123aac376df44fac3bc0d4379afe",
            ),
            (
                23,
                0x2,
                "202fd0341585f7430f1bf6e9f4882f6e07f09b2f4e17686695fc03c154a45af3c6fca029cec18e251a8f3a149257ae1a6a32cead99490fc63b7a0d06dba8dda5",
            ),
            (
                21,
                0x3,
                "c98049e77c5655b0d7de7c87f58574eb00d0798bbb2b2aab5757b53630ac2349",
            ),
        ],
        c2s_data: "GET / HTTP/1.0\r\nmatrix record test: t10aes256\r\n\r\n",
        s2c_data: "hello from openssl s_server (t10aes256)\n",
    },
    Capture {
        name: "dtls10aes",
        version: 0xfeff,
        suite: 0x002f,
        premaster: "feffa2b4518a22769f27bc257123bde40a3fa36d227202825c780ae57a9fd6edea0fe472d8e574593a1d9e21f13b05de",
        master: "d46dd9185239f65a936968ad3292d4e2d6082cd7acce83cc74ca294ed08687c4bfe36b15fc4efd550aaab930ddfe0a53",
        client_random: "c0811627186b2e29b91a9a5106519597a5d8eacd2858b9514b146a0a4e50e566",
        server_random: "aef24ad8f1b1827754e2d72aff6ae6cfc3be47aef56243c39dd0f989165336dd",
        c2s: &[
            (
                22,
                0x1000000000000,
                "41d46f11b8d08a428500de27290078b3ae1a6f5349d4fd4abb73d7f425f2bf188ceff00bc6c2e68c5887bee816e1bc6ee0790dea3853edb6e32fff8daf8b3698",
            ),
            (
                23,
                0x1000000000001,
                "1de68df8244aaa3662ddf1e09b7047e2f7e8c3556bd9fee901da8c94e872530c6c2e8938f138d10db0ea6e4b7a1da76109b393d605c154b9b50ffe7822ecc12cda959190b16ab527622a24d8bfed3308d01d41967f1e126e7315dd2f84476b03",
            ),
            (
                21,
                0x1000000000002,
                "868c711515be6d0e6b045744e1044a224e3183ac9cf2ab8739684b1a857a17f0b628b824a69f67cab227d48cc6105aba",
            ),
        ],
        s2c: &[
            (
                22,
                0x1000000000000,
                "dc844d4b057762e1b0543c76fe30249688d2a54fd4378b6ba35fc764f3c9881fb85047ba8d8035cd6feb74730b80046865f7aa1885a81bc931b9e64a4e4aeb23",
            ),
            (
                23,
                0x1000000000001,
                "516bdd0281db5478ecca1cfceafa28212f6b0214ea33c2897d765dc5496f14e8288ffc1b85cd54b6c1e2ad093fd95cbfb184c5e81380afbc5879ff183d79c6ec722b5f6d0e31950f23dc9bfb8b5f9271",
            ),
            (
                21,
                0x1000000000002,
                "4572f154a547edfb4b3433930fe84af832b142ab56b8d903449697c88f868a52aaf898ca8779a3578a3f5b03322b3f96",
            ),
        ],
        c2s_data: "GET / HTTP/1.0\r\nmatrix record test: dtls10aes\r\n\r\n",
        s2c_data: "hello from openssl s_server (dtls10aes)\n",
    },
];
