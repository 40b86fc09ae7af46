// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractProxyModel>
#include <QFutureWatcher>
#include <QList>
#include <QTimer>

namespace Mortar::Inspector {

class EventTableModel;

/*!
    \brief The events of an EventTableModel that match what is typed, without ever blocking the
    window: setFilterText() waits until typing pauses (debounce), the matching runs in a worker
    thread over the events (not their display text), and the view gets one model reset with the
    result — never a million rows hidden or removed one by one.

    A filter matches, case-insensitively, the kind, hook, handler, owner, source, status, error,
    message and the event's subject (a plugin's name, a state, a cause). The word \c problems
    matches failed and timed-out handlers and those that never finished.
*/
class EventFilterModel final : public QAbstractProxyModel
{
    Q_OBJECT

public:
    explicit EventFilterModel(QObject *parent = nullptr);
    ~EventFilterModel() override;

    void setSourceModel(QAbstractItemModel *source) override;
    /*! Filters by \a text once typing pauses (\a debounceMs), in the background. */
    void setFilterText(const QString &text);
    /*! Filters by \a text now, in this thread (tests, and the first view of a file). */
    void applyFilterNow(const QString &text);
    QString filterText() const { return m_text; }
    /*! A filter is being computed; filterApplied() follows. */
    bool isFiltering() const { return m_pending || m_watcher.isRunning(); }

    void setDebounceMs(int ms) { m_debounce.setInterval(ms); }

    QModelIndex mapToSource(const QModelIndex &proxy) const override;
    QModelIndex mapFromSource(const QModelIndex &source) const override;
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;

Q_SIGNALS:
    /*! The rows now shown are those matching filterText(). */
    void filterApplied();

private:
    void start();
    void sourceRowsInserted(const QModelIndex &parent, int first, int last);
    void sourceReset();

    EventTableModel *m_source = nullptr;
    QString m_text;         // what the rows shown match
    QString m_requested;    // what was typed last
    bool m_identity = true; // no filter: every source row, without a list of them
    int m_identityRows = 0; // how many of them the view has been told of
    QList<int> m_rows;      // the matching source rows, ascending
    bool m_pending = false;
    quint64 m_generation = 0;
    QTimer m_debounce;
    QFutureWatcher<QList<int>> m_watcher;
};

} // namespace Mortar::Inspector
