// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>
#include <mortar/result.h>
#include <mortar/trace.h>

#include <QIODevice>
#include <QList>
#include <QString>

namespace Mortar {

/*!
    \brief Writes a trace in Chrome's Trace Event Format (Perfetto, chrome://tracing), streamed:
    a million-event trace goes out as it is read, never as one QJsonDocument.

    Hooks and handlers are complete events on their thread's track; every asynchronous part of
    a handler gets a track of its own (parts that overlap never share one, so nothing nests
    falsely), with a flow arrow from the handler's call to it; the whole close is a slice on a
    track of its own; signals, log lines, exit-code changes and the process's end are instants.
    A slice's colour is its status. chromeTrace() (<mortar/tracespans.h>) is the same as a
    QJsonDocument, for small traces.
*/
MORTAR_EXPORT Result writeChromeTrace(QIODevice *out, const QList<TraceEvent> &events,
                                      qint64 pid = 0, const QString &label = {});
/*! The same, to the file \a path, atomically. */
MORTAR_EXPORT Result writeChromeTrace(const QString &path, const QList<TraceEvent> &events,
                                      qint64 pid = 0, const QString &label = {});

} // namespace Mortar
