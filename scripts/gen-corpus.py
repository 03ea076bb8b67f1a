#!/usr/bin/env python3
"""Generate the h… (host units) and m… (mutation) cases of the conformance corpus.

usage: scripts/gen-corpus.py [--list]

Writes fixtures/conformance/hNNN-*/ and mNNN-*/ (unit files only; run
scripts/record-conformance.py on them afterwards to write expected.json).  Existing h*/m* case
directories are removed first, except their expected.json, which is kept when the case is
generated again under the same name.  Cases named in DROPPED (non-deterministic verdicts found
when recording twice) are skipped.

Host cases copy (never symlink) units from /usr/lib/systemd/system (and /usr/lib/systemd/user),
so re-running on another host may give different host cases; the recorded goldens are the
reference.
"""
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "conformance"
SYS = Path("/usr/lib/systemd/system")
USR = Path("/usr/lib/systemd/user")

# cases whose systemd verdict was not reproducible when recorded twice
DROPPED = set()

CASES = []  # (name, {filename: text or ("symlink", target)})


def add(name, files):
    CASES.append((name, files))


# ------------------------------------------------------------------------------------------
# h…: host units as they are
# ------------------------------------------------------------------------------------------

def read(p: Path) -> str:
    return p.read_text(encoding="utf-8")


def socket_service(sock: Path):
    """The service a host socket triggers: Service=, or prefix@.service for Accept=yes, or
    prefix.service (the template's own for prefix@.socket)."""
    text = read(sock)
    svc = None
    accept = False
    for line in text.splitlines():
        m = re.match(r"^\s*Service\s*=\s*(\S+)\s*$", line)
        if m:
            svc = m.group(1)
        m = re.match(r"^\s*Accept\s*=\s*(\S+)\s*$", line)
        if m:
            accept = m.group(1).lower() in ("yes", "true", "1", "on", "y", "t")
    stem = sock.name[: -len(".socket")]
    if svc:
        svc = svc.replace("%i", "")  # the template's own instance is empty
    elif accept:
        svc = (stem[:-1] if stem.endswith("@") else stem) + "@.service"
    else:
        svc = stem + ".service"
    return svc


def short(name: str) -> str:
    s = name.rsplit(".", 1)[0].replace("@", "-at").replace("systemd-", "sd-")
    s = re.sub(r"[^A-Za-z0-9-]+", "-", s).strip("-")
    return s[:40]


def host_cases():
    n = 0

    def nxt(label):
        nonlocal n
        n += 1
        return f"h{n:03d}-{label}"

    # 1. every system socket with the service it triggers (copies of both)
    socks = sorted(SYS.glob("*.socket"))
    for sock in socks:
        files = {sock.name: read(sock.resolve())}
        svc = socket_service(sock)
        if (SYS / svc).exists():
            files[svc] = read((SYS / svc).resolve())
        add(nxt("sys-" + short(sock.name)), files)
    # 2. each system socket alone (its service comes from the host search path)
    for sock in socks:
        add(nxt("sys-" + short(sock.name) + "-alone"), {sock.name: read(sock.resolve())})
    # 3. user-manager sockets (verified in system mode) with their services
    for sock in sorted(USR.glob("*.socket")):
        files = {sock.name: read(sock.resolve())}
        svc = socket_service(sock)
        if (USR / svc).exists():
            files[svc] = read((USR / svc).resolve())
        add(nxt("user-" + short(sock.name)), files)
    # 4. notable host services alone
    services = [
        "dbus.service", "systemd-journald.service", "systemd-journald@.service",
        "systemd-logind.service", "systemd-networkd.service", "systemd-timesyncd.service",
        "systemd-hostnamed.service", "systemd-localed.service", "systemd-timedated.service",
        "systemd-initctl.service", "systemd-fsckd.service", "systemd-rfkill.service",
        "getty@.service", "serial-getty@.service", "console-getty.service",
        "container-getty@.service", "user@.service", "user-runtime-dir@.service",
        "modprobe@.service", "systemd-fsck@.service", "systemd-backlight@.service",
        "postgresql@.service", "postgresql.service", "apt-daily.service",
        "apt-daily-upgrade.service", "e2scrub@.service", "e2scrub_all.service", "fstrim.service",
        "man-db.service", "polkit.service", "packagekit.service", "emergency.service",
        "rescue.service", "rc-local.service", "systemd-tmpfiles-setup.service",
        "systemd-sysctl.service", "systemd-random-seed.service", "systemd-remount-fs.service",
        "systemd-user-sessions.service", "kmod-static-nodes.service",
        "systemd-journal-flush.service", "systemd-networkd-wait-online.service",
        "systemd-update-utmp.service", "systemd-sysusers.service", "debug-shell.service",
        "dpkg-db-backup.service", "systemd-pstore.service", "systemd-repart.service",
    ]
    for s in services:
        p = SYS / s
        if p.exists() and not p.is_symlink():
            add(nxt("svc-" + short(s)), {s: read(p)})
    # 5. template instances via an instance symlink to the copied template
    for tmpl, inst in [("getty@.service", "getty@tty1.service"),
                       ("modprobe@.service", "modprobe@loop.service"),
                       ("user-runtime-dir@.service", "user-runtime-dir@0.service"),
                       ("systemd-journald@.service", "systemd-journald@ns1.service")]:
        if (SYS / tmpl).exists():
            add(nxt("inst-" + short(inst)), {tmpl: read(SYS / tmpl), inst: ("symlink", tmpl)})


# ------------------------------------------------------------------------------------------
# m…: mutations, ONE change per case
# ------------------------------------------------------------------------------------------

M = []  # (label, files)
TRUE_SVC = "[Service]\nExecStart=/bin/true\n"


def m(label, files):
    M.append((label, files))


def safe(desc):
    """a comment line must not end in a backslash (it would read as a continuation)"""
    desc = desc.replace("\n", " ").replace("\t", "<TAB>")
    return desc + " (end)" if desc.endswith("\\") else desc


