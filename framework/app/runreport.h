// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <optional>

namespace Mortar {

/*!
    \brief How the previous run of this App (same label, same user) ended: the post mortem of
    its black box (spec §15), \c{app.lastRun()}.

    Read at setup() from \c{<state dir>/<label>/last-run.jsonl}. Invalid (ending() is \c None)
    when there was no previous run, the black box is off (AppOptions::blackBox), or setup() has
    not run.
*/
struct MORTAR_EXPORT RunReport
{
    enum class Ending {
        None,           //!< nothing known: no previous run, or the black box is off
        Clean,          //!< the close finished and every cleanup handler succeeded
        FailedHandlers, //!< the close finished, but cleanup handlers failed or timed out
        Killed,         //!< ended by the watchdog or by a second signal during the close
        Crashed,        //!< a crash signal (SIGSEGV, SIGABRT …)
        Vanished,       //!< no close.end: SIGKILL, the OOM killer, power loss, exit without close
    };

    Ending ending = Ending::None;
    qint64 pid = 0;
    QDateTime startedAt;         //!< UTC
    std::optional<int> exitCode; //!< unknown for a crash or a vanished run
    QString cause;        //!< \c watchdog, \c signal, \c crash, \c vanished, or the close's cause
    int signalNumber = 0; //!< the crash or second signal
    QString hook;         //!< where it hung, crashed or was last seen
    QString handler;      //!< the handler that was running (its name)
    QString owner;        //!< that handler's owner (a plugin, an extension), if known
    qint64 closeDurationNs = -1; //!< from close.begin to the end, if the close began
    QStringList failedHandlers;  //!< FailedHandlers: \c{name (hook, status)}
    QString path;                //!< the black-box file it was read from

    bool isValid() const { return ending != Ending::None; }
    /*! True when there is nothing to report: no previous run, or one that ended cleanly. */
    bool clean() const { return ending == Ending::None || ending == Ending::Clean; }
    /*! One line that says what happened and where, e.g. "the last run (pid 4242, 2026-12-01
        09:14) was killed by the watchdog after 30 s in 'sync: upload changes' (plugin sync,
        pre_close)". Empty when clean(). */
    QString summary() const;
    static QString endingName(Ending ending);
    /*! Where the black box of the App labelled \a label keeps its current (or, while no App of
        that label runs, its last) run: \c{<state dir>/<label>/last-run.jsonl}. */
    static QString lastRunFile(const QString &label);
};

} // namespace Mortar
