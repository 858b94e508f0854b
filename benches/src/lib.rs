//! matrix-benches: criterion benchmarks of matrix, run by `cargo xtask bench`.
//!
//! Each bench file under `benches/` measures one crate; the `matrix-speed` program measures one
//! public-key operation for `cargo xtask bench pubkey`, next to `openssl speed`. Timings are
//! reported, never asserted. This library holds what they share: the benchmark keys and a
//! deterministic random source.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ecc;
pub mod ecc_handshake;
use matrix_crypto::random::SecureRandom;
use matrix_crypto::rsa::RsaPrivateKey;

/// A deterministic random source (SplitMix64) for benchmarks.
pub struct BenchRng(pub u64);

impl SecureRandom for BenchRng {
    fn fill_bytes(&mut self, dest: &mut [u8]) -> matrix_crypto::Result<()> {
        for chunk in dest.chunks_mut(8) {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
        Ok(())
    }
}

/// Decodes a hex constant.
pub fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex constant"))
        .collect()
}

/// One DER TLV of a trusted constant: (contents, rest).
pub fn der_tlv(buf: &[u8]) -> (&[u8], &[u8]) {
    let (len, hdr) = if buf[1] < 0x80 {
        (usize::from(buf[1]), 2)
    } else {
        let n = usize::from(buf[1] & 0x7f);
        let len = buf[2..2 + n]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, 2 + n)
    };
    (&buf[hdr..hdr + len], &buf[hdr + len..])
}

/// A private key from PKCS#1 RSAPrivateKey DER (hex).
pub fn rsa_key(der_hex: &str) -> RsaPrivateKey {
    let der = hex(der_hex);
    let (mut body, _) = der_tlv(&der);
    let mut ints = Vec::new();
    while !body.is_empty() {
        let (v, rest) = der_tlv(body);
        ints.push(v.to_vec());
        body = rest;
    }
    RsaPrivateKey::from_components(
        &ints[1], &ints[2], &ints[3], &ints[4], &ints[5], &ints[6], &ints[7], &ints[8],
    )
    .expect("benchmark key")
}

/// A 1024-bit RSA key (PKCS#1 RSAPrivateKey DER, hex), made by `openssl genrsa 1024` for
/// these benchmarks only.
pub const RSA1024_DER_HEX: &str = "\
    3082025d02010002818100b84e36cf5d3d411f3f760b4aeac2fe6c7da198869db3b7f25e52066d43f6209398c2e53e65\
    98faefdc8cdaf00bc62c9dcc876bba87446d567921d2e6bd87ec46fb71b3fbcd479f0e004122b13e9e2b58564bc365fd\
    cc07f3dc496352fa799be7ddb092b92ec58c3db58c00eea9140d050ea6595886d874fec8e3c4a1f3b864c70203010001\
    0281805531a2585c4b324d1572a569adf710d0698a470d02dcce4cb498c9ebbc1c8b966e68b8bb0d0f97ff443dbffe72\
    12db10de3842ede815134d8394c4fe6fe1e2af6b13eecec09e881ac4651e1071c5ce7fb138649fd42dbc30d52f672223\
    3e11e260bebd00d59b5bd90e892664348378a60dcbc75ee6036d31cc98ea407b0ed231024100f1efa13c10bb3b915a63\
    ae93017969998f5e9f9fe491a800687fdfe2edd4f5e095a73262e475a3b575622a1f75678ad5e66107905cb1e45d384f\
    26f929f040eb024100c304f4b1716de8f183acdbf637f3ed6bf6dfb4693876fee682e95e834793481b088c01ad8fe45f\
    23e3983ee887632e987f69f7cb887d4eca8d31bcd47760d495024100b21bbeb05084f64278afbfda5b907d6c5e3ec3f6\
    db375bde091072cb4659ac358d16cca23f1c57cc03c1a3cf0b08920e0c8f4c193c147e511e5e2f0be99304c702404848\
    76f5aa0845f5f68b44802f5eff1a2c47e053bbb50767a3102292e01dabf53126cb9c6c20064f84153303f6e2812bced6\
    151d607aa99093e2e28d91add73d02410093f7f08472764c52fd6725a7e592ed563cbd3349105c853c50eaaa7da419b0\
    1c29bd652bfc2b580c028e873e17a954468b1573e4e719527ae7033c7a0e7c1275";

