// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include "closecompare.h"

#include <QAbstractTableModel>

namespace Mortar::Inspector {

/*!
    \brief A CloseCompare as a table, one row per handler: hook, handler, status and duration in
    BASE and in NEW, the change — regressions first, then new and vanished handlers, then the
    rest by how much slower they got.
*/
class CompareModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Hook,
        Handler,
        BaseStatus,
        NewStatus,
        BaseDuration,
        NewDuration,
        Change,
        ColumnCount
    };
    Q_ENUM(Column)
    enum Role { RegressedRole = Qt::UserRole + 1 };

    explicit CompareModel(QObject *parent = nullptr);

    void setCompare(CloseCompare compare);
    const CloseCompare &compare() const { return m_compare; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    CloseCompare m_compare;
    QList<qsizetype> m_order; // into m_compare.changes
};

} // namespace Mortar::Inspector
