// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>
#include <mortar/trace.h>

#include <QJsonDocument>
#include <QList>
#include <QString>

#include <optional>

namespace Mortar {

/*!
    \brief One handler's run, as a trace tells it: from its \c handler.begin to its
    \c handler.end, and on to its \c deferral.end when it finished asynchronously.

    A handler that began and never ended (it hung, or the process crashed or was killed) has
    \c finished false and ends where the trace stops.
*/
struct MORTAR_EXPORT TraceSpan
{
    QString hook;
    QString handler;
    std::optional<int> weight;
    QString owner;
    QString source;
    int thread = 0;
    qint64 beginSeq = 0;
    qint64 startNs = 0;
    qint64 returnNs = 0; //!< when the call returned (its synchronous part ended)
    qint64 endNs = 0;    //!< when it settled: returnNs, or when its deferrals settled
    QString status;      //!< \c ok, \c failed, \c timedOut, \c skipped; empty if not finished
    QString error;
    bool deferred = false; //!< had asynchronous work (a Deferral or a QFuture)
    bool finished = false;

    qint64 durationNs() const { return endNs - startNs; }
};

/*! The handler spans of \a events (in trace order), in the order the handlers began. */
MORTAR_EXPORT QList<TraceSpan> traceSpans(const QList<TraceEvent> &events);

/*!
    \brief The trace in Chrome's Trace Event Format, which Perfetto and chrome://tracing open.

    Hooks and handlers become complete events (\c{"ph": "X"}, microseconds) on their thread's
    track; each asynchronous part of a handler gets a track where nothing else overlaps it, with
    a flow arrow from the call; the close is a slice of its own. Status, owner, weight, source
    and error are in \c args. For large traces, writeChromeTrace() (<mortar/chromeexport.h>)
    streams the same to a device.
*/
MORTAR_EXPORT QJsonDocument chromeTrace(const QList<TraceEvent> &events, qint64 pid = 0,
                                        const QString &label = {});

} // namespace Mortar