/// A 2048-bit RSA key (PKCS#1 RSAPrivateKey DER, hex), made by `openssl genrsa 2048` for
/// these benchmarks only.
pub const RSA2048_DER_HEX: &str = "\
    308204a50201000282010100dfc1fbf772a878d55910ae6e5e1b354c46e2d1393e967b7727c13ee973f27e3830690dda\
    fb200158f1005d910945281328106334837b10a8a454b2f7ca62f14e1e4214ff5cca97e8da99d9bb74444400b904b1fd\
    8f83dbd7a74145a8830dd0c22df71ea7ae019cb41537f8f291528db1972196274b5eceeb887baafee103d9083dfe1f10\
    dbe50d8d530f23ce535092826f547f0b4282e340bbfbda00220fd62d9bb381f27d9e414b6ed2094b8ea14760fb76d734\
    5103a1685270f5e460f3d59d269bf7e9f36c8577675af229dca0299972835c5851b9f9267f801b40da81d10d4f0232e4\
    07c2772c6fa8ac28ca9405c349e454b10f296378eadc6ff9f90f6c7302030100010282010003c5d08ac68b22a66e3f02\
    c1e7a24bcec26f3699e17d460da744f1db9bd1dde0f2a802cccb6929bca72b9b6843a0bfe13aceb3ed81be0474e3786e\
    20117083a30e8d8caf159070e9432e4ee6833a576f2faf6d94d9e39e444f94a1290b34a36d72baf4f05cd5b81fad2fe9\
    69a59b9fb9fbd35c25c37690c495e387e98e3fb35c112556aa33d36c169cc37d2f648719b00204e814ce6ac59816cb0e\
    2a0a8e50a08dda9ddd1e76c0c86452962e5bbe112fa173895556772e864dd6878bbb8988bb412c31f92157329aaf01aa\
    72514cf0c673306e37eabb5efed96fa8116ec35784a3e9d66d6060411d46d66f0c120dd6b54b50e0a505c627f560a326\
    2b3c109ef102818100f0ae747d51522d9d3ee358b0e2568cc4cc70729ed93832373e8de4425cea394491ebff15bf22b0\
    5198167a2a099fe640deac4199080db89221daa0231e6dab44c01f41d179ba26163e779c1cfdf718cd06bdb41f569486\
    32e8b927ec432c2d6315a4903228b9532c38a529ce538b1fec2c9d32a3b67fc0d6137f9d0dfe24a51902818100edffc8\
    56440003603e4ff24b9c6acc42af6bc94df24f173cd4f80c30fa1e282d4547b1422437a0ed892073ce5dc0fd9356abd2\
    5598ffdfb057c75c69aaf286d510333c9f77ffc3b8d29fd060cb5f24dd1c1a964d9c8e75e986e7f68d9f4380eafe2d99\
    9c23b26180ce21e29cee9984819ef9c3520e7c4a034fb6103a000c236b02818100bf72d600b5463c387fc4d250e9c9d4\
    f1da797c03756069395e8df9cafc23e867edf71e928ad6aa104d7d5bb1c2b429b0e22f7d82a05061c8041be713e8696e\
    3a22e4fa3309b41405cfaccf469492106d4e766a281f73c788096cf71fcd92ff8b78b4cd6ac8d01a23ebef1d611d3d66\
    a83418db2634ce4c733d515e79b9f6264902818100d4fc3733840d22f8492b5060fbecd338c635c6639bf9cd88e1e9cd\
    37334e339437d0adbfcc1b8047b294b92e2fd69ad6f51434d9e75eecb6aa073e1b4e21562a6c21fe1993d0ee3d833803\
    c9eb960cae570d2ffeeaa0cec29ab9117ab1d13e188e390ea39d8a70194ddf23265f9c40e9a2f44f282ad06d87c318e2\
    329582475b02818100eb7caf322e61b9dc62f1d26cb9f92f5136dbf387398980fdafcb4f6f46cb44e7b97b74c56f2957\
    6612e0bca8eb95ba8258f28f446274b1aced28ae9bdc5270fc2eb40938998e1838689d4b0db6b40ac49b25ab74d6cd3a\
    78db3788b159231e0f2304a4226cb165bc8fd921b3388da781dba2cf9f654d73e4ed536b0d241da95e";

