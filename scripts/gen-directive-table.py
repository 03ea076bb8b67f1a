#!/usr/bin/env python3
"""Regenerates src/config/directive_table.rs from a clone of systemd's repository.

Two tables, both facts read from systemd (its directive lists and man pages); the output is
our own table:

- DIRECTIVE_TABLE: for every key systemd 252 accepts in [Unit], [Install], [Socket] and
  [Service], the name of the parser systemd uses for it and the parser's `ltype` argument
  (src/core/load-fragment-gperf.gperf.in at tag v252, compile-time branches as Debian 12
  builds them: seccomp, PAM, SELinux, AppArmor and SMACK enabled).
- KEY_HISTORY: every key of those sections in any release FIRST..LAST, with the release that
  added it and its parser from release to release. Which keys exist in which release comes
  from diffing the directive lists of the tags vFIRST..vLAST (the reliable source: a key is
  known to release N exactly when N's list has it; keys later dropped to
  config_parse_warn_compat show up as a parser change). For keys already in vFIRST, the
  release that added them comes from the newest man pages' "Added in version N" markers
  (`<xi:include href="version-info.xml" xpointer="vN"/>`) where they have one, else 0
  ("at or before vFIRST").

usage: scripts/gen-directive-table.py SYSTEMD_GIT_DIR > src/config/directive_table.rs
Summary figures go to stderr.
"""
import re
import subprocess
import sys

SECTIONS = ("Unit", "Install", "Socket", "Service")
FIRST, LAST = 250, 261
MAN_PAGES = ("socket", "service", "unit", "exec", "resource-control", "kill")

git_dir = sys.argv[1]


