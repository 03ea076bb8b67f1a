#!/usr/bin/env python3
"""Probe service for the runtime tests: records what it was started with, then acts.

probe.py OUT MODE...
  Appends one JSON line to OUT: pid, LISTEN_* variables, open fds (excluding the one used
  for listing), their flags, the signal mask, argv, selected environment.
MODE:
  report          exit 0 at once
  exit:N          exit N
  sleep:N         sleep N seconds, then exit 0
  ignore-term:N   ignore SIGTERM, sleep N seconds
  accept:N        accept one connection on fd 3, send "pid PID\\n", close, exit N
  serve           accept connections on fd 3 forever, answering "pid PID\\n" to each
  echo            (inetd mode) copy stdin to stdout until EOF
  hold:N          read stdin until EOF or N seconds, then exit 0
"""
import fcntl
import json
import os
import signal
import socket
import sys
import time


def open_fds():
    names = os.listdir("/proc/self/fd")
    fds = []
    for n in names:
        fd = int(n)
        try:
            os.fstat(fd)
        except OSError:
            continue  # the directory fd used for the listing, already closed
        fds.append(fd)
    return sorted(fds)


def flags(fd):
    return {
        "cloexec": bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC),
        "nonblock": bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK),
        "target": os.readlink(f"/proc/self/fd/{fd}"),
    }


def status_field(name):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split()[1]
    return None


def main():
    out, modes = sys.argv[1], sys.argv[2:] or ["report"]
    fds = open_fds()
    record = {
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "pgid": os.getpgid(0),
        "LISTEN_PID": os.environ.get("LISTEN_PID"),
        "LISTEN_FDS": os.environ.get("LISTEN_FDS"),
        "LISTEN_FDNAMES": os.environ.get("LISTEN_FDNAMES"),
        "REMOTE_ADDR": os.environ.get("REMOTE_ADDR"),
        "REMOTE_PORT": os.environ.get("REMOTE_PORT"),
        "MAINPID": os.environ.get("MAINPID"),
        "fds": fds,
        "fd_flags": {str(fd): flags(fd) for fd in fds if fd >= 3},
        "stdin": os.readlink("/proc/self/fd/0") if 0 in fds else None,
        "sigblk": status_field("SigBlk"),
        "sigign": status_field("SigIgn"),
        "argv": sys.argv,
        "cwd": os.getcwd(),
    }
    with open(out, "a") as f:
        f.write(json.dumps(record) + "\n")
    for mode in modes:
        act(mode)


def act(mode):
    kind, _, arg = mode.partition(":")
    if kind == "report":
        return
    if kind == "exit":
        sys.stdout.flush()
        os._exit(int(arg))
    if kind == "sleep":
        time.sleep(float(arg))
    elif kind == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(float(arg))
    elif kind == "accept":
        s = socket.socket(fileno=3)
        s.setblocking(True)
        c, _ = s.accept()
        c.sendall(b"pid %d\n" % os.getpid())
        c.close()
        os._exit(int(arg))
    elif kind == "serve":
        s = socket.socket(fileno=3)
        s.setblocking(True)
        while True:
            c, _ = s.accept()
            c.sendall(b"pid %d\n" % os.getpid())
            c.close()
    elif kind == "echo":
        while True:
            data = os.read(0, 4096)
            if not data:
                break
            os.write(1, data)
    elif kind == "hold":
        signal.signal(signal.SIGALRM, lambda *_: os._exit(0))
        signal.alarm(int(arg))
        while os.read(0, 4096):
            pass


if __name__ == "__main__":
    main()
