//! Opening, watching and closing a socket unit's ports.