def show(tag, path):
    return subprocess.run(["git", "-C", git_dir, "show", f"{tag}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def directive_rows(tag):
    """(section, key) -> (parser, ltype) of one release's directive list."""
    text = show(tag, "src/core/load-fragment-gperf.gperf.in")
    # Keep the first branch of every {% if %}…{% else %}…{% endif %} (all features enabled).
    text = re.sub(r"\{%-? *if [^%]*%\}(.*?)(?:\{%-? *else *-?%\}.*?)?\{%-? *endif *-?%\}",
                  lambda m: m.group(1), text, flags=re.S)
    macros = {m.group(1): m.group(2) for m in re.finditer(
        r"\{%-? *macro (\w+)\(type\) *-?%\}(.*?)\{%-? *endmacro *-?%\}", text, re.S)}
    body = re.sub(r"\{%-? *macro.*?endmacro *-?%\}", "", text, flags=re.S)
    body = re.sub(r"\{\{ *(\w+)\(['\"](\w+)['\"]\) *\}\}",
                  lambda m: macros[m.group(1)].replace("{{type}}", m.group(2)), body)
    rows = {}
    for line in body.splitlines():
        m = re.match(r"^(\w+)\.([\w-]+)\s*,\s*(\w+)\s*,\s*([^,]+),", line.strip())
        if m and m.group(1) in SECTIONS:
            section, key, parser, ltype = m.groups()
            rows.setdefault((section, key), (parser, ltype.strip()))
    return rows


def man_versions(tag):
    """key -> the "Added in version N" of its own man page entry (the smallest if several)."""
    found = {}
    for page in MAN_PAGES:
        s = show(tag, f"man/systemd.{page}.xml")
        stack = []
        for m in re.finditer(r"<varlistentry\b[^>]*>|</varlistentry>", s):
            if not m.group(0).startswith("</"):
                stack.append(m.end())
                continue
            body = s[stack.pop():m.start()]
            terms = re.findall(r"<term>(.*?)</term>", body.split("<listitem>")[0], re.S)
            keys = [k for t in terms for k in re.findall(r"<varname>([A-Za-z0-9]+)=</varname>", t)]
            # The entry's own marker, not those of entries nested in it.
            own = body
            while True:
                stripped = re.sub(r"<varlistentry\b(?:(?!<varlistentry\b).)*?</varlistentry>", "",
                                  own, flags=re.S)
                if stripped == own:
                    break
                own = stripped
            versions = [int(v) for v in re.findall(r'xpointer="v(\d+)"', own)]
            # An entry for several keys carries the oldest one's release: not a fact about
            # the others (RuntimeDirectory= is v211, StateDirectory= in the same entry v235).
            if versions and len(keys) == 1:
                for k in keys:
                    found[k] = min(found.get(k, 10**6), min(versions))
    return found


current = directive_rows("v252")
releases = list(range(FIRST, LAST + 1))
by_release = {n: directive_rows(f"v{n}") for n in releases}
man = man_versions(f"v{LAST}")

history = {}
added = {}
conflicts = []
for key in sorted(set().union(*by_release.values())):
    changes = []
    for n in releases:
        entry = by_release[n].get(key, ("", ""))
        if not changes or changes[-1][1:] != entry:
            if changes or entry != ("", ""):
                changes.append((n,) + entry)
    history[key] = changes
    first = changes[0][0]
    if first > FIRST:
        added[key] = first
        if key[1] in man and man[key[1]] != first:
            conflicts.append((key, first, man[key[1]]))
    elif key[1] in man and man[key[1]] <= FIRST:
        added[key] = man[key[1]]
    else:
        if key[1] in man:
            conflicts.append((key, f"<={FIRST}", man[key[1]]))
        added[key] = 0

print("//! GENERATED by scripts/gen-directive-table.py from systemd's directive lists (tags")
print(f"//! v{FIRST}..v{LAST}) and man pages; do not edit. For each key: the systemd parser that reads it")
print("//! and that parser's `ltype` argument, and the release that added it.")
print()
print(f"/// The oldest systemd release [`KEY_HISTORY`] covers.")
print(f"pub const FIRST_RELEASE: u16 = {FIRST};")
print(f"/// The newest systemd release [`KEY_HISTORY`] covers.")
print(f"pub const LAST_RELEASE: u16 = {LAST};")
print()
print("/// (section, key, systemd parser, ltype) of systemd 252, sorted by section then key.")
print("#[rustfmt::skip]")
print("pub const DIRECTIVE_TABLE: &[(&str, &str, &str, &str)] = &[")
for (section, key), (parser, ltype) in sorted(current.items()):
    print(f'    ("{section}", "{key}", "{parser}", "{ltype}"),')
print("];")
print()
print("/// One row of [`KEY_HISTORY`]: (section, key, added, changes).")
print("pub type KeyHistory = (")
print("    &'static str,")
print("    &'static str,")
print("    u16,")
print("    &'static [(u16, &'static str, &'static str)],")
print(");")
print()
print("/// Every key of any release from [`FIRST_RELEASE`] to [`LAST_RELEASE`], sorted by section")
print("/// then key: (section, key, added, changes). `added` is the release that added the key (from")
print("/// the directive lists after [`FIRST_RELEASE`]; from the man pages' \"Added in version N\"")
print("/// before; 0 when neither says: at or before [`FIRST_RELEASE`]). `changes` are (release,")
print("/// parser, ltype) from that release on; an empty parser means the key is not known.")
print("#[rustfmt::skip]")
print("pub const KEY_HISTORY: &[KeyHistory] = &[")
for (section, key), changes in sorted(history.items()):
    ch = ", ".join(f'({n}, "{p}", "{l}")' for n, p, l in changes)
    print(f'    ("{section}", "{key}", {added[(section, key)]}, &[{ch}]),')
print("];")

n252 = len(current)
newer = sum(1 for k, c in history.items() if c[0][0] > 252)
older = sum(1 for k, c in history.items() if k in current and c[0][0] <= 252)
changed = sum(1 for k in current if any(n > 252 for n, _, _ in history[k][1:]))
dated = sum(1 for v in added.values() if v)
print(f"{len(history)} keys in v{FIRST}..v{LAST}; {n252} in v252; {newer} added after 252; "
      f"{changed} of 252's change parser later; {dated} with a known 'added' release; "
      f"{len(conflicts)} man/list conflicts (list wins): {conflicts}", file=sys.stderr)
