// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include "closesummary.h"

#include <QAbstractListModel>

namespace Mortar::Inspector {

/*!
    \brief The ranked problems of a close (CloseSummary::problems()) as a list: failures, timeouts,
    handlers that did not finish, then the slowest handlers — what to look at first.
*/
class ProblemsModel final : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        BeginSeqRole = Qt::UserRole + 1, //!< seq of the handler's first event
        KindRole,                        //!< CloseSummary::Problem::Kind
        HookRole,
        HandlerRole,
    };

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
};

} // namespace Mortar::Inspector
