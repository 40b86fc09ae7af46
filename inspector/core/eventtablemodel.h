// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/trace.h>

#include <QAbstractTableModel>
#include <QList>

namespace Mortar::Inspector {

/*!
    \brief The events of a trace as a table: seq, time, thread, kind, hook, handler, status,
    duration, and the message or error.

    Fed in batches (appendEvents()), from a trace file or, live, from an app: one row insertion
    per batch keeps a view responsive with a million events.
*/
class EventTableModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Seq, Time, Thread, Kind, Hook, Handler, Status, Duration, Details, ColumnCount };
    Q_ENUM(Column)

    explicit EventTableModel(QObject *parent = nullptr);

    void appendEvents(const QList<TraceEvent> &events);
    void clear();
    const TraceEvent &event(int row) const { return m_events.at(row); }
    const QList<TraceEvent> &events() const { return m_events; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<TraceEvent> m_events;
};

} // namespace Mortar::Inspector
