// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/result.h>
#include <mortar/trace.h>

#include <QMainWindow>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class QTreeView;

namespace Mortar::Inspector {

class EventTableModel;
class HookTreeModel;
class TimelineView;

/*!
    \brief The inspector's window: Hooks, Cleanup trace (timeline and event table), Log, and a
    status bar with app, pid, state, exit code and close duration.
*/
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);

    /*! Shows the trace file \a path. */
    Result openTraceFile(const QString &path);

    TimelineView *timeline() const { return m_timeline; }
    HookTreeModel *hookModel() const { return m_hookModel; }
    EventTableModel *eventModel() const { return m_eventModel; }
    QString statusText() const;

private:
    void showEvents(const QString &label, qint64 pid, const QList<TraceEvent> &events);
    void exportChromeTrace();

    QList<TraceEvent> m_events;
    QString m_label;
    qint64 m_pid = 0;

    QTabWidget *m_tabs;
    HookTreeModel *m_hookModel;
    QTreeView *m_hookView;
    TimelineView *m_timeline;
    EventTableModel *m_eventModel;
    QSortFilterProxyModel *m_eventFilter;
    QLineEdit *m_filterEdit;
    QTableView *m_eventView;
    QSortFilterProxyModel *m_logFilter;
    QTableView *m_logView;
    QLabel *m_status;
};

} // namespace Mortar::Inspector
