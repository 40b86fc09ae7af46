// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/result.h>
#include <mortar/trace.h>

#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <atomic>

namespace Mortar::Inspector {

/*!
    \brief A trace file read back: its header and its events (docs/trace-format.md).

    A file cut short by a crash or a forced exit is normal: a last line without its newline is
    ignored. Lines that are not JSON objects are skipped and listed in problems(), by line number.
    Handler events come completed (TraceHandlerResolver): a begin with its handler's owner and
    source, an end with its weight, whether the file wrote them there (older files) or once, on
    the handler's handler.added.

    save() writes one back in the same format, so what the inspector kept of a live app can be
    opened later like any app's own trace file.
*/
class TraceFile final
{
public:
    /*! Reads \a path; fails naming the file if it cannot be read or is not a Mortar trace.
        \a progress, if given, is set to the bytes read so far (another thread may show it). */
    Result load(const QString &path, std::atomic<qint64> *progress = nullptr);

    const QJsonObject &header() const { return m_header; }
    QString label() const;
    qint64 pid() const;
    const QList<TraceEvent> &events() const { return m_events; }
    const QStringList &problems() const { return m_problems; }

    /*! The header of a trace written by the inspector for an app it followed live. */
    static QJsonObject header(const QString &label, qint64 pid);
    /*! Writes \a header and \a events to \a path, atomically: the file is whole or untouched. */
    static Result save(const QString &path, const QJsonObject &header,
                       const QList<TraceEvent> &events);

private:
    QJsonObject m_header;
    QList<TraceEvent> m_events;
    QStringList m_problems;
};

} // namespace Mortar::Inspector
