//! Feeds arbitrary datagrams to the `sd_notify()` parser: `parse_message` never panics, for any
//! number of passed fds, and its result is consistent (at most one fd consumed, a barrier
//! message carries nothing else).

#![no_main]

use libfuzzer_sys::fuzz_target;
use sockunit::runtime::notify_msg::{extra_fds_warning, parse, parse_message};

fuzz_target!(|input: (u8, &[u8])| {
    let (n, datagram) = input;
    let n_fds = usize::from(n % 8);
    let p = parse_message(datagram, n_fds);
    assert!(p.fds_consumed <= n_fds.min(1), "{p:?} with {n_fds} fds");
    if p.barrier {
        assert_eq!(p.notification, Default::default(), "{p:?}");
        assert!(p.warnings.is_empty() && p.main_pid.is_none(), "{p:?}");
    }
    assert_eq!(p.notification.main_pid, matches!(p.main_pid, Some(Ok(_))));
    if let Some(Ok(pid)) = p.main_pid {
        assert!(pid > 0);
    }
    assert_eq!(parse(datagram), parse_message(datagram, 0).notification);
    let _ = p.debug_line(1);
    let _ = extra_fds_warning(&p, n_fds, true);
    let _ = extra_fds_warning(&p, n_fds, false);
});
