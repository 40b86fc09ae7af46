// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/trace.h>

#include <QList>
#include <QString>

#include <optional>

namespace Mortar::Inspector {

/*!
    \brief What a developer asks of a finished run: which cleanup handler ran, how it ended, how
    long it took — and how the close ended.
*/
struct CloseSummary
{
    struct Row
    {
        QString hook;
        QString handler;
        std::optional<int> weight;
        QString status; //!< ok, failed, timedOut, skipped, or "did not finish"
        qint64 durationNs = 0;
        QString error;
        bool deferred = false;
    };

    QList<Row> rows; //!< the pre_close and post_close handlers, in the order they ran
    std::optional<int> exitCode;
    QString cause;
    std::optional<qint64> closeDurationNs;
    QString ending; //!< how the process ended, if the trace says: process.exit/killed/crashed

    static CloseSummary of(const QList<TraceEvent> &events);
    /*! A text table: hook, handler, weight, status, duration (ms), error; then the close. */
    QString toText() const;
};

} // namespace Mortar::Inspector
