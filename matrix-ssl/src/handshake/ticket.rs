//! RFC 5077 stateless session tickets (feature `stateless-session-tickets`, MatrixSSL's
//! `USE_STATELESS_SESSION_TICKETS`): the server's ticket keys, the sealing and opening of
//! the session state a ticket carries, and what a client keeps of the tickets it receives.
//!
//! A ticket is RFC 5077 section 4's recommended construction:
//!
//! ```text
//! key_name[16] || iv[16] || encrypted_state<0..2^16-1> || mac[32]
//! ```
//!
//! `encrypted_state` is the session state (below) PKCS#7-padded and encrypted with AES-CBC
//! (AES-128 or AES-256, by the length of the key loaded) under a fresh random IV; `mac` is
//! HMAC-SHA-256 over everything before it, checked in constant time before anything is
//! decrypted (encrypt-then-MAC: a forged ticket never reaches the cipher or the padding).
//!
//! The state: version (2), cipher suite (2), extended-master-secret flag (1), creation
//! time in ms of the server's clock (8), lifetime in seconds (4) and the master secret
//! (48). No client identity is kept: a resumption does not re-authenticate the client, as
//! with the session cache (neither restores the client's certificate).
//!
//! Keys rotate: several may be loaded; the newest issues tickets, the others still open
//! theirs (and the server then issues a renewed ticket under the newest key). A ticket that
//! is malformed, names no key we hold (and the callback supplies none), fails its MAC,
//! does not decrypt to a well-formed state or has expired is ignored: the handshake falls
//! back to a full one, with no alert (section 3.4). Key material is zeroized on drop.

#[cfg(feature = "server-side-ssl")]
use alloc::boxed::Box;
#[cfg(feature = "server-side-ssl")]
use alloc::vec::Vec;

#[cfg(feature = "server-side-ssl")]
use matrix_core::Error;
#[cfg(feature = "server-side-ssl")]
use matrix_crypto::cipher::{BlockAlgorithm, CbcCipher, pkcs7_pad, pkcs7_unpad};
#[cfg(feature = "server-side-ssl")]
use matrix_crypto::hash::Sha256;
#[cfg(feature = "server-side-ssl")]
use matrix_crypto::mac::Hmac;
#[cfg(feature = "server-side-ssl")]
use matrix_crypto::prf::MasterSecret;
#[cfg(feature = "server-side-ssl")]
use matrix_crypto::random::SecureRandom;
#[cfg(feature = "server-side-ssl")]
use zeroize::{Zeroize, Zeroizing};

#[cfg(feature = "server-side-ssl")]
use crate::codec::{CipherSuite, ProtocolVersion};

/// The length of a ticket key's name (RFC 5077 section 4's `key_name`).
#[cfg(feature = "server-side-ssl")]
pub const TICKET_KEY_NAME_LEN: usize = 16;

/// The most ticket keys a context holds at once (MatrixSSL's list holds as many as the
/// application loads; a bound keeps a callback from growing it without end).
#[cfg(feature = "server-side-ssl")]
pub const MAX_TICKET_KEYS: usize = 32;

/// One ticket key (`matrixSslLoadSessionTicketKeys`' arguments): its public 16-byte name,
/// the AES key (16 or 32 bytes: AES-128 or AES-256) and the 32-byte HMAC-SHA-256 key. Both
/// secrets are wiped when the key is dropped.
#[cfg(feature = "server-side-ssl")]
#[cfg_attr(docsrs, doc(cfg(feature = "server-side-ssl")))]
pub struct SessionTicketKey {
    name: [u8; TICKET_KEY_NAME_LEN],
    cipher_key: [u8; 32],
    cipher_key_len: usize,
    mac_key: [u8; 32],
}

#[cfg(feature = "server-side-ssl")]
impl Drop for SessionTicketKey {
    fn drop(&mut self) {
        self.cipher_key.zeroize();
        self.mac_key.zeroize();
    }
}

