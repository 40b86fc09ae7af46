// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/result.h>
#include <mortar/trace.h>

#include <QMainWindow>
#include <QString>

class QLabel;
class QProcess;
class QLineEdit;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class QTreeView;

namespace Mortar::Inspector {

class EventTableModel;
class InspectorClient;
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
    /*! Starts \a program with inspection on and follows it live, from its first event. */
    void launch(const QString &program, const QStringList &arguments);

    /*! The app followed live has ended and its last events arrived. */
    bool isFinished() const { return m_finished; }
    const QList<TraceEvent> &events() const { return m_events; }

    TimelineView *timeline() const { return m_timeline; }
    HookTreeModel *hookModel() const { return m_hookModel; }
    EventTableModel *eventModel() const { return m_eventModel; }
    QString statusText() const;

Q_SIGNALS:
    /*! The launched app ended (exit code, or -1 if it crashed) and the inspector has its trace. */
    void launchedAppFinished(int exitCode);

private:
    void attach(const QString &socketPath, const QString &token);
    void appendLive(const QList<TraceEvent> &events);
    void finishLive();
    void showEvents(const QString &label, qint64 pid, const QList<TraceEvent> &events);
    void exportChromeTrace();

    QList<TraceEvent> m_events;
    InspectorClient *m_client = nullptr;
    QProcess *m_process = nullptr;
    int m_appExitCode = -1;
    bool m_appEnded = false;
    bool m_disconnected = false;
    bool m_finished = false;
    bool m_timelinePending = false;
    QString m_source; // "live" or "from a trace file"
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
