//! The `MATRIXSSL_*` return codes of `matrixsslApi.h`, with MatrixSSL 3.x's values:
//! what [`crate::Received::code`] and [`crate::Sent::code`] return, and what C programs
//! compare against. The negative `PS_*` failure codes are `matrix_core::Error::code`.

/// `MATRIXSSL_SUCCESS` (`PS_SUCCESS`): done, nothing more to do.
pub const MATRIXSSL_SUCCESS: i32 = 0;
/// `MATRIXSSL_ERROR`: MatrixSSL defines it as `PS_PROTOCOL_FAIL` (-12).
pub const MATRIXSSL_ERROR: i32 = matrix_core::Error::ProtocolFail.code();
/// `MATRIXSSL_REQUEST_SEND`: encoded bytes wait in `get_outdata`.
pub const MATRIXSSL_REQUEST_SEND: i32 = 1;
/// `MATRIXSSL_REQUEST_RECV`: read more bytes into `get_readbuf`.
pub const MATRIXSSL_REQUEST_RECV: i32 = 2;
/// `MATRIXSSL_REQUEST_CLOSE`: the last bytes sent carried a closing alert.
pub const MATRIXSSL_REQUEST_CLOSE: i32 = 3;
/// `MATRIXSSL_APP_DATA`: a record of application data was decrypted.
pub const MATRIXSSL_APP_DATA: i32 = 4;
/// `MATRIXSSL_HANDSHAKE_COMPLETE`: the handshake finished.
pub const MATRIXSSL_HANDSHAKE_COMPLETE: i32 = 5;
/// `MATRIXSSL_RECEIVED_ALERT`: the peer sent an alert (level, description).
pub const MATRIXSSL_RECEIVED_ALERT: i32 = 6;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_matrixssl_3s() {
        assert_eq!(MATRIXSSL_ERROR, -12);
        let all = [
            MATRIXSSL_SUCCESS,
            MATRIXSSL_REQUEST_SEND,
            MATRIXSSL_REQUEST_RECV,
            MATRIXSSL_REQUEST_CLOSE,
            MATRIXSSL_APP_DATA,
            MATRIXSSL_HANDSHAKE_COMPLETE,
            MATRIXSSL_RECEIVED_ALERT,
        ];
        assert_eq!(all, [0, 1, 2, 3, 4, 5, 6]);
    }
}