#[cfg(feature = "server-side-ssl")]
impl core::fmt::Debug for SessionTicketKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionTicketKey")
            .field("name", &self.name)
            .field("aes_bits", &(self.cipher_key_len * 8))
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "server-side-ssl")]
impl SessionTicketKey {
    /// A key named `name` with AES key `symkey` (16 or 32 bytes) and HMAC key `hashkey` (32
    /// bytes); `PS_ARG_FAIL` for other lengths.
    pub fn new(
        name: &[u8; TICKET_KEY_NAME_LEN],
        symkey: &[u8],
        hashkey: &[u8],
    ) -> Result<Self, Error> {
        if !matches!(symkey.len(), 16 | 32) || hashkey.len() != 32 {
            return Err(Error::ArgFail);
        }
        let mut key = SessionTicketKey {
            name: *name,
            cipher_key: [0; 32],
            cipher_key_len: symkey.len(),
            mac_key: [0; 32],
        };
        key.cipher_key[..symkey.len()].copy_from_slice(symkey);
        key.mac_key.copy_from_slice(hashkey);
        Ok(key)
    }

    /// The key's name, which every ticket it issues starts with.
    pub fn name(&self) -> &[u8; TICKET_KEY_NAME_LEN] {
        &self.name
    }

    fn cipher(&self) -> Result<CbcCipher, Error> {
        let alg = if self.cipher_key_len == 16 {
            BlockAlgorithm::Aes128
        } else {
            BlockAlgorithm::Aes256
        };
        CbcCipher::new(alg, &self.cipher_key[..self.cipher_key_len])
    }
}

/// The ticket callback (`matrixSslSetSessionTicketCallback`): called with the key name of a
/// ticket that names no key the context holds; it returns that key (from the application's
/// own store) to open the ticket with, or `None` to refuse the ticket (a full handshake
/// follows). A returned key is kept as an accepting (not issuing) key while there is room
/// ([`MAX_TICKET_KEYS`]). It runs with the context's ticket keys locked: it must not call
/// back into the context.
#[cfg(feature = "server-side-ssl")]
#[cfg_attr(docsrs, doc(cfg(feature = "server-side-ssl")))]
pub type SessionTicketCallback =
    Box<dyn FnMut(&[u8; TICKET_KEY_NAME_LEN]) -> Option<SessionTicketKey> + Send + 'static>;

/// The session state inside a ticket.
#[cfg(feature = "server-side-ssl")]
pub(crate) struct TicketState {
    pub version: ProtocolVersion,
    pub suite: CipherSuite,
    pub ems: bool,
    pub created_ms: u64,
    pub lifetime_s: u32,
    pub master: MasterSecret,
}

/// The encoded state's length: version, suite, EMS flag, creation time, lifetime, master.
#[cfg(feature = "server-side-ssl")]
const STATE_LEN: usize = 2 + 2 + 1 + 8 + 4 + 48;
/// AES's block (and IV) length.
#[cfg(feature = "server-side-ssl")]
const BLOCK: usize = 16;
/// HMAC-SHA-256's tag length.
#[cfg(feature = "server-side-ssl")]
const MAC_LEN: usize = 32;
/// Everything of a ticket but the encrypted state: name, IV, its length, the MAC.
#[cfg(feature = "server-side-ssl")]
const OVERHEAD: usize = TICKET_KEY_NAME_LEN + BLOCK + 2 + MAC_LEN;

#[cfg(feature = "server-side-ssl")]
impl TicketState {
    fn encode(&self) -> Zeroizing<Vec<u8>> {
        // Room for the padding too, so that padding never reallocates (and leaves an
        // unwiped copy of the master secret behind).
        let mut v = Zeroizing::new(Vec::with_capacity(STATE_LEN + BLOCK));
        v.extend_from_slice(&self.version.get().to_be_bytes());
        v.extend_from_slice(&self.suite.get().to_be_bytes());
        v.push(u8::from(self.ems));
        v.extend_from_slice(&self.created_ms.to_be_bytes());
        v.extend_from_slice(&self.lifetime_s.to_be_bytes());
        v.extend_from_slice(&self.master[..]);
        v
    }

