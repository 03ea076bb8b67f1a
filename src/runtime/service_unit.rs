//! The service unit's state machine (systemd 252 `src/core/service.c`), pure.
//!
//! Same protocol as [`super::socket_unit`]: [`ServiceMachine::step`] takes one event and returns
//! the actions to perform in order; a fallible action ends its batch and is answered by one
//! event. Process ids, fds and clocks stay in the executor.
