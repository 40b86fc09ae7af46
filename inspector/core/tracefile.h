// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/result.h>
#include <mortar/trace.h>

#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace Mortar::Inspector {

/*!
    \brief A trace file read back: its header and its events (docs/trace-format.md).

    A file cut short by a crash or a forced exit is normal: a last line without its newline is
    ignored. Lines that are not JSON objects are skipped and listed in problems(), by line number.
*/
class TraceFile final
{
public:
    /*! Reads \a path; fails naming the file if it cannot be read or is not a Mortar trace. */
    Result load(const QString &path);

    const QJsonObject &header() const { return m_header; }
    QString label() const;
    qint64 pid() const;
    const QList<TraceEvent> &events() const { return m_events; }
    const QStringList &problems() const { return m_problems; }

private:
    QJsonObject m_header;
    QList<TraceEvent> m_events;
    QStringList m_problems;
};

} // namespace Mortar::Inspector
