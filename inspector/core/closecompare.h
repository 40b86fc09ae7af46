// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include "closesummary.h"

#include <QList>
#include <QString>

#include <optional>

class QTextStream;

namespace Mortar::Inspector {

/*!
    \brief Two closes side by side (SPEC 10.2, --compare): per handler, matched by hook and
    name, how its status and duration changed; the handlers only one of them has; and whether
    the new one regressed — a new failure, timeout or did-not-finish, or a handler slower by
    more than the threshold (and by at least 1 ms).

    A handler that ran more than once in a close is matched run by run (its first run with the
    other's first run, and so on).
*/
struct CloseCompare
{
    struct Change
    {
        QString hook;
        QString handler;
        std::optional<qsizetype> baseRow; //!< into base.rows; empty for a new handler
        std::optional<qsizetype> newRow;  //!< into current.rows; empty for a vanished one
        bool regressed = false;
        QString why; //!< what regressed, in words
    };

    CloseSummary base;
    CloseSummary current;
    QList<Change> changes; //!< in NEW's run order, then the vanished ones in BASE's
    double thresholdPercent = 20;

    static CloseCompare of(CloseSummary base, CloseSummary current, double thresholdPercent = 20);

    qsizetype regressionCount() const;
    bool regressed() const { return regressionCount() > 0; }
    /*! "+12.5 %" of a change in duration; empty when either side is missing. */
    QString durationChange(const Change &change) const;
    /*! Verdicts of both, the regressions, new and vanished handlers, then every handler. */
    void write(QTextStream &out) const;
};

} // namespace Mortar::Inspector