def sk(label, desc, body, listen=True, unit=None, svc=TRUE_SVC, svcname="t.service",
       extra=None, sockname="t.socket"):
    """synthetic socket mutation: t.socket carries the change, t.service is the companion"""
    desc = safe(desc)
    text = f"# case: {desc}\n"
    if unit is not None:
        text += "[Unit]\n" + unit
    text += "[Socket]\n"
    if listen:
        text += f"ListenStream=/run/sockunit-{label}.sock\n"
    text += body
    files = {sockname: text}
    if svc == "":
        files[svcname] = ""  # an empty unit file is masked
    elif svc is not None:
        files[svcname] = f"# case: {desc} (companion service)\n" + svc
    if extra:
        files.update(extra)
    m(label, files)


def sv(label, desc, body, sock_extra=""):
    """synthetic service mutation: t.service carries the change, t.socket is the companion"""
    desc = safe(desc)
    m(label, {
        "t.socket": f"# case: {desc} (companion socket)\n[Socket]\n"
                    f"ListenStream=/run/sockunit-{label}.sock\n{sock_extra}",
        "t.service": f"# case: {desc}\n{body}",
    })


def keycases():
    K = [  # (label, key=value line(s), extra kwargs)
        ("backlog-abc", "Backlog=abc"), ("backlog-2p32", "Backlog=4294967296"),
        ("backlog-0", "Backlog=0"), ("backlog-max", "Backlog=4294967295"),
        ("backlog-neg", "Backlog=-1"), ("backlog-empty", "Backlog="),
        ("backlog-hex", "Backlog=0x10"), ("backlog-space", "Backlog= 128 "),
        ("socketmode-big", "SocketMode=0777777"), ("socketmode-0644", "SocketMode=0644"),
        ("socketmode-999", "SocketMode=999"), ("socketmode-rwx", "SocketMode=rw-rw-rw"),
        ("socketmode-7777", "SocketMode=7777"), ("socketmode-empty", "SocketMode="),
        ("dirmode-big", "DirectoryMode=0777777"), ("dirmode-0700", "DirectoryMode=0700"),
        ("bindipv6-sometimes", "BindIPv6Only=sometimes"), ("bindipv6-both", "BindIPv6Only=both"),
        ("bindipv6-v6only", "BindIPv6Only=ipv6-only"), ("bindipv6-yes", "BindIPv6Only=yes"),
        ("accept-maybe", "Accept=maybe"), ("accept-no", "Accept=no"),
        ("accept-empty", "Accept="),
        ("writable-maybe", "Writable=maybe"), ("flushpending-maybe", "FlushPending=maybe"),
        ("flushpending-yes", "FlushPending=yes"),
        ("maxconn-neg", "MaxConnections=-1"), ("maxconn-0-noaccept", "MaxConnections=0"),
        ("maxconn-abc", "MaxConnections=abc"),
        ("maxconnsrc-abc", "MaxConnectionsPerSource=abc"),
        ("maxconnsrc-5", "MaxConnectionsPerSource=5"),
        ("keepalive-maybe", "KeepAlive=maybe"), ("keepalive-on", "KeepAlive=on"),
        ("keepalivetime-xyz", "KeepAliveTimeSec=xyz"),
        ("keepalivetime-1h30", "KeepAliveTimeSec=1h 30min"),
        ("keepaliveintvl-neg", "KeepAliveIntervalSec=-5"),
        ("keepaliveintvl-30s", "KeepAliveIntervalSec=30s"),
        ("keepaliveprobes-abc", "KeepAliveProbes=abc"),
        ("keepaliveprobes-9", "KeepAliveProbes=9"),
        ("deferaccept-abc", "DeferAcceptSec=abc"), ("deferaccept-10s", "DeferAcceptSec=10s"),
        ("deferaccept-infinity", "DeferAcceptSec=infinity"),
        ("nodelay-maybe", "NoDelay=maybe"),
        ("priority-abc", "Priority=abc"), ("priority-neg", "Priority=-1"),
        ("priority-6", "Priority=6"), ("priority-big", "Priority=2147483648"),
        ("rcvbuf-1Q", "ReceiveBuffer=1Q"), ("rcvbuf-8M", "ReceiveBuffer=8M"),
        ("rcvbuf-neg", "ReceiveBuffer=-1"), ("rcvbuf-frac", "ReceiveBuffer=1.5K"),
        ("sndbuf-huge", "SendBuffer=18446744073709551616"), ("sndbuf-1G", "SendBuffer=1G"),
        ("iptos-bogus", "IPTOS=bogus"), ("iptos-lowdelay", "IPTOS=low-delay"),
        ("iptos-256", "IPTOS=256"), ("iptos-255", "IPTOS=255"), ("iptos-empty", "IPTOS="),
        ("ipttl-abc", "IPTTL=abc"), ("ipttl-64", "IPTTL=64"),
        ("mark-abc", "Mark=abc"), ("mark-42", "Mark=42"), ("mark-neg", "Mark=-7"),
        ("reuseport-maybe", "ReusePort=maybe"), ("reuseport-yes", "ReusePort=yes"),
        ("freebind-x", "FreeBind=x"), ("transparent-x", "Transparent=x"),
        ("broadcast-x", "Broadcast=x"),
        ("passcred-maybe", "PassCredentials=maybe"), ("passcred-yes", "PassCredentials=yes"),
        ("passsec-sure", "PassSecurity=sure"), ("passpktinfo-yes", "PassPacketInfo=yes"),
        ("timestamping-maybe", "Timestamping=maybe"), ("timestamping-us", "Timestamping=us"),
        ("timestamping-nsec", "Timestamping=nsec"), ("timestamping-yes", "Timestamping=yes"),
        ("timestamping-mu", "Timestamping=μs"),
        ("tcpcongestion-cubic", "TCPCongestion=cubic"),
        ("sockproto-tcp", "SocketProtocol=tcp"), ("sockproto-sctp", "SocketProtocol=sctp"),
        ("sockproto-mptcp", "SocketProtocol=mptcp"),
        ("mqmaxmsg-abc", "MessageQueueMaxMessages=abc"),
        ("mqmsgsize-10", "MessageQueueMessageSize=10"),
        ("smacklabel", "SmackLabel=foo"), ("smacklabelipin", "SmackLabelIPIn=foo"),
        ("selinuxfromnet-maybe", "SELinuxContextFromNet=maybe"),
        ("removeonstop-maybe", "RemoveOnStop=maybe"), ("removeonstop-yes", "RemoveOnStop=yes"),
        ("fdname-colon", "FileDescriptorName=has:colon"),
        ("fdname-empty", "FileDescriptorName="),
        ("fdname-space", "FileDescriptorName=has space"),
        ("fdname-256", "FileDescriptorName=" + "x" * 256),
        ("fdname-255", "FileDescriptorName=" + "x" * 255),
        ("fdname-nonascii", "FileDescriptorName=näme"),
        ("service-target", "Service=foo.target"),
        ("service-missing", "Service=nonexistent-xyz.service"),
        ("service-badname", "Service=bad!name.service"),
        ("service-specifier", "Service=%p.service"),
        ("timeoutsec-parsecs", "TimeoutSec=5 parsecs"), ("timeoutsec-0", "TimeoutSec=0"),
        ("timeoutsec-infinity", "TimeoutSec=infinity"),
        ("trigburst-x", "TriggerLimitBurst=x"), ("trigburst-0", "TriggerLimitBurst=0"),
        ("triginterval-x", "TriggerLimitIntervalSec=x"),
        ("socketuser-slash", "SocketUser=a/b"), ("socketuser-colon", "SocketUser=a:b"),
        ("socketuser-dotdot", "SocketUser=.."), ("socketuser-uidmax", "SocketUser=4294967295"),
        ("socketuser-relaxed", "SocketUser=-bad!user"), ("socketuser-root", "SocketUser=root"),
        ("socketuser-numeric", "SocketUser=1000"),
        ("socketuser-unknown", "SocketUser=nosuchuser-xyz"),
        ("socketgroup-slash", "SocketGroup=a/b"), ("socketgroup-relaxed", "SocketGroup=-bad!grp"),
        ("bindtodev-colon", "BindToDevice=x:y"), ("bindtodev-dotdot", "BindToDevice=.."),
        ("bindtodev-16", "BindToDevice=abcdefghijklmnop"), ("bindtodev-num", "BindToDevice=99"),
        ("bindtodev-lo", "BindToDevice=lo"), ("bindtodev-star", "BindToDevice=*"),
        ("bindtodev-eth0", "BindToDevice=eth0"),
        ("v258-pollburst", "PollLimitBurst=10"), ("v258-pollinterval", "PollLimitIntervalSec=2s"),
        ("v258-passpidfd", "PassPIDFD=yes"), ("v258-defertrigger", "DeferTrigger=patient"),
        ("v258-defertriggermax", "DeferTriggerMaxSec=5s"),
        ("v258-passfdstoexec", "PassFileDescriptorsToExec=yes"),
        ("v258-acceptfds", "AcceptFileDescriptors=no"),
        ("killmode-gentle", "KillMode=gentle"), ("killsignal-foo", "KillSignal=SIGFOO"),
        ("sendsigkill-perhaps", "SendSIGKILL=perhaps"),
        ("user-slash", "User=a/b"), ("workdir-relative", "WorkingDirectory=relative"),
        ("env-invalid", 'Environment=A=1 "B=2 3" C'),
    ]
    for label, line in K:
        sk("key-" + label, line, line + "\n")
    # keys that need a particular socket type
    sk("key-pipesize-neg", "PipeSize=-1 on a FIFO",
       "ListenFIFO=/run/sockunit-m-pipesize.fifo\nPipeSize=-1\n", listen=False)
    sk("key-pipesize-1M", "PipeSize=1M on a FIFO",
       "ListenFIFO=/run/sockunit-m-pipesize1.fifo\nPipeSize=1M\n", listen=False)
    sk("key-mq-both", "MessageQueueMaxMessages=10 + MessageQueueMessageSize=128",
       "ListenMessageQueue=/sockunit-mq\nMessageQueueMaxMessages=10\n"
       "MessageQueueMessageSize=128\n", listen=False)
    sk("key-writable-special", "Writable=yes on ListenSpecial=/dev/null",
       "ListenSpecial=/dev/null\nWritable=yes\n", listen=False)
    sk("key-sockproto-udplite", "SocketProtocol=udplite on a datagram socket",
       "ListenDatagram=127.0.0.1:9002\nSocketProtocol=udplite\n", listen=False)
    sk("key-symlinks-unix", "Symlinks= on a single AF_UNIX socket (ok)",
       "Symlinks=/run/sockunit-link1 /run/sockunit-link2\n")
    sk("key-symlinks-relative", "Symlinks=relative on a single AF_UNIX socket",
       "Symlinks=relative/link\n")
    sk("key-symlinks-reset", "Symlinks=/x then Symlinks= (reset) on a TCP socket",
       "ListenStream=127.0.0.1:9003\nSymlinks=/run/sockunit-link\nSymlinks=\n", listen=False)
    sk("key-pamname-alone", "PAMName=login with the default KillMode (ok)", "PAMName=login\n")
    sk("key-pamname-mixed", "PAMName=login + KillMode=mixed (refusal)",
       "PAMName=login\nKillMode=mixed\n")


