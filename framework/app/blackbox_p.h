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
#include <QTimer>

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
    void flush();

    Trace &m_trace;
    BlackBoxFile m_file;
    QTimer m_timer;
    std::atomic<qint64> m_lastFlushNs{0};
    std::atomic<bool> m_failed{false};
    std::atomic<bool> m_running{false}; // the App is in its run phase
};

} // namespace Mortar::Internal
