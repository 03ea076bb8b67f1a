//! Throughput of the syntax layer on one large generated unit file (~8 MB).
//!
//! - `syntax/parse_all_sections`: `syntax::parse` with no section list (grammar + lowering).
//! - `syntax/parse_socket_sections`: the same with a socket unit's section list.
//! - `syntax/grammar_only`: pest's `file` rule alone, walking every pair: the rest of
//!   `parse_all_sections` is the lowering.
//!
//! Run with `cargo bench --bench syntax` or `scripts/bench-syntax.sh`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pest::Parser;
use sockunit::source::Source;
use sockunit::syntax::{self, grammar::Rule, grammar::UnitGrammar};

/// Size of the generated file.
const TARGET_BYTES: usize = 8 * 1024 * 1024;

const SOCKET_SECTIONS: &[&str] = &["Unit", "Socket", "Install"];

/// A small deterministic generator (xorshift64*), so every run parses the same file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const UNIT_KEYS: &[&str] = &[
    "Description",
    "Documentation",
    "Before",
    "After",
    "Wants",
    "Requires",
    "PartOf",
    "Conflicts",
    "DefaultDependencies",
    "ConditionPathExists",
];
const SOCKET_KEYS: &[&str] = &[
    "ListenStream",
    "ListenDatagram",
    "ListenSequentialPacket",
    "ListenFIFO",
    "Accept",
    "SocketMode",
    "SocketUser",
    "DirectoryMode",
    "Backlog",
    "BindIPv6Only",
    "MaxConnections",
    "KeepAlive",
    "ReceiveBuffer",
    "SendBuffer",
    "PassCredentials",
    "Service",
    "ExecStartPre",
    "ExecStartPost",
    "FileDescriptorName",
    "RemoveOnStop",
    "Symlinks",
    "TriggerLimitIntervalSec",
];
const INSTALL_KEYS: &[&str] = &["WantedBy", "RequiredBy", "Also", "Alias"];
const WORDS: &[&str] = &[
    "/run/foo.sock",
    "0.0.0.0:8080",
    "[::]:443",
    "yes",
    "no",
    "0660",
    "sockets.target",
    "network.target",
    "foo.service",
    "%n",
    "/usr/bin/env",
    "--verbose",
    "-c",
    "/etc/foo/foo.conf",
    "Daemon",
    "socket",
    "for",
    "the",
    "é-variant",
    "\"quoted words\"",
    "128",
];
const COMMENTS: &[&str] = &[
    "# SPDX-License-Identifier: LGPL-2.1-or-later",
    "#  This file is part of a generated benchmark input.",
    "; a semicolon comment",
    "# See systemd.socket(5) for details.",
    "#ListenStream=/run/old.sock",
];

/// A value of 1 to ~40 words; about one in twelve is continued over several physical lines.
fn value(rng: &mut Rng, out: &mut String) {
    let words = match rng.below(10) {
        0..=5 => 1,
        6..=8 => 2 + rng.below(5),
        _ => 8 + rng.below(32),
    };
    let continued = words > 3 && rng.chance(30);
    for i in 0..words {
        if i > 0 {
            if continued && rng.chance(25) {
                out.push_str(" \\\n    ");
            } else {
                out.push(' ');
            }
        }
        out.push_str(rng.pick(WORDS));
    }
}

/// One socket unit's worth of text: comments, sections, assignments and blank lines.
fn unit(rng: &mut Rng, out: &mut String) {
    for _ in 0..rng.below(4) {
        out.push_str(rng.pick(COMMENTS));
        out.push('\n');
    }
    out.push('\n');
    for (section, keys, count) in [
        ("[Unit]", UNIT_KEYS, 1 + rng.below(5)),
        ("[Socket]", SOCKET_KEYS, 2 + rng.below(10)),
        ("[X-Vendor]", UNIT_KEYS, usize::from(rng.chance(10))),
        ("[Install]", INSTALL_KEYS, rng.below(3)),
    ] {
        if count == 0 {
            continue;
        }
        out.push_str(section);
        out.push('\n');
        for _ in 0..count {
            if rng.chance(10) {
                out.push_str(rng.pick(COMMENTS));
                out.push('\n');
            }
            out.push_str(rng.pick(keys));
            out.push_str(if rng.chance(90) { "=" } else { " = " });
            value(rng, out);
            out.push('\n');
        }
        out.push('\n');
    }
}

/// The benchmark input: socket units concatenated up to [`TARGET_BYTES`].
fn generate() -> String {
    let mut rng = Rng(0x5eed_0f50_c4e7);
    let mut out = String::with_capacity(TARGET_BYTES + 4096);
    while out.len() < TARGET_BYTES {
        unit(&mut rng, &mut out);
    }
    out
}

fn bench(c: &mut Criterion) {
    let text = generate();
    let source = Source::new("bench.socket", text.into_bytes());

    // Sanity: the generated file parses without whole-file failure and has many assignments.
    let mut sink = Vec::new();
    let file = syntax::parse(&source, None, &mut sink);
    assert!(file.failure.is_none(), "generated input failed: {sink:?}");
    eprintln!(
        "input: {} bytes, {} assignments, {} diagnostics",
        source.text().len(),
        file.assignments.len(),
        sink.len()
    );

    let mut group = c.benchmark_group("syntax");
    group.throughput(Throughput::Bytes(source.text().len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));

    group.bench_function("parse_all_sections", |b| {
        b.iter(|| {
            let mut sink = Vec::new();
            black_box(syntax::parse(black_box(&source), None, &mut sink))
        })
    });
    group.bench_function("parse_socket_sections", |b| {
        b.iter(|| {
            let mut sink = Vec::new();
            black_box(syntax::parse(
                black_box(&source),
                Some(SOCKET_SECTIONS),
                &mut sink,
            ))
        })
    });
    group.bench_function("grammar_only", |b| {
        b.iter(|| {
            let pairs = UnitGrammar::parse(Rule::file, black_box(source.text()));
            let count = pairs.map_or(0, |p| p.flatten().count());
            black_box(count)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