def listencases():
    L = [  # (label, Listen line)
        ("stream-ipv4-noport", "ListenStream=127.0.0.1"), ("stream-junk", "ListenStream=junk"),
        ("stream-70000", "ListenStream=70000"), ("stream-0", "ListenStream=0"),
        ("stream-65535", "ListenStream=65535"), ("stream-port", "ListenStream=8080"),
        ("stream-ipv4", "ListenStream=127.0.0.1:9001"),
        ("stream-ipv4-65536", "ListenStream=192.168.1.1:65536"),
        ("stream-ipv4-bad", "ListenStream=989.168.1.1:80"),
        ("stream-ipv6-lo-esc", "ListenStream=[::1]:8080%%lo"),
        ("stream-ipv6-nosuchif", "ListenStream=[::1]:8080%nosuchif0"),
        ("stream-ipv6-nosuchif-esc", "ListenStream=[::1]:8080%%nosuchif0"),
        ("stream-ipv6-if-before-port", "ListenStream=[::1]%%lo:1234"),
        ("stream-ipv6", "ListenStream=[::1]:8888"),
        ("stream-ipv6-noport", "ListenStream=[::1]"), ("stream-ipv6-bare", "ListenStream=::1"),
        ("stream-ipv6-port0", "ListenStream=[::1]:0"),
        ("stream-ipv6-bad", "ListenStream=[a:b:1]:8888"),
        ("stream-ipv6-long", "ListenStream=[2001:0db8:0000:85a3:0000:0000:ac1f:8001]:8888"),
        ("stream-dquoted", 'ListenStream="127.0.0.1:9001"'),
        ("stream-squoted", "ListenStream='/run/sockunit-q.sock'"),
        ("stream-varrun", "ListenStream=/var/run/sockunit-x.sock"),
        ("stream-spec-z", "ListenStream=/run/%z.sock"),
        ("stream-spec-n", "ListenStream=/run/sockunit-%n"),
        ("stream-spec-pct", "ListenStream=/run/sockunit-100%%.sock"),
        ("stream-spec-trailing", "ListenStream=/run/sockunit%"),
        ("stream-slash", "ListenStream=/"), ("stream-trailing-slash", "ListenStream=/run/foo/bar/"),
        ("stream-relative", "ListenStream=relative.sock"),
        ("stream-abstract", "ListenStream=@sockunit-abstract"),
        ("stream-abstract-106", "ListenStream=@" + "a" * 106),
        ("stream-abstract-107", "ListenStream=@" + "a" * 107),
        ("stream-abstract-108", "ListenStream=@" + "a" * 108),
        ("stream-path-107", "ListenStream=/" + "b" * 106),
        ("stream-path-108", "ListenStream=/" + "b" * 107),
        ("stream-at-only", "ListenStream=@"),
        ("stream-vsock", "ListenStream=vsock:2:1234"), ("stream-vsock-anycid", "ListenStream=vsock::1234"),
        ("stream-vsock-noport", "ListenStream=vsock:2"),
        ("stream-vsock-badport", "ListenStream=vsock:2:1234x"),
        ("stream-vsock-stream", "ListenStream=vsock-stream:2:1234"),
        ("stream-leading-space", "ListenStream=   /run/sockunit-sp.sock   "),
        ("dgram-abstract", "ListenDatagram=@abstract"), ("dgram-ipv4", "ListenDatagram=127.0.0.1:9002"),
        ("dgram-junk", "ListenDatagram=junk"),
        ("seqpacket-ipv4", "ListenSequentialPacket=127.0.0.1:9001"),
        ("seqpacket-unix", "ListenSequentialPacket=/run/sockunit-seq.sock"),
        ("seqpacket-abstract", "ListenSequentialPacket=@sockunit-seq"),
        ("fifo-relative", "ListenFIFO=relative/fifo"), ("fifo-abs", "ListenFIFO=/run/sockunit.fifo"),
        ("fifo-varrun", "ListenFIFO=/var/run/sockunit.fifo"),
        ("fifo-proc", "ListenFIFO=/proc/sockunit.fifo"),
        ("special-devnull", "ListenSpecial=/dev/null"), ("special-relative", "ListenSpecial=dev/null"),
        ("special-proc", "ListenSpecial=/proc/kmsg"),
        ("mq-abs", "ListenMessageQueue=/sockunit-mq"), ("mq-relative", "ListenMessageQueue=mq"),
        ("usb-abs", "ListenUSBFunction=/run/sockunit-usb"),
        ("usb-relative", "ListenUSBFunction=usb"),
        ("netlink-nosuchfamily", "ListenNetlink=nosuchfamily 5"),
        ("netlink-route-5", "ListenNetlink=route 5"), ("netlink-route", "ListenNetlink=route"),
        ("netlink-audit", "ListenNetlink=audit 1"),
        ("netlink-neg-group", "ListenNetlink=kobject-uevent -1"),
        ("netlink-spaces", "ListenNetlink=  kobject-uevent  "),
        ("netlink-tab-group", "ListenNetlink=kobject-uevent\t10"),
        ("netlink-three-words", "ListenNetlink=route 5 6"),
        ("netlink-numeric", "ListenNetlink=0 1"),
        ("stream-empty-only", "ListenStream="),
    ]
    for label, line in L:
        sk("listen-" + label, line, line + "\n", listen=False)
    sk("listen-reset-then-new", "ListenStream=/a, ListenStream=, ListenDatagram=/b",
       "ListenStream=/run/sockunit-a.sock\nListenStream=\nListenDatagram=/run/sockunit-b.sock\n",
       listen=False)
    sk("listen-reset-cross-type", "ListenStream=/a then ListenFIFO= (empty resets every type)",
       "ListenStream=/run/sockunit-a.sock\nListenFIFO=\n", listen=False)
    sk("listen-one-bad-one-good", "ListenStream=junk then ListenStream=/run/x.sock",
       "ListenStream=junk\nListenStream=/run/sockunit-good.sock\n", listen=False)
    sk("listen-duplicate", "the same ListenStream= twice",
       "ListenStream=/run/sockunit-dup.sock\nListenStream=/run/sockunit-dup.sock\n", listen=False)
    sk("listen-continuation", "ListenStream= split with a continuation line",
       "ListenStream=/run/sockunit-\\\ncont.sock\n", listen=False)