    fn decode(b: &[u8]) -> Option<TicketState> {
        if b.len() != STATE_LEN {
            return None;
        }
        let u16_at = |i: usize| Some(u16::from_be_bytes(b.get(i..i + 2)?.try_into().ok()?));
        let ems = match b.get(4)? {
            0 => false,
            1 => true,
            _ => return None,
        };
        let created_ms = u64::from_be_bytes(b.get(5..13)?.try_into().ok()?);
        let lifetime_s = u32::from_be_bytes(b.get(13..17)?.try_into().ok()?);
        let master: [u8; 48] = b.get(17..65)?.try_into().ok()?;
        Some(TicketState {
            version: ProtocolVersion::from(u16_at(0)?),
            suite: CipherSuite::from(u16_at(2)?),
            ems,
            created_ms,
            lifetime_s,
            master: MasterSecret::new(master),
        })
    }

    /// Whether the state may still be resumed at `now_ms`: created no later than now and
    /// within both its own lifetime and `max_life_ms` (the context's current one).
    fn alive(&self, now_ms: u64, max_life_ms: u64) -> bool {
        let life = u64::from(self.lifetime_s)
            .saturating_mul(1000)
            .min(max_life_ms);
        now_ms >= self.created_ms && now_ms - self.created_ms <= life
    }
}

/// A context's ticket keys (oldest first; the last one issues) and callback.
#[cfg(feature = "server-side-ssl")]
#[derive(Default)]
pub(crate) struct TicketKeys {
    /// Boxed, so that growing or shifting the list moves pointers, never leaving an
    /// unwiped copy of a key in a freed buffer.
    #[allow(
        clippy::vec_box,
        reason = "the boxes keep key bytes from being copied by the vector's moves"
    )]
    keys: Vec<Box<SessionTicketKey>>,
    callback: Option<SessionTicketCallback>,
}

/// What opening a ticket gave: the state, and whether the ticket should be replaced by
/// one under the newest key.
#[cfg(feature = "server-side-ssl")]
pub(crate) struct Opened {
    pub state: TicketState,
    pub renew: bool,
}

#[cfg(feature = "server-side-ssl")]
impl TicketKeys {
    /// Adds `key` as the newest (the one that issues). `PS_ARG_FAIL` when a key of that
    /// name is loaded, `PS_LIMIT_FAIL` past [`MAX_TICKET_KEYS`].
    pub(crate) fn load(&mut self, key: SessionTicketKey) -> Result<(), Error> {
        if self.keys.iter().any(|k| k.name == key.name) {
            return Err(Error::ArgFail);
        }
        if self.keys.len() >= MAX_TICKET_KEYS {
            return Err(Error::LimitFail);
        }
        self.keys.push(Box::new(key));
        Ok(())
    }

    /// Removes the key named `name`: its tickets are refused from now on. `PS_FAILURE`
    /// when no such key is loaded.
    pub(crate) fn delete(&mut self, name: &[u8; TICKET_KEY_NAME_LEN]) -> Result<(), Error> {
        let before = self.keys.len();
        self.keys.retain(|k| &k.name != name);
        if self.keys.len() == before {
            return Err(Error::Failure);
        }
        Ok(())
    }

    pub(crate) fn set_callback(&mut self, cb: SessionTicketCallback) {
        self.callback = Some(cb);
    }

    /// Whether a ticket can be issued (a key is loaded).
    pub(crate) fn can_issue(&self) -> bool {
        !self.keys.is_empty()
    }

    /// Seals `state` under the newest key: name, fresh IV, encrypted state, MAC.
    pub(crate) fn seal(
        &self,
        state: &TicketState,
        rng: &mut dyn SecureRandom,
    ) -> Result<Vec<u8>, Error> {
        let key = self.keys.last().ok_or(Error::Failure)?;
        let mut iv = [0u8; BLOCK];
        rng.fill_bytes(&mut iv)?;
        let mut enc = state.encode();
        pkcs7_pad(&mut enc, BLOCK)?;
        let mut chain = iv;
        key.cipher()?.encrypt(&mut chain, &mut enc)?;
        let len = u16::try_from(enc.len()).map_err(|_| Error::LimitFail)?;
        let mut t = Vec::with_capacity(OVERHEAD + enc.len());
        t.extend_from_slice(&key.name);
        t.extend_from_slice(&iv);
        t.extend_from_slice(&len.to_be_bytes());
        t.extend_from_slice(&enc);
        let mac = Hmac::<Sha256>::mac(&key.mac_key, &t);
        t.extend_from_slice(mac.as_ref());
        Ok(t)
    }

