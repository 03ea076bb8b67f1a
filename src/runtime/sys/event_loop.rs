//! The event loop: one `epoll` instance watching registered fds, a `signalfd` for the signals
//! the runtime handles (blocked in the calling thread so they arrive only there), and one
//! `timerfd` (`CLOCK_MONOTONIC`, absolute) re-armed to the earliest of a set of keyed
//! deadlines.
//!
//! Level-triggered `EPOLLIN`: a listener that stays readable is reported again, so the caller
//! must unregister a port while its service owns it (systemd watches ports only in
//! `listening`). `wait` blocks without a timeout: an idle runtime uses no CPU.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use nix::sys::signal::{SigSet, SigmaskHow, Signal, pthread_sigmask};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::time::TimeSpec;
use nix::sys::timerfd::{ClockId, Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};

use crate::runtime::types::Usec;

const SIGNAL_TOKEN: u64 = u64::MAX;
const TIMER_TOKEN: u64 = u64::MAX - 1;

/// What woke the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// A registered fd is ready.
    Fd {
        /// The token it was registered with.
        token: u64,
        /// The `EPOLL*` bits reported.
        revents: u32,
    },
    /// A handled signal arrived.
    Signal(Signal),
    /// A deadline passed.
    Timer(u64),
}

/// epoll + signalfd + timerfd.
#[derive(Debug)]
pub struct EventLoop {
    epoll: Epoll,
    signals: SignalFd,
    timer: TimerFd,
    /// (deadline, key) ordered by time.
    deadlines: BTreeMap<(Usec, u64), ()>,
    /// key → its deadline.
    keys: HashMap<u64, Usec>,
}

/// `CLOCK_MONOTONIC` in microseconds.
pub fn now() -> Usec {
    match nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC) {
        Ok(ts) => ts.tv_sec() as u64 * 1_000_000 + ts.tv_nsec() as u64 / 1000,
        Err(_) => 0,
    }
}

fn to_io(e: nix::Error) -> io::Error {
    io::Error::from_raw_os_error(e as i32)
}

impl EventLoop {
    /// Blocks `signals` in the calling thread and creates the loop. Children must unblock
    /// them before exec (the spawn module resets the mask).
    pub fn new(signals: &[Signal]) -> io::Result<EventLoop> {
        let mut mask = SigSet::empty();
        for s in signals {
            mask.add(*s);
        }
        pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&mask), None).map_err(to_io)?;
        let flags = SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC;
        let signals = SignalFd::with_flags(&mask, flags).map_err(to_io)?;
        let timer = TimerFd::new(
            ClockId::CLOCK_MONOTONIC,
            TimerFlags::TFD_NONBLOCK | TimerFlags::TFD_CLOEXEC,
        )
        .map_err(to_io)?;
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC).map_err(to_io)?;
        epoll
            .add(&signals, EpollEvent::new(EpollFlags::EPOLLIN, SIGNAL_TOKEN))
            .map_err(to_io)?;
        epoll
            .add(&timer, EpollEvent::new(EpollFlags::EPOLLIN, TIMER_TOKEN))
            .map_err(to_io)?;
        Ok(EventLoop {
            epoll,
            signals,
            timer,
            deadlines: BTreeMap::new(),
            keys: HashMap::new(),
        })
    }

    /// Watches `fd` for input under `token` (which must be below `u64::MAX - 1`).
    pub fn watch(&self, fd: BorrowedFd<'_>, token: u64) -> io::Result<()> {
        debug_assert!(token < TIMER_TOKEN);
        self.epoll
            .add(fd, EpollEvent::new(EpollFlags::EPOLLIN, token))
            .map_err(to_io)
    }

    /// Stops watching `fd`; an fd that was not watched is not an error.
    pub fn unwatch(&self, fd: BorrowedFd<'_>) {
        let _ = self.epoll.delete(fd);
    }

    /// Sets (or moves) the deadline of `key` to the absolute monotonic time `at`.
    pub fn arm(&mut self, key: u64, at: Usec) -> io::Result<()> {
        if let Some(old) = self.keys.insert(key, at) {
            self.deadlines.remove(&(old, key));
        }
        self.deadlines.insert((at, key), ());
        self.rearm()
    }

    /// Removes the deadline of `key`, if any.
    pub fn disarm(&mut self, key: u64) -> io::Result<()> {
        if let Some(old) = self.keys.remove(&key) {
            self.deadlines.remove(&(old, key));
            return self.rearm();
        }
        Ok(())
    }

    fn rearm(&self) -> io::Result<()> {
        match self.deadlines.keys().next() {
            None => self.timer.unset().map_err(to_io),
            Some(&(at, _)) => {
                // An absolute expiry of zero would disarm the timer; one microsecond is past.
                let at = at.max(1);
                let ts = TimeSpec::new((at / 1_000_000) as i64, ((at % 1_000_000) * 1000) as i64);
                self.timer
                    .set(
                        Expiration::OneShot(ts),
                        TimerSetTimeFlags::TFD_TIMER_ABSTIME,
                    )
                    .map_err(to_io)
            }
        }
    }

    /// Blocks until something happens; returns every wake-up, timers in deadline order.
    pub fn wait(&mut self) -> io::Result<Vec<Wake>> {
        let mut events = [EpollEvent::empty(); 64];
        let n = loop {
            match self.epoll.wait(&mut events, EpollTimeout::NONE) {
                Ok(n) => break n,
                Err(nix::Error::EINTR) => continue,
                Err(e) => return Err(to_io(e)),
            }
        };
        let mut wakes = Vec::new();
        for ev in &events[..n] {
            match ev.data() {
                SIGNAL_TOKEN => self.read_signals(&mut wakes),
                TIMER_TOKEN => self.expire(&mut wakes)?,
                token => wakes.push(Wake::Fd {
                    token,
                    revents: ev.events().bits() as u32,
                }),
            }
        }
        Ok(wakes)
    }

    fn read_signals(&self, wakes: &mut Vec<Wake>) {
        while let Ok(Some(info)) = self.signals.read_signal() {
            if let Ok(sig) = Signal::try_from(info.ssi_signo as i32)
                && !wakes.contains(&Wake::Signal(sig))
            {
                wakes.push(Wake::Signal(sig));
            }
        }
    }

    fn expire(&mut self, wakes: &mut Vec<Wake>) -> io::Result<()> {
        // Drain the expiration count; a spurious wake-up is harmless.
        let mut buf = [0u8; 8];
        let _ = nix::unistd::read(&self.timer, &mut buf);
        let now = now();
        while let Some(&(at, key)) = self.deadlines.keys().next() {
            if at > now {
                break;
            }
            self.deadlines.remove(&(at, key));
            self.keys.remove(&key);
            wakes.push(Wake::Timer(key));
        }
        self.rearm()
    }

    /// The epoll fd, for tests that check the loop holds no more fds than it should.
    pub fn raw_fds(&self) -> [RawFd; 3] {
        [
            self.epoll.0.as_raw_fd(),
            self.signals.as_fd().as_raw_fd(),
            self.timer.as_fd().as_raw_fd(),
        ]
    }
}
