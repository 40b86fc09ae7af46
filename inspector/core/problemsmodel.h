// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include "closesummary.h"

#include <QAbstractListModel>

namespace Mortar::Inspector {

/*!
    \brief The ranked problems of a close (CloseSummary::problems()) as a list: failures, timeouts,
    handlers that did not finish, then the slowest handlers — what to look at first; then what
    outlived the close (CloseSummary::leaks, spec §16), one row each.
*/
class ProblemsModel final : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        BeginSeqRole = Qt::UserRole + 1, //!< seq of the handler's first event
        KindRole,                        //!< CloseSummary::Problem::Kind, or LeakKind
        HookRole,
        HandlerRole,
    };

    /*! KindRole of a leak's row. */
    static constexpr int LeakKind = 100;

    explicit ProblemsModel(QObject *parent = nullptr);

    void setSummary(const CloseSummary &summary);
    /*! The close, with only the problems' rows. */
    const CloseSummary &summary() const { return m_summary; }
    const QList<CloseSummary::Problem> &problems() const { return m_problems; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    CloseSummary m_summary;
    QList<CloseSummary::Problem> m_problems;
    // The leaks follow the problems' rows; they are in m_summary.leaks.
};

} // namespace Mortar::Inspector