    /// Opens `ticket`: `None` for anything but an authentic, well-formed, live state.
    pub(crate) fn open(&mut self, ticket: &[u8], now_ms: u64, max_life_ms: u64) -> Option<Opened> {
        let name: [u8; TICKET_KEY_NAME_LEN] = ticket.get(..TICKET_KEY_NAME_LEN)?.try_into().ok()?;
        let iv: [u8; BLOCK] = ticket.get(16..32)?.try_into().ok()?;
        let len = usize::from(u16::from_be_bytes(ticket.get(32..34)?.try_into().ok()?));
        if len == 0 || len % BLOCK != 0 || ticket.len() != OVERHEAD + len {
            return None;
        }
        let (signed, tag) = ticket.split_at(34 + len);
        let ciphertext = signed.get(34..)?;
        let index = match self.keys.iter().position(|k| k.name == name) {
            Some(i) => i,
            None => {
                let key = self.callback.as_mut()?(&name)?;
                if key.name != name {
                    return None;
                }
                if self.keys.len() >= MAX_TICKET_KEYS {
                    // No room to keep it: use it for this ticket only.
                    return open_with(&key, &iv, signed, ciphertext, tag, now_ms, max_life_ms)
                        .map(|state| Opened { state, renew: true });
                }
                // An accepting key, older than every loaded one: not the issuer.
                self.keys.insert(0, Box::new(key));
                0
            }
        };
        let key = self.keys.get(index)?;
        let state = open_with(key, &iv, signed, ciphertext, tag, now_ms, max_life_ms)?;
        // A ticket of any key but the issuing one is replaced by one of the issuer's.
        let renew = index + 1 != self.keys.len();
        Some(Opened { state, renew })
    }

    /// Whether a ticket could be opened at all (a key or a callback).
    pub(crate) fn can_open(&self) -> bool {
        !self.keys.is_empty() || self.callback.is_some()
    }
}

/// Checks the MAC (constant time), then decrypts and decodes the state.
#[cfg(feature = "server-side-ssl")]
fn open_with(
    key: &SessionTicketKey,
    iv: &[u8; BLOCK],
    signed: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
    now_ms: u64,
    max_life_ms: u64,
) -> Option<TicketState> {
    let mut mac = Hmac::<Sha256>::new(&key.mac_key);
    mac.update(signed);
    if !mac.verify(tag) {
        return None;
    }
    let mut plain = Zeroizing::new(ciphertext.to_vec());
    let mut chain = *iv;
    key.cipher().ok()?.decrypt(&mut chain, &mut plain).ok()?;
    let n = pkcs7_unpad(&plain, BLOCK).ok()?;
    let state = TicketState::decode(plain.get(..n)?)?;
    state.alive(now_ms, max_life_ms).then_some(state)
}

/// What a client keeps of tickets in one handshake: whether the server announced a
/// NewSessionTicket (empty SessionTicket extension in its ServerHello), whether it came,
/// and the ticket to keep for the next resumption (the new one, or on a resumption
/// without a new one the ticket that resumed).
#[cfg(feature = "client-side-ssl")]
#[derive(Default)]
pub(crate) struct ClientTicket {
    pub expected: bool,
    pub received: bool,
    pub ticket: alloc::vec::Vec<u8>,
    pub lifetime_hint: u32,
}

#[cfg(feature = "client-side-ssl")]
impl ClientTicket {
    /// The heap bytes of the kept ticket (for `Session::memory_usage`).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.ticket.capacity()
    }
}

#[cfg(all(test, feature = "server-side-ssl"))]
mod tests {
    use super::*;
    use alloc::vec;

