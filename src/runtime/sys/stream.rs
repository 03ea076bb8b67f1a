//! Output pipes for `StandardOutput=journal|kmsg|syslog`: the unit writes into a blocking write
//! end; the runtime reads the non-blocking read end from its event loop.

use std::io;
use std::os::fd::{AsFd, OwnedFd};

use nix::fcntl::{FcntlArg, OFlag, fcntl};

/// A CLOEXEC pipe `(read, write)` whose read end is non-blocking.
pub fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let (r, w) = nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(io::Error::from)?;
    let flags = fcntl(r.as_fd(), FcntlArg::F_GETFL).map_err(io::Error::from)?;
    let flags = OFlag::from_bits_truncate(flags) | OFlag::O_NONBLOCK;
    fcntl(r.as_fd(), FcntlArg::F_SETFL(flags)).map_err(io::Error::from)?;
    Ok((r, w))
}

/// What one read of a stream gave.
#[derive(Debug)]
pub enum Chunk {
    /// Bytes.
    Data(Vec<u8>),
    /// Nothing more for now.
    Again,
    /// The writers are gone (or the read failed).
    Eof,
}

/// Reads what is available (up to 64 KiB).
pub fn read(fd: &OwnedFd) -> Chunk {
    let mut buf = vec![0u8; 65536];
    match nix::unistd::read(fd, &mut buf) {
        Ok(0) => Chunk::Eof,
        Ok(n) => {
            buf.truncate(n);
            Chunk::Data(buf)
        }
        Err(nix::Error::EAGAIN | nix::Error::EINTR) => Chunk::Again,
        Err(_) => Chunk::Eof,
    }
}