def refusalcases():
    sk("verdict-refuse-no-listen", "no Listen*= at all", "Backlog=10\n", listen=False)
    sk("verdict-refuse-all-listen-bad", "every Listen*= rejected",
       "ListenStream=junk\nListenDatagram=127.0.0.1\n", listen=False)
    sk("verdict-refuse-accept-dgram", "Accept=yes with ListenDatagram",
       "ListenDatagram=/run/sockunit-d.sock\nAccept=yes\n", listen=False,
       svc=TRUE_SVC, svcname="t@.service")
    sk("verdict-refuse-accept-fifo", "Accept=yes with ListenFIFO",
       "ListenFIFO=/run/sockunit.fifo\nAccept=yes\n", listen=False, svcname="t@.service")
    sk("verdict-refuse-accept-mixed", "Accept=yes with ListenStream + ListenFIFO",
       "ListenFIFO=/run/sockunit.fifo\nAccept=yes\n", svcname="t@.service")
    sk("verdict-refuse-accept-netlink", "Accept=yes with ListenNetlink",
       "ListenNetlink=route 1\nAccept=yes\n", listen=False, svcname="t@.service")
    sk("verdict-refuse-accept-special", "Accept=yes with ListenSpecial",
       "ListenSpecial=/dev/null\nAccept=yes\n", listen=False, svcname="t@.service")
    sk("verdict-refuse-accept-service", "Accept=yes with Service=t.service",
       "Accept=yes\nService=t.service\n")
    sk("verdict-refuse-accept-maxconn0", "Accept=yes with MaxConnections=0",
       "Accept=yes\nMaxConnections=0\n", svcname="t@.service")
    sk("verdict-refuse-pam-killmode-process", "PAMName=login with KillMode=process",
       "PAMName=login\nKillMode=process\n")
    sk("verdict-refuse-symlinks-tcp", "Symlinks= on a TCP socket",
       "ListenStream=127.0.0.1:9004\nSymlinks=/run/sockunit-link\n", listen=False)
    sk("verdict-refuse-symlinks-two-nodes", "Symlinks= with two AF_UNIX paths",
       "ListenStream=/run/sockunit-b.sock\nSymlinks=/run/sockunit-link\n")
    sk("verdict-refuse-symlinks-unix-fifo", "Symlinks= with an AF_UNIX path and a FIFO",
       "ListenFIFO=/run/sockunit.fifo\nSymlinks=/run/sockunit-link\n")
    sk("verdict-refuse-symlinks-abstract", "Symlinks= on an abstract socket",
       "ListenStream=@sockunit-abs\nSymlinks=/run/sockunit-link\n", listen=False)
    sk("verdict-ok-symlinks-fifo", "Symlinks= with one FIFO (ok)",
       "ListenFIFO=/run/sockunit.fifo\nSymlinks=/run/sockunit-link\n", listen=False)
    sk("verdict-refuse-accept-plain-service", "Accept=yes with only t.service (t@internal.service)",
       "Accept=yes\n")
    sk("verdict-ok-accept-template", "Accept=yes with t@.service", "Accept=yes\n", svcname="t@.service")
    sk("verdict-ok-accept-seqpacket", "Accept=yes with ListenSequentialPacket + t@.service",
       "ListenSequentialPacket=/run/sockunit-seq.sock\nAccept=yes\n", listen=False,
       svcname="t@.service")
    sk("verdict-ok-accept-tcp-vsock", "Accept=yes with TCP + vsock + t@.service",
       "ListenStream=127.0.0.1:9005\nListenStream=vsock::1234\nAccept=yes\n",
       svcname="t@.service")
    sk("verdict-refuse-no-service", "no t.service at all", "Backlog=10\n", svc=None)
    sk("verdict-refuse-service-masked", "t.service is empty (masked)", "Backlog=10\n", svc="")
    sk("verdict-ok-service-other", "Service=other.service that exists", "Service=other.service\n",
       svcname="other.service")
    sk("verdict-refuse-service-other-missing", "Service=other.service missing, t.service present",
       "Service=other.service\n")
    sk("verdict-refuse-two-fatal", "Accept=yes + ListenDatagram + MaxConnections=0 + Service=",
       "ListenDatagram=/run/sockunit-d.sock\nAccept=yes\nMaxConnections=0\nService=t.service\n")
    sk("verdict-ok-accept-yes-then-no", "Accept=yes then Accept=no with ListenDatagram",
       "ListenDatagram=/run/sockunit-d.sock\nAccept=yes\nAccept=no\n", listen=False)
    sk("verdict-ok-accept-template-socket", "t@.socket (template socket, Accept=yes) + t@.service",
       "Accept=yes\n", sockname="t@.socket", svcname="t@.service")


