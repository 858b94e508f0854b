//! Sessions of independent implementations, recorded: OpenSSL 3.0 `s_client`/`s_server`
//! over 127.0.0.1 (TLS 1.0, 1.1, DTLS 1.0; `-no_etm`, so MAC-then-encrypt, and no extended
//! master secret) through a recording proxy, the premaster and master secrets from
//! `-keylogfile`; and tlslite-ng client and server (SSL 3.0, TLS 1.0/1.1 with 3DES, RC4,
//! AES) over a recorded socket pair, the master secret from the connection (no premaster).
//! `capture.sh` in this directory regenerates this file.

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
    Capture {
        name: "s3des",
        version: 0x0300,
        suite: 0x000a,
        premaster: "",
        master: "6c84bf6db9761c63a342239e54c5b4c6483865c669647d39b243c1d5f29ebb2b74fe23ac31421c39d61a0c08b37b5203",
        client_random: "45edd72a4745fd3547ccb900a98a0999b186cef5ce912b03790fce2bb5f9bce1",
        server_random: "731b8ecc471d24c8043c9254b0a89d7f49e2e7ce989403ab95f43530b2062770",
        c2s: &[
            (
                22,
                0x0,
                "a9b15df15f0f871de9f85e981ab1e8d860f0a09f0020ca1e0c307c3db235ea7db2333fc0dbe9b968f0c5a61e238667a654b763ce6290f5be98e1d030770aad36",
            ),
            (23, 0x1, "1d6fa361af561455c665dd1aa58668674424c1c43252f5cb"),
            (
                23,
                0x2,
                "acb6b2afe01a1818999f70caf521fbab5b2b86df0ff7b5a1a230af00b00d2dfa668821a4b57fdea950d77c5f2c5d55180f2aa4abbf9710fe9b9ae653d3b4e81c2743e231f4e17122",
            ),
        ],
        s2c: &[
            (
                22,
                0x0,
                "5618ba9b6b0c4078f17b5d3b70e1a534192fca40bfa0bbbeec32d5f57222ae2f999e3514585727fe16559d3436e58cf59f6aabdba724a10056486b36b6624253",
            ),
            (23, 0x1, "fb4877b6c3bda9c52c46e61b46a11f269361464a1c4739f3"),
            (
                23,
                0x2,
                "3466d3d1f0df4990020737eb5f53f582cdfc03988b94284c0de2bb2ce0b844df16f25747fe239eb9b39cba1ed414d2afb6e9bcf1e826e4dd",
            ),
            (21, 0x3, "883cc4402e1d31c64b9ceecb444b4ca81192dc9bcb93fac2"),
        ],
        c2s_data: "GET / HTTP/1.0\r\nmatrix record test: s3des\r\n\r\n",
        s2c_data: "hello from tlslite-ng (s3des)\n",
    },
    Capture {
        name: "s3rc4md5",
        version: 0x0300,
        suite: 0x0004,
        premaster: "",
        master: "d6203555d6911345321b9642fdf9452b2580347ef8a7993b855810789275db224712d4ceeaba833b9aafaec4c0e191dc",
        client_random: "53747099c684ae1d655890cdfea45c866a70a7206a8902c01c7940213bc0e3d9",
        server_random: "ab5503c50433942fc65c91a14b649a9212230096679101290f9451727593af84",
        c2s: &[
            (
                22,
                0x0,
                "98fd201be16b8cd3b27e2de6f285dd1acf82cb0961cf03ea1ae10e8d1aefd95eec4c833571cfeaa4dc1a7a10c13850c7c111f50e80dfe353",
            ),
            (
                23,
                0x1,
                "a8f5607fac485ed32e4575b9a27730d485cc4620e8c453e254b2ca1c2c336ca72568fed5f624dc59f89412a39c02281ba23da1e241bc3a2aa584c2032bb483a8",
            ),
            (21, 0x2, "bbc7f9fcb8825e1fa92ef0916289c8a06ed4"),
        ],
        s2c: &[
            (
                22,
                0x0,
                "7f7aa870da3fac21b9bdc73f6ca62c291e825ce0cb348286caf6d24a84eadc96a7eb764a7bb67d4db8f8fba059289f68a239c48ea25c79c6",
            ),
            (
                23,
                0x1,
                "5a878caa7a0aec503ade29dc59780d4bea957ced5072d6f2ee224d3a7649efebb27620f31efd1eb95bead42cbccaef1e51",
            ),
        ],
        c2s_data: "GET / HTTP/1.0\r\nmatrix record test: s3rc4md5\r\n\r\n",
        s2c_data: "hello from tlslite-ng (s3rc4md5)\n",
    },
    Capture {
        name: "s3rc4sha",
        version: 0x0300,
        suite: 0x0005,
        premaster: "",
        master: "4be3759c5df744de3393025c82f573c22e53e135d846bb6551dc0f341bb50f2b9f82dbfaa3025bed1c793e11d3651be5",
        client_random: "875ac9cf0ce7ecdf25b5d8511ec4abfb7306b6ee597432329afd6dab220ff76d",
        server_random: "3f022aae721a4f032b35694e73dcc8562f581d00b4252cfd7a80153cff7c5705",
        c2s: &[
            (
                22,
                0x0,
                "ffa5f29bc950232482ab7f8358ba33e48b4b3e35be5d0cd9a7eeddececef28d726dce02b9ea77211d4598532b902f034f967f62a47024b50ff52bec6",
            ),
            (
                23,
                0x1,
                "da5342487799526e85ac35c4a19a2261f0b64802fdd48e1cd6d51d3ac694cba62da10b3a8e08aec051b2aa46cbfe8c546f16ee43b124eeeafe1de02d2e8d2d19ab63e993",
            ),
            (21, 0x2, "3a22c32e65053370497c37e1f175d694ec6a658848cf"),
        ],
        s2c: &[
            (
                22,
                0x0,
                "b43a085a0a2bf90872dfe4c0e37fab54921e958105e550e22648eadbfecea21599ab60547e576f9e8cf18f06dc53c1cd56ffd878bc124c2fe268b65a",
            ),
            (
                23,
                0x1,
                "353bf28a9ecb3600a91eaae0f0c3514e9e3bf5a534f7019f662fa27aaf41d5ccdabf0e89b1af0f1707101ed4ee80aa82fbbac03dfa",
            ),
        ],
        c2s_data: "GET / HTTP/1.0\r\nmatrix record test: s3rc4sha\r\n\r\n",
        s2c_data: "hello from tlslite-ng (s3rc4sha)\n",
    },
    Capture {
        name: "s3aes",
        version: 0x0300,
        suite: 0x002f,
        premaster: "",
        master: "9c758bf405661df5138ef7a0489ee8a8329d47b14139437fa71c6544493844df96159f5b1e7bdc1e66ea3d0130efc0a1",
        client_random: "74f8c067e721d75ab910be22baa229f1a84eb1b4b4503403e4e343cd426d8817",
        server_random: "150d62b01771a481a0486a041f6b97dfff5e68e684a066ed4cb15f3ee01d40f1",
        c2s: &[
            (
                22,
                0x0,
                "838352418ca9aa3d4a3e3955fe185998bf8e56adcd03906a9578592cbc47030377929fe0f0964d2623f2d6e9b4912e9c451ee563103ca875e06aac72cdcdd3fe",
            ),
            (
                23,
                0x1,
                "3449ff5bdf6326d96154ca9bdfb1d6612d203bc65b6ccda720f0405c5791a83b",
            ),
            (
                23,
                0x2,
                "98dc21bfec7dde60218153ddcd9e00d7abf8f012b5723428782e95e899a79581cf4bdd547b7230a176024b9c5b915e65231eb32de7cc019c1a115b3a6a52c6e66bc548700b11e65931bbdb6569fd2b54",
            ),
            (
                21,
                0x3,
                "a93161350db2daaea453bc6f411ece32294ba08c58cf28a26d1d78fa70358e74",
            ),
        ],
        s2c: &[
            (
                22,
                0x0,
                "f6a5d6e65cf65791edc3700dea01b6dd23595ffc1ab8e05d20e3baa310aa89b71dc8e38fc73e9033615743dfcd36e2a36118d8ce56871bf5944b76529367c83d",
            ),
            (
                23,
                0x1,
                "0c1e9b8827cd7b5a608bb77036de4fb005c9b191f077e721c5b8cfd2017bc666",
            ),
            (
                23,
                0x2,
                "1b618b0c38542afb0ad4bbb5215f6db9b25735cdff1218a6dfb1c1786139973ce868cec6720dbb107089bf60f871cbe3b917453d554863cccbdd6a214f393aef",
            ),
        ],
        c2s_data: "GET / HTTP/1.0\r\nmatrix record test: s3aes\r\n\r\n",
        s2c_data: "hello from tlslite-ng (s3aes)\n",
    },
    Capture {
        name: "t10rc4md5",
        version: 0x0301,
        suite: 0x0004,
        premaster: "",
        master: "bcee847a6ae5bbe14cf2f021b9dd455909f9cc0de3ef36c507749930029fbd4cbb4bdd88b476a2146679d9a94a033b42",
        client_random: "06d8ff5ffc46d2508fc51367752d2a11d41160f0cceecb4c663c03a4817d1851",
        server_random: "08d6e0b2d4ff4cbbfe1f190d935dfde45c7ee4751620607fe4657392166a60b8",
        c2s: &[
            (
                22,
                0x0,
                "4a8acb92ce6bd3a746092ac89b383e1fbe23920ef59535d4d41b02d8a8d2c744",
            ),
            (
                23,
                0x1,
                "04280fee216eeb930431bc5900b6c8a1e34cb35aa007c618296bb293068b283712d76ac6ee2c383329cb88a0fd926b2aaf41d9760283849fa7c4b4a111bd3a06b6",
            ),
            (21, 0x2, "d47af27e52a680fa528a9c5a2266e4516db2"),
        ],
        s2c: &[
            (
                22,
                0x0,
                "07b77e32684ffc74ad3ac103c1121638812a84b82140ec351025c4577cdab69b",
            ),
            (
                23,
                0x1,
                "358f90018ed70709576f0dd4800d7fb27718ac22d5a025d074db5261d97708d1d784fcdcc820b7a637b5e44861b51296b3c3",
            ),
        ],
        c2s_data: "GET / HTTP/1.0\r\nmatrix record test: t10rc4md5\r\n\r\n",
        s2c_data: "hello from tlslite-ng (t10rc4md5)\n",
    },
    Capture {
        name: "t10des3",
        version: 0x0301,
        suite: 0x000a,
        premaster: "",
        master: "205ffa5482c4b38916d6c6a75be55d8104a0023c3057ce701b790c5aa5f22b41a7888c5a372dab6fc14336dfcc8f2e34",
        client_random: "158fd874e582864626d5a9a73650f42a417a0dafb7902d14d6834af6159259eb",
        server_random: "718bdca6a5837809d9aa1d757d5f0501f92c5ffc3c0cf9f2c4d197950bcf1c0a",
        c2s: &[
            (
                22,
                0x0,
                "71ebbb4a416804dc19bfad0fc7dc29431ca4308a7072b9ed218f6f18ce1de583327b873a92c0b301",
            ),
            (23, 0x1, "1f18034e32e63bfe23927dd8378c8d47761b7a22eeac2d62"),
            (
                23,
                0x2,
                "5ead87c9a8f8a4a2e72a4b2960586420734d6b8736c5aefcaede7ba671d0ab66d71c7b73a25c7929e39bf3a705b49df6d0f7bfab12716e2eb3c13bd4b6f5c10b450bec347fb2cb25",
            ),
            (21, 0x3, "5eb83e1f86d45429f2764be4f14af8807baae201a0c28f24"),
        ],
        s2c: &[
            (
                22,
                0x0,
                "85ac106bb9ec16d85e4c0d5f8f0aee1c6c5916c018ce1d46fe0c4fc86d9e0259d27e9d62913c4462",
            ),
            (23, 0x1, "40bdb3096ad353598ebab43f4654670417317524718aec99"),
            (
                23,
                0x2,
                "5efe7d10e607de469e822b8186e935be80ee54b8f66fa344cfc9cc91d8ebdceb6a05aa868c295de34c02b8ada7878b74f2e24ca2ceab8464",
            ),
        ],
        c2s_data: "GET / HTTP/1.0\r\nmatrix record test: t10des3\r\n\r\n",
        s2c_data: "hello from tlslite-ng (t10des3)\n",
    },
    Capture {
        name: "t11des3",
        version: 0x0302,
        suite: 0x000a,
        premaster: "",
        master: "9d1704b420a41ee8810a5488057f785d74829a2436d961baac2f5e36b503e3d1d483efa05ad63cd2171bb58004250a21",
        client_random: "2252d4495dc7de70fc58d5289626569512665eeff2bc73827bdbf587dc144a7a",
        server_random: "87e9d90ec36451ec1a67719b1992d9561c186f8ad54277129a35658bc63511f1",
        c2s: &[
            (
                22,
                0x0,
                "29fc2189614b3149c3df3d4523098443725bf94c9dd6397c225d5be85ce5b85963f8b23ee0ff15a08404ee375566041e",
            ),
            (
                23,
                0x1,
                "c13f855e60cac404bc09530512e4b0ced086314426c36c3843a4693a42661fccc1506a308beb865bd7b7da8edb270674c61692b8594849a78ca45923aa313c2e16970c4241d2e030632a79ddac0183c8",
            ),
        ],
        s2c: &[
            (
                22,
                0x0,
                "2fbf7085f7ecf9d728d0957557b3e034f8368a1e2c20946dd046619cf89d5771f108d51903106dfc0c866f9a43325b9a",
            ),
            (
                23,
                0x1,
                "64e8ce2a6b41d257282cbe77c57d6804d95b1ca8f8e3992370780f1c0cb35b69165c6f46ce38a3356f0e259740600d65d26da7f60bf064978337fc25bb6dddb7",
            ),
            (
                21,
                0x2,
                "607393622faa96b41251413229eefd7990018e3dd9521e61b3277c7cbfdec244",
            ),
        ],
        c2s_data: "GET / HTTP/1.0\r\nmatrix record test: t11des3\r\n\r\n",
        s2c_data: "hello from tlslite-ng (t11des3)\n",
    },
];
