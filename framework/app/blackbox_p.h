// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

// The black box (spec §15): every run keeps its lifecycle trace (no log messages) in
// <state dir>/<label>/last-run.jsonl; the next setup() reads it and reports a run that ended
// badly.

#include "blackboxfile_p.h"

#include <mortar/hookregistry.h>
#include <mortar/runreport.h>
#include <mortar/trace.h>

#include <QObject>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace Mortar::Internal {

class AppPrivate;

class BlackBox final : public QObject
{
public:
    /*! setup()'s step, once the label is known to be valid: reads the previous run's black
        box into \c d->lastRun (logging it and recording \c postMortem if it ended badly), keeps
        it as previous-run.jsonl and starts this run's. Failing to write only warns. */
    static void start(AppPrivate *d);

    /*! After close.end: writes what is buffered and closes the file. */
    void finish();

    /*! \c{<state dir>/<label>}: GenericStateLocation where Qt has it, else \c $XDG_STATE_HOME
        or \c ~/.local/state. */
    static QString directory(const QString &label);
    /*! What the black-box file at \a path says about the run it recorded. */
    static RunReport read(const QString &path);

    ~BlackBox() override;

private:
    BlackBox(Trace &trace, HookRegistry &hooks);
    void onEvent(const TraceEvent &event);
    /*! One event's lines (two for a handler's begin and end), as the trace's line sink. */
    void onLines(const QByteArray &lines, qint64 lastSeq, const QString *kind);
    /*! The trace's line sink or not: off during the run phase. */
    void listen(bool on, bool withBacklog = false); // withBacklog: what was recorded before
    void flush();

    void flusherLoop();
    /*! Writes a \c handler.begin for the handler that runs now (or is awaited), if it is a new
        one, and a \c handler.end for the one written before that no longer runs. Flusher
        thread. */
    void sampleRunningHandler();

    Trace &m_trace;
    HookRegistry &m_hooks;
    const void *m_sampled = nullptr;     // the HandlerEntry last written as running; flusher thread
    TraceEvent m_sampledBegin;           // its handler.begin; flusher thread
    std::atomic<bool> m_sampling{false}; // listening: setup and the close, not the run phase
    BlackBoxFile m_file;
    std::atomic<bool> m_failed{false};
    bool m_listening = false; // App's thread only

    // The flusher thread ("mortar-blackbox"): woken by the first line after a flush, it writes
    // the batch 100 ms later, at one write per batch. Handler events are not lines of the
    // black box (their price would be the trace file's on every hook); instead, every 100 ms
    // while setup or the close runs, it writes which handler runs, if that changed — so a
    // handler that hangs, or runs when a SIGKILL comes, is named on disk within 100–200 ms.
    std::thread m_flusher;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_pending = false; // under m_mutex: lines wait for the flusher
    bool m_stop = false;    // under m_mutex
};

} // namespace Mortar::Internal
