#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 The Mortar developers
# SPDX-License-Identifier: MIT
"""Writes a Mortar trace file (docs/trace-format.md, version 1) of a close, for measuring and
looking at mortar-inspector without having to run an app with half a million handlers.

  gen-close-trace.py OUT.jsonl [--handlers N] [--logs N] [--hard] [--slower PERCENT]

  --handlers N   pre_close handlers (default 500 000: with their begin/end, a 1 000 000-event
                 close)
  --logs N       log events of the run phase before the close (a long-running app's trace)
  --hard         the close a developer dreads: started by SIGTERM, 300 handlers of five
                 plugins, a slow one (450 ms), two failures, an asynchronous handler that times
                 out, and a handler that hangs until the watchdog kills the process 1459 ms into
                 the close (exit code 124)
  --slower P     every handler takes P % longer (for --compare)
  --fail NAME    this handler fails (for --compare)
  --ok NAME      this handler of --hard does not fail (for --compare)

Handler names are unique ("plugin3: flush 1234"), as in a real app, so the inspector cannot
get away with a lookup by name.
"""
import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--handlers", type=int, default=500_000)
    parser.add_argument("--logs", type=int, default=0)
    parser.add_argument("--hard", action="store_true")
    parser.add_argument("--slower", type=float, default=0.0)
    parser.add_argument("--fail", default="")
    parser.add_argument("--ok", default="")
    args = parser.parse_args()

    plugins = ["network", "storage", "telemetry", "session", "ui"]
    seq = 0
    t = 0
    lines = []
    dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

    def emit(kind, **fields):
        nonlocal seq
        event = {"seq": seq, "t": t, "thread": fields.pop("thread", 1), "kind": kind}
        order = ["hook", "handler", "weight", "owner", "source", "status", "error",
                 "durationNs", "message", "code"]
        for key in order:
            if key in fields:
                event[key] = fields.pop(key)
        for key in sorted(fields):
            event[key] = fields[key]
        lines.append(dumps(event))
        seq += 1

    header = {"format": "mortar-trace", "label": "bigclose", "pid": 4242,
              "startedAt": "2026-12-01T09:00:00.000Z", "version": 1}
    emit("app.created", label="bigclose", exitOnClose=True, qtVersion="6.8.0")
    t += 2_000_000
    emit("state", state="SettingUp")
    for index, plugin in enumerate(plugins):
        t += 150_000
        emit("plugin.loaded", name=plugin, version="1.%d" % index, file="lib%s.so" % plugin,
             enabledBy="AppOptions::plugins", durationNs=140_000)
    emit("state", state="Ready")
    emit("state", state="Running")
    for i in range(args.logs):
        t += 20_000
        emit("log", message="request %d served" % i, level="info", category="bigclose")

    t += 5_000_000
    if args.hard:
        emit("signal", signalNumber=15, signal="SIGTERM")
    emit("state", state="Closing")
    emit("close.begin", cause="signal" if args.hard else "exec() ended")
    emit("hook.begin", hook="pre_close")
    close_start = t
    count = args.handlers if not args.hard or args.handlers != 500_000 else 300
    per_plugin = max(1, count // len(plugins))
    factor = 1.0 + args.slower / 100.0
    timed_out = None
    failures = 0
    hang = None
    hang_begin = 0
    upload_start = 0
    pending_async = []
    for i in range(count):
        plugin = plugins[min(i // per_plugin, len(plugins) - 1)]
        name = "%s: step %d" % (plugin, i)
        weight = i // per_plugin * 10
        duration = int((800 + (i * 7919) % 3000) * factor)
        if args.hard:  # a small close of real work: 0.5 to 2 ms a handler
            duration = int((500_000 + (i * 7919) % 1_500_000) * factor)
        status, error, deferred = "ok", None, False
        if args.hard:
            if i == 40:
                name, duration = "storage: compact database", int(450_000_000 * factor)
            elif i == 77 or i == 130:
                status, error = "failed", ("disk full" if i == 77 else "connection reset")
                name = "network: close sockets" if i == 130 else "storage: flush journal"
                failures += 1
            elif i == 150:
                deferred, name = True, "telemetry: upload"
                upload_start = t
            elif i == 200:  # runs until after the upload's timeout
                name = "session: save state"
                duration = max(duration, upload_start + 505_000_000 - t)
            elif i == 151:
                deferred, name = True, "telemetry: send crash reports"
            elif i == 250:
                hang = name = "ui: save window layout"
                hang_begin = t
        if name == args.fail:
            status, error = "failed", "it broke"
        if name == args.ok and status == "failed":
            status, error = "ok", None
            failures -= 1
        plugin = name.split(":")[0]
        source = "%s.cpp:%d" % (plugin, 10 + i % 400)
        emit("handler.begin", hook="pre_close", handler=name, weight=weight, owner=plugin,
             source=source)
        if name == hang:
            # Hangs: no handler.end; the watchdog kills the process 1459 ms into the close.
            t = close_start + 1_459_000_000
            break
        t += duration
        fields = {"hook": "pre_close", "handler": name, "weight": weight, "status": status,
                  "durationNs": duration}
        if error:
            fields["error"] = error
        if deferred:
            fields["deferred"] = True
            pending_async.append((name, weight, plugin, t - duration))
        emit("handler.end", **fields)
        # The asynchronous parts settle a while later, while other handlers run.
        for pending in list(pending_async):
            pname, pweight, pplugin, pstart = pending
            if pname == "telemetry: upload" and t - pstart >= 500_000_000:
                timed_out = pname
                emit("deferral.end", hook="pre_close", handler=pname, weight=pweight,
                     owner=pplugin, status="timedOut", error="did not finish within 500 ms",
                     durationNs=500_000_000)
                pending_async.remove(pending)
            elif pname != "telemetry: upload" and t - pstart >= 120_000_000:
                emit("deferral.end", hook="pre_close", handler=pname, weight=pweight,
                     owner=pplugin, status="ok", durationNs=t - pstart)
                pending_async.remove(pending)
    if hang:
        emit("process.killed", thread=0, cause="watchdog", code=124, hook="pre_close",
             handler=hang, runningNs=t - hang_begin)
    else:
        emit("hook.end", hook="pre_close", status="failed" if failures or args.fail else "ok",
             durationNs=t - close_start, handlers=count)
        emit("hook.begin", hook="post_close")
        emit("handler.begin", hook="post_close", handler="remove pid file", weight=0,
             owner="bigclose", source="main.cpp:40")
        t += 30_000
        emit("handler.end", hook="post_close", handler="remove pid file", weight=0, status="ok",
             durationNs=30_000)
        emit("hook.end", hook="post_close", status="ok", durationNs=30_000, handlers=1)
        code = 1 if failures or args.fail else 0
        if code:
            emit("exitCode.rule", code=1, why="a cleanup handler failed or timed out")
            emit("exitCode", code=1)
        emit("state", state="Closed")
        emit("close.end", durationNs=t - close_start, code=code, cause="exec() ended")
        emit("process.exit", code=code)

    with open(args.out, "w", encoding="utf-8") as out:
        out.write(json.dumps(header, separators=(",", ":"), sort_keys=True) + "\n")
        out.write("\n".join(lines))
        out.write("\n")
    print("%s: %d events, %d pre_close handlers" % (args.out, seq, count), file=sys.stderr)


if __name__ == "__main__":
    main()
