// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

// The black box (spec §15): every run keeps its lifecycle trace (no log messages) in
// <state dir>/<label>/last-run.jsonl; the next setup() reads it and reports a run that ended
// badly.

#include "blackboxfile_p.h"

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
    explicit BlackBox(Trace &trace);
    void onEvent(const TraceEvent &event);
    /*! One event's lines (two for a handler's begin and end), as the trace's line sink. */
    void onLines(const QByteArray &lines, qint64 lastSeq, const QString *kind);
    /*! The trace's line sink or not: off during the run phase. */
    void listen(bool on);
    void flush();

    void flusherLoop();

    Trace &m_trace;
    BlackBoxFile m_file;
    std::atomic<bool> m_failed{false};
    bool m_listening = false; // App's thread only

    // The flusher thread ("mortar-blackbox"): asleep while nothing is buffered; woken by the
    // first line after a flush, it writes the batch 100 ms later. So a handler that hangs (or
    // a SIGKILL) loses at most 100 ms of events, in whatever thread the App is stuck, at one
    // write per batch — not one per handler of a close with thousands.
    std::thread m_flusher;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_pending = false; // under m_mutex: lines wait for the flusher
    bool m_stop = false;    // under m_mutex
};

} // namespace Mortar::Internal
