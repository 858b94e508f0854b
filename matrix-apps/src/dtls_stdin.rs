//! Standard input for the raw mode of the DTLS programs: a thread reads it (reading
//! blocks) and hands chunks over a channel, so that one loop can run the socket, the
//! retransmission timer and the user's input.

use std::io::Read;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// The reader thread's end of the channel.
pub struct Stdin {
    chunks: Receiver<Vec<u8>>,
}

impl Stdin {
    /// Starts the reader thread.
    pub fn spawn() -> Stdin {
        let (tx, chunks) = channel();
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 4096];
            let mut input = std::io::stdin().lock();
            while let Ok(n @ 1..) = input.read(&mut buf) {
                if tx.send(buf.get(..n).unwrap_or_default().to_vec()).is_err() {
                    return;
                }
            }
            // The end of the input (or a read error) ends the thread and the channel.
        });
        Stdin { chunks }
    }

    /// The next chunk: `None` when nothing is waiting, an empty chunk at the end of the
    /// input.
    pub fn next(&self) -> Option<Vec<u8>> {
        match self.chunks.try_recv() {
            Ok(chunk) => Some(chunk),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Vec::new()),
        }
    }
}