def execcases():
    E = [
        ("relative", "bin/foo"), ("relative-dash", "-bin/foo"), ("dotslash", "./foo"),
        ("bare-missing", "nonexistent-binary-xyz"), ("bare-true", "true"),
        ("unbalanced", '/bin/echo "unterminated'), ("unbalanced-dash", '-/bin/echo "unterminated'),
        ("bangbang", "!!/bin/true"), ("at-no-argv0", "@/bin/echo"),
        ("dash-at-argv0", "-@/bin/echo zero"), ("semicolon", "/bin/true ; /bin/false"),
        ("semicolon-trailing", "/bin/true ;"), ("semicolon-escaped", "/bin/echo \\;"),
        ("semicolon-quoted", '/bin/echo ";"'), ("semicolon-unknown-esc", "/bin/echo \\;x"),
        ("plus-bang", "+!/bin/true"), ("bang-plus", "!+/bin/true"),
        ("double-backslash", "/bin/true\\\\"), ("escapes", "/bin/echo a\"b c\"d 'x'y \\x41\\101\\u00e9"),
        ("unknown-escape", "/bin/echo \\q"), ("specifier-n", "/bin/echo %n %p %i %% %%n"),
        ("specifier-z", "/bin/echo %z"), ("specifier-z-dash", "-/bin/echo %z"),
        ("nonexistent-abs", "/nonexistent/bin"), ("nonexistent-abs-dash", "-/nonexistent/bin"),
        ("directory-slash", "/tmp/"), ("directory", "/tmp"), ("dotdot", "/bin/.."),
        ("double-dash", "--/bin/true"), ("dash-space", "- /bin/true"), ("lone-dash", "-"),
        ("colon-prefix", ":/bin/echo $X"), ("pipe-prefix-v258", "|/bin/true"),
        ("empty", ""), ("slashes", "/bin///true"), ("quoted-path", '"/bin/true"'),
        ("special-char", "/bin/tr\\x07ue"), ("dollar-path", "$FOO arg"),
        ("percent-trailing", "/bin/echo 100%"),
    ]
    for label, cmd in E:
        sk("exec-" + label, f"ExecStartPre={cmd}", f"ExecStartPre={cmd}\n")
    sk("exec-startpost-relative", "ExecStartPost=bin/foo", "ExecStartPost=bin/foo\n")
    sk("exec-stoppre-missing", "ExecStopPre=nonexistent-binary-xyz",
       "ExecStopPre=nonexistent-binary-xyz\n")
    sk("exec-stoppost-unbalanced", "ExecStopPost=/bin/echo 'x", "ExecStopPost=/bin/echo 'x\n")
    sk("exec-reset", "ExecStartPre=bin/foo then ExecStartPre= (parse error is still fatal)",
       "ExecStartPre=bin/foo\nExecStartPre=\n")
    sk("exec-continuation", "ExecStartPre= over two lines with a continuation",
       "ExecStartPre=/bin/echo a \\\n  b c\n")
    sk("exec-trailing-backslash", "ExecStartPre=/bin/true\\ as the last line (continuation at EOF)",
       "ExecStartPre=/bin/true\\\n")