/// A 4096-bit RSA key (PKCS#1 RSAPrivateKey DER, hex), made by `openssl genrsa 4096` for
/// these benchmarks only.
pub const RSA4096_DER_HEX: &str = "\
    308209280201000282020100d33519afc2e036f2a79336aef3b07e080f43e08b54a903b940746e169f0c8962b8d154ca\
    21231ed5f913f4b3dd5587d49b8f6cf84b0f1c2a402b473a69120883db34fa10b9a6b78883f6ef6a9ba4910afc44e652\
    6532aa12051e5cdd76d658464297fdc7ffaafa243e6955fa87a41a981b1b71d9200648cbc22cc3c6d1f56e579c5f9b0c\
    e98b91e9d4f8fcd4445a4b2235662fe1efaf71986ba6fc914014a909c9c48e8760a63fe682223af84a2f5cd3f059dac6\
    98de5e11da44699715f59588d71ed59e554b41bb9ab6170795094deb8bcabc1c5c097d81b3d5558bdcc2e0f1dfcfa134\
    6ca02ab472184b7523d32f64950161085f6b205a4ac1f9989992b8484f64e861a44123c8986c1ab25b581fe6fa52c017\
    287f2e5f4074d155478a54e2d4765ed81f6f9da005c2b9476bdac818044ede4dcf05e9c52ff128f244f847183cec86b8\
    9167c1523917c3c52d2b4f1f84a95bc1c9c632082d75e2664778e7d3c0b7042f778a78091595a5fb437206ab0891e788\
    289f4110f470165d530c6c5e2ae32618e43b9cf734a64b7fea1afcc7dcb742600b4b9c0997ef95d2803e6b4b4a52e685\
    588c5551cadb8973db44df408e11579366e1c04932d065341f6602ac2e753a27411717440856935bf4f9bd0c37c0b2ab\
    9fdba808a03971257417e38938b17f18d2795730474779dbf148e741c955e0ae7d2f4c5527f66624d8a6a19b02030100\
    01028202005a654c38a32616ae759576de9b530b2604ee8ec0e37bb129cd11e7fa4b997085adc77e4c42b186e59ac4f5\
    43343482bdb6d4c495627eb595c9c01c2cbe42a71d542950ebeea191c4de824647311556b4c672f0c70c240a914ada8b\
    718806c6624fe74089a47df7b0a27baffe59a69d71438cd405d3848d0c946f575d95883f7144eed06c4edadb1922fb6c\
    2ea790a3bea0ef3b082eef3ea5b75191a0d335e4815977846f21a9160960e228ae1306416b3e601ed8481e4851c8c2e6\
    1471a41a1ba6c2be3815966fac4d53a8f8a84b82ab9139b49848b6111efdaa8d821e7ad40f01b51a70571b981b8207ae\
    e8146cb3488fd3b6c5801d580bfd1a176b3e3383263c8721c52b6ddfc425a217aa45ddb79d9d2b1f0db4398eca7f3d5a\
    b53f14fe1250bdb2eb9e025e3e24c1b3148c8435c7d786028f451dcdad4e59aec2f89f94b4f01cbb393c1582fecfb97a\
    4e9376ee3d2d5d1b80601ed62682ab9c91c0cb34f8e427511e7b7dad1367409c69a4d1be31236b4a16e2dfe017156c4f\
    f192d7f61593f6e7b5f6c5cad172848d236becb3077126ef1e46e1f99a6319e81ef3fab3b11650e64550fb3273eb2abd\
    5fa744d94eb0bb0f398a320d3c364beaf452cfb59b14e2ef3ca7ff824d40612fcd6e83e2e5ef73df2b92a877048041f1\
    c40b8a220873e0d6595a92ca7c9a66fe1f4bf040a4f67a1abe151606de4c9db7050d6af63d0282010100f2a995024e8d\
    ffe8e6a806b24fbbc8edb99bddd97653e60c23622cffb059c3a86e155103891921dddfd6a08ecd13bc1e3ebf6ae34424\
    fb379b8a688339e5cb82445221aed6c84c7b7924a091088cd69191a2fc1dfbeffe44068280a243172fb9d6db8ed72f20\
    cd53ee8a0f613e3338e02ac85e9b178b57f48c276707b73912ee77cd97dd686277ca3fa3ffde6cb64cf1c604c6e8262c\
    abb282da2e377f67e452930df0bbb9248ee304dd350413cb52aa4f090f7a2e31018494f16363dfbd6dd2b5f03fbef549\
    692e09b25a4a7f67714340e485a1aef031d5feaf1d51995395b0ea294e4905742979be17db3bbece1f8789d23c9502d9\
    ad8d7bed9fa6c2c69af70282010100ded0ed081e344f10da1268f9cb13638d43480ad0c0976a709a0ab4ebd62bc9be17\
    52c4ec5bc33d5e35e53c1940c9c5e09d9e5cf7696edf5d7c764b2193a15bcc1a7506dd3e174ff6c601dbcf3548cbe869\
    9669aa6ca3c7772224f5ebc7680cf83f99d5b28f0faf94a05f084ba3593c195e6cab9ea2f4f8a8a154da1f1c44004b96\
    d77a8513c7476160bda5b9bad553215c120f36e05036d166c18731c0c4598cbdfc9c9e17295a7fc0a97a734e2d135eb6\
    de55eb877c31b3f820efad2d43686d55379644a773d575f5e4e37eb65d1d8bcd8cba089405e8cb1022472d926f97ffb0\
    7b5d94c3eee9d32adc475ba4295fa6240d2211c47143f752a0f77efafe017d028201002799a31690493e14fce738c88a\
    98838ebff67ebac943a1cc234e1737d6c89f54723a8a510063989243c01bcd920c016c12235cc71fccc52e6af4a85f99\
    e83550d9e36959c5f543fdf66412cbf8503b87dff3701f5888eebe9d2d58dea2023ba8a1368d55f27bf0e61c8c6d3c1a\
    51739ba97faf68b1ebec7b9d0fa511ae45e320056f08b47a1f6f9b12cda9a8dba6d861b046014bcb4708f205c6a33a2d\
    51800235bb55a8dceae96284ddb0942cc2c687c2842101785e48f820f24f9cf1db50fbccf31b0407b56633bc235df6c0\
    59da32f6791491b121c3903f92c63f15bd7d3534d16ed41dceba2202f293b5694aebfc4b7282ae729ba165f06e73da5b\
    f8db3b028201005dd0c61ca6eb0b67630a615cdb9e7c4a1c4c1711b2258ed17e6a87a6ccf47eeb24d2dacb520fb0a51c\
    383ac7bf39b5b14f6c406483e604f24dd758e6f84bf664c7b7027ee107dbc961b1a2a56a200e8afafa33df6802c59769\
    aefa449e1f3766c710b4a38c0ce4b6c5977ddcab18856f810c6c6e4cdaac60041dc0015d5b5c6c77449ef7ad4e38c5cd\
    7fcc69993afcd78cf6a5a54b693acb8c626bd40d001f5c5d1a21af86bd08b7c59d164bba5ccc4d12de267b16feb9c6b6\
    f0d739a9573a7ede649b46a8e2e2bbda1ed792a0a230308f0973c2ece0581637e2d6e95f40d154fd2fd4453102453d7e\
    4c655736959d0a4d1fa27aaca5ac22548e25e73732ffd90282010100ab623a37f5a822072d866b83cb0d039b4b956edf\
    5c55e2415ad85d3ccfe728461a8f1164473e54e396196d6600b62cada2b9b95f59673fa87d0a2de26f46038466748c3b\
    c137aaab642e34db9ff25f0fdf42e8af5491c19988b5e2eb967854028aa3eeef7f66820c95e1b4a8017dcd516634213e\
    eba904b38a74243b16b344491788e228a65213e6a9930917f69036da36f86b5e7b957988f8119764777f18ae56691c69\
    905918239d30f4a09bce5f1ccae5f211ee6ebf6b5740c7741146690490bf9fb71edf76c634cf31e3a10bf2a98d60d1b1\
    01f619b865022a03c32c648457d3f97128522e502ec70da2979ecb738ca4999056ff60a5872707359db0281f";

/// This thread's CPU time in seconds (Linux `/proc/thread-self/schedstat`), or `None` where
/// it is not reported: `openssl speed` counts CPU time, and on a shared, loaded machine wall
/// time would charge a benchmark with other processes' turns.
pub fn cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    // Kernels without scheduler statistics report 0.
    (ns > 0).then_some(ns as f64 / 1e9)
}

/// Seconds since `start`: CPU time when `cpu0` (the [`cpu_seconds`] at `start`) is known,
/// else wall time.
pub fn elapsed(start: std::time::Instant, cpu0: Option<f64>) -> f64 {
    match (cpu0, cpu_seconds()) {
        (Some(a), Some(b)) => b - a,
        _ => start.elapsed().as_secs_f64(),
    }
}
