//! The syscall boundary: every system call the runtime makes lives below this module
//! (listeners, socket options, fork/exec, epoll/signalfd/timerfd, waitid, kill). The pure state
//! machines never reach here; the manager calls in through these functions only.
//!
//! Every `unsafe` block carries a `// SAFETY:` comment.

mod child;
mod child_fds;
pub mod control;
pub mod event_loop;
pub mod listen;
pub mod notify;
pub mod process;
pub mod spawn;
mod spawn_failure;
mod spawn_plan;
pub mod stream;