def servicecases():
    S = [
        ("type-weird", "[Service]\nType=weird\nExecStart=/bin/true\n"),
        ("oneshot-two-execstart", "[Service]\nType=oneshot\nExecStart=/bin/true\nExecStart=/bin/true\n"),
        ("simple-two-execstart", "[Service]\nExecStart=/bin/true\nExecStart=/bin/true\n"),
        ("restart-sometimes", "[Service]\nRestart=sometimes\nExecStart=/bin/true\n"),
        ("oneshot-restart-always", "[Service]\nType=oneshot\nRestart=always\nExecStart=/bin/true\n"),
        ("oneshot-restart-onsuccess", "[Service]\nType=oneshot\nRestart=on-success\nExecStart=/bin/true\n"),
        ("oneshot-restart-onfailure", "[Service]\nType=oneshot\nRestart=on-failure\nExecStart=/bin/true\n"),
        ("timeoutstart-abc", "[Service]\nTimeoutStartSec=abc\nExecStart=/bin/true\n"),
        ("execstart-dollar", "[Service]\nExecStart=$FOO arg\n"),
        ("no-execstart", "[Service]\nType=simple\n"),
        ("oneshot-no-execstart", "[Service]\nType=oneshot\n"),
        ("oneshot-rae-no-execstart", "[Service]\nType=oneshot\nRemainAfterExit=yes\n"),
        ("execstop-only", "[Service]\nExecStop=/bin/true\n"),
        ("successaction-only", "[Unit]\nSuccessAction=exit\n[Service]\nType=oneshot\n"),
        ("successaction-in-service", "[Service]\nSuccessAction=exit\nType=oneshot\n"),
        ("rae-maybe", "[Service]\nRemainAfterExit=maybe\nExecStart=/bin/true\n"),
        ("pidfile-relative", "[Service]\nType=forking\nPIDFile=relative.pid\nExecStart=/bin/true\n"),
        ("user-slash", "[Service]\nUser=a/b\nExecStart=/bin/true\n"),
        ("user-relaxed", "[Service]\nUser=-bad!user\nExecStart=/bin/true\n"),
        ("group-colon", "[Service]\nGroup=a:b\nExecStart=/bin/true\n"),
        ("workdir-relative", "[Service]\nWorkingDirectory=relative\nExecStart=/bin/true\n"),
        ("workdir-dash-relative", "[Service]\nWorkingDirectory=-relative\nExecStart=/bin/true\n"),
        ("workdir-tilde", "[Service]\nWorkingDirectory=~\nExecStart=/bin/true\n"),
        ("env-invalid", '[Service]\nEnvironment=A=1 "B=2 3" C\nExecStart=/bin/true\n'),
        ("env-badname", "[Service]\nEnvironment=bad-name=1\nExecStart=/bin/true\n"),
        ("envfile-relative", "[Service]\nEnvironmentFile=relative\nExecStart=/bin/true\n"),
        ("envfile-dash-missing", "[Service]\nEnvironmentFile=-/nonexistent/env\nExecStart=/bin/true\n"),
        ("killmode-gentle", "[Service]\nKillMode=gentle\nExecStart=/bin/true\n"),
        ("killsignal-foo", "[Service]\nKillSignal=SIGFOO\nExecStart=/bin/true\n"),
        ("killsignal-9", "[Service]\nKillSignal=9\nExecStart=/bin/true\n"),
        ("sendsigkill-perhaps", "[Service]\nSendSIGKILL=perhaps\nExecStart=/bin/true\n"),
        ("successexit-foo", "[Service]\nSuccessExitStatus=foo\nExecStart=/bin/true\n"),
        ("successexit-mixed", "[Service]\nSuccessExitStatus=1 2 SIGKILL\nExecStart=/bin/true\n"),
        ("nonblocking-maybe", "[Service]\nNonBlocking=maybe\nExecStart=/bin/true\n"),
        ("stdin-socket", "[Service]\nStandardInput=socket\nExecStart=/bin/true\n"),
        ("stdin-bogus", "[Service]\nStandardInput=bogus\nExecStart=/bin/true\n"),
        ("stdout-file-relative", "[Service]\nStandardOutput=file:relative\nExecStart=/bin/true\n"),
        ("type-dbus-no-busname", "[Service]\nType=dbus\nExecStart=/bin/true\n"),
        ("exittype-cgroup-oneshot", "[Service]\nType=oneshot\nExitType=cgroup\nExecStart=/bin/true\n"),
        ("type-notify", "[Service]\nType=notify\nExecStart=/bin/true\n"),
        ("restartsec-xyz", "[Service]\nRestartSec=xyz\nExecStart=/bin/true\n"),
        ("watchdog-abc", "[Service]\nWatchdogSec=abc\nExecStart=/bin/true\n"),
        ("dynamicuser-maybe", "[Service]\nDynamicUser=maybe\nExecStart=/bin/true\n"),
        ("rootdir-relative", "[Service]\nRootDirectory=relative\nExecStart=/bin/true\n"),
        ("limitnofile-abc", "[Service]\nLimitNOFILE=abc\nExecStart=/bin/true\n"),
        ("nice-100", "[Service]\nNice=100\nExecStart=/bin/true\n"),
        ("umask-999", "[Service]\nUMask=999\nExecStart=/bin/true\n"),
        ("cpuquota-abc", "[Service]\nCPUQuota=abc\nExecStart=/bin/true\n"),
        ("memorymax-abc", "[Service]\nMemoryMax=abc\nExecStart=/bin/true\n"),
        ("slice-not-slice", "[Service]\nSlice=foo.service\nExecStart=/bin/true\n"),
        ("notifyaccess-bogus", "[Service]\nNotifyAccess=bogus\nExecStart=/bin/true\n"),
        ("sockets-missing", "[Service]\nSockets=nonexistent-xyz.socket\nExecStart=/bin/true\n"),
        ("sockets-badname", "[Service]\nSockets=bad!name.socket\nExecStart=/bin/true\n"),
        ("execstart-relative", "[Service]\nExecStart=bin/foo\n"),
        ("execstart-dash-relative", "[Service]\nExecStart=-bin/foo\n"),
        ("execstart-missing-abs", "[Service]\nExecStart=/nonexistent/bin\n"),
        ("execreload-missing", "[Service]\nExecStart=/bin/true\nExecReload=nonexistent-binary-xyz\n"),
        ("execcondition-relative", "[Service]\nExecCondition=bin/foo\nExecStart=/bin/true\n"),
        ("service-in-socket-section", "[Socket]\nListenStream=/run/x.sock\n[Service]\nExecStart=/bin/true\n"),
    ]
    for label, body in S:
        desc = " + ".join(l for l in body.splitlines() if not l.startswith("["))
        sv("svc-" + label, f"{label}: {desc}", body)


