// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/app.h>
#include <mortar/trace.h>

#include <QList>
#include <QString>

// What the framework tests ask of an App's in-memory trace.

/*! The events of \a kind (e.g. "close.begin") that \a app recorded, in order. */
inline QList<Mortar::TraceEvent> eventsOfKind(Mortar::App &app, const QString &kind)
{
    QList<Mortar::TraceEvent> found;
    const QList<Mortar::TraceEvent> events = app.trace().events();
    for (const Mortar::TraceEvent &event : events) {
        if (event.kind == kind)
            found.append(event);
    }
    return found;
}