    struct Counter(u8);
    impl SecureRandom for Counter {
        fn fill_bytes(&mut self, dest: &mut [u8]) -> matrix_core::Result<()> {
            for b in dest {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
            Ok(())
        }
    }

    fn state(created_ms: u64) -> TicketState {
        TicketState {
            version: ProtocolVersion::TLSv1_2,
            suite: CipherSuite::from(0x009c),
            ems: true,
            created_ms,
            lifetime_s: 100,
            master: MasterSecret::new([7; 48]),
        }
    }

    fn key(n: u8, aes: usize) -> SessionTicketKey {
        SessionTicketKey::new(&[n; 16], &vec![n; aes], &[n ^ 0x55; 32]).unwrap()
    }

    #[test]
    fn seal_open_round_trip_and_rotation() {
        let mut keys = TicketKeys::default();
        keys.load(key(1, 16)).unwrap();
        let t1 = keys.seal(&state(1000), &mut Counter(0)).unwrap();
        assert_eq!(t1.len(), OVERHEAD + 80);
        let o = keys.open(&t1, 2000, u64::MAX).unwrap();
        assert!(!o.renew);
        assert_eq!(o.state.master[..], [7; 48]);
        assert!(o.state.ems);
        // A newer key issues; the old one still opens its tickets, which are renewed.
        keys.load(key(2, 32)).unwrap();
        let o = keys.open(&t1, 2000, u64::MAX).unwrap();
        assert!(o.renew);
        let t2 = keys.seal(&state(1000), &mut Counter(9)).unwrap();
        assert_eq!(&t2[..16], &[2; 16]);
        assert!(!keys.open(&t2, 2000, u64::MAX).unwrap().renew);
        // Deleted: refused.
        keys.delete(&[1; 16]).unwrap();
        assert!(keys.open(&t1, 2000, u64::MAX).is_none());
        assert_eq!(keys.delete(&[1; 16]), Err(Error::Failure));
        assert_eq!(keys.load(key(2, 16)).err(), Some(Error::ArgFail));
    }

    #[test]
    fn tampered_expired_and_malformed_tickets_are_refused() {
        let mut keys = TicketKeys::default();
        keys.load(key(1, 16)).unwrap();
        let t = keys.seal(&state(1000), &mut Counter(0)).unwrap();
        for i in 0..t.len() {
            let mut bad = t.clone();
            bad[i] ^= 0x01;
            assert!(keys.open(&bad, 2000, u64::MAX).is_none(), "byte {i}");
        }
        for n in 0..t.len() {
            assert!(keys.open(&t[..n], 2000, u64::MAX).is_none());
        }
        // Lifetime 100 s from 1000 ms; the context's life bounds it too; no future states.
        assert!(keys.open(&t, 101_000, u64::MAX).is_some());
        assert!(keys.open(&t, 101_001, u64::MAX).is_none());
        assert!(keys.open(&t, 5_000, 3_000).is_none());
        assert!(keys.open(&t, 999, u64::MAX).is_none());
    }

    #[test]
    fn the_callback_supplies_unknown_keys() {
        let mut keys = TicketKeys::default();
        keys.load(key(1, 16)).unwrap();
        let t = keys.seal(&state(0), &mut Counter(0)).unwrap();
        let mut other = TicketKeys::default();
        other.load(key(3, 32)).unwrap();
        assert!(other.open(&t, 10, u64::MAX).is_none());
        other.set_callback(Box::new(|name| (name == &[1; 16]).then(|| key(1, 16))));
        let o = other.open(&t, 10, u64::MAX).unwrap();
        assert!(o.renew);
        // Kept, as an accepting key: the newest still issues.
        let t3 = other.seal(&state(0), &mut Counter(0)).unwrap();
        assert_eq!(&t3[..16], &[3; 16]);
        assert!(SessionTicketKey::new(&[0; 16], &[0; 24], &[0; 32]).is_err());
        assert!(SessionTicketKey::new(&[0; 16], &[0; 16], &[0; 31]).is_err());
    }
}