def unitcases():
    U = [
        ("requires-missing", "Requires=nonexistent-xyz.service"),
        ("requires-missing-target", "Requires=nonexistent-xyz.target"),
        ("wants-missing", "Wants=nonexistent-xyz.service"),
        ("after-missing", "After=nonexistent-xyz.service"),
        ("bindsto-missing", "BindsTo=nonexistent-xyz.service"),
        ("requisite-missing", "Requisite=nonexistent-xyz.service"),
        ("requires-badname", "Requires=bad!name.service"),
        ("requires-existing", "Requires=t.service"),
        ("wants-specifier", "Wants=%p-extra.service"),
        ("defaultdeps-maybe", "DefaultDependencies=maybe"),
        ("startlimitburst-x", "StartLimitBurst=x"),
        ("startlimitinterval-abc", "StartLimitIntervalSec=abc"),
        ("description-specifiers", "Description=%n %N %p %i %%"),
        ("description-bad-specifier", "Description=foo %z bar"),
        ("documentation-notaurl", "Documentation=notaurl"),
        ("documentation-man", "Documentation=man:foo(1) https://example.org/"),
        ("condpathexists-relative", "ConditionPathExists=relative"),
        ("condpathexists-negated", "ConditionPathExists=!/nonexistent-xyz"),
        ("condarch-bogus", "ConditionArchitecture=bogus"),
        ("condsecurity-bogus", "ConditionSecurity=bogus"),
        ("condvirt-bogus", "ConditionVirtualization=bogus"),
        ("condcapability-bogus", "ConditionCapability=CAP_BOGUS"),
        ("condkcmdline-empty", "ConditionKernelCommandLine="),
        ("assertpathexists-relative", "AssertPathExists=relative"),
        ("onfailure-badname", "OnFailure=bad name"),
        ("onfailure-missing", "OnFailure=nonexistent-xyz.service"),
        ("conflicts-missing", "Conflicts=nonexistent-xyz.service"),
        ("jobtimeout-abc", "JobTimeoutSec=abc"),
        ("jobtimeoutaction-bogus", "JobTimeoutAction=bogus"),
        ("failureaction-bogus", "FailureAction=bogus"),
        ("collectmode-bogus", "CollectMode=bogus"),
        ("refusemanualstart-maybe", "RefuseManualStart=maybe"),
        ("partof-badname", "PartOf=bad!name"),
        ("requiresmountsfor-relative", "RequiresMountsFor=relative"),
        ("sourcepath-relative", "SourcePath=relative"),
        ("stopwhenunneeded-x", "StopWhenUnneeded=x"),
        ("unknown-key", "Frobnicate=yes"),
    ]
    for label, line in U:
        sk("unit-" + label, line, "", unit=line + "\n")
    I = [
        ("wantedby-missing", "WantedBy=nonexistent.target"),
        ("alias-badname", "Alias=bad name"),
        ("alias-wrongtype", "Alias=foo.service"),
        ("also-missing", "Also=nonexistent-xyz.service"),
        ("requiredby-missing", "RequiredBy=nonexistent.target"),
        ("defaultinstance", "DefaultInstance=x"),
        ("unknown-key", "Frobnicate=yes"),
    ]
    for label, line in I:
        m("install-" + label, {
            "t.socket": f"# case: [Install] {line}\n[Socket]\n"
                        f"ListenStream=/run/sockunit-install-{label}.sock\n[Install]\n{line}\n",
            "t.service": f"# case: [Install] {line} (companion service)\n" + TRUE_SVC})


def hostmut(label, desc, sock, edit, line=None, svc=None, base=SYS, keep_service=True):
    """mutate a copy of host socket `sock`: edit='append' adds `line` at the end of [Socket],
    'replace:PREFIX' replaces the first line starting with PREFIX by `line` (None deletes)."""
    p = base / sock
    text = read(p.resolve())
    lines = text.splitlines()
    if edit == "append":
        # end of the [Socket] section
        idx = None
        in_sock = False
        for i, l in enumerate(lines):
            if l.strip().startswith("["):
                if in_sock:
                    idx = i
                    break
                in_sock = l.strip() == "[Socket]"
        if idx is None:
            idx = len(lines)
        # skip back over blank lines at the end of the section
        while idx > 0 and lines[idx - 1].strip() == "":
            idx -= 1
        lines.insert(idx, line)
    elif edit.startswith("replace:"):
        pre = edit[len("replace:"):]
        for i, l in enumerate(lines):
            if l.startswith(pre):
                if line is None:
                    del lines[i]
                else:
                    lines[i] = line
                break
        else:
            raise SystemExit(f"{label}: no line starting with {pre!r} in {p}")
    files = {sock: f"# case: {desc}\n" + "\n".join(lines) + "\n"}
    svcname = svc or socket_service(p)
    if keep_service and (base / svcname).exists():
        files[svcname] = read((base / svcname).resolve())
    m("host-" + label, files)


