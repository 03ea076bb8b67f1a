//! The control socket's I/O: binding the listener, reading one request line, writing one
//! response line, and the client side used by `sockunit status|start|stop`.

use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::time::Duration;

use crate::runtime::control::{Request, Response};

/// How long a client may take to send its request before the runtime gives up on it.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(1);

/// Binds the control socket at `path` (parents created, a stale node replaced), non-blocking,
/// mode 0600.
pub fn bind(path: &Path) -> io::Result<UnixListener> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if path.exists() {
        // A live runtime answers; a stale node does not and is replaced.
        if UnixStream::connect(path).is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!("{} is in use by another sockunit run", path.display()),
            ));
        }
        std::fs::remove_file(path)?;
    }
    let l = UnixListener::bind(path)?;
    l.set_nonblocking(true)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(l)
}

/// Reads one request line from a client; `None` if it sends nothing valid in time.
pub fn read_request(stream: &UnixStream) -> Option<Request> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(CLIENT_TIMEOUT)).ok()?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).ok()?;
    serde_json::from_str(line.trim()).ok()
}

/// Writes the response line; a client that went away is ignored.
pub fn write_response(mut stream: &UnixStream, resp: &Response) {
    let _ = stream.set_write_timeout(Some(CLIENT_TIMEOUT));
    if let Ok(mut text) = serde_json::to_string(resp) {
        text.push('\n');
        let _ = stream.write_all(text.as_bytes());
    }
}

/// Client side: sends `req` to the runtime at `path` and waits for the answer.
pub fn request(path: &Path, req: &Request) -> io::Result<Response> {
    let mut stream = UnixStream::connect(path)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut text = serde_json::to_string(req).map_err(io::Error::other)?;
    text.push('\n');
    stream.write_all(text.as_bytes())?;
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line)?;
    serde_json::from_str(line.trim()).map_err(io::Error::other)
}
