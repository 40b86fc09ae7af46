// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/trace.h>

#include <QAbstractTableModel>

namespace Mortar::Inspector {

/*!
    \brief Where the time went: per handler (hook and name) or per plugin (its owner), how many
    runs, their total, mean and longest duration, and how many of them were problems (failed,
    timed out, did not finish). Sort with a QSortFilterProxyModel on SortRole (the numbers, not
    their text).
*/
class StatisticsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum class Grouping { Handler, Plugin };
    enum Column { Name, Hook, Runs, Total, Mean, Longest, Problems, ColumnCount };
    Q_ENUM(Column)
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit StatisticsModel(QObject *parent = nullptr);

    /*! Computes from \a events, which must outlive this model (it keeps a pointer, for
        setGrouping()). */
    void setEvents(const QList<TraceEvent> &events);
    void setGrouping(Grouping grouping);
    Grouping grouping() const { return m_grouping; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Entry
    {
        QString name; // the handler, or the plugin (owner)
        QString hook; // the handler's hook; for a plugin, how many handlers it has
        qint64 runs = 0;
        qint64 totalNs = 0;
        qint64 longestNs = 0;
        qint64 problems = 0;
        qint64 handlers = 0;
    };
    void rebuild();

    const QList<TraceEvent> *m_events = nullptr; // the event model's list, not a copy
    Grouping m_grouping = Grouping::Handler;
    QList<Entry> m_entries;
};

} // namespace Mortar::Inspector