def hostmutcases():
    D = "dbus.socket"
    hostmut("dbus-backlog-abc", "dbus.socket + Backlog=abc", D, "append", "Backlog=abc")
    hostmut("dbus-accept-yes", "dbus.socket + Accept=yes (no dbus@.service)", D, "append",
            "Accept=yes")
    hostmut("dbus-listen-reset", "dbus.socket + ListenStream= (reset)", D, "append", "ListenStream=")
    hostmut("dbus-listen-tcp", "dbus.socket ListenStream= replaced by 127.0.0.1", D,
            "replace:ListenStream=", "ListenStream=127.0.0.1")
    hostmut("dbus-symlinks", "dbus.socket + Symlinks=/run/dbus-link (one node, ok)", D, "append",
            "Symlinks=/run/dbus-link")
    hostmut("dbus-socketuser-bad", "dbus.socket + SocketUser=a/b", D, "append", "SocketUser=a/b")
    hostmut("dbus-no-service", "dbus.socket without dbus.service copy (host's is used)", D,
            "append", "Backlog=16", keep_service=False)
    J = "systemd-journald.socket"
    hostmut("journald-accept-yes", "systemd-journald.socket + Accept=yes (datagram + Service=)", J,
            "append", "Accept=yes")
    hostmut("journald-timestamping-bad", "systemd-journald.socket Timestamping=maybe", J,
            "replace:Timestamping=", "Timestamping=maybe")
    hostmut("journald-rcvbuf-bad", "systemd-journald.socket ReceiveBuffer=8Q", J,
            "replace:ReceiveBuffer=", "ReceiveBuffer=8Q")
    hostmut("journald-service-target", "systemd-journald.socket Service=journald.target", J,
            "replace:Service=", "Service=journald.target")
    hostmut("journald-no-dgram", "systemd-journald.socket without its ListenDatagram=", J,
            "replace:ListenDatagram=", None)
    DL = "systemd-journald-dev-log.socket"
    hostmut("devlog-second-listen", "dev-log socket + second ListenDatagram (Symlinks: 2 nodes)",
            DL, "append", "ListenDatagram=/run/systemd/journal/dev-log2")
    hostmut("devlog-symlinks-reset", "dev-log socket + Symlinks= (reset)", DL, "append",
            "Symlinks=")
    I = "systemd-initctl.socket"
    hostmut("initctl-second-fifo", "initctl socket + second ListenFIFO (Symlinks: 2 nodes)", I,
            "append", "ListenFIFO=/run/initctl2")
    hostmut("initctl-pipesize-neg", "initctl socket + PipeSize=-1", I, "append", "PipeSize=-1")
    hostmut("initctl-accept", "initctl socket + Accept=yes (FIFO)", I, "append", "Accept=yes")
    hostmut("initctl-fifo-relative", "initctl socket ListenFIFO=run/initctl (relative)", I,
            "replace:ListenFIFO=", "ListenFIFO=run/initctl")
    N = "systemd-networkd.socket"
    hostmut("networkd-netlink-bad", "networkd socket ListenNetlink=nosuchfamily 1361", N,
            "replace:ListenNetlink=", "ListenNetlink=nosuchfamily 1361")
    hostmut("networkd-netlink-route5", "networkd socket ListenNetlink=route 5", N,
            "replace:ListenNetlink=", "ListenNetlink=route 5")
    hostmut("networkd-passpktinfo-bad", "networkd socket PassPacketInfo=maybe", N,
            "replace:PassPacketInfo=", "PassPacketInfo=maybe")
    R = "systemd-rfkill.socket"
    hostmut("rfkill-accept", "rfkill socket + Accept=yes (special)", R, "append", "Accept=yes")
    hostmut("rfkill-writable-bad", "rfkill socket Writable=maybe", R, "replace:Writable=",
            "Writable=maybe")
    hostmut("rfkill-special-relative", "rfkill socket ListenSpecial=dev/rfkill", R,
            "replace:ListenSpecial=", "ListenSpecial=dev/rfkill")
    F = "systemd-fsckd.socket"
    hostmut("fsckd-accept", "fsckd socket + Accept=yes (no systemd-fsckd@.service)", F, "append",
            "Accept=yes")
    hostmut("fsckd-socketmode-bad", "fsckd socket SocketMode=0999", F, "replace:SocketMode=",
            "SocketMode=0999")
    S = "syslog.socket"
    hostmut("syslog-service-journald", "syslog.socket + Service=systemd-journald.service", S,
            "append", "Service=systemd-journald.service", svc="systemd-journald.service")
    G = "gpg-agent.socket"
    if (USR / G).exists():
        hostmut("gpg-agent-fdname-bad", "user gpg-agent.socket FileDescriptorName=st:d", G,
                "replace:FileDescriptorName=", "FileDescriptorName=st:d", base=USR)
        hostmut("gpg-agent-runtime-spec", "user gpg-agent.socket ListenStream=%t/%z", G,
                "replace:ListenStream=", "ListenStream=%t/gnupg/%z", base=USR)


def mutation_cases():
    keycases()
    listencases()
    refusalcases()
    execcases()
    servicecases()
    unitcases()
    hostmutcases()
    for i, (label, files) in enumerate(M, 1):
        add(f"m{i:03d}-{label}"[:60], files)


def main(argv):
    host_cases()
    mutation_cases()
    names = [n for n, _ in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    if "--list" in argv:
        print("\n".join(names))
        return
    keep = {}
    for d in list(OUT.glob("h[0-9][0-9][0-9]-*")) + list(OUT.glob("m[0-9][0-9][0-9]-*")):
        e = d / "expected.json"
        if e.exists():
            keep[d.name] = e.read_bytes()
        shutil.rmtree(d)
    n = 0
    for name, files in CASES:
        if name in DROPPED:
            continue
        d = OUT / name
        d.mkdir()
        for fn, content in files.items():
            if isinstance(content, tuple):
                (d / fn).symlink_to(content[1])
            else:
                (d / fn).write_text(content, encoding="utf-8")
        if name in keep:
            (d / "expected.json").write_bytes(keep[name])
        n += 1
    print(f"{n} cases written")


if __name__ == "__main__":
    main(sys.argv[1:])
